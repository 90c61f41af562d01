import { describe, expect, it } from "vitest";
import { buildBatch, Batcher, type BatchPayload } from "../../src/crm/batcher.js";
import { referencedKeys, renameRefs, resolveRefs } from "../../src/crm/batch-refs.js";
import { encodeCommand, toPhpQuery } from "../../src/crm/php-query.js";
import { RetryPolicy } from "../../src/crm/retry-policy.js";
import {
  B24AuthError,
  B24BusinessError,
  B24OperatingLimitError,
  B24RateLimitError,
  B24ServerError,
  B24TimeoutError,
  B24TokenExpiredError,
  B24TransportError,
  classifyB24Error,
  errorFromJSON,
} from "../../src/crm/errors.js";
import { parseAnswer } from "../../src/crm/transport.js";

describe("php-query", () => {
  it("encodes nested params in PHP bracket form", () => {
    expect(toPhpQuery({ filter: { ORIGIN_ID: "VI_x" }, select: ["ID", "SUBJECT"] })).toBe("filter[ORIGIN_ID]=VI_x&select[0]=ID&select[1]=SUBJECT");
    expect(encodeCommand("telephony.externalcall.finish", { CALL_ID: "$result[e0_reg][CALL_ID]", DURATION: 5 })).toBe(
      "telephony.externalcall.finish?CALL_ID=%24result%5Be0_reg%5D%5BCALL_ID%5D&DURATION=5",
    );
    expect(toPhpQuery({ SHOW: false, PHONE: "+7 900" })).toBe("SHOW=0&PHONE=%2B7%20900");
  });
});

describe("batch references", () => {
  it("renames keys of a chain and resolves known results", () => {
    const renamed = renameRefs({ CALL_ID: "$result[reg][CALL_ID]", X: ["$result[other][0]"] }, new Map([["reg", "e3_reg"]]));
    expect(renamed).toEqual({ CALL_ID: "$result[e3_reg][CALL_ID]", X: ["$result[other][0]"] });
    expect([...referencedKeys(renamed)]).toEqual(["e3_reg", "other"]);
    const known = new Map<string, unknown>([["e3_reg", { CALL_ID: "externalCall.abc.1", LIST: [1, 2] }]]);
    expect(resolveRefs({ CALL_ID: "$result[e3_reg][CALL_ID]", L: "$result[e3_reg][LIST]", S: "id=$result[e3_reg][CALL_ID]!" }, known)).toEqual({
      CALL_ID: "externalCall.abc.1",
      L: [1, 2],
      S: "id=externalCall.abc.1!",
    });
  });
});

describe("batcher", () => {
  it("coalesces entries into batches of at most 50 and never splits a chain", async () => {
    const flushed: BatchPayload[] = [];
    const b = new Batcher({ portal: "p", windowMs: 5, onFlush: (batch) => flushed.push(batch) });
    for (let i = 0; i < 120; i++) b.add({ id: `s${i}`, commands: [{ name: "c", method: "user.get", params: { ID: i } }] });
    // 120 singles: two full batches flushed at once, 20 wait for the window
    expect(flushed.map((f) => f.commands.length)).toEqual([50, 50]);
    b.add({
      id: "chain",
      commands: [
        { name: "reg", method: "telephony.externalcall.register" },
        { name: "show", method: "telephony.externalcall.show", params: { CALL_ID: "$result[reg][CALL_ID]" } },
      ],
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(flushed.map((f) => f.commands.length)).toEqual([50, 50, 22]);
    const last = flushed[2]!;
    const show = last.commands.find((c) => c.entryId === "chain" && c.name === "show")!;
    expect(show.params.CALL_ID).toBe(`$result[${last.commands.find((c) => c.entryId === "chain" && c.name === "reg")!.key}][CALL_ID]`);
    // a chain that does not fit the current batch starts the next one
    for (let i = 0; i < 49; i++) b.add({ id: `t${i}`, commands: [{ name: "c", method: "m" }] });
    b.add({
      id: "big",
      commands: [
        { name: "a", method: "m" },
        { name: "b", method: "m" },
      ],
    });
    b.flush();
    expect(flushed.slice(3).map((f) => f.commands.length)).toEqual([49, 2]);
  });

  it("gives chains from different calls distinct keys", () => {
    const batch = buildBatch("p", [
      {
        id: "1",
        commands: [
          { name: "reg", method: "a" },
          { name: "fin", method: "b", params: { CALL_ID: "$result[reg][CALL_ID]" } },
        ],
      },
      {
        id: "2",
        commands: [
          { name: "reg", method: "a" },
          { name: "fin", method: "b", params: { CALL_ID: "$result[reg][CALL_ID]" } },
        ],
      },
    ]);
    expect(batch.commands.map((c) => c.key)).toEqual(["e0_reg", "e0_fin", "e1_reg", "e1_fin"]);
    expect(batch.commands[3]!.params.CALL_ID).toBe("$result[e1_reg][CALL_ID]");
  });

  it("rejects chains that cannot travel in one batch", () => {
    const b = new Batcher({ portal: "p", onFlush: () => {} });
    expect(() => b.add({ id: "x", commands: Array.from({ length: 51 }, (_, i) => ({ name: `c${i}`, method: "m" })) })).toThrow(RangeError);
    expect(() =>
      b.add({
        id: "y",
        commands: [
          { name: "a", method: "m" },
          { name: "a", method: "m" },
        ],
      }),
    ).toThrow(TypeError);
  });
});

describe("error classification", () => {
  it("maps Bitrix24 bodies to classes", () => {
    expect(classifyB24Error("QUERY_LIMIT_EXCEEDED", "Too many requests", 503)).toBeInstanceOf(B24RateLimitError);
    expect(classifyB24Error("OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.", 429)).toBeInstanceOf(B24OperatingLimitError);
    expect(classifyB24Error("expired_token", "The access token provided has expired", 401)).toBeInstanceOf(B24TokenExpiredError);
    expect(classifyB24Error("NO_AUTH_FOUND", "Wrong authorization data", 401)).toBeInstanceOf(B24AuthError);
    expect(classifyB24Error("INTERNAL_SERVER_ERROR", "", 500)).toBeInstanceOf(B24ServerError);
    const biz = classifyB24Error("", "Call is not found (call should be registered prior to finishing", 400);
    expect(biz).toBeInstanceOf(B24BusinessError);
    expect(biz.description).toBe("Call is not found (call should be registered prior to finishing");
    expect(classifyB24Error("", "Unknown TYPE", 0)).toBeInstanceOf(B24BusinessError);
    const round = errorFromJSON(new B24TimeoutError({ code: "TIMEOUT", description: "x", maybeExecuted: true }).toJSON());
    expect(round).toBeInstanceOf(B24TimeoutError);
    expect(round).toBeInstanceOf(B24TransportError);
    expect(round.maybeExecuted).toBe(true);
  });

  it("parses answers: JSON errors, gateway pages, success", () => {
    expect(() => parseAnswer(503, "<html>Service Unavailable</html>")).toThrow(B24ServerError);
    expect(() => parseAnswer(503, JSON.stringify({ error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" }))).toThrow(B24RateLimitError);
    expect(() => parseAnswer(400, JSON.stringify({ error: "", error_description: "Unknown TYPE" }))).toThrow(B24BusinessError);
    expect(parseAnswer(200, JSON.stringify({ result: { a: 1 }, time: { operating: 1 } })).result).toEqual({ a: 1 });
  });
});

describe("retry policy", () => {
  const p = new RetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, maxElapsedMs: 10_000, jitter: 0 });
  it("retries limits, 5xx, network and timeouts with capped exponential backoff", () => {
    const server = new B24ServerError({ code: "INTERNAL_SERVER_ERROR", description: "" });
    expect([1, 2, 3, 4, 5, 6].map((a) => p.decide(server, a, 0).delayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(p.decide(new B24TransportError({ code: "ECONNRESET", description: "" }), 1, 0).retry).toBe(true);
    expect(p.decide(new B24TimeoutError({ code: "TIMEOUT", description: "" }), 1, 0).retry).toBe(true);
    expect(p.decide(new B24RateLimitError({ code: "QUERY_LIMIT_EXCEEDED", description: "" }), 9, 0)).toEqual({ retry: true, delayMs: 100 });
  });
  it("never retries business and auth errors, and stops after maxElapsedMs", () => {
    expect(p.decide(new B24BusinessError({ code: "", description: "Unknown TYPE" }), 1, 0).retry).toBe(false);
    expect(p.decide(new B24AuthError({ code: "NO_AUTH_FOUND", description: "" }), 1, 0).retry).toBe(false);
    expect(p.decide(new B24ServerError({ code: "X", description: "" }), 3, 10_001).retry).toBe(false);
  });
});
