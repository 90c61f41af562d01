import type { CompiledConfig } from "./config.js";
import type { ChannelKind } from "./model.js";

export interface ParsedChannelName {
  tech: string;
  /** PJSIP/provider-00000001 → provider; Local/101@from-internal-00000000;1 → 101@from-internal. */
  endpoint: string;
  /** Local only: the pair's common name (without ;1/;2) and which half this is. */
  localBase: string;
  localHalf: 0 | 1 | 2;
}

const SUFFIX = /-[0-9a-f]+$/i;

/** Splits an Asterisk channel name. Never throws; odd names give an empty endpoint. */
export function parseChannelName(name: string): ParsedChannelName {
  const slash = name.indexOf("/");
  if (slash < 0) return { tech: name, endpoint: "", localBase: "", localHalf: 0 };
  const tech = name.slice(0, slash);
  let rest = name.slice(slash + 1);
  if (tech === "Local") {
    let half: 0 | 1 | 2 = 0;
    let base = name;
    const semi = rest.lastIndexOf(";");
    if (semi >= 0) {
      const h = rest.slice(semi + 1);
      half = h === "1" ? 1 : h === "2" ? 2 : 0;
      rest = rest.slice(0, semi);
      base = name.slice(0, slash + 1 + semi);
    }
    return { tech, endpoint: rest.replace(SUFFIX, ""), localBase: base, localHalf: half };
  }
  // Masquerade leftovers (<ZOMBIE>, <MASQ>) and nested names (DAHDI/i1/…) keep their tail.
  const bracket = rest.indexOf("<");
  if (bracket > 0) rest = rest.slice(0, bracket);
  return { tech, endpoint: rest.replace(SUFFIX, ""), localBase: "", localHalf: 0 };
}

/**
 * employee / trunk / local / other. No hand-listed contexts needed: an endpoint that is not an
 * internal extension is a trunk. The lists in the config refine (explicit names win).
 */
export function classifyChannel(parsed: ParsedChannelName, context: string, cfg: CompiledConfig): ChannelKind {
  if (parsed.tech === "Local") return "local";
  const techLower = parsed.tech.toLowerCase();
  if (cfg.ignoredTechs.has(techLower)) return "other";
  if (parsed.endpoint === "") return "other";
  if (cfg.trunks.has(parsed.endpoint)) return "trunk";
  if (cfg.internalEndpoints.has(parsed.endpoint)) return "employee";
  if (cfg.trunkTechs.has(techLower)) return "trunk";
  if (cfg.internal.test(parsed.endpoint)) return cfg.trunkContexts.has(context) ? "trunk" : "employee";
  return "trunk";
}

/** `89161234567@provider` → 89161234567; `provider/89161234567` → 89161234567; `101` → 101. */
export function numberFromDialString(dialString: string): string {
  let s = dialString;
  const slash = s.indexOf("/");
  if (slash >= 0) s = s.slice(slash + 1);
  if (s.startsWith("sip:") || s.startsWith("tel:")) s = s.slice(4);
  else if (s.startsWith("sips:")) s = s.slice(5);
  const at = s.indexOf("@");
  if (at >= 0) s = s.slice(0, at);
  const semi = s.indexOf(";");
  if (semi >= 0) s = s.slice(0, semi);
  return s;
}

/** Caller ID values Asterisk uses for "nothing". */
export function isBlankNumber(n: string | undefined): boolean {
  return n === undefined || n === "" || n === "<unknown>" || n === "s" || n === "anonymous" || n === "Anonymous";
}
