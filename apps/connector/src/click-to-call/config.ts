import { z } from "zod";
import { CLICK_TO_CALL_QUEUE, clickToCallQueueFields } from "@asterisk-b24/common";

/**
 * `clickToCall`: OnExternalCallStart events taken from the b24-app's queue and dialled with AMI
 * Originate. Templates: {extension} = the manager's PBX extension (after extensionMap),
 * {number} = the client's number as dialled, {user} = the Bitrix24 user id.
 */
export const clickToCallSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The BullMQ queue the b24-app writes to (its `queue` section must name the same). */
  queue: z.strictObject(clickToCallQueueFields).default({ ...CLICK_TO_CALL_QUEUE }),
  /** The manager's phone, rung first: PJSIP/{extension}, SIP/{extension}, Local/{extension}@from-internal. */
  channel: z.string().min(1).default("PJSIP/{extension}"),
  /** Where the client's number is dialled once the manager answers (the outbound routes). */
  context: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default("from-internal"),
  priority: z.union([z.number().int().min(1), z.string().regex(/^[A-Za-z0-9_-]+$/)]).default(1),
  /** CallerID shown on the manager's phone. */
  callerId: z.string().default('"{number}" <{number}>'),
  /** How long the manager's phone rings. */
  timeoutMs: z.number().int().min(1000).default(30_000),
  /** Prepended to the client's number (e.g. "9" for an outside line). */
  dialPrefix: z
    .string()
    .regex(/^[0-9*#]*$/)
    .default(""),
  /** Events older than this are not dialled (the manager gave up long ago); the call is finished as failed. */
  maxAgeMs: z.number().int().min(1000).default(120_000),
  /** Tell the manager in Bitrix24 why the call did not go through (busy, not registered, …). */
  notifyManager: z.boolean().default(false),
  concurrency: z.number().int().min(1).max(64).default(4),
});

export type ClickToCallConfig = z.infer<typeof clickToCallSchema>;
