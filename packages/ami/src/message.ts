/**
 * One AMI message (event, response or action) as an ordered list of headers.
 *
 * AMI allows repeated headers (ChanVariable, Output, Variable) and their order matters,
 * so the message keeps every [key, value] pair exactly as received. Keys are matched
 * case-insensitively; values are kept verbatim (only the single space after ": " is
 * dropped by the parser).
 */
export type AmiField = readonly [key: string, value: string];

export class AmiMessage {
  readonly fields: readonly AmiField[];
  #index: Map<string, string> | undefined;

  constructor(fields: readonly AmiField[]) {
    this.fields = fields;
  }

  /** Builds a message from a plain object (tests, actions). Arrays become repeated headers. */
  static from(obj: Record<string, string | number | readonly (string | number)[]>): AmiMessage {
    const fields: AmiField[] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (Array.isArray(v)) for (const item of v) fields.push([k, String(item)]);
      else fields.push([k, String(v)]);
    }
    return new AmiMessage(fields);
  }

  /** First value of a header, case-insensitive. */
  get(key: string): string | undefined {
    let index = this.#index;
    if (index === undefined) {
      index = new Map();
      for (const [k, v] of this.fields) {
        const lk = k.toLowerCase();
        if (!index.has(lk)) index.set(lk, v);
      }
      this.#index = index;
    }
    return index.get(key.toLowerCase());
  }

  /** Every value of a (possibly repeated) header, in order. */
  getAll(key: string): string[] {
    const lk = key.toLowerCase();
    const out: string[] = [];
    for (const [k, v] of this.fields) if (k.toLowerCase() === lk) out.push(v);
    return out;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The `Event` header, if this is an event. */
  get event(): string | undefined {
    return this.get("Event");
  }

  /** The `Response` header, if this is a response. */
  get response(): string | undefined {
    return this.get("Response");
  }

  get actionId(): string | undefined {
    return this.get("ActionID");
  }

  /** First values as a plain object (later duplicates ignored). For logs and JSON. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.fields) if (!(k in out)) out[k] = v;
    return out;
  }
}
