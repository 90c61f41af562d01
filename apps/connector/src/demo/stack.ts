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
  startAmiReplayServer,
  startB24Emulator,
  writeRecordingFiles,
  type AmiReplayDrop,
  type AmiReplayServer,
  type B24Emulator,
  type B24EmulatorOptions,
  type Recording,
} from "@asterisk-b24/testkit";
import { parseConfig, type ConnectorConfigInput } from "../config/index.js";
import { Connector } from "../runtime/connector.js";
// The b24-app is started in-process by path (not a declared dependency of the connector package).
import { B24App, generateTokenKeys, installUrl, parseB24AppConfig } from "../../../b24-app/src/index.js";
import type { StageEvent } from "../tracker/index.js";

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
  contacts?: Array<Record<string, unknown>>;
  emulatorPort?: number;
  httpPort?: number;
  /** PBX fault: drop the AMI connection at playlist message N, losing K messages. */
  drop?: AmiReplayDrop;
  /** Bitrix24 portal behaviour (e.g. an older box whose register de-duplication ignores EXTERNAL_CALL_ID). */
  portal?: Pick<B24EmulatorOptions, "dedupByExternalCallId">;
  /** Extra connector configuration merged over the stack's. */
  config?: DeepPartial<ConnectorConfigInput>;
  logger: Logger;
  onStage?: (event: StageEvent) => void;
  onCallDone?: (callKey: string) => void;
  /** "auto" (default): the stack clicks when a click-to-call recording waits; "manual": tests click. */
  clicks?: "auto" | "manual";
  /** How the b24-app gets click-to-call events: the portal POSTs them (online) or it polls event.offline.get. */
  events?: "online" | "offline";
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

export async function startStack(o: StackOptions): Promise<Stack> {
  const monitorDir = mkdtempSync(join(tmpdir(), "ab24-monitor-"));
  for (const rec of o.recordings) writeRecordingFiles(rec, monitorDir);
  const emu = await startB24Emulator({
    ...(o.emulatorPort !== undefined ? { port: o.emulatorPort } : {}),
    webhook: { userId: 1, code: "demo0webhook0code" },
    oauth: { clientId: "local.ab24stack", clientSecret: "stack0client0secret", applicationToken: randomBytes(16).toString("hex") },
    users: DEMO_USERS,
    contacts: (o.contacts ?? DEMO_CONTACTS) as never,
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
  });
  const queue = { name: `c2c-${o.redisPrefix.replace(/[^A-Za-z0-9_-]/g, "_")}`, prefix: "bull" };
  const b24app = await startInstalledB24App(emu, o, queue);
  const { token } = await b24app.tokens.issue({ connectorId: "stack" });
  const input: ConnectorConfigInput = {
    ami: { host: pbx.host, port: pbx.port, username: "crm", secret: "secret", pingIntervalMs: 5000, reconnect: { initialDelayMs: 100, maxDelayMs: 2000 } },
    b24: { auth: { mode: "gateway", gatewayUrl: `http://127.0.0.1:${b24app.port}/gateway`, token }, batchWindowMs: 10, lanes: 4, limits: o.limits === false ? { burst: 100_000, drainPerSec: 10_000 } : (o.limits ?? { burst: 50, drainPerSec: 2 }) },
    clickToCall: { enabled: true, queue },
    redis: { url: o.redisUrl, prefix: o.redisPrefix },
    product: { cardMode: o.cardMode ?? "ringing", lines: { "74951234567": "Main line" } },
    recordings: { monitorDir: RECORDED_MONITOR_DIR, mounts: [{ pbx: RECORDED_MONITOR_DIR, local: monitorDir }], waitTimeoutMs: 5000 },
    http: { host: "127.0.0.1", port: o.httpPort ?? 0 },
  } as ConnectorConfigInput;
  deepMerge(input as unknown as Record<string, unknown>, (o.config ?? {}) as Record<string, unknown>);
  const config = parseConfig(input, "stack", {});
  const makeConnector = () =>
    new Connector({ config, logger: o.logger, ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onCallDone ? { onCallDone: o.onCallDone } : {}) });
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
async function startInstalledB24App(emu: B24Emulator, o: StackOptions, queue: { name: string; prefix: string }): Promise<B24App> {
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
      log: { level: "silent" },
    },
    "stack b24-app",
    {},
  );
  const app = new B24App({ config, logger: o.logger.child({ component: "b24-app" }), keys: { ...generateTokenKeys("ES256"), algorithm: "ES256", issuer: config.tokens.issuer } });
  await app.start();
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

function deepMerge(target: Record<string, unknown>, extra: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(extra)) {
    const t = target[k];
    if (v && typeof v === "object" && !Array.isArray(v) && t && typeof t === "object" && !Array.isArray(t)) deepMerge(t as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}
