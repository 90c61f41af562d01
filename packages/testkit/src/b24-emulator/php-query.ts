/**
 * PHP-style query strings: `parse_str` with bracket arrays (`FIELDS[TITLE]=x`, `values[]=y`) and the inverse,
 * `http_build_query`. Parsed values are always strings (fact sheet §7: "form-encoded values are all strings").
 * PHP arrays whose keys are exactly 0..n-1 come out as JS arrays, everything else as plain objects.
 */

export type PhpValue = string | PhpValue[] | { [key: string]: PhpValue };

type Bag = Map<string, Bag | string>;

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Split `a[b][]` into ["a", "b", ""] the way PHP does (a key without a closing bracket stays literal). */
function splitKey(raw: string): string[] {
  const open = raw.indexOf("[");
  if (open <= 0) return [raw];
  const parts = [raw.slice(0, open)];
  let rest = raw.slice(open);
  while (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) break;
    parts.push(rest.slice(1, close));
    rest = rest.slice(close + 1);
  }
  return parts;
}

function nextIndex(bag: Bag): string {
  let max = -1;
  for (const k of bag.keys()) if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k));
  return String(max + 1);
}

function assign(root: Bag, path: string[], value: string): void {
  let bag = root;
  for (let i = 0; i < path.length; i++) {
    let key = path[i] as string;
    if (key === "") key = nextIndex(bag);
    if (i === path.length - 1) {
      bag.set(key, value);
      return;
    }
    let child = bag.get(key);
    if (!(child instanceof Map)) {
      child = new Map();
      bag.set(key, child);
    }
    bag = child;
  }
}

function toValue(bag: Bag): PhpValue {
  const keys = [...bag.keys()];
  const isList = keys.every((k, i) => k === String(i));
  if (isList && keys.length > 0) return keys.map((k) => fromEntry(bag.get(k) as Bag | string));
  const out: Record<string, PhpValue> = {};
  for (const k of keys) out[k] = fromEntry(bag.get(k) as Bag | string);
  return out;
}

function fromEntry(v: Bag | string): PhpValue {
  return v instanceof Map ? toValue(v) : v;
}

/** PHP `parse_str`. Returns an object (never a list) for the top level. */
export function parsePhpQuery(query: string): Record<string, PhpValue> {
  const root: Bag = new Map();
  const q = query.startsWith("?") ? query.slice(1) : query;
  for (const pair of q.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decode(pair.slice(eq + 1));
    if (rawKey === "") continue;
    assign(root, splitKey(rawKey), value);
  }
  const out: Record<string, PhpValue> = {};
  for (const [k, v] of root) out[k] = fromEntry(v);
  return out;
}

function scalar(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v === true) return "1";
  if (v === false) return "0";
  return String(v);
}

/** PHP `http_build_query`: nested objects/arrays become bracket keys; null/undefined are skipped. */
export function buildPhpQuery(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, v: unknown): void => {
    if (v !== null && typeof v === "object" && !(v instanceof Date)) {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
      for (const [k, x] of entries) walk(`${prefix}[${k}]`, x);
      return;
    }
    const s = v instanceof Date ? v.toISOString() : scalar(v);
    if (s === null) return;
    parts.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(s)}`);
  };
  for (const [k, v] of Object.entries(data)) walk(k, v);
  return parts.join("&");
}

/** PHP `(bool)` of a request value: false for "", "0", 0, false, null, [], {}; true otherwise ("false" is true). */
export function phpTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "" || v === "0") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** PHP `(int)` cast of a request value ("12abc" → 12, "abc" → 0, true → 1). */
export function phpInt(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : 0;
  if (v === true) return 1;
  if (typeof v !== "string") return 0;
  const m = /^\s*([+-]?\d+)/.exec(v);
  return m ? Number.parseInt(m[1] as string, 10) : 0;
}

/** PHP `isset()`: present and not null. */
export function isset(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/**
 * Encode a PHP array for JSON the way `json_encode` does: an ordered map whose keys are exactly 0..n-1 becomes a
 * list, any other non-empty map an object, and an empty map `[]`.
 */
export function phpArrayJson(map: Map<string, unknown>): unknown {
  if (map.size === 0) return [];
  const keys = [...map.keys()];
  if (keys.every((k, i) => k === String(i))) return keys.map((k) => map.get(k));
  return Object.fromEntries(map);
}
