import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { restCall, startB24Emulator, type B24Emulator } from "../src/b24-emulator/index.js";

const users = Array.from({ length: 60 }, (_, i) => ({
  ID: i + 1,
  NAME: `User${i + 1}`,
  UF_PHONE_INNER: String(101 + i),
  ACTIVE: i !== 59,
}));

describe("b24 emulator: batch", () => {
  let t = Date.UTC(2026, 2, 7, 7, 20, 30);
  let emu: B24Emulator;
  const batch = (params: Record<string, unknown>, encoding: "json" | "form" = "json") => restCall(emu.webhookUrl, "batch", params, { encoding });

  beforeAll(async () => {
    emu = await startB24Emulator({
      webhook: { userId: 1, code: "b" },
      users,
      contacts: [{ ID: 5, NAME: "Olga", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+79001234567", VALUE_TYPE: "WORK" }] }],
      limits: { burst: 3, drainPerSec: 2 },
      now: () => t,
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    t += 60_000; // bucket drained
  });

  it("runs named commands in order with $result / $total / $next references", async () => {
    const r = await batch({
      halt: 0,
      cmd: {
        u: "user.get?FILTER[UF_PHONE_INNER]=102",
        c: "crm.duplicate.findbycomm?type=PHONE&values[]=%2B79001234567",
        contact: "crm.contact.get?id=$result[c][CONTACT][0]",
        lead: "crm.lead.add?fields[TITLE]=Call for $result[u][0][NAME] ($result[contact][NAME])&fields[ASSIGNED_BY_ID]=$result[u][0][ID]",
        all: "user.get",
        page2: "user.get?start=$next[all]",
        count: "im.notify.system.add?USER_ID=1&MESSAGE=total $total[all]",
      },
    });
    expect(r.status).toBe(200);
    const res = r.body.result;
    expect(res.result.u[0].ID).toBe("2");
    expect(res.result.c).toEqual({ CONTACT: [5] });
    expect(res.result.contact.NAME).toBe("Olga");
    const leadId = res.result.lead as number;
    const lead = await restCall(emu.webhookUrl, "crm.lead.get", { id: leadId });
    // source regex \$(result|…)([^\s]*) is greedy up to whitespace: the ")" after the reference is swallowed
    expect(lead.body.result.TITLE).toBe("Call for User2 (Olga");
    expect(lead.body.result.ASSIGNED_BY_ID).toBe("2");
    expect(res.result_total).toEqual({ u: 1, all: 60, page2: 60 });
    expect(res.result_next).toEqual({ all: 50 });
    expect(res.result.page2).toHaveLength(10);
    expect(res.result.page2[0].ID).toBe("51");
    expect(res.result_error).toEqual([]);
    expect(Object.keys(res.result_time)).toEqual(["u", "c", "contact", "lead", "all", "page2", "count"]);
    expect(Number.isInteger(res.result_time.u.start)).toBe(true);
    const notif = emu.snapshot()["notifications"] as Array<{ MESSAGE: string }>;
    expect(notif[0]?.MESSAGE).toBe("total 60");
    // sub-calls are logged with viaBatch, the batch itself once
    const log = emu.requests();
    expect(log.filter((e) => !e.viaBatch)).toHaveLength(2);
    expect(log.filter((e) => e.viaBatch).map((e) => e.method)).toEqual([
      "user.get",
      "crm.duplicate.findbycomm",
      "crm.contact.get",
      "crm.lead.add",
      "user.get",
      "user.get",
      "im.notify.system.add",
    ]);
  });

  it("substitutes a whole-value reference raw (arrays too) and leaves non-scalars out of longer strings", async () => {
    const r = await batch({
      cmd: {
        d: "crm.duplicate.findbycomm?type=PHONE&values[]=89001234567",
        f: "crm.duplicate.findbycomm?type=PHONE&values=$result[d][CONTACT]",
        e: "crm.lead.add?fields[TITLE]=x $result[d] y",
        m: "crm.contact.get?id=$result[zz][0]",
      },
    });
    const res = r.body.result;
    expect(res.result.f).toEqual([]); // values = [5] (ids), no phone matches
    const lead = await restCall(emu.webhookUrl, "crm.lead.get", { id: res.result.e });
    expect(lead.body.result.TITLE).toBe("x $result[d] y");
    // missing path segment stops at the last resolved level: id = whole result map → invalid
    expect(res.result_error.m).toEqual({ error: "", error_description: "ID is not defined or invalid." });
  });

  it("lists results for list-form cmd; failed keys leave a PHP map; all-failed maps are []", async () => {
    const ok = await batch({ cmd: ["user.get?ID=1", "user.get?ID=2"] });
    expect(Array.isArray(ok.body.result.result)).toBe(true);
    expect(ok.body.result.result_error).toEqual([]);
    const mixed = await batch({ cmd: ["user.get?ID=1", "crm.lead.get?id=0", "user.get?ID=3"] });
    expect(Object.keys(mixed.body.result.result)).toEqual(["0", "2"]);
    expect(mixed.body.result.result_error).toEqual({ "1": { error: "", error_description: "ID is not defined or invalid." } });
    const none = await batch({ cmd: { a: "crm.lead.get?id=0", b: "no.such.method" } });
    expect(none.body.result.result).toEqual([]);
    expect(none.body.result.result_time).toEqual([]);
    expect(none.body.result.result_error.b).toEqual({ error: "ERROR_METHOD_NOT_FOUND", error_description: "Method not found!" });
  });

  it("executes 50 commands and answers the rest with ERROR_BATCH_LENGTH_EXCEEDED (HTTP 200)", async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 60; i++) cmd[`c${i}`] = `user.get?ID=${(i % 5) + 1}`;
    cmd["c10"] = ["not", "a", "string"] as unknown as string; // skipped but counted
    const r = await batch({ cmd });
    expect(r.status).toBe(200);
    const res = r.body.result;
    expect(Object.keys(res.result)).toHaveLength(49);
    expect(res.result.c10).toBeUndefined();
    expect(Object.keys(res.result_error)).toEqual(Array.from({ length: 10 }, (_, i) => `c${50 + i}`));
    expect(res.result_error.c55).toEqual({ error: "ERROR_BATCH_LENGTH_EXCEEDED", error_description: "Max batch length exceeded" });
    expect(emu.requests().filter((e) => e.viaBatch)).toHaveLength(49);
  });

  it('halt uses PHP truthiness: the string "false" halts, 0 does not', async () => {
    const cmd = { a: "user.get?ID=1", b: "crm.lead.get?id=0", c: "user.get?ID=2" };
    const halted = await batch({ halt: "false", cmd }, "form");
    expect(Object.keys(halted.body.result.result)).toEqual(["a"]);
    expect(Object.keys(halted.body.result.result_error)).toEqual(["b"]);
    const go = await batch({ halt: "0", cmd }, "form");
    expect(Object.keys(go.body.result.result)).toEqual(["a", "c"]);
    const jsonTrue = await batch({ HALT: true, CMD: cmd });
    expect(Object.keys(jsonTrue.body.result.result)).toEqual(["a"]);
  });

  it("refuses nested batch per command", async () => {
    const r = await batch({ cmd: { x: "batch?cmd[a]=user.get", y: "user.get?ID=1" } });
    expect(r.body.result.result_error.x).toEqual({ error: "ERROR_BATCH_METHOD_NOT_ALLOWED", error_description: "Method is not allowed for batch usage" });
    expect(r.body.result.result.y[0].ID).toBe("1");
  });

  it("charges one bucket unit per HTTP request, whatever the number of commands", async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 50; i++) cmd[`c${i}`] = "user.get?ID=1";
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await batch({ cmd })).status);
    expect(statuses).toEqual([200, 200, 200, 503]);
    expect(emu.stats().batchCommands).toBe(150);
    expect(emu.stats().limitErrors).toBe(1);
  });
});
