import type { Server } from "node:http";
import express, { type Request } from "express";
import { listen } from "../../src/http/server.js";

/**
 * A tiny implementation of the reprocessing API contract (built for real on another branch), in
 * front of a running connector: /api/reprocess* and /api/errors/stats are answered here, every
 * other request is passed to the connector with its Basic credentials. Lets the console's wiring
 * be tested against the contract before the real API is merged.
 */
export interface ContractJob {
  id: string;
  request: { from?: unknown; to?: unknown; only?: string; dryRun?: boolean; callKeys?: string[] };
  status: "queued" | "running" | "done" | "cancelled" | "failed";
  done: number;
  total: number;
}

export interface ContractServer {
  url: string;
  jobs: ContractJob[];
  /** Hourly error buckets the fake /api/errors/stats serves. */
  stats: { buckets: Array<{ start: number; total: number; byType: Record<string, number> }>; liveErrorRate: number; afterReprocessErrorRate: number };
  close(): Promise<void>;
}

async function rawBody(req: Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startContractServer(connectorUrl: string, auth: { user: string; password: string }): Promise<ContractServer> {
  const app = express();
  const jobs: ContractJob[] = [];
  const hour = Math.floor(Date.now() / 3600_000) * 3600_000;
  const stats: ContractServer["stats"] = {
    buckets: Array.from({ length: 24 }, (_, i) => ({ start: hour - (23 - i) * 3600_000, total: 0, byType: {} as Record<string, number> })),
    liveErrorRate: 0.25,
    afterReprocessErrorRate: 0,
  };
  stats.buckets[23] = { start: hour, total: 5, byType: { B24BusinessError: 3, HookTimeoutError: 2 } };
  stats.buckets[20] = { start: hour - 3 * 3600_000, total: 1, byType: { B24NetworkError: 1 } };

  app.get("/api/errors/stats", (req, res) => {
    if (req.query.period === "day") {
      const total = stats.buckets.reduce((n, b) => n + b.total, 0);
      const byType: Record<string, number> = {};
      for (const b of stats.buckets) for (const [t, n] of Object.entries(b.byType)) byType[t] = (byType[t] ?? 0) + n;
      return void res.json({
        buckets: [{ start: Math.floor(hour / 86_400_000) * 86_400_000, total, byType }],
        liveErrorRate: stats.liveErrorRate,
        afterReprocessErrorRate: stats.afterReprocessErrorRate,
      });
    }
    res.json(stats);
  });
  app.post("/api/reprocess", express.json(), (req, res) => {
    const body = req.body as ContractJob["request"];
    if (body.from === undefined || body.to === undefined) return void res.status(400).json({ error: "from and to are required" });
    const job: ContractJob = { id: `job-${jobs.length + 1}`, request: body, status: "queued", done: 0, total: body.callKeys?.length ?? 0 };
    jobs.push(job);
    res.status(202).json({ id: job.id });
  });
  // Each progress read advances the job by one call: the page sees it move, then finish.
  app.get("/api/reprocess/:id", (req, res) => {
    const job = jobs.find((j) => j.id === req.params.id);
    if (!job) return void res.status(404).json({ error: "unknown job" });
    if (job.status === "queued") job.status = "running";
    else if (job.status === "running") {
      job.done = Math.min(job.total, job.done + 1);
      if (job.done === job.total) job.status = "done";
    }
    res.json({
      id: job.id,
      status: job.status,
      progress: { total: job.total, done: job.done, etaSeconds: job.total - job.done },
      ...(job.status === "done" ? { counts: { checked: job.total, alreadyFine: job.total - 1, fixed: 1, stillWrong: 0 } } : {}),
    });
  });
  app.delete("/api/reprocess/:id", (req, res) => {
    const job = jobs.find((j) => j.id === req.params.id);
    if (!job) return void res.status(404).json({ error: "unknown job" });
    job.status = "cancelled";
    res.json({ id: job.id, status: job.status });
  });
  app.get("/api/reprocess/:id/report.html", (req, res) => void res.type("html").send(`<h1>Report ${req.params.id}</h1>`));
  const authorization = "Basic " + Buffer.from(`${auth.user}:${auth.password}`).toString("base64");
  app.use(async (req, res) => {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await rawBody(req);
    const r = await fetch(connectorUrl + req.originalUrl, {
      method: req.method,
      headers: { authorization, ...(req.headers["content-type"] ? { "content-type": req.headers["content-type"] } : {}) },
      ...(body ? { body } : {}),
      redirect: "manual",
    });
    res.status(r.status);
    r.headers.forEach((v, k) => {
      if (!["content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"].includes(k)) res.setHeader(k, v);
    });
    res.send(Buffer.from(await r.arrayBuffer()));
  });
  const { server, port } = await listen(app, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    stats,
    close: () => new Promise<void>((resolve) => (server as Server).close(() => resolve())),
  };
}
