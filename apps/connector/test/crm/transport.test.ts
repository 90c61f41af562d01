import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { B24BusinessError, B24RateLimitError, B24ServerError, B24TimeoutError, B24TransportError } from "../../src/crm/errors.js";
import { HttpTransport } from "../../src/crm/transport.js";

let server: http.Server;
let base = "";
const transport = new HttpTransport();
const seen: unknown[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push(JSON.parse(body || "{}"));
      const path = req.url ?? "";
      if (path.endsWith("/ok")) return res.end(JSON.stringify({ result: { echo: JSON.parse(body) }, time: { operating: 0.5 } }));
      if (path.endsWith("/limit")) return res.writeHead(503).end(JSON.stringify({ error: "QUERY_LIMIT_EXCEEDED", error_description: "Too many requests" }));
      if (path.endsWith("/gateway")) return res.writeHead(502).end("<html>bad gateway</html>");
      if (path.endsWith("/business")) return res.writeHead(400).end(JSON.stringify({ error: "", error_description: "Unknown TYPE" }));
      if (path.endsWith("/reset")) return req.socket.destroy();
      // /hang: never answers
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  transport.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("HttpTransport", () => {
  it("posts JSON and returns the envelope", async () => {
    const env = await transport.post({ url: `${base}/rest/1/x/ok`, body: { cmd: { a: "user.get?ID=1" } }, timeoutMs: 5000 });
    expect(env.result).toEqual({ echo: { cmd: { a: "user.get?ID=1" } } });
    expect(env.time?.operating).toBe(0.5);
  });
  it("classifies failures", async () => {
    await expect(transport.post({ url: `${base}/limit`, body: {}, timeoutMs: 5000 })).rejects.toBeInstanceOf(B24RateLimitError);
    await expect(transport.post({ url: `${base}/gateway`, body: {}, timeoutMs: 5000 })).rejects.toBeInstanceOf(B24ServerError);
    const biz = await transport.post({ url: `${base}/business`, body: {}, timeoutMs: 5000 }).catch((e) => e);
    expect(biz).toBeInstanceOf(B24BusinessError);
    expect(biz.description).toBe("Unknown TYPE");
    const reset = await transport.post({ url: `${base}/reset`, body: {}, timeoutMs: 5000 }).catch((e) => e);
    expect(reset).toBeInstanceOf(B24TransportError);
    expect(reset.maybeExecuted).toBe(true);
    const hang = await transport.post({ url: `${base}/hang`, body: {}, timeoutMs: 200 }).catch((e) => e);
    expect(hang).toBeInstanceOf(B24TimeoutError);
    expect(hang.maybeExecuted).toBe(true);
    const refused = await transport.post({ url: "http://127.0.0.1:1/x", body: {}, timeoutMs: 2000 }).catch((e) => e);
    expect(refused).toBeInstanceOf(B24TransportError);
    expect(refused.maybeExecuted).toBe(false);
  });
});
