/**
 * What a connector token may call. A scope is a method name (`user.get`), a family (`crm.lead.*`)
 * or `*`. Names compare case-insensitively, with an optional `.json` suffix ignored.
 */

/** The methods the connector (pipeline, users cache, lines, recordings, notices, default hooks) calls. */
export const CONNECTOR_SCOPES: readonly string[] = [
  "telephony.externalcall.*",
  "telephony.externalline.*",
  "user.get",
  // whose credential this is: where a call nobody owns lands (responsible.fallbackToCredentialUser)
  "user.current",
  "crm.activity.get",
  "crm.activity.list",
  "crm.activity.update",
  "crm.lead.*",
  "crm.contact.*",
  "crm.company.*",
  "crm.deal.get",
  "crm.deal.list",
  "crm.duplicate.findbycomm",
  "crm.timeline.comment.add",
  "tasks.task.add",
  // a task add whose answer was lost is looked up by its XML_ID before it is sent again (read only)
  "tasks.task.list",
  "im.notify.system.add",
  "im.notify.personal.add",
  // the portal's call history (read only): reprocessing cross-checks by EXTERNAL_CALL_ID, and a register,
  // finish or attachRecord whose answer was lost is settled from it instead of being sent again
  "voximplant.statistic.get",
];

export const SCOPE_PRESETS: Readonly<Record<string, readonly string[]>> = { connector: CONNECTOR_SCOPES };

/** `connector,crm.deal.*` → the preset expanded plus the extra entries. */
export function expandScopes(items: readonly string[]): string[] {
  const out = new Set<string>();
  for (const raw of items) {
    const item = raw.trim().toLowerCase();
    if (item === "") continue;
    const preset = SCOPE_PRESETS[item];
    if (preset) for (const s of preset) out.add(s);
    else if (/^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$/.test(item)) out.add(item);
    else throw new TypeError(`not a scope: "${raw}" (a method name, "family.*", "*" or a preset: ${Object.keys(SCOPE_PRESETS).join(", ")})`);
  }
  return [...out].sort();
}

export function normalizeMethod(method: string): string {
  return method
    .trim()
    .toLowerCase()
    .replace(/\.json$/, "");
}

export function methodAllowed(scopes: readonly string[], method: string): boolean {
  const m = normalizeMethod(method);
  if (m === "batch") return false; // a batch is judged by its commands
  const allows = (name: string) => scopes.some((s) => s === "*" || s === name || (s.endsWith(".*") && name.startsWith(s.slice(0, -1))));
  // A token that may read every user may read the current one (tokens issued before user.current
  // joined the connector preset keep working: nothing it could not already read).
  return allows(m) || (m === "user.current" && allows("user.get"));
}

/** Method names of a batch's `cmd` (`{"a": "user.get?ID=1"}` or an array). */
export function batchMethods(cmd: unknown): string[] | undefined {
  const values = Array.isArray(cmd) ? cmd : cmd && typeof cmd === "object" ? Object.values(cmd) : undefined;
  if (!values) return undefined;
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== "string") return undefined;
    out.push(normalizeMethod(v.split("?")[0]!));
  }
  return out;
}
