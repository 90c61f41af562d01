import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HOOK_NAMES, createHookRunner } from "../../src/hooks/index.js";
import { IS_CI, ensurePhp, fakeB24, sampleCallFull, sampleInput, tempDir } from "./helpers.js";

/** The shipped examples (one per customization point, plus Itgrix-style PHP files) do what they say. */
const EXAMPLES = path.resolve(import.meta.dirname, "../../examples/hooks");

function runner(dir = EXAMPLES, b24 = fakeB24()) {
  const enabled = Object.fromEntries(HOOK_NAMES.map((h) => [h, true]));
  return createHookRunner({ config: { dir, enabled }, b24 });
}

const missed = () =>
  sampleCallFull({
    result: 304,
    channel: { ...sampleCallFull().channel!, was_answered: false, answer_time: "0001-01-01 00:00:00" },
  });

describe("JS examples", () => {
  it("every point has an example", async () => {
    const { readdir } = await import("node:fs/promises");
    const files = await readdir(EXAMPLES);
    for (const hook of HOOK_NAMES) expect(files).toContain(`${hook}.mjs`);
  });

  it("customize_activity: line name in the subject", async () => {
    const r = await runner().run("customize_activity", sampleInput("customize_activity"));
    expect(r).toMatchObject({ outcome: "applied", data: { SUBJECT: "[Sales] Incoming call 89161234567", DESCRIPTION: "Line: Sales. Answered by: Anna Petrova." } });
  });

  it("customize_entity: leads get the line; contacts are not updated (cancelled)", async () => {
    const lead = await runner().run("customize_entity", sampleInput("customize_entity"));
    expect(lead).toMatchObject({ outcome: "applied", data: { UF_CRM_LAST_CALL_LINE: "73432723033", UF_CRM_LAST_CALL_AT: "2026-11-20 10:00:00" } });
    const contact = await runner().run("customize_entity", { call_full: sampleCallFull({ entity: { type: "contact", id: 9 } }) });
    expect(contact.outcome).toBe("cancelled");
  });

  it("need_registration: black list by trunk", async () => {
    const ok = await runner().run("need_registration", sampleInput("need_registration"));
    expect(ok).toMatchObject({ outcome: "applied", data: { result: true } });
    const call = sampleCallFull();
    call.channel!.trunk = { number: "74950000000" };
    const blocked = await runner().run("need_registration", { call_full: call, call_stage: "conversation_requested" });
    expect(blocked).toMatchObject({ outcome: "applied", data: { result: false } });
  });

  it("process_client_phone: 8 → +7", async () => {
    const r = await runner().run("process_client_phone", sampleInput("process_client_phone"));
    expect(r).toMatchObject({ outcome: "applied", data: { phone: "+79161234567" } });
    const foreign = await runner().run("process_client_phone", { ...sampleInput("process_client_phone"), phone: "+4930123456" });
    expect(foreign).toMatchObject({ data: { phone: "+4930123456" } });
  });

  it("process_final_params: per-trunk default responsible for 304 only", async () => {
    const answered = await runner().run("process_final_params", sampleInput("process_final_params"));
    expect(answered).toMatchObject({ outcome: "applied", data: { USER_ID: 7, STATUS_CODE: "200" } });
    const m = await runner().run("process_final_params", sampleInput("process_final_params", missed()));
    expect(m).toMatchObject({ outcome: "applied", data: { USER_ID: 5, STATUS_CODE: "304", CALL_ID: "externalCall.3f2a", ADD_TO_CHAT: 1 } });
  });

  it("process_originate_params: prefix 9", async () => {
    const input = sampleInput("process_originate_params");
    input.params.extension = "+7 (916) 123-45-67";
    const r = await runner().run("process_originate_params", input);
    expect(r).toMatchObject({ outcome: "applied", data: { extension: "989161234567", context: "from-internal" } });
  });

  it("process_record_file_path: the mp3 next to the wav; no file → cancelled", async () => {
    const dir = await tempDir("ab24-rec-");
    const wav = path.join(dir, "in-101.wav");
    await writeFile(wav, "RIFF");
    await writeFile(path.join(dir, "in-101.mp3"), "ID3");
    const r = await runner().run("process_record_file_path", { path: wav, call_full: sampleCallFull() });
    expect(r).toMatchObject({ outcome: "applied", data: { path: path.join(dir, "in-101.mp3") } });
    const none = await runner().run("process_record_file_path", { path: path.join(dir, "gone.wav"), call_full: sampleCallFull() });
    expect(none.outcome).toBe("cancelled");
  });

  it("process_registration_params: source per line", async () => {
    const r = await runner().run("process_registration_params", sampleInput("process_registration_params"));
    expect(r).toMatchObject({ outcome: "applied", data: { CRM_SOURCE: "ADVERTISING", CRM_CREATE: 1, TYPE: 2, USER_ID: 7 }, stripped: [] });
  });

  it("process_task_creation_params: title, deadline, IVR-missed calls to user 5", async () => {
    const r = await runner().run("process_task_creation_params", sampleInput("process_task_creation_params", { ...missed(), is_ivr: true }));
    expect(r).toMatchObject({
      outcome: "applied",
      data: { fields: { TITLE: "Call back 89161234567 (ACME LLC)", RESPONSIBLE_ID: 5, DEADLINE: "2026-11-20T12:00:00.000Z", UF_CRM_TASK: ["L_11201"] } },
    });
  });

  it("process_user_phone: branch extension and FMC mobile", async () => {
    const branch = await runner().run("process_user_phone", { ...sampleInput("process_user_phone"), phone: "2101" });
    expect(branch).toMatchObject({ data: { phone: "101" } });
    const mobile = await runner().run("process_user_phone", { ...sampleInput("process_user_phone"), phone: "+79031112233" });
    expect(mobile).toMatchObject({ data: { phone: "105" } });
  });

  it("customize_autodistribution: away manager → reception, name ≤ 20, error → normal route", async () => {
    const r = await runner().run("customize_autodistribution", {
      number: "104",
      name: "",
      from: "+79161234567",
      entity: { type: "company", id: 3, name: "Very Long Company Name LLC", responsible_id: 9 },
    });
    expect(r).toMatchObject({ outcome: "applied", data: { number: "100", name: "Very Long Company Na" } });
    const err = await runner().run("customize_autodistribution", { number: "", name: "", error: "not found" });
    expect(err.outcome).toBe("cancelled");
  });

  it("post_registration: a lead for a missed call from an unknown number, through ctx.b24", async () => {
    const b24 = fakeB24({ "crm.duplicate.findbycomm": [], "crm.lead.add": 901 });
    const input = { call_full: { ...missed(), entity: null }, call_stage: "call_ended" as const };
    const r = await runner(EXAMPLES, b24).run("post_registration", input);
    expect(r.outcome).toBe("applied");
    expect(b24.calls.map((c) => c.method)).toEqual(["crm.duplicate.findbycomm", "crm.lead.add"]);
    expect(b24.calls[1]!.params).toMatchObject({ fields: { TITLE: "Missed call from 89161234567" } });
  });

  it("customize_show_call_card: the supervisor sees sales calls", async () => {
    const r = await runner().run("customize_show_call_card", sampleInput("customize_show_call_card"));
    expect(r).toMatchObject({ outcome: "applied", data: { CALL_ID: "externalCall.3f2a", USER_ID: [7, 3] } });
  });

  it("customize_attach_record_url: a link to the recordings portal", async () => {
    const r = await runner().run("customize_attach_record_url", sampleInput("customize_attach_record_url"));
    expect(r).toMatchObject({
      outcome: "applied",
      data: { DESCRIPTION: '<a href="https://records.example.com/listen?call=1763632800.101">Listen to the recording</a>', DESCRIPTION_TYPE: 3 },
    });
  });
});

const hasPhp = ensurePhp();
describe.skipIf(!hasPhp && !IS_CI)("Itgrix-style PHP examples", () => {
  const PHP = path.join(EXAMPLES, "php");

  it("process_final_params.php (vendor example): +73432723033 → user 5 when STATUS_CODE == 304", async () => {
    const r = await runner(PHP).run("process_final_params", sampleInput("process_final_params", missed()));
    expect(r).toMatchObject({ outcome: "applied", form: "php", data: { USER_ID: 5, STATUS_CODE: "304" } });
    if (r.outcome === "applied") expect(r.stripped).toContain("data.call_full");
    const answered = await runner(PHP).run("process_final_params", sampleInput("process_final_params"));
    expect(answered).toMatchObject({ outcome: "applied", data: { USER_ID: 7 } });
  });

  it("need_registration.php: black list by trunk", async () => {
    const call = sampleCallFull();
    call.channel!.trunk = { number: "fax-line" };
    const r = await runner(PHP).run("need_registration", { call_full: call, call_stage: "call_ended" });
    expect(r).toMatchObject({ outcome: "applied", data: { result: false } });
  });
});
