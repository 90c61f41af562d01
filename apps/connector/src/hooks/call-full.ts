import type { JsonObject } from "./json.js";

/**
 * `call_full` as hooks see it (Itgrix bx ≥ 3.10 shape). The tracker owns the real model; this is
 * the read-only view a hook is promised. Unknown keys may be added later, never renamed.
 */
export interface HookChannel {
  /** "YYYY-MM-DD HH:MM:SS"; "0001-01-01 00:00:00" when it has not happened. */
  answer_time: string;
  end_time: string;
  start_time: string;
  extra: JsonObject;
  from: HookNumberInfo;
  to: HookNumberInfo;
  /** null when the channel is not on a trunk. */
  trunk: HookNumberInfo | null;
  id: string;
  is_primary: boolean;
  name: string;
  state: "ringing" | "talking" | "ended" | "processed";
  type: "local" | "incoming" | "outgoing" | "unknown";
  was_answered: boolean;
}

export interface HookNumberInfo {
  number?: string;
  name?: string;
  [key: string]: unknown;
}

export interface HookConversation {
  channel: HookChannel;
  is_parked: boolean;
  user: HookUser | null;
}

export interface HookUser {
  id: number;
  name?: string;
  phones?: string[];
  email?: string;
  [key: string]: unknown;
}

export interface CallFull {
  active_conversation_id?: string;
  /** null when the call has no primary channel any more. */
  channel?: HookChannel | null;
  conversations?: Record<string, HookConversation>;
  deal?: JsonObject | null;
  entity?: JsonObject | null;
  is_ivr?: boolean;
  record?: string;
  registration?: JsonObject | null;
  result?: number;
  [key: string]: unknown;
}
