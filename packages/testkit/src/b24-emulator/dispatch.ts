/**
 * One REST call, as the portal runs it for a plain HTTP request and for each batch sub-command:
 * method lookup → auth-type gate → operating-time check → handler → `time` object and booking (fact sheet §5).
 */
import { performance } from "node:perf_hooks";
import type { AuthInfo } from "./auth.js";
import { RestError, internalServerError, methodNotFound, operationTimeLimit } from "./errors.js";
import { ListResult, type MethodContext, type MethodDef, type Params, type Portal } from "./portal.js";

export interface TimeObject {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export type CallOutcome = { ok: true; result: unknown; total?: number; next?: number; time: TimeObject } | { ok: false; error: RestError };

/** Strip `.json` / `.xml`, lower-case (the server does `mb_strtolower`). */
export function normaliseMethod(raw: string): string {
  return raw.replace(/\.(json|xml)$/i, "").toLowerCase();
}

export function lookup(portal: Portal, method: string): MethodDef | undefined {
  return portal.methods.get(method);
}

export function operatingKey(auth: AuthInfo, method: string): string {
  return `${auth.credentialKey}|${method}`;
}

export interface ExecuteOptions {
  viaBatch: boolean;
  requestId: number;
  sourceIp: string;
  files?: MethodContext["files"];
  /** Check and book the operating-time budget of this call under its own method. */
  accountOperating: boolean;
  /** Show this key's `operating` figure in `time` instead of the call's own (batch-accounting "batch"). */
  showOperatingOf?: string;
}

export async function executeMethod(portal: Portal, method: string, def: MethodDef | undefined, auth: AuthInfo, params: Params, opts: ExecuteOptions): Promise<CallOutcome> {
  if (!def) return { ok: false, error: methodNotFound() };
  const startMs = portal.now();
  const key = operatingKey(auth, method);
  try {
    portal.gate(def, auth);
    if (opts.accountOperating && portal.operating.blocked(key)) throw operationTimeLimit();
    const t0 = performance.now();
    const ctx: MethodContext = { portal, auth, params, method, viaBatch: opts.viaBatch, requestId: opts.requestId, sourceIp: opts.sourceIp };
    if (opts.files) ctx.files = opts.files;
    const value = await def.handler(ctx);
    const handlerSec = (performance.now() - t0) / 1000;
    if (opts.accountOperating) portal.operating.book(key, portal.operating.cost(method, handlerSec));
    const finishMs = Math.max(portal.now(), startMs) + handlerSec * 1000;
    const time: TimeObject = {
      start: Math.floor(startMs / 1000),
      finish: finishMs / 1000,
      duration: (finishMs - startMs) / 1000,
      processing: Math.floor(handlerSec),
      date_start: portal.date(startMs),
      date_finish: portal.date(finishMs),
    };
    if (portal.operating.enabled) {
      const shownKey = opts.showOperatingOf ?? key;
      const resetAt = portal.operating.resetAt(shownKey);
      if (resetAt !== undefined) time.operating_reset_at = resetAt;
      time.operating = Math.round(portal.operating.operating(shownKey) * 1e6) / 1e6;
    }
    if (value instanceof ListResult) {
      const out: CallOutcome = { ok: true, result: value.items, total: value.total, time };
      if (value.next !== undefined) out.next = value.next;
      return out;
    }
    return { ok: true, result: value, time };
  } catch (e) {
    if (e instanceof RestError) return { ok: false, error: e };
    const err = internalServerError();
    (err as { cause?: unknown }).cause = e;
    return { ok: false, error: err };
  }
}
