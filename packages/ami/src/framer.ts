/**
 * Byte framing: turns TCP chunks into text made only of complete lines.
 *
 * The split happens on the LF byte (0x0a). LF never occurs inside a multi-byte UTF-8 sequence,
 * so decoding everything up to the last LF is always safe: a Cyrillic CallerIDName split across
 * two TCP chunks stays intact, because its tail bytes wait in `rest` until the line is complete.
 * CR handling (CRLF or bare LF) is the parser's job.
 */
export class LineFramer {
  #rest: Buffer | undefined;

  constructor(
    /** A single line longer than this is discarded (see `overflowed`). */
    readonly maxLineBytes = 1024 * 1024,
  ) {}

  /** Bytes waiting for the end of their line. */
  get pendingBytes(): number {
    return this.#rest?.length ?? 0;
  }

  /**
   * Adds a chunk; returns the decoded text of every line it completes (ending with "\n"),
   * or "" when no line was completed. Returns `undefined` when the pending line overflowed
   * `maxLineBytes` and was dropped.
   */
  push(chunk: Buffer): string | undefined {
    const buf = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      if (buf.length > this.maxLineBytes) {
        this.#rest = undefined;
        return undefined;
      }
      this.#rest = buf;
      return "";
    }
    this.#rest = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : undefined;
    return buf.toString("utf8", 0, last + 1);
  }

  /** Drops and returns whatever incomplete line is pending (at end of stream). */
  takeRest(): string {
    const rest = this.#rest;
    this.#rest = undefined;
    return rest === undefined ? "" : rest.toString("utf8");
  }
}
