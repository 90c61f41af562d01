/**
 * What a hook may ask of Bitrix24: one REST call, sent through the connector's own queue, rate
 * limiter and batches (the real client lives in ../crm and satisfies this interface).
 */
export interface HookB24 {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
}

/** A HookB24 that refuses every call (no CRM client wired, e.g. `hook-try` without --live). */
export class HookB24UnavailableError extends Error {
  constructor(method: string) {
    super(`Bitrix24 is not available to hooks here (method ${method})`);
    this.name = "HookB24UnavailableError";
  }
}

export const unavailableB24: HookB24 = {
  call: async (method) => {
    throw new HookB24UnavailableError(method);
  },
};
