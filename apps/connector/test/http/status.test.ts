import { afterAll, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import { Metrics } from "../../src/http/metrics.js";
import { createHttpApp, listen } from "../../src/http/server.js";
import { StatusRegistry } from "../../src/http/status.js";

describe("http: /status and /metrics", () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function start(auth?: { user: string; password: string }) {
    const status = new StatusRegistry("1.2.3");
    status.register("ami", () => ({ health: "Ok", connected: true }));
    status.register("crm", () => ({ health: "Warning", problems: ["Bitrix24 answers slowly"], batch_queue: { waiting: 3 } }));
    const metrics = new Metrics();
    metrics.inc("ab24_calls_total", { direction: "inbound" }, 2, "calls seen");
    metrics.gauge("ab24_calls_active", "calls in progress", () => 5);
    const { server, port } = await listen(createHttpApp({ status, metrics, ...(auth ? { auth } : {}) }), 0, "127.0.0.1");
    servers.push(server);
    return `http://127.0.0.1:${port}`;
  }

  it("reports the worst component health and each component's problems", async () => {
    const base = await start();
    const doc = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({ app_state: "", app_status: "Warning", version: "1.2.3", problems: ["crm: Bitrix24 answers slowly"] });
    expect(await (await fetch(`${base}/status?path=app.crm.batch_queue`)).json()).toEqual({ waiting: 3 });
    expect((await fetch(`${base}/status?path=app.nothing`)).status).toBe(404);
  });

  it("exposes Prometheus metrics", async () => {
    const base = await start();
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('ab24_calls_total{direction="inbound"} 2');
    expect(text).toContain("ab24_calls_active 5");
  });

  it("protects the admin API with Basic auth when configured", async () => {
    const base = await start({ user: "admin", password: "pw" });
    expect((await fetch(`${base}/status`)).status).toBe(401);
    const ok = await fetch(`${base}/status`, { headers: { authorization: "Basic " + Buffer.from("admin:pw").toString("base64") } });
    expect(ok.status).toBe(200);
    const bad = await fetch(`${base}/status`, { headers: { authorization: "Basic " + Buffer.from("admin:nope").toString("base64") } });
    expect(bad.status).toBe(401);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
