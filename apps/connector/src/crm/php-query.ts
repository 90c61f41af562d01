/**
 * PHP-style query strings for batch commands: `crm.activity.list?filter[ORIGIN_ID]=VI_x&select[0]=ID`.
 * Bitrix24 runs `parse_str` on every command of a batch, so nested objects and arrays become bracket
 * keys. Batch references (`$result[reg][CALL_ID]`) are ordinary values: percent-encoded here and decoded
 * by the server before it substitutes them.
 */
export function toPhpQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) add(parts, encodeKey(k), v);
  return parts.join("&");
}

function encodeKey(k: string): string {
  return encodeURIComponent(k).replace(/%5B/gi, "[").replace(/%5D/gi, "]");
}

function add(parts: string[], key: string, v: unknown): void {
  if (v === undefined) return;
  if (v === null) {
    parts.push(`${key}=`);
  } else if (Array.isArray(v)) {
    if (v.length === 0) parts.push(`${key}=`);
    v.forEach((item, i) => add(parts, `${key}[${i}]`, item));
  } else if (v instanceof Date) {
    parts.push(`${key}=${encodeURIComponent(v.toISOString())}`);
  } else if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) parts.push(`${key}=`);
    for (const [k2, v2] of entries) add(parts, `${key}[${encodeKey(k2)}]`, v2);
  } else if (typeof v === "boolean") {
    parts.push(`${key}=${v ? "1" : "0"}`); // PHP truthiness: "false" would be true
  } else {
    parts.push(`${key}=${encodeURIComponent(String(v))}`);
  }
}

/** `method?query` as one batch `cmd` value. */
export function encodeCommand(method: string, params: Record<string, unknown>): string {
  const q = toPhpQuery(params);
  return q ? `${method}?${q}` : method;
}
