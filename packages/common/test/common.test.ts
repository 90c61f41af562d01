import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, createAppLogger, redactUrl, redisOptions, validateConfig } from "../src/index.js";

describe("common", () => {
  it("redacts secrets from log lines", () => {
    const lines: string[] = [];
    const out = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
    createAppLogger({ name: "t", destination: out }).info({ ami: { secret: "s3" }, b24: { webhookUrl: "https://p/rest/1/abc/" }, token: "t0k" }, "hello");
    expect(lines.join("")).not.toMatch(/s3|abc|t0k/);
    expect(redactUrl("https://p/rest/1/abc/user.get?auth=xyz")).toBe("https://p/rest/1/***/user.get?auth=***");
  });

  it("names the path of a wrong key and takes overrides from the environment", () => {
    const schema = z.strictObject({ a: z.strictObject({ n: z.number(), s: z.string() }) });
    expect(validateConfig(schema, { a: { n: 1 } }, { env: { S: "x" }, overrides: [["S", ["a", "s"]]] })).toEqual({ a: { n: 1, s: "x" } });
    try {
      validateConfig(schema, { a: { n: "1", s: "x", extra: 1 } }, { source: "f.json", env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.path).sort()).toEqual(["a", "a.n"]);
      expect((err as ConfigError).message).toContain("f.json");
    }
  });

  it("turns a Redis URL into connection options", () => {
    expect(redisOptions("redis://u:p%40ss@10.0.0.5:6380/2")).toEqual({ host: "10.0.0.5", port: 6380, password: "p@ss", username: "u", db: 2 });
    expect(redisOptions("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379 });
  });
});
