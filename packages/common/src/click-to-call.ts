import { z } from "zod";

/**
 * The click-to-call hand-over between the b24-app (producer) and the connector (consumer): one
 * BullMQ queue, named and prefixed the same on both sides, carrying `ClickToCallJob`s. Defined
 * here once so the two apps cannot drift.
 */

export const CLICK_TO_CALL_EVENTS = ["ONEXTERNALCALLSTART", "ONEXTERNALCALLBACKSTART"] as const;
export type ClickToCallEventName = (typeof CLICK_TO_CALL_EVENTS)[number];

/** One Bitrix24 event as the b24-app queues it. */
export interface ClickToCallJob {
  event: ClickToCallEventName;
  /** The event's `data` as the portal sent it (all values strings). */
  data: Record<string, unknown>;
  /** How it reached the b24-app. */
  via: "online" | "offline";
  /** Unix seconds the portal stamped (`ts`), 0 if none. */
  ts: number;
  /** ISO time the b24-app received it. */
  receivedAt: string;
  domain: string;
}

export function isClickToCallEvent(name: string): name is ClickToCallEventName {
  return CLICK_TO_CALL_EVENTS.some((e) => e === name);
}

/** The queue's defaults (both apps' `queue` config sections start from these). */
export const CLICK_TO_CALL_QUEUE = { name: "ab24-click-to-call", prefix: "bull" } as const;

/** `name` and `prefix` of the queue, validated the same way in both apps' config files. */
export const clickToCallQueueFields = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default(CLICK_TO_CALL_QUEUE.name),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/)
    .default(CLICK_TO_CALL_QUEUE.prefix),
};
