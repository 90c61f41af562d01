/**
 * Autodistribution switched on in the connector's configuration: HTTP on the connector's port and
 * FastAGI on its own port, answering through the whole installation (connector → b24-app gateway →
 * emulated portal). Needs Redis (the connector's).
 */
import { once } from "node:events";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { silentLogger } from "../../src/log/logger.js";
import { startStack, type Stack } from "../../src/demo/stack.js";

const available = await requireService("redis");
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

async function agi(port: number, callerid: string): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.setEncoding("utf8");
  let seen = "";
  socket.on("data", (chunk: string) => {
    seen += chunk;
    for (const _ of chunk.match(/\n/g) ?? []) socket.write("200 result=1\n");
  });
  const closed = once(socket, "close");
  socket.write(`agi_network: yes\nagi_request: agi://127.0.0.1:${port}/autodistribution\nagi_callerid: ${callerid}\n\n`);
  await closed;
  return seen;
}

describe.runIf(available)("autodistribution in the connector", () => {
  it("answers over the connector's HTTP port and its FastAGI port", async () => {
    stack = await startStack({
      recordings: [loadRecording("01_inbound_ext101_answered")],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("ad-wiring"),
      logger: silentLogger(),
      config: { autodistribution: { enabled: true, fastagi: { enabled: true, port: 0 } } },
    });
    const c = stack.connector;
    const r = await fetch(`http://127.0.0.1:${c.httpPort}/autodistribution?from=89161234567`);
    expect(await r.text()).toBe("101,Known Client");
    expect(await agi(c.fastAgiPort, "+79161234567")).toBe('SET VARIABLE AD_NUMBER "101"\nSET VARIABLE AD_NAME "Known Client"\nSET VARIABLE AD_REASON "found"\n');
    const status = (await (await fetch(`http://127.0.0.1:${c.httpPort}/status`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(status)).toMatch(/autodistribution/);
    await stack.idle();
  });
});
