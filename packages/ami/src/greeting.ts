/** The banner Asterisk sends first on every AMI connection, e.g. `Asterisk Call Manager/11.0.0`. */
export interface AmiGreeting {
  /** The whole line without its line end. */
  raw: string;
  /** Product part before the slash ("Asterisk Call Manager"). */
  product: string;
  /** AMI protocol version after the slash ("11.0.0"); not the Asterisk version. */
  version: string;
}

/** Recognises a greeting line (`<product>/<version>`, no `Key: Value` form). */
export function parseGreeting(line: string): AmiGreeting | undefined {
  const slash = line.lastIndexOf("/");
  if (slash <= 0 || line.includes(": ")) return undefined;
  if (!/Call Manager/i.test(line.slice(0, slash))) return undefined;
  return { raw: line, product: line.slice(0, slash), version: line.slice(slash + 1) };
}
