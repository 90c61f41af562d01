/**
 * A whole installation on one machine, for the demo and the end-to-end tests: the AMI replay
 * server playing real Asterisk recordings (it stands for the PBX, and writes the recording files
 * the PBX would), the strict Bitrix24 emulator seeded with the managers, and the connector
 * between them on a real Redis. Click-to-call goes the production way: the emulated portal fires
 * OnExternalCallStart at the b24-app (installed as the portal's local application), which queues
 * it (BullMQ) for the connector; the connector reaches Bitrix24 through the b24-app's gateway.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "pino";
import {
  buildPhpQuery,
  DEMO_CONTACTS,
  DEMO_USERS,
  RECORDED_MONITOR_DIR,
  RECORDED_VOICEMAIL_DIR,
  startAmiReplayServer,
  startB24Emulator,
  writeRecordingFiles,
  writeVoicemailFiles,
  type AmiReplayDrop,
  type AmiReplayServer,
  type B24Emulator,
  type B24EmulatorOptions,
  type Recording,
  type SeedContact,
  type SeedUser,
} from "@asterisk-b24/testkit";
import { parseConfig, type ConnectorConfigInput } from "../config/index.js";
import { Connector } from "../runtime/connector.js";
// The demo stack starts the b24-app in-process (the workspace package).
import { appPageUrl, B24App, generateTokenKeys, installUrl, parseB24AppConfig } from "@asterisk-b24/b24-app";
import type { StageEvent } from "../tracker/index.js";
import { globLiteral, purgeRedisKeys } from "./purge.js";

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface StackOptions {
  recordings: Recording[];
  speed: number | "asap";
  loop?: boolean;
  gapMs?: number;
  redisUrl: string;
  redisPrefix: string;
  cardMode?: "ringing" | "answer";
  /** Bitrix24 limits the emulator enforces (default cloud: 50 burst, 2/s). */
  limits?: { burst: number; drainPerSec: number } | false;
  contacts?: SeedContact[];
  /** The portal's users (default DEMO_USERS: 101–106). User STACK_INSTALLER_USER_ID must be among them (it installed the b24-app). */
  users?: SeedUser[];
  emulatorPort?: number;
  httpPort?: number;
  /** PBX fault: drop the AMI connection at playlist message N, losing K messages. */
  drop?: AmiReplayDrop;
  /** The connector starts this far (ms of recorded time) into the playlist, with those calls already up. */
  startAtMs?: number;
  /** PBX actions that never get a reply (e.g. an AMI user without the right to Getvar). */
  silentActions?: string[];
  /** Bitrix24 portal behaviour (e.g. an older box whose register de-duplication ignores EXTERNAL_CALL_ID). */
  portal?: Pick<B24EmulatorOptions, "dedupByExternalCallId">;
  /** On close, delete every Redis key the stack created (its prefix, the click-to-call queue): the demo's clean stop. */
  purgeOnClose?: boolean;
  /** Extra connector configuration merged over the stack's. */
  config?: DeepPartial<ConnectorConfigInput>;
  logger: Logger;
  onStage?: (event: StageEvent) => void;
  onCallDone?: (callKey: string) => void;
  /** "auto" (default): the stack clicks when a click-to-call recording waits; "manual": tests click. */
  clicks?: "auto" | "manual";
  /** How the b24-app gets click-to-call events: the portal POSTs them (online) or it polls event.offline.get. */
  events?: "online" | "offline";
  /**
   * Wait, before the connector starts, until the portal's request bucket has drained what the
   * b24-app's installation spent (event.bind, placement.bind…: requests from the same IP that the
   * connector's limiter never saw). Benches use it so that they measure the connector alone.
   */
  settleAfterInstall?: boolean;
}

export interface Stack {
  emu: B24Emulator;
  pbx: AmiReplayServer;
  connector: Connector;
  /** The b24-app (installed on the emulator; the connector's gateway and click-to-call relay). */
  b24app: B24App;
  monitorDir: string;
  /** Click-to-calls the stack made: recording name → Bitrix24 CALL_ID. */
  clicks: Map<string, string>;
  /** Resolves when the replay is over and every call went through the pipeline. */
  idle(): Promise<void>;
  /** Starts a connector again (after `crash()`), on the same Redis and emulator. */
  restartConnector(): Promise<void>;
  /** Kills the connector abruptly (no graceful stop of the pipeline). */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/** The portal user who installed the b24-app in the demo stack (and owns its webhook). */
export const STACK_INSTALLER_USER_ID = 1;

export async function startStack(o: StackOptions): Promise<Stack> {
  if (o.users && !o.users.some((u) => u.ID === STACK_INSTALLER_USER_ID && u.ACTIVE !== false))
    throw new Error(`stack: the portal's users must include the active user ${STACK_INSTALLER_USER_ID}, who installs the b24-app`);
  const monitorDir = mkdtempSync(join(tmpdir(), "ab24-monitor-"));
  const voicemailDir = join(monitorDir, ".voicemail");
  for (const rec of o.recordings) {
    writeRecordingFiles(rec, monitorDir);
    writeVoicemailFiles(rec, voicemailDir);
  }
  const emu = await startB24Emulator({
    ...(o.emulatorPort !== undefined ? { port: o.emulatorPort } : {}),
    webhook: { userId: STACK_INSTALLER_USER_ID, code: "demo0webhook0code" },
    // The administrator who installs the b24-app is a real portal user (user 1): the connector's
    // `user.current` through the gateway is that user, where calls nobody owns land.
    oauth: { clientId: "local.ab24stack", clientSecret: "stack0client0secret", applicationToken: randomBytes(16).toString("hex"), userId: STACK_INSTALLER_USER_ID },
    users: o.users ?? DEMO_USERS,
    contacts: o.contacts ?? DEMO_CONTACTS,
    limits: o.limits ?? { burst: 50, drainPerSec: 2 },
    ...o.portal,
  });
  const hasClickToCall = o.recordings.some((r) => r.actions.some((a) => a.message.get("Action")?.toLowerCase() === "originate"));
  const pbx = await startAmiReplayServer({
    recordings: o.recordings,
    speed: o.speed,
    loop: o.loop ?? false,
    gapMs: o.gapMs ?? 0,
    freshIdsPerPass: o.loop ?? false,
    timestampEvents: true,
    startMode: hasClickToCall ? "onOriginate" : "onConnect",
    ...(o.drop ? { drop: o.drop } : {}),
    ...(o.startAtMs !== undefined ? { startAtMs: o.startAtMs } : {}),
    ...(o.silentActions ? { silentActions: o.silentActions } : {}),
  });
  const queue = { name: `c2c-${o.redisPrefix.replace(/[^A-Za-z0-9_-]/g, "_")}`, prefix: "bull" };
  const httpPort = o.httpPort || (await freePort());
  const b24app = await startInstalledB24App(emu, o, queue, `http://127.0.0.1:${httpPort}`);
  const limits = o.limits ?? { burst: 50, drainPerSec: 2 };
  if (o.settleAfterInstall && limits) {
    const spent = emu.requests().filter((r) => !r.viaBatch).length;
    await new Promise((r) => setTimeout(r, (spent / limits.drainPerSec) * 1000 + 250));
  }
  const { token } = await b24app.tokens.issue({ connectorId: "stack" });
  const input: ConnectorConfigInput = {
    // The replay stamps events with their recorded times, played faster than real time: its PBX
    // clock runs ahead by design, so no clock-skew warning here.
    ami: { host: pbx.host, port: pbx.port, username: "crm", secret: "secret", pingIntervalMs: 5000, reconnect: { initialDelayMs: 100, maxDelayMs: 2000 }, clockSkewWarningSec: 0 },
    b24: {
      auth: { mode: "gateway", gatewayUrl: `http://127.0.0.1:${b24app.port}/gateway`, token },
      batchWindowMs: 10,
      lanes: 4,
      limits: o.limits === false ? { burst: 100_000, drainPerSec: 10_000 } : (o.limits ?? { burst: 50, drainPerSec: 2 }),
    },
    clickToCall: { enabled: true, queue },
    redis: { url: o.redisUrl, prefix: o.redisPrefix },
    product: { cardMode: o.cardMode ?? "ringing", lines: { "74951234567": "Main line" } },
    recordings: {
      monitorDir: RECORDED_MONITOR_DIR,
      mounts: [
        { pbx: RECORDED_MONITOR_DIR, local: monitorDir },
        { pbx: RECORDED_VOICEMAIL_DIR, local: voicemailDir },
      ],
      waitTimeoutMs: 5000,
    },
    http: { host: "127.0.0.1", port: httpPort },
  } as ConnectorConfigInput;
  const config = parseConfig(mergeDeep(input, o.config ?? {}), "stack", {});
  const makeConnector = () => new Connector({ config, logger: o.logger, ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onCallDone ? { onCallDone: o.onCallDone } : {}) });
  let connector = makeConnector();
  const clicks = new Map<string, string>();
  let clicking = false;
  let closing = false;
  let stack: Stack | undefined;

  // The CRM user's click: Bitrix24 registers the call and fires OnExternalCallStart at the b24-app,
  // which queues it; the connector takes it from the queue and originates.
  const clicker = setInterval(() => {
    if (o.clicks === "manual") return;
    const rec = pbx.waitingForOriginate();
    if (!rec || clicking || clicks.has(rec.name) || !connector.ami.isConnected) return;
    // A person clicks again only after the previous click-to-call ended: Bitrix24 would hand the
    // same CALL_ID to a second click on the same number while the first call is still open.
    if (stack && stack.emu.calls().some((c) => c.registeredBy === "portal" && !c.finish)) return;
    const c2c = rec.expect.clickToCall;
    if (!c2c) return;
    clicking = true;
    void (async () => {
      try {
        const callId = await emu.startClickToCall({ USER_ID: c2c.USER_ID, PHONE_NUMBER: c2c.PHONE_NUMBER, LINE_NUMBER: c2c.LINE_NUMBER });
        clicks.set(rec.name, callId);
        // Wait until the connector dialled it (the next click must not overtake this one).
        while (!pbx.actions.some((a) => a.get("Action") === "Originate" && a.getAll("Variable").some((v) => v.includes(callId)))) {
          if (!stack || closing) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      } catch (err) {
        o.logger.error({ err: (err as Error).message, recording: rec.name }, "stack: click-to-call failed");
      } finally {
        clicking = false;
      }
    })();
  }, 20);

  await connector.start();
  await connector.linesRegistered; // clicks name a line: Bitrix24 must know it first

  stack = {
    emu,
    pbx,
    b24app,
    get connector() {
      return connector;
    },
    monitorDir,
    clicks,
    async idle() {
      await pbx.done;
      // every message written by the PBX was read and tracked, and every stage handled
      for (;;) {
        const c = connector;
        const pending = await c.outbox.pendingCount();
        if (c.ami.stats.queued === 0 && c.engine.activeCalls === 0 && pending === 0 && c.pool.activeCalls === 0) {
          await new Promise((r) => setTimeout(r, 50));
          if ((await c.outbox.pendingCount()) === 0 && c.engine.activeCalls === 0 && c.pool.activeCalls === 0) return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async crash() {
      const c = connector;
      c.ami.removeAllListeners();
      await c.ami.close();
      await c.pool.stop();
      await c.b24.close({ force: true });
      c.users.stop();
      await c.stop().catch(() => undefined);
    },
    async restartConnector() {
      connector = makeConnector();
      await connector.start();
    },
    async close() {
      closing = true;
      clearInterval(clicker);
      await connector.stop().catch(() => undefined);
      await b24app.stop().catch(() => undefined);
      await pbx.close();
      await emu.close();
      rmSync(monitorDir, { recursive: true, force: true });
      if (o.purgeOnClose) await purgeRedisKeys(o.redisUrl, [`${globLiteral(o.redisPrefix)}:*`, `${globLiteral(queue.prefix)}:${globLiteral(queue.name)}:*`]);
    },
  };
  return stack;
}

/** A free TCP port on 127.0.0.1 (the b24-app's public URL must be known before it listens). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", () => resolve()));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return typeof addr === "object" && addr ? addr.port : 0;
}

/**
 * The b24-app as the admin would set it up: OAuth mode against the emulated portal, installed
 * (the portal's ONAPPINSTALL POST to the install URL), events bound online or offline.
 */
async function startInstalledB24App(emu: B24Emulator, o: StackOptions, queue: { name: string; prefix: string }, connectorUrl: string): Promise<B24App> {
  const port = await freePort();
  const config = parseB24AppConfig(
    {
      http: { host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}` },
      portal: { url: emu.url, credential: { mode: "oauth", clientId: "local.ab24stack", clientSecret: "stack0client0secret", oauthServerUrl: emu.oauthTokenUrl } },
      install: { key: randomBytes(16).toString("hex") },
      events: { mode: o.events ?? "online", pollIntervalMs: 100 },
      redis: { url: o.redisUrl, prefix: `${o.redisPrefix}:app` },
      queue,
      tokens: { privateKeyFile: "(in memory)", publicKeyFile: "(in memory)" },
      connector: { url: connectorUrl },
      log: { level: "silent" },
    },
    "stack b24-app",
    {},
  );
  const app = new B24App({ config, logger: o.logger.child({ component: "b24-app" }), keys: { ...generateTokenKeys("ES256"), algorithm: "ES256", issuer: config.tokens.issuer } });
  await app.start();
  emu.setAppHandlerUrl(appPageUrl(config)); // the local application's handler path: its page in the portal frame
  const t = emu.issueOAuthTokens();
  const res = await fetch(installUrl(config), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: buildPhpQuery({
      event: "ONAPPINSTALL",
      data: { VERSION: "1", LANGUAGE_ID: "ru" },
      ts: Math.floor(Date.now() / 1000),
      auth: { ...t, application_token: emu.applicationToken },
    }),
  });
  if (!res.ok) throw new Error(`stack: b24-app install failed: ${res.status} ${await res.text()}`);
  return app;
}

/** `extra` laid over `base`: objects merge key by key, anything else (arrays too) replaces. */
function mergeDeep(base: unknown, extra: unknown): unknown {
  if (!isObject(base) || !isObject(extra)) return extra;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) out[k] = k in out ? mergeDeep(out[k], v) : v;
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}
