import { AmiParseError, type AmiParseErrorReason } from "./errors.js";
import { LineFramer } from "./framer.js";
import { parseGreeting, type AmiGreeting } from "./greeting.js";
import { AmiMessage, type AmiField } from "./message.js";

export interface AmiParserHandlers {
  onMessage(message: AmiMessage): void;
  onGreeting?(greeting: AmiGreeting): void;
  /** A block was skipped. Never throws into the stream; parsing continues with the next block. */
  onError?(error: AmiParseError): void;
}

export interface AmiParserOptions {
  /** Recognise a greeting on the first line (client side). Default true. */
  expectGreeting?: boolean;
  /** A block (or one line) bigger than this is reported and skipped. Default 4 MiB. */
  maxMessageBytes?: number;
}

const enum Mode {
  Headers,
  /** After `Response: Follows` (Asterisk <= 13 Command): Privilege/ActionID headers. */
  FollowsHeaders,
  /** Raw command output lines until `--END COMMAND--`. */
  FollowsOutput,
  /** After `--END COMMAND--`: the closing blank line. */
  FollowsEnd,
  /** Skipping the rest of a block that was already reported. */
  Skip,
}

const END_COMMAND = "--END COMMAND--";
const RAW_LIMIT = 2048;

/**
 * AMI stream parser: bytes in, `AmiMessage`s out, in order.
 *
 * - framing on bytes (UTF-8 safe across chunks, see LineFramer); CRLF or bare LF line ends;
 * - the greeting line; repeated headers kept in order;
 * - both Command reply formats. Asterisk 14+ sends `Output:` headers; Asterisk <= 13 sends
 *   `Response: Follows`, Privilege/ActionID, raw lines (blank lines included) and
 *   `--END COMMAND--`. The old format is normalised to the new one: each raw line becomes an
 *   `Output` header, so `message.getAll("Output")` works for both (Response stays "Follows");
 * - a malformed block is reported through `onError` as an AmiParseError and skipped.
 */
export class AmiParser {
  readonly #handlers: AmiParserHandlers;
  readonly #framer: LineFramer;
  readonly #maxBytes: number;
  #greetingPending: boolean;
  #mode: Mode = Mode.Headers;
  #fields: AmiField[] = [];
  #bytes = 0;
  #bad: { reason: AmiParseErrorReason; lines: string[] } | undefined;

  constructor(handlers: AmiParserHandlers, options: AmiParserOptions = {}) {
    this.#handlers = handlers;
    this.#maxBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
    this.#framer = new LineFramer(this.#maxBytes);
    this.#greetingPending = options.expectGreeting ?? true;
  }

  /** Feeds bytes (any chunking). Strings are accepted for tests and are encoded as UTF-8. */
  push(chunk: Buffer | string): void {
    const text = this.#framer.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
    if (text === undefined) {
      this.#report("message-too-large", ["<line longer than maxMessageBytes>"]);
      this.#mode = Mode.Skip;
      return;
    }
    if (text.length > 0) this.#lines(text);
  }

  /** End of stream: reports an unfinished block, if any. */
  end(): void {
    const rest = this.#framer.takeRest();
    if (rest.length > 0) this.#lines(rest + "\n");
    if (this.#mode === Mode.Skip) {
      this.#reset();
      return;
    }
    if (this.#fields.length > 0 || this.#bad) {
      const lines = this.#bad?.lines ?? this.#fields.map(([k, v]) => `${k}: ${v}`);
      this.#report("truncated", lines);
    }
  }

  #lines(text: string): void {
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      let nl = text.indexOf("\n", pos);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      const line = end === pos ? "" : text.slice(pos, end);
      this.#bytes += nl + 1 - pos;
      pos = nl + 1;
      this.#line(line);
    }
  }

  #line(line: string): void {
    switch (this.#mode) {
      case Mode.Headers:
        return this.#headerLine(line);
      case Mode.FollowsHeaders:
        if (line.startsWith("ActionID:") || line.startsWith("Privilege:") || /^(actionid|privilege):/i.test(line)) {
          return this.#headerLine(line);
        }
        this.#mode = Mode.FollowsOutput;
        return this.#outputLine(line);
      case Mode.FollowsOutput:
        return this.#outputLine(line);
      case Mode.FollowsEnd:
        if (line === "") return this.#emit();
        this.#mode = Mode.Skip;
        return this.#report("malformed-command-output", [...this.#rawOfFields(), line]);
      case Mode.Skip:
        if (line === "") this.#reset();
        return;
    }
  }

  #headerLine(line: string): void {
    if (line === "") {
      if (this.#bad) {
        this.#report(this.#bad.reason, this.#bad.lines);
      } else if (this.#fields.length > 0) {
        this.#emit();
      }
      this.#bytes = 0;
      return;
    }
    if (this.#greetingPending) {
      this.#greetingPending = false;
      const greeting = parseGreeting(line);
      if (greeting) {
        this.#bytes = 0;
        this.#handlers.onGreeting?.(greeting);
        return;
      }
    }
    if (this.#bytes > this.#maxBytes) {
      this.#mode = Mode.Skip;
      return this.#report("message-too-large", this.#rawOfFields());
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      if (!this.#bad) this.#bad = { reason: "malformed-line", lines: this.#rawOfFields() };
      if (this.#bad.lines.length < 64) this.#bad.lines.push(line);
      return;
    }
    if (this.#bad) {
      if (this.#bad.lines.length < 64) this.#bad.lines.push(line);
      return;
    }
    const key = line.slice(0, colon);
    const value = line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1);
    if (this.#fields.length === 0 && value === "Follows" && key.toLowerCase() === "response") {
      this.#mode = Mode.FollowsHeaders;
    }
    this.#fields.push([key, value]);
  }

  #outputLine(line: string): void {
    if (this.#bytes > this.#maxBytes) {
      this.#mode = Mode.Skip;
      this.#report("message-too-large", this.#rawOfFields());
      return;
    }
    if (line.endsWith(END_COMMAND)) {
      // Old Asterisk versions glue the marker to the last output line when it has no newline.
      if (line.length > END_COMMAND.length) this.#fields.push(["Output", line.slice(0, -END_COMMAND.length)]);
      this.#mode = Mode.FollowsEnd;
      return;
    }
    this.#fields.push(["Output", line]);
  }

  #emit(): void {
    const message = new AmiMessage(this.#fields);
    this.#reset();
    this.#handlers.onMessage(message);
  }

  #reset(): void {
    this.#fields = [];
    this.#mode = Mode.Headers;
    this.#bytes = 0;
    this.#bad = undefined;
  }

  #rawOfFields(): string[] {
    return this.#fields.map(([k, v]) => `${k}: ${v}`);
  }

  #report(reason: AmiParseErrorReason, lines: string[]): void {
    const fields = this.#fields;
    if (this.#mode !== Mode.Skip) this.#reset();
    else {
      this.#fields = [];
      this.#bad = undefined;
    }
    let raw = lines.join("\n");
    if (raw.length > RAW_LIMIT) raw = raw.slice(0, RAW_LIMIT);
    this.#handlers.onError?.(new AmiParseError(reason, raw, fields));
  }
}
