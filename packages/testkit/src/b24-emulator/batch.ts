/**
 * `batch` (fact sheet §4): up to 50 sub-commands run in order with the outer auth; the rest get
 * ERROR_BATCH_LENGTH_EXCEEDED; `$result/$next/$total/$time/$error` references substituted the way
 * `CRestUtil::processBatchElement` does; `halt` with PHP truthiness; empty maps as `[]`.
 */
import { executeMethod, lookup, normaliseMethod, operatingKey } from "./dispatch.js";
import { RestError } from "./errors.js";
import { parsePhpQuery, phpArrayJson, phpTruthy } from "./php-query.js";
import type { MethodContext, MethodDef } from "./portal.js";

export const BATCH_MAX_LENGTH = 50;

const REF = /\$(result|next|total|time|error)([^\s]*)/gi;

function child(r: unknown, key: string): unknown {
  if (r === null || typeof r !== "object") return undefined;
  return (r as Record<string, unknown>)[key];
}

function isNumeric(v: unknown): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  return typeof v === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v);
}

/** One parameter value: whole-value references get the raw value, embedded ones only scalars. */
export function processBatchElement(query: string, refs: Record<string, unknown>): unknown {
  let out: unknown = query;
  for (const m of query.matchAll(REF)) {
    const whole = m[0];
    const path = [...(m[2] ?? "").matchAll(/\[([^\]]+)\]/g)].map((x) => x[1] as string);
    if (path.length === 0) continue;
    let r: unknown = refs[m[1] as string];
    for (const key of path) {
      const next = child(r, key);
      if (next === undefined || next === null) break;
      r = next;
    }
    if (whole === query) {
      out = r ?? null;
    } else {
      let s: unknown = r;
      if (isNumeric(s)) s = String(s);
      if (typeof s !== "string" || typeof out !== "string") continue;
      out = out.split(whole).join(s);
    }
  }
  return out;
}

export function processBatchStructure(params: unknown, refs: Record<string, unknown>): unknown {
  if (typeof params === "string") return processBatchElement(params, refs);
  if (Array.isArray(params)) return params.map((p) => processBatchStructure(p, refs));
  if (params !== null && typeof params === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) out[k] = processBatchStructure(v, refs);
    return out;
  }
  return params;
}

function param(params: Record<string, unknown>, name: string): unknown {
  for (const [k, v] of Object.entries(params)) if (k.toLowerCase() === name) return v;
  return undefined;
}

async function runBatch(ctx: MethodContext): Promise<unknown> {
  const { portal, auth } = ctx;
  const cmd = param(ctx.params, "cmd");
  const halt = phpTruthy(param(ctx.params, "halt"));
  const entries: Array<[string, unknown]> = Array.isArray(cmd) ? cmd.map((v, i) => [String(i), v]) : cmd !== null && typeof cmd === "object" ? Object.entries(cmd) : [];
  const result = new Map<string, unknown>();
  const errors = new Map<string, unknown>();
  const total = new Map<string, unknown>();
  const next = new Map<string, unknown>();
  const time = new Map<string, unknown>();
  const perBatch = portal.operating.batchAccounting === "batch";
  let cnt = 0;
  for (const [key, call] of entries) {
    if (cnt++ >= BATCH_MAX_LENGTH) {
      errors.set(key, { error: "ERROR_BATCH_LENGTH_EXCEEDED", error_description: "Max batch length exceeded" });
      continue;
    }
    if (typeof call !== "string") continue;
    const q = call.indexOf("?");
    const rawMethod = (q < 0 ? call : call.slice(0, q)).replace(/^\/+/, "");
    const method = normaliseMethod(rawMethod);
    const def: MethodDef | undefined = lookup(portal, method);
    let outcome;
    if (def?.notInBatch) {
      outcome = {
        ok: false as const,
        error: new RestError(405, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"),
      };
    } else {
      const refs = {
        result: Object.fromEntries(result),
        next: Object.fromEntries(next),
        total: Object.fromEntries(total),
        time: Object.fromEntries(time),
        error: Object.fromEntries(errors),
      };
      const params = processBatchStructure(parsePhpQuery(q < 0 ? "" : call.slice(q + 1)), refs) as Record<string, unknown>;
      const opts = {
        viaBatch: true,
        requestId: ctx.requestId,
        sourceIp: ctx.sourceIp,
        accountOperating: !perBatch,
        ...(perBatch ? { showOperatingOf: operatingKey(auth, "batch") } : {}),
      };
      outcome = await executeMethod(portal, method, def, auth, params, opts);
    }
    portal.record({
      at: portal.now(),
      method,
      viaBatch: true,
      status: outcome.ok ? 200 : outcome.error.status,
      ...(outcome.ok ? {} : { error: outcome.error.code || outcome.error.description }),
      sourceIp: ctx.sourceIp,
      auth: auth.kind,
      batchOf: ctx.requestId,
    });
    if (!outcome.ok) {
      errors.set(key, outcome.error.body());
      if (halt) break;
      continue;
    }
    result.set(key, outcome.result);
    if (outcome.total !== undefined) total.set(key, outcome.total);
    if (outcome.next !== undefined) next.set(key, outcome.next);
    time.set(key, outcome.time);
  }
  return {
    result: phpArrayJson(result),
    result_error: phpArrayJson(errors),
    result_total: phpArrayJson(total),
    result_next: phpArrayJson(next),
    result_time: phpArrayJson(time),
  };
}

export const batchMethods: Record<string, MethodDef> = {
  batch: { handler: runBatch, notInBatch: true },
};
