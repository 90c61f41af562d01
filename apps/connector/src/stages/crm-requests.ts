import { B24BusinessError, B24Error, type ChainCommand, type ChainResult } from "../crm/index.js";
import type { Journal } from "../journal/index.js";
import type { CrmGateway } from "../crm/gateway.js";

/** A Bitrix24 error that retrying will not fix (a 4xx business error: wrong user, unknown call…). */
export function isFinalB24Error(err: unknown): err is B24Error {
  return err instanceof B24BusinessError || (err instanceof B24Error && err.kind === "B24BusinessError");
}

/**
 * Sends commands that must travel together in one batch, journals each request and its
 * outcome, and turns transient failures into a throw (the stage is then retried later by the
 * worker pool, so a call is never lost while Bitrix24 is down). `id` is deterministic per call,
 * stage and step: after a restart the same submission is joined instead of sent twice.
 */
export async function sendChain(
  gateway: CrmGateway,
  journal: Pick<Journal, "record">,
  callKey: string,
  id: string,
  commands: ChainCommand[],
  stage?: string,
): Promise<ChainResult> {
  for (const c of commands) await journal.record(callKey, { kind: "request", method: c.method, params: c.params, ...(stage ? { stage } : {}) });
  const result = await gateway.chain(commands, id);
  for (const c of commands) {
    const outcome = result[c.name];
    if (!outcome) continue;
    if (outcome.ok) {
      await journal.record(callKey, { kind: "result", method: c.method, result: outcome.result, ...(stage ? { stage } : {}) });
    } else {
      await journal.record(callKey, {
        kind: "error",
        method: c.method,
        error: { type: outcome.error.kind ?? outcome.error.name, message: outcome.error.description || outcome.error.message },
        ...(stage ? { stage } : {}),
      });
    }
  }
  for (const c of commands) {
    const outcome = result[c.name];
    if (outcome && !outcome.ok && !isFinalB24Error(outcome.error)) throw outcome.error;
  }
  return result;
}

/** The result of one command of a chain, or the business error it failed with. */
export function outcomeOf<T>(result: ChainResult, name: string): { ok: true; value: T } | { ok: false; error: B24Error } | undefined {
  const o = result[name];
  if (!o) return undefined;
  return o.ok ? { ok: true, value: o.result as T } : { ok: false, error: o.error };
}
