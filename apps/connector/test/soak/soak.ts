/**
 * Mixed-load soak: replicas of the real Asterisk recordings (direct lines, the sales queue and
 * ring group, missed queue calls, blind transfers, long calls on hold, outbound answered / busy /
 * no answer, internal calls) plus calls nobody owns (variants of the queue, ring-group and direct
 * line recordings in which the phones are extensions no Bitrix24 user has and the caller is no CRM
 * contact: missed in the queue, answered only by a non-CRM group or extension — they must land on
 * the user of the connector's credential), each with fresh Uniqueids/Linkedids/channels, interleaved at the
 * recorded pace on ONE AMI connection (as a real Asterisk sends them) through the real connector
 * (tracker, Redis outbox, worker pool, batched BullMQ client, limiter) into the strict Bitrix24
 * emulator with cloud limits. Every call is then checked against the expected CRM outcome of
 * its source recording (NAME.expect.json): registered exactly once, finished, responsible,
 * status, talk time, cards.
 *
 * Used by the soak test (soak.test.ts) and `pnpm bench soak`.
 */
import {
  DEMO_CONTACTS,
  loadRecording,
  mixRecordings,
  recordingNames,
  renameExtensions,
  type B24Emulator,
  type MixedReplica,
  type Recording,
  type RecordingExpectation,
} from "@asterisk-b24/testkit";
import type { Logger } from "pino";
import { STACK_INSTALLER_USER_ID, startStack } from "../../src/demo/stack.js";
import type { CallSummary } from "../../src/journal/index.js";
import { checkCall } from "../e2e/outcome.js";
import { planSoak, RECORDED_CLIENT } from "./soak-plan.js";

type EmuCall = ReturnType<B24Emulator["calls"]>[number];

export interface SoakOptions {
  calls: number;
  concurrency: number;
  seed?: number;
  /** Recorded pace × speed (1 = real pace). */
  speed?: number;
  redisUrl: string;
  redisPrefix: string;
  logger: Logger;
  cardMode?: "ringing" | "answer";
  /**
   * The portal's register de-duplication compares EXTERNAL_CALL_ID (portals since 2026-03; default)
   * or not (older boxes: same user, number, type and line within 30 min = one CALL_ID).
   */
  dedupByExternalCallId?: boolean;
  /** Progress lines for people (stderr in the bench). */
  note?: (line: string) => void;
}

export interface ReplicaVerdict {
  replica: MixedReplica;
  /** CRM calls the recording expects from this replica. */
  expected: number;
  /** Of those: registered exactly once and finished. */
  landed: number;
  /** Of those: and everything as NAME.expect.json says. */
  right: number;
  problems: string[];
}

export interface SoakReport {
  calls: number;
  maxConcurrent: number;
  /** Calls the recordings expect in Bitrix24 (internal calls expect none). */
  expectedCalls: number;
  landedCalls: number;
  rightCalls: number;
  /** Of the expected calls: those nobody owns (the unowned variants), and how many of them landed. */
  unownedCalls: number;
  unownedLanded: number;
  verdicts: ReplicaVerdict[];
  /** Problems that belong to no single call (journal, duplicates merged by Bitrix24, 4xx). */
  globalProblems: string[];
  /** From a call's first ringing (stage committed) to its register reaching Bitrix24, ms. */
  registerDelays: number[];
  /** From a call's end (stage committed) to its finish reaching Bitrix24, ms. */
  finishDelays: number[];
  deduplicated: number;
  limitErrors: number;
  wallMs: number;
}

/** The test bench's few clients: the recorded one and three more, all known contacts of manager 1. */
export const SOAK_CLIENTS = [RECORDED_CLIENT, "79161110001", "79162220002", "79163330003"] as const;

export function soakContacts() {
  const [known] = DEMO_CONTACTS;
  return SOAK_CLIENTS.map((n, i) => ({ ...known!, ID: i + 1, LAST_NAME: `Client ${i + 1}`, PHONE: [{ VALUE: `+${n}`, VALUE_TYPE: "WORK" }] }));
}

/** Extensions no Bitrix24 user has: the unowned variants ring these in place of 101–103. */
export const NON_CRM_EXTENSIONS: Readonly<Record<string, string>> = { "101": "201", "102": "202", "103": "203" };
/** Callers that are no CRM contact (the unowned variants' clients). */
export const UNKNOWN_CLIENTS = ["79167770007", "79168880008", "79169990009"] as const;
/** Recorded flows whose unowned variant the soak adds: missed in the queue, answered by a non-CRM queue member, ring group or direct line. */
export const UNOWNED_SOURCES = ["03_inbound_queue_missed", "02_inbound_queue_sales_102_answers", "17a_inbound_ringgroup_102_answers", "01_inbound_ext101_answered"];
const UNOWNED = "unowned";

export const isUnowned = (name: string): boolean => name.endsWith(`~${UNOWNED}`);

/**
 * The CRM outcome of an unowned variant: the recorded one, except that the call is registered and
 * finished on the user of the connector's credential (the administrator who installed the
 * b24-app) and shows no card (nobody with a CRM user rang).
 */
export function unownedExpectation(exp: RecordingExpectation): RecordingExpectation {
  const calls = exp.expect.calls.map((c) => {
    const { shownToInclude: _include, notShownTo: _not, ...rest } = c;
    return { ...rest, responsible: [STACK_INSTALLER_USER_ID], shownTo: [] };
  });
  return { ...exp, description: `${exp.description} — nobody owns it: lands on the credential's user`, expect: { ...exp.expect, calls } };
}

/** Recordings a soak mixes: every recorded flow the PBX produces on its own (click-to-call needs a live click), and the unowned variants. */
export function soakFlows(): Recording[] {
  const recorded = recordingNames()
    .map((n) => loadRecording(n))
    .filter((r) => !r.actions.some((a) => a.message.get("Action")?.toLowerCase() === "originate"));
  const unowned = recorded
    .filter((r) => UNOWNED_SOURCES.includes(r.name))
    .map((r) => {
      const v = renameExtensions(r, NON_CRM_EXTENSIONS, UNOWNED);
      return { ...v, expect: unownedExpectation(r.expect) };
    });
  if (unowned.length !== UNOWNED_SOURCES.length) throw new Error(`soak: missing recordings among ${UNOWNED_SOURCES.join(", ")}`);
  return [...recorded, ...unowned];
}

function countsOk(n: number, want: number | { min: number; max: number }): boolean {
  return typeof want === "number" ? n === want : n >= want.min && n <= want.max;
}

/**
 * One replica's calls in Bitrix24 against its recording's expected outcome. `dedupExpected`: the
 * portal ignores EXTERNAL_CALL_ID, so a register answered with an existing call is the portal's
 * doing (the connector must then wait and register again), not a problem of that call.
 */
export function judgeReplica(
  replica: MixedReplica,
  rec: Recording,
  calls: readonly EmuCall[],
  journal: ReadonlyMap<string, CallSummary>,
  cardMode: "ringing" | "answer",
  dedupExpected: boolean,
): ReplicaVerdict {
  const ids = new Set(replica.linkedids);
  const ours = calls.filter((c) => c.registeredBy !== "portal" && c.EXTERNAL_CALL_ID !== null && ids.has(c.EXTERNAL_CALL_ID));
  const exp = rec.expect.expect;
  const problems: string[] = [];
  if (!countsOk(ours.length, exp.registrations)) problems.push(`registered ${ours.length} time(s), expected ${JSON.stringify(exp.registrations)}`);
  if (!dedupExpected) for (const c of ours) if (c.reRegistrations > 0) problems.push(`${c.CALL_ID}: Bitrix24 returned it to ${c.reRegistrations} other register(s)`);
  for (const lid of replica.linkedids) {
    const s = journal.get(lid);
    if (s && s.status !== "delivered" && s.status !== "skipped") problems.push(`journal ${lid}: ${s.status}${s.reason ? ` (${s.reason})` : ""}`);
  }
  let landed = 0;
  let right = 0;
  for (const recorded of exp.calls) {
    const number = Object.entries(replica.replace).reduce((n, [from, to]) => n.split(from).join(to), recorded.match.PHONE_NUMBER);
    const want = { ...recorded, match: { PHONE_NUMBER: number } };
    const p = checkCall(want, [...ours], cardMode);
    const found = ours.filter((c) => c.finish !== undefined);
    if (ours.length === 1 && found.length === 1) landed++;
    if (p.length === 0 && ours.length === 1) right++;
    problems.push(...p);
  }
  return { replica, expected: exp.calls.length, landed, right, problems };
}

export function p95(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!;
}

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const note = o.note ?? (() => undefined);
  const cardMode = o.cardMode ?? "ringing";
  const flows = soakFlows();
  const plan = planSoak({
    calls: o.calls,
    concurrency: o.concurrency,
    flows,
    seed: o.seed ?? 9,
    clients: SOAK_CLIENTS,
    clientsOf: (flow) => (isUnowned(flow.name) ? UNKNOWN_CLIENTS : undefined),
  });
  const mix = mixRecordings(plan.parts, `soak-${o.calls}`);
  const byName = new Map(flows.map((r) => [r.name, r]));
  note(`soak: ${o.calls} calls of ${flows.length} flows, up to ${plan.maxConcurrent} at once, ${(plan.lengthMs / 1000 / (o.speed ?? 1)).toFixed(0)} s of traffic`);

  const requestedAt = new Map<string, number>();
  const endedAt = new Map<string, number>();
  let done = 0;
  const started = Date.now();
  const stack = await startStack({
    recordings: [mix.recording],
    speed: o.speed ?? 1,
    redisUrl: o.redisUrl,
    redisPrefix: o.redisPrefix,
    cardMode,
    contacts: soakContacts(),
    portal: { dedupByExternalCallId: o.dedupByExternalCallId ?? true },
    logger: o.logger,
    onStage: (ev) => {
      if (ev.stage === "conversation_requested" && !requestedAt.has(ev.callKey)) requestedAt.set(ev.callKey, Date.now());
      if (ev.stage === "call_ended") endedAt.set(ev.callKey, Date.now());
    },
    onCallDone: () => {
      if (++done % 25 === 0) note(`soak: ${done} calls handled after ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  try {
    await stack.idle();
    const wallMs = Date.now() - started;
    const calls = stack.emu.calls();
    const summaries = await stack.connector.journal.list({ limit: 100_000 });
    const journal = new Map(summaries.map((s) => [s.callKey, s]));
    const verdicts = mix.replicas.map((r) => judgeReplica(r, byName.get(r.source)!, calls, journal, cardMode, o.dedupByExternalCallId === false));

    const globalProblems: string[] = [];
    const known = new Set(mix.replicas.flatMap((r) => r.linkedids));
    for (const c of calls)
      if (c.registeredBy !== "portal" && (c.EXTERNAL_CALL_ID === null || !known.has(c.EXTERNAL_CALL_ID)))
        globalProblems.push(`${c.CALL_ID}: registered for no replayed call (EXTERNAL_CALL_ID ${c.EXTERNAL_CALL_ID})`);
    for (const s of summaries)
      if (s.status === "failed" || s.status === "in_progress" || s.status === "cancelled")
        globalProblems.push(`journal ${s.callKey}: ${s.status}${s.reason ? ` (${s.reason})` : ""}`);
    for (const r of stack.emu.requests())
      if (typeof r.status === "number" && r.status >= 400 && r.status < 500) globalProblems.push(`Bitrix24 answered ${r.status} to ${r.method}: ${r.error ?? ""}`);

    const registerDelays: number[] = [];
    const finishDelays: number[] = [];
    for (const c of calls) {
      const key = c.EXTERNAL_CALL_ID ?? "";
      const t0 = requestedAt.get(key);
      if (t0 !== undefined) registerDelays.push(c.registeredAt - t0);
      const t1 = endedAt.get(key);
      if (t1 !== undefined && c.finish) finishDelays.push(c.finish.at - t1);
    }
    const stats = stack.emu.stats();
    return {
      calls: o.calls,
      maxConcurrent: plan.maxConcurrent,
      expectedCalls: verdicts.reduce((n, v) => n + v.expected, 0),
      landedCalls: verdicts.reduce((n, v) => n + v.landed, 0),
      rightCalls: verdicts.reduce((n, v) => n + v.right, 0),
      unownedCalls: verdicts.filter((v) => isUnowned(v.replica.source)).reduce((n, v) => n + v.expected, 0),
      unownedLanded: verdicts.filter((v) => isUnowned(v.replica.source)).reduce((n, v) => n + v.landed, 0),
      verdicts,
      globalProblems,
      registerDelays,
      finishDelays,
      deduplicated: stats.callsDeduplicated,
      limitErrors: stats.limitErrors,
      wallMs,
    };
  } finally {
    await stack.close();
  }
}

/** Human lines: every replica with problems, and the problems of no single call. */
export function describeProblems(report: SoakReport): string[] {
  const lines: string[] = [];
  for (const v of report.verdicts) {
    if (v.problems.length === 0) continue;
    lines.push(`${v.replica.source} copy ${v.replica.copy} at ${(v.replica.atMs / 1000).toFixed(1)} s (${v.replica.linkedids.join(", ")}):`);
    for (const p of v.problems) lines.push(`  ${p}`);
  }
  for (const p of report.globalProblems) lines.push(p);
  return lines;
}
