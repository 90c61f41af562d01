/** A call whose client number is unknown is never registered with an empty PHONE_NUMBER. */
import { describe, expect, it } from "vitest";
import { refuseUnknownNumber, UNKNOWN_NUMBER_REASON } from "../../src/stages/unknown-number.js";
import type { StageStep } from "../../src/stages/step.js";

function fakeStep() {
  const notes: string[] = [];
  const step = { callKey: "1.0", crm: {} as { registerError?: string }, deps: { journal: { record: async (_k: string, e: { text: string }) => void notes.push(e.text) } } };
  return { step: step as unknown as StageStep, crm: step.crm, notes };
}

describe("refuseUnknownNumber", () => {
  it("refuses an empty or missing PHONE_NUMBER, notes the reason once", async () => {
    const { step, crm, notes } = fakeStep();
    expect(await refuseUnknownNumber(step, { PHONE_NUMBER: "" })).toBe(false);
    expect(await refuseUnknownNumber(step, { PHONE_NUMBER: "  " })).toBe(false);
    expect(await refuseUnknownNumber(step, {})).toBe(false);
    expect(crm.registerError).toBe(UNKNOWN_NUMBER_REASON);
    expect(notes).toEqual([UNKNOWN_NUMBER_REASON]);
  });
  it("lets a number through", async () => {
    const { step, notes } = fakeStep();
    expect(await refuseUnknownNumber(step, { PHONE_NUMBER: "+79161234567" })).toBe(true);
    expect(notes).toEqual([]);
  });
});
