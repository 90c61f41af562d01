/**
 * Autodistribution over real sockets: HTTP (what Asterisk's CURL() does) and FastAGI (a fake
 * Asterisk speaking AGI over TCP), against the strict Bitrix24 emulator: the responsible manager's
 * extension and a ≤ 20 character caller name, the customize_autodistribution hook, working hours,
 * and the empty answer for unknown callers, errors and a portal slower than the limit.
 */
import { once } from "node:events";
import type { Server } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_USERS, startB24Emulator, type B24Emulator } from "@asterisk-b24/testkit";
import { Autodistribution, autodistributionSchema, createAutodistributionRouter, FastAgiServer, parseAgiEnvironment } from "../../src/autodistribution/index.js";
import { createHookRunner } from "../../src/hooks/index.js";
import { silentLogger } from "../../src/log/logger.js";
import { createExtensionMap } from "../../src/directory/extension-map.js";
import { UsersCache } from "../../src/directory/users-cache.js";
import { createWebhookPort } from "../support/webhook-port.js";

const HOOK = fileURLToPath(new URL("../../examples/hooks/customize_autodistribution.mjs", import.meta.url));

const CONTACTS = [
  { ID: 1, NAME: "Known", LAST_NAME: "Client", ASSIGNED_BY_ID: 1, PHONE: [{ VALUE: "+79161234567", VALUE_TYPE: "WORK" }] },
  { ID: 2, NAME: "Konstantin Konstantinopolsky", LAST_NAME: "Jr.", ASSIGNED_BY_ID: 2, PHONE: [{ VALUE: "+79035550101", VALUE_TYPE: "WORK" }] },
  { ID: 3, NAME: "Left", LAST_NAME: "Behind", ASSIGNED_BY_ID: 7, PHONE: [{ VALUE: "+79035550202", VALUE_TYPE: "WORK" }] },
  { ID: 4, NAME: "Away", LAST_NAME: "Case", ASSIGNED_BY_ID: 4, PHONE: [{ VALUE: "+79035550404", VALUE_TYPE: "WORK" }] },
];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  emu: B24Emulator;
  http(query: string): Promise<{ status: number; text: string }>;
  agi(env: Record<string, string>, opts?: { hangupAfterEnv?: boolean }): Promise<Record<string, string>>;
}

async function setup(config: Record<string, unknown> = {}, hooks = false): Promise<Setup> {
  const emu = await startB24Emulator({
    webhook: { userId: 1, code: "ad0webhook0code" },
    users: [...DEMO_USERS, { ID: 7, NAME: "Gone", LAST_NAME: "Away", UF_PHONE_INNER: "107", ACTIVE: false }],
    contacts: CONTACTS as never,
    limits: false,
  });
  cleanups.push(() => emu.close());
  const port = createWebhookPort(emu.webhookUrl, { timeoutMs: 5000 });
  const users = new UsersCache({ port, refreshIntervalMs: 0 });
  await users.refresh();
  const cfg = autodistributionSchema.parse({ enabled: true, ...config });
  const resolver = new Autodistribution({
    config: cfg,
    b24: port,
    users,
    // with the hook on, no extension map: the example hook works on the Bitrix24 numbers
    extensionMap: createExtensionMap(hooks ? {} : { rules: [{ kind: "last-digits", digits: 3, pbxPrefix: "77" }] }),
    hooks: createHookRunner({ config: { dir: "/nonexistent", enabled: hooks ? { customize_autodistribution: { file: HOOK } } : {} } }),
    logger: silentLogger(),
  });
  const app = express();
  app.use("/autodistribution", createAutodistributionRouter(resolver, cfg.http.token));
  const server: Server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  const httpPort = (server.address() as { port: number }).port;
  const agi = new FastAgiServer({ host: "127.0.0.1", port: 0, resolve: (q) => resolver.resolve(q), logger: silentLogger() });
  const agiPort = await agi.start();
  cleanups.push(() => agi.stop());
  return {
    emu,
    async http(query) {
      const r = await fetch(`http://127.0.0.1:${httpPort}/autodistribution?${query}`);
      return { status: r.status, text: await r.text() };
    },
    /** A fake Asterisk: sends the AGI environment, answers every command "200 result=1", collects SET VARIABLEs. */
    async agi(env, opts = {}) {
      const socket = connect(agiPort, "127.0.0.1");
      await once(socket, "connect");
      socket.setEncoding("utf8");
      const vars: Record<string, string> = {};
      let buf = "";
      const done = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      socket.on("data", (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = /^SET VARIABLE (\S+) "((?:[^"\\]|\\.)*)"$/.exec(line);
          if (m) vars[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
          socket.write(m ? "200 result=1\n" : "510 Invalid or unknown command\n");
        }
      });
      // one write: the HANGUP (AGISIGHUP) is there before the server has its answer
      socket.write(
        Object.entries(env)
          .map(([k, v]) => `agi_${k}: ${v}\n`)
          .join("") +
          "\n" +
          (opts.hangupAfterEnv ? "HANGUP\n" : ""),
      );
      await done;
      return vars;
    },
  };
}

const agiEnv = (callerid: string, extra: Record<string, string> = {}) => ({
  network: "yes",
  network_script: "autodistribution",
  request: "agi://127.0.0.1:4573/autodistribution",
  channel: "PJSIP/provider-00000001",
  language: "ru",
  type: "PJSIP",
  uniqueid: "1795257568.0",
  callerid,
  calleridname: "unknown",
  dnid: "74951234567",
  context: "from-trunk",
  extension: "74951234567",
  priority: "1",
  ...extra,
});

describe("autodistribution", () => {
  it("HTTP: the responsible manager's extension and a caller name of at most 20 characters", async () => {
    const s = await setup();
    expect(await s.http("from=%2B79161234567")).toEqual({ status: 200, text: "77101,Known Client" });
    expect(await s.http("from=89161234567")).toEqual({ status: 200, text: "77101,Known Client" });
    const long = await s.http("from=79035550101&format=json");
    expect(JSON.parse(long.text)).toEqual({ number: "77102", name: "Konstantin Konstanti", reason: "found" });
    expect(Array.from(JSON.parse(long.text).name as string)).toHaveLength(20);
    // unknown caller, inactive responsible, junk → empty answer (normal route), still HTTP 200
    expect(await s.http("from=79990000000")).toEqual({ status: 200, text: "" });
    expect(JSON.parse((await s.http("from=79035550202&format=json")).text)).toMatchObject({ number: "", reason: "responsible-without-number" });
    expect(await s.http("from=abc%0d%0aX")).toEqual({ status: 200, text: "" });
  });

  it("FastAGI: answers with SET VARIABLE; agi_* values containing ':' are read whole", async () => {
    const s = await setup();
    expect(await s.agi(agiEnv("79161234567"))).toEqual({ AD_NUMBER: "77101", AD_NAME: "Known Client", AD_REASON: "found" });
    expect(await s.agi(agiEnv("79990000000"))).toEqual({ AD_NUMBER: "", AD_NAME: "", AD_REASON: "no-entity" });
    // agi_arg_1 overrides the caller id (the dialplan passes a cleaned number)
    expect((await s.agi(agiEnv("anonymous", { arg_1: "+79035550101" }))).AD_NUMBER).toBe("77102");
    const parsed = parseAgiEnvironment(["agi_request: agi://127.0.0.1:4573/autodistribution?x=1", "agi_callerid: 79161234567", "agi_arg_1: a:b:c"]);
    expect(parsed).toMatchObject({ script: "/autodistribution", args: ["a:b:c"], vars: { request: "agi://127.0.0.1:4573/autodistribution?x=1" } });
  });

  it("FastAGI: a caller who hangs up gets no commands", async () => {
    const s = await setup();
    expect(await s.agi(agiEnv("79161234567"), { hangupAfterEnv: true })).toEqual({});
  });

  it("the customize_autodistribution hook changes the answer (example hook: 104 is away → reception 100)", async () => {
    const s = await setup({}, true);
    expect(await s.http("from=79161234567")).toEqual({ status: 200, text: "101,Known Client" });
    expect(await s.agi(agiEnv("79035550404"))).toEqual({ AD_NUMBER: "100", AD_NAME: "Away Case", AD_REASON: "found" });
  });

  it("slower than the limit → an empty answer over HTTP and FastAGI (the dialplan takes its normal route)", async () => {
    const s = await setup({ timeoutMs: 200 });
    s.emu.setFaults({ shareHang: 1 });
    expect(await s.http("from=79161234567&format=json")).toEqual({ status: 200, text: JSON.stringify({ number: "", name: "", reason: "timeout" }) });
    expect(await s.agi(agiEnv("79161234567"))).toEqual({ AD_NUMBER: "", AD_NAME: "", AD_REASON: "timeout" });
    s.emu.setFaults({});
    expect(await s.http("from=79161234567")).toEqual({ status: 200, text: "77101,Known Client" });
  });

  it("outside working hours → empty; inside → the manager; a configured token is required", async () => {
    const closed = await setup({ workingHours: { timezone: "UTC", days: {} } });
    expect(JSON.parse((await closed.http("from=79161234567&format=json")).text)).toMatchObject({ number: "", reason: "outside-hours" });
    const always = { mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"], fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"] };
    const open = await setup({ workingHours: { timezone: "Europe/Moscow", days: always }, http: { token: "dialplan-secret" } });
    const refused = await open.http("from=79161234567");
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toEqual({ error: "forbidden", message: "missing or wrong autodistribution token" });
    expect(await open.http("from=79161234567&key=dialplan-secret")).toEqual({ status: 200, text: "77101,Known Client" });
  });
});
