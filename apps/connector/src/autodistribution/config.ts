import { z } from "zod";

const hhmmRange = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, "HH:MM-HH:MM");
const day = z.array(hhmmRange);

/**
 * `autodistribution`: the dialplan asks "who is responsible for this caller?" over HTTP (CURL())
 * or FastAGI; the answer is the responsible manager's extension and a caller name (≤ 20 chars),
 * or nothing (the call takes its normal route).
 */
export const autodistributionSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** Longer than this → empty answer (the dialplan must not wait for a slow portal). */
  timeoutMs: z.number().int().min(50).max(30_000).default(1500),
  /** GET /autodistribution on the connector's HTTP port; `token` (optional) is required as ?key=… */
  http: z.strictObject({ enabled: z.boolean().default(true), token: z.string().min(8).optional() }).default({ enabled: true }),
  fastagi: z
    .strictObject({ enabled: z.boolean().default(false), host: z.string().default("127.0.0.1"), port: z.number().int().min(0).max(65535).default(4573) })
    .default({ enabled: false, host: "127.0.0.1", port: 4573 }),
  /** Route to the responsible manager only in these hours (portal-independent, local time of `timezone`). */
  workingHours: z
    .strictObject({
      timezone: z.string().default("Europe/Moscow"),
      days: z.partialRecord(z.enum(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), day),
    })
    .optional(),
  /** Put the CRM entity's name into the caller name. */
  entityName: z.boolean().default(true),
});

export type AutodistributionConfig = z.infer<typeof autodistributionSchema>;
