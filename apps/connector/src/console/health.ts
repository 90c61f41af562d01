import { access, constants } from "node:fs/promises";
import { describeRedis } from "@asterisk-b24/common";
import type { ConnectorConfig } from "../config/index.js";
import type { Health } from "../http/status.js";
import type { ConsoleSources } from "./sources.js";

/** One line of the overview's health board: what it is, how it is, and what to do when it is not OK. */
export interface ComponentHealth {
  id: "ami" | "redis" | "bitrix24" | "license" | "users" | "recordings" | "queue";
  title: string;
  health: Health;
  /** One short line: the figure that matters. */
  summary: string;
  problems: string[];
  /** What the admin should do (only when health is not Ok). */
  fix?: string;
}

type StatusDoc = { app?: Record<string, Record<string, unknown> | undefined> };

const FIXES: Record<ComponentHealth["id"], (c: ConnectorConfig) => string> = {
  ami: (c) =>
    `Check that Asterisk's manager interface listens on ${c.ami.host}:${c.ami.port} (manager.conf: enabled = yes, the firewall lets the connector in) and that ami.username / ami.secret match a [user] section of manager_custom.conf with read = system,call,agent,user,dialplan,originate,reporting; then "asterisk -rx 'manager reload'". Settings → Test connections shows the exact refusal.`,
  redis: (c) =>
    `Start Redis ("systemctl start redis-server") or correct redis.url (now ${describeRedis(c.redis)}). Calls are kept in Redis: nothing is lost while it is down, but nothing moves either.`,
  bitrix24: () =>
    'Open Calls, filter by status "failed": each call shows the request Bitrix24 refused and its answer. Fix the cause (credential scopes telephony, crm, user, task, im; an expired webhook; the responsible user), then press "Reprocess these".',
  license: (c) =>
    `Put the licence file from the vendor at license.file (${c.license.file}) — it is bound to this machine's id — and restart the connector. Without it the connector runs in evaluation mode.`,
  users: () =>
    'Bitrix24 users are matched by their internal number (Employee profile → Internal phone, UF_PHONE_INNER). Check that the credential has the "user" scope and that managers have their extension there; Settings → Users ↔ extensions lists who is missing.',
  recordings: (c) =>
    `The connector must read the folder Asterisk records to (${c.recordings.monitorDir}): run it as a user of the "asterisk" group, or mount the folder and set recordings.mounts [{pbx, local}].`,
  queue: () => "Calls wait for Bitrix24: it answers slowly or rate-limits. They will go on their own; if the number keeps growing, check the Bitrix24 line and b24.limits.",
};

function worst(...hs: Health[]): Health {
  return hs.includes("Error") ? "Error" : hs.includes("Warning") ? "Warning" : "Ok";
}

function problemsOf(node: Record<string, unknown> | undefined): string[] {
  return Array.isArray(node?.problems) ? (node.problems as string[]) : [];
}

/** Local folders that hold the PBX's recordings (the monitor folder, or its mounts). */
export function recordingFolders(config: ConnectorConfig): string[] {
  const mounted = config.recordings.mounts.filter((m) => config.recordings.monitorDir.startsWith(m.pbx) || m.pbx.startsWith(config.recordings.monitorDir));
  return mounted.length > 0 ? mounted.map((m) => m.local) : [config.recordings.monitorDir];
}

async function readable(dir: string): Promise<string | undefined> {
  try {
    await access(dir, constants.R_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return `${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

/** The health board: /status's components plus Redis and the recordings folder, each with its fix. */
export async function componentHealth(sources: ConsoleSources, status: StatusDoc): Promise<ComponentHealth[]> {
  const c = sources.config;
  const app = status.app ?? {};
  const out: ComponentHealth[] = [];
  const fixed = (h: Omit<ComponentHealth, "fix">): ComponentHealth => (h.health === "Ok" ? h : { ...h, fix: FIXES[h.id](c) });

  const ami = app.ami;
  out.push(
    fixed({
      id: "ami",
      title: "Asterisk AMI",
      health: (ami?.health as Health) ?? "Error",
      summary: ami?.connected ? `connected to ${String(ami.host)}` : `not connected to ${c.ami.host}:${c.ami.port}`,
      problems: problemsOf(ami),
    }),
  );

  let redisProblem: string | undefined;
  try {
    await withTimeout(sources.redis.ping(), 3000);
  } catch (err) {
    redisProblem = `Redis does not answer: ${(err as Error).message}`;
  }
  out.push(
    fixed({
      id: "redis",
      title: "Redis",
      health: redisProblem ? "Error" : "Ok",
      summary: redisProblem ? "not answering" : `answering (${describeRedis(c.redis)})`,
      problems: redisProblem ? [redisProblem] : [],
    }),
  );

  const crm = app.crm;
  const failed = Number(crm?.failed_calls ?? 0);
  out.push(
    fixed({
      id: "bitrix24",
      title: "Bitrix24",
      health: (crm?.health as Health) ?? "Error",
      summary: `${String(crm?.portal ?? "?")} (${c.b24.auth.mode}) — ${failed} failed call${failed === 1 ? "" : "s"}`,
      problems: problemsOf(crm),
    }),
  );

  const lic = app.license;
  out.push(fixed({ id: "license", title: "Licence", health: (lic?.health as Health) ?? "Warning", summary: licenceSummary(lic), problems: problemsOf(lic) }));

  const uc = sources.users.snapshot();
  const noInner = sources.users.list().filter((u) => !u.innerPhone).length;
  const usersHealth: Health = uc.last_updated === null ? "Error" : uc.users === 0 ? "Warning" : "Ok";
  out.push(
    fixed({
      id: "users",
      title: "Users cache",
      health: usersHealth,
      summary: uc.last_updated === null ? "never loaded" : `${uc.users} users, ${noInner} without an internal number; loaded ${uc.last_updated}`,
      problems: uc.last_updated === null ? ["the Bitrix24 users were never loaded"] : uc.users === 0 ? ["Bitrix24 returned no active users"] : [],
    }),
  );

  if (c.recordings.enabled) {
    const folders = recordingFolders(c);
    const unreadable = (await Promise.all(folders.map(readable))).filter((p): p is string => p !== undefined);
    out.push(
      fixed({
        id: "recordings",
        title: "Recordings",
        health: unreadable.length ? "Error" : "Ok",
        summary: unreadable.length ? "folder not readable" : `${folders.join(", ")} readable; attach: ${c.recordings.attach}`,
        problems: unreadable.map((p) => `cannot read ${p}`),
      }),
    );
  } else {
    out.push({ id: "recordings", title: "Recordings", health: "Ok", summary: "disabled (recordings.enabled = false)", problems: [] });
  }

  const calls = app.calls;
  out.push(
    fixed({
      id: "queue",
      title: "Calls queue",
      health: (calls?.health as Health) ?? "Ok",
      summary: `${sources.engine.activeCalls} live, ${await sources.outbox.pendingCount()} waiting for Bitrix24`,
      problems: problemsOf(calls),
    }),
  );
  return out;
}

export function overallHealth(components: ComponentHealth[]): Health {
  return worst(...components.map((c) => c.health));
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function licenceSummary(lic: Record<string, unknown> | undefined): string {
  if (!lic) return "unknown";
  if (lic.demo === true) return "demo, evaluation licence";
  const limits = lic.limits as { operators?: number; pbxes?: number; portals?: number } | undefined;
  const figures = limits ? ` — ${limits.operators ?? "?"} operators, ${limits.pbxes ?? "?"} PBX, ${limits.portals ?? "?"} portal` : "";
  const until = typeof lic.expiresAt === "string" ? `, until ${lic.expiresAt}` : "";
  return `${String(lic.state ?? "unknown")}${figures}${until}`;
}
