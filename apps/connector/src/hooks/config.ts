import { z } from "zod";
import { HOOK_NAMES, type HookName } from "./names.js";
import { HOOK_SPECS } from "./contract.js";

/**
 * `hooks:` in the connector configuration.
 *
 * ```yaml
 * hooks:
 *   dir: /etc/asterisk-b24/hooks      # <hook>.{js,mjs,ts,php} or an executable <hook>
 *   defaultTimeoutMs: 3000
 *   php: php                           # php-cli used for <hook>.php
 *   env: { CRM_DB_URL: "mysql://…" }   # extra environment for executable hooks
 *   enabled:                           # each hook is off unless listed (Itgrix's per-hook checkbox)
 *     need_registration: true
 *     process_final_params: { timeoutMs: 5000 }
 *     process_originate_params: { file: /opt/itgrix_bx/customizer/actions/process_originate_params.php }
 *     customize_entity: { command: ["python3", "/srv/hooks/entity.py"] }
 *     post_registration: false
 * ```
 */
const timeoutMs = z.number().int().min(1).max(600_000);

export const hookEntrySchema = z.union([
  z.boolean(),
  z.strictObject({
    enabled: z.boolean().default(true),
    /** Overrides defaultTimeoutMs (not allowed for process_record_file_path: fixed 10 s). */
    timeoutMs: timeoutMs.optional(),
    /** A file instead of `<dir>/<hook>.*` (module by extension, .php through the adapter, else executed). */
    file: z.string().min(1).optional(),
    /** A command line instead of a file: JSON on stdin, JSON on stdout. */
    command: z.array(z.string().min(1)).min(1).optional(),
  }),
]);

export const hooksConfigSchema = z
  .strictObject({
    dir: z.string().min(1).default("/etc/asterisk-b24/hooks"),
    defaultTimeoutMs: timeoutMs.default(3000),
    php: z.string().min(1).default("php"),
    env: z.record(z.string(), z.string()).default({}),
    enabled: z.partialRecord(z.enum(HOOK_NAMES), hookEntrySchema).default({}),
  })
  .superRefine((cfg, ctx) => {
    for (const [hook, entry] of Object.entries(cfg.enabled)) {
      if (typeof entry !== "object") continue;
      if (entry.file && entry.command) {
        ctx.addIssue({ code: "custom", path: ["enabled", hook], message: "give either file or command, not both" });
      }
      if (entry.timeoutMs !== undefined && HOOK_SPECS[hook as HookName].fixedTimeoutMs !== undefined) {
        ctx.addIssue({ code: "custom", path: ["enabled", hook, "timeoutMs"], message: `${hook} has a fixed timeout of 10 s (as in Itgrix)` });
      }
    }
  });

export type HooksConfig = z.infer<typeof hooksConfigSchema>;
export type HooksConfigInput = z.input<typeof hooksConfigSchema>;

/** One hook's settings after defaults. */
export interface HookSettings {
  enabled: boolean;
  timeoutMs: number;
  file?: string;
  command?: string[];
}

export function parseHooksConfig(input: HooksConfigInput | HooksConfig | undefined): HooksConfig {
  return hooksConfigSchema.parse(input ?? {});
}

export function hookSettings(config: HooksConfig, hook: HookName): HookSettings {
  const entry = config.enabled[hook];
  const fixed = HOOK_SPECS[hook].fixedTimeoutMs;
  if (entry === undefined || entry === false) return { enabled: false, timeoutMs: fixed ?? config.defaultTimeoutMs };
  if (entry === true) return { enabled: true, timeoutMs: fixed ?? config.defaultTimeoutMs };
  return {
    enabled: entry.enabled,
    timeoutMs: fixed ?? entry.timeoutMs ?? config.defaultTimeoutMs,
    ...(entry.file ? { file: entry.file } : {}),
    ...(entry.command ? { command: entry.command } : {}),
  };
}
