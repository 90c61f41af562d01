import type { AmiActionObject } from "@asterisk-b24/ami";

/** What click-to-call asks Asterisk to dial: the manager's phone first, then `exten` in `context`. */
export interface OriginateRequest {
  channel: string;
  context: string;
  exten: string;
  priority?: number | string;
  callerId?: string;
  timeoutMs?: number;
  variables?: Record<string, string>;
}

/**
 * The AMI Originate action for a request (asynchronous: the OriginateResponse event tells how it
 * went). Values with CR/LF never reach Asterisk: the AMI client refuses them (AmiActionValueError).
 */
export function originateAction(params: OriginateRequest): AmiActionObject {
  const variables = Object.entries(params.variables ?? {}).map(([k, v]) => `${k}=${v}`);
  return {
    Action: "Originate",
    Channel: params.channel,
    Context: params.context,
    Exten: params.exten,
    Priority: params.priority ?? 1,
    ...(params.callerId ? { CallerID: params.callerId } : {}),
    Timeout: params.timeoutMs ?? 30_000,
    Async: "true",
    ...(variables.length ? { Variable: variables } : {}),
  };
}
