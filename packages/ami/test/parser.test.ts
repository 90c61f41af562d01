import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames } from "../../testkit/src/index.js"; // relative: testkit depends on ami, so ami cannot depend on testkit
import { AmiMessage, AmiParser, AmiParseError, commandOutput, isLegacyCommandReply, type AmiGreeting } from "../src/index.js";
import { seededRandom as rng } from "../../testkit/src/util/random.js";

function collect(options?: { expectGreeting?: boolean }) {
  const messages: AmiMessage[] = [];
  const errors: AmiParseError[] = [];
  const greetings: AmiGreeting[] = [];
  const parser = new AmiParser({ onMessage: (m) => messages.push(m), onError: (e) => errors.push(e), onGreeting: (g) => greetings.push(g) }, options);
  return { parser, messages, errors, greetings };
}

function feedRandomChunks(parser: AmiParser, bytes: Buffer, seed: number, maxChunk = 97): void {
  const random = rng(seed);
  let pos = 0;
  while (pos < bytes.length) {
    const n = 1 + Math.floor(random() * maxChunk);
    parser.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  parser.end();
}

describe("AmiParser: framing", () => {
  it("keeps a Cyrillic CallerIDName intact at every split point", () => {
    const name = "Иван Петров — отдел продаж";
    const bytes = Buffer.from(`Asterisk Call Manager/11.0.0\r\nEvent: Newchannel\r\nCallerIDName: ${name}\r\nUniqueid: 1.1\r\n\r\n`, "utf8");
    for (let split = 1; split < bytes.length; split++) {
      const { parser, messages, errors } = collect();
      parser.push(bytes.subarray(0, split));
      parser.push(bytes.subarray(split));
      parser.end();
      expect(errors).toEqual([]);
      expect(messages).toHaveLength(1);
      expect(messages[0]!.get("CallerIDName"), `split at byte ${split}`).toBe(name);
    }
  });

  it("keeps a Cyrillic name intact when fed one byte at a time", () => {
    const name = "Мария Иванова";
    const bytes = Buffer.from(`Event: Newstate\r\nCallerIDName: ${name}\r\n\r\n`, "utf8");
    const { parser, messages } = collect();
    for (let i = 0; i < bytes.length; i++) parser.push(bytes.subarray(i, i + 1));
    expect(messages.map((m) => m.get("CallerIDName"))).toEqual([name]);
  });

  it("tolerates bare \\n line ends and mixed line ends", () => {
    const { parser, messages, greetings } = collect();
    parser.push("Asterisk Call Manager/11.0.0\nEvent: A\nX: 1\n\nEvent: B\r\nY: 2\n\r\n");
    expect(greetings.map((g) => g.version)).toEqual(["11.0.0"]);
    expect(messages.map((m) => m.fields)).toEqual([
      [
        ["Event", "A"],
        ["X", "1"],
      ],
      [
        ["Event", "B"],
        ["Y", "2"],
      ],
    ]);
  });

  it("parses the greeting", () => {
    const { parser, greetings, messages } = collect();
    parser.push("Asterisk Call Manager/11.0.0\r\n");
    expect(greetings).toEqual([{ raw: "Asterisk Call Manager/11.0.0", product: "Asterisk Call Manager", version: "11.0.0" }]);
    expect(messages).toEqual([]);
  });

  it("keeps repeated headers in order and values verbatim", () => {
    const { parser, messages } = collect({ expectGreeting: false });
    parser.push("Event: Newexten\r\nChanVariable: B=2\r\nAppData: a: b:c\r\nChanVariable: A=1\r\nAccountCode: \r\nEmpty:\r\nchanvariable: C=3\r\nSpaces:   x  \r\n\r\n");
    const m = messages[0]!;
    expect(m.getAll("ChanVariable")).toEqual(["B=2", "A=1", "C=3"]);
    expect(m.get("chanvariable")).toBe("B=2");
    expect(m.get("AppData")).toBe("a: b:c");
    expect(m.get("AccountCode")).toBe("");
    expect(m.get("Empty")).toBe("");
    expect(m.get("Spaces")).toBe("  x  ");
  });

  it("ignores extra blank lines between messages", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    parser.push("\r\n\r\nEvent: A\r\n\r\n\r\n\nEvent: B\r\n\r\n");
    expect(messages.map((m) => m.event)).toEqual(["A", "B"]);
    expect(errors).toEqual([]);
  });
});

describe("AmiParser: Command replies", () => {
  it("parses the Asterisk 14+ format (Output headers)", () => {
    const { parser, messages } = collect({ expectGreeting: false });
    parser.push("Response: Success\r\nActionID: a-1\r\nMessage: Command output follows\r\nOutput: Channel              Location\r\nOutput: \r\nOutput: 0 active channels\r\n\r\n");
    expect(messages).toHaveLength(1);
    expect(isLegacyCommandReply(messages[0]!)).toBe(false);
    expect(commandOutput(messages[0]!)).toEqual(["Channel              Location", "", "0 active channels"]);
  });

  it("parses the Asterisk <= 13 format (Response: Follows … --END COMMAND--) with blank lines and colons inside", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    const reply =
      "Response: Follows\r\nPrivilege: Command\r\nActionID: a-2\r\n" +
      "Channel              Location             State   Application(Data)\n" +
      "\n" +
      "Uptime: 12 seconds\n" +
      "1 active channel\n" +
      "--END COMMAND--\r\n\r\n" +
      "Event: After\r\n\r\n";
    parser.push(reply);
    expect(errors).toEqual([]);
    expect(messages).toHaveLength(2);
    const m = messages[0]!;
    expect(m.response).toBe("Follows");
    expect(m.actionId).toBe("a-2");
    expect(m.get("Privilege")).toBe("Command");
    expect(isLegacyCommandReply(m)).toBe(true);
    expect(commandOutput(m)).toEqual(["Channel              Location             State   Application(Data)", "", "Uptime: 12 seconds", "1 active channel"]);
    expect(messages[1]!.event).toBe("After");
  });

  it("handles --END COMMAND-- glued to the last output line (old Asterisk)", () => {
    const { parser, messages } = collect({ expectGreeting: false });
    parser.push("Response: Follows\r\nPrivilege: Command\r\nNo such command 'x'--END COMMAND--\r\n\r\n");
    expect(commandOutput(messages[0]!)).toEqual(["No such command 'x'"]);
  });

  it("parses the <= 13 format split into 1-byte chunks", () => {
    const text = "Response: Follows\r\nPrivilege: Command\r\nActionID: z\r\nline 1\n\nline: 3\n--END COMMAND--\r\n\r\n";
    const { parser, messages } = collect({ expectGreeting: false });
    for (const b of Buffer.from(text)) parser.push(Buffer.from([b]));
    expect(commandOutput(messages[0]!)).toEqual(["line 1", "", "line: 3"]);
  });
});

describe("AmiParser: malformed input", () => {
  it("reports a malformed block with a typed error and keeps going", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    parser.push("Event: Good1\r\n\r\nEvent: Bad\r\nthis line has no colon\r\nX: 1\r\n\r\nEvent: Good2\r\n\r\n");
    expect(messages.map((m) => m.event)).toEqual(["Good1", "Good2"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(AmiParseError);
    expect(errors[0]!.reason).toBe("malformed-line");
    expect(errors[0]!.raw).toContain("this line has no colon");
    expect(errors[0]!.fields).toEqual([["Event", "Bad"]]);
  });

  it("garbage before the first message is reported, not fatal", () => {
    const { parser, messages, errors } = collect();
    parser.push("\x00\x01garbage\r\n\r\nEvent: A\r\n\r\n");
    expect(errors.map((e) => e.reason)).toEqual(["malformed-line"]);
    expect(messages.map((m) => m.event)).toEqual(["A"]);
  });

  it("reports data after --END COMMAND-- and resynchronises at the next blank line", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    parser.push("Response: Follows\r\nout\n--END COMMAND--\r\njunk\r\n\r\nEvent: Next\r\n\r\n");
    expect(errors.map((e) => e.reason)).toEqual(["malformed-command-output"]);
    expect(messages.map((m) => m.event)).toEqual(["Next"]);
  });

  it("an oversized block is skipped with message-too-large", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    const p = new AmiParser({ onMessage: (m) => messages.push(m), onError: (e) => errors.push(e) }, { expectGreeting: false, maxMessageBytes: 1000 });
    let big = "Event: Big\r\n";
    for (let i = 0; i < 100; i++) big += `Header${i}: ${"x".repeat(20)}\r\n`;
    p.push(big + "\r\nEvent: Small\r\n\r\n");
    p.push("Event: Huge\r\nValue: " + "y".repeat(5000));
    p.push("\r\n\r\nEvent: Last\r\n\r\n");
    expect(errors.map((e) => e.reason)).toEqual(["message-too-large", "message-too-large"]);
    expect(messages.map((m) => m.event)).toEqual(["Small", "Last"]);
    void parser;
  });

  it("a stream ending mid-message reports truncated", () => {
    const { parser, messages, errors } = collect({ expectGreeting: false });
    parser.push("Event: A\r\n\r\nEvent: B\r\nX: 1");
    parser.end();
    expect(messages.map((m) => m.event)).toEqual(["A"]);
    expect(errors.map((e) => e.reason)).toEqual(["truncated"]);
    expect(errors[0]!.raw).toContain("X: 1");
  });
});

describe("AmiParser: real Asterisk 22 recordings", () => {
  const names = recordingNames();
  it("has recordings", () => expect(names.length).toBeGreaterThanOrEqual(13));

  for (const name of names) {
    it(`${name}: the .ami bytes parse to exactly the .jsonl messages (whole and in random chunks)`, () => {
      const rec = loadRecording(name);
      const expected = rec.messages.map((m) => m.message.fields);
      const whole = collect();
      whole.parser.push(rec.raw);
      whole.parser.end();
      expect(whole.errors).toEqual([]);
      expect(whole.greetings.map((g) => g.raw)).toEqual(["Asterisk Call Manager/11.0.0"]);
      expect(whole.messages.map((m) => m.fields)).toEqual(expected);

      for (const seed of [1, 2, 3]) {
        const chunked = collect();
        feedRandomChunks(chunked.parser, rec.raw, seed * 7919 + name.length, seed === 1 ? 7 : 1500);
        expect(chunked.errors).toEqual([]);
        expect(chunked.messages.map((m) => m.fields)).toEqual(expected);
      }
    });
  }
});
