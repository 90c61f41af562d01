/**
 * Batch references (`$result[reg][CALL_ID]`, also `$next`, `$total`, `$time`, `$error`, §4).
 * Two jobs: renaming the command keys of a chain when it is merged into a shared batch, and
 * resolving references locally when a command is re-sent without the command it refers to
 * (that one already succeeded in an earlier attempt).
 */
const REF = /\$(result|next|total|time|error)\[([^\]]+)\]((?:\[[^\]]*\])*)/g;

type Params = Record<string, unknown>;

function mapStrings(v: unknown, f: (s: string) => unknown): unknown {
  if (typeof v === "string") return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v && typeof v === "object" && !(v instanceof Date)) {
    const out: Params = {};
    for (const [k, x] of Object.entries(v as Params)) out[k] = mapStrings(x, f);
    return out;
  }
  return v;
}

/** Rewrites `$result[name]` to `$result[rename(name)]` for the names of this chain. */
export function renameRefs(params: Params, rename: Map<string, string>): Params {
  return mapStrings(params, (s) =>
    s.replace(REF, (all, kind: string, name: string, rest: string) => {
      const to = rename.get(name);
      return to ? `$${kind}[${to}]${rest}` : all;
    }),
  ) as Params;
}

/** Names (keys) referenced by these params. */
export function referencedKeys(params: Params): Set<string> {
  const out = new Set<string>();
  mapStrings(params, (s) => {
    for (const m of s.matchAll(REF)) out.add(m[2]!);
    return s;
  });
  return out;
}

/**
 * Substitutes `$result[key]…` for keys whose results are known locally, as the server would:
 * a parameter that is exactly one reference gets the raw value (maybe an object); inside a longer
 * string only scalars are substituted.
 */
export function resolveRefs(params: Params, known: Map<string, unknown>): Params {
  return mapStrings(params, (s) => {
    const whole = s.match(new RegExp(`^${REF.source}$`));
    if (whole && whole[1] === "result" && known.has(whole[2]!)) return walk(known.get(whole[2]!), whole[3] ?? "");
    return s.replace(REF, (all, kind: string, name: string, rest: string) => {
      if (kind !== "result" || !known.has(name)) return all;
      const v = walk(known.get(name), rest);
      return v === null || v === undefined || typeof v === "object" ? "" : String(v);
    });
  }) as Params;
}

function walk(v: unknown, path: string): unknown {
  for (const m of path.matchAll(/\[([^\]]*)\]/g)) {
    if (v === null || typeof v !== "object") return v;
    v = (v as Record<string, unknown>)[m[1]!];
  }
  return v;
}
