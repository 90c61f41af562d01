import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer, type Server } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates, startAmiReplayServer, type AmiReplayServer, type TestCertificates } from "../../testkit/src/index.js";
import { AmiClient } from "../src/index.js";

// AMI over TLS (manager.conf tlsenable): a TLS listener in front of the replay server, as
// Asterisk's TLS manager port is in front of the same manager protocol.

let dir = "";
let certs: TestCertificates;
let replay: AmiReplayServer;
let tlsServer: Server;
let tlsPort = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ab24-ami-tls-"));
  certs = makeTestCertificates(dir);
  replay = await startAmiReplayServer();
  tlsServer = createTlsServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) }, (clear) => {
    const upstream = netConnect({ host: replay.host, port: replay.port });
    clear.pipe(upstream).pipe(clear);
    clear.on("error", () => upstream.destroy());
    upstream.on("error", () => clear.destroy());
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
  tlsPort = (tlsServer.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => tlsServer?.close(resolve));
  await replay?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function client(tls: AmiClient["options"]["tls"]): AmiClient {
  return new AmiClient({ host: "127.0.0.1", port: tlsPort, tls, username: "crm", secret: "secret", keepalive: false, reconnect: false, connectTimeoutMs: 5000 });
}

describe("AmiClient over TLS", () => {
  it("logs in and runs actions through a TLS manager port with the configured CA", async () => {
    const c = client({ ca: readFileSync(certs.caFile), servername: "localhost" });
    try {
      const info = await c.connect();
      expect(info.greeting?.version).toBe("11.0.0");
      const pong = await c.action({ Action: "Ping" });
      expect(pong.response.get("Response")).toBe("Success");
    } finally {
      await c.close();
    }
  });

  it("refuses a server certificate its CA list does not trust", async () => {
    const c = client({});
    c.on("error", () => undefined);
    try {
      const err = await c.connect().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.name).toBe("AmiDisconnectedError");
      // the TLS verdict travels as the cause, so the operator reads why
      expect(String((err?.cause as Error | undefined)?.message)).toMatch(/certificate/i);
    } finally {
      await c.close();
    }
  });
});
