/**
 * Reprocessing over HTTP (mounted under /api, behind the admin auth):
 *
 *   POST   /reprocess                 {from, to, only?, dryRun?, callKeys?} → 202 {id}
 *   GET    /reprocess                 → {runs: RunSummary[]} newest first
 *   GET    /reprocess/:id             → RunSummary
 *   DELETE /reprocess/:id             → cancels; 200 RunSummary
 *   GET    /reprocess/:id/report.json | report.csv | report.html
 *   GET    /errors/stats?period=hour|day → {buckets, liveErrorRate, afterReprocessErrorRate}
 */
import express, { Router, type Response } from "express";
import { z } from "zod";
import type { ErrorStats } from "../journal/error-stats.js";
import { reportCsv, reportHtml, type RunReport } from "./report.js";
import type { RunParams, RunSummary } from "./types.js";
import { sendApiError } from "../http/api-error.js";

export interface ReprocessApi {
  submit(params: RunParams): Promise<RunSummary>;
  list(): Promise<RunSummary[]>;
  get(id: string): Promise<RunSummary | undefined>;
  cancel(id: string): Promise<RunSummary | undefined>;
  report(id: string): Promise<RunReport | undefined>;
  stats: ErrorStats;
}

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO-8601 date or date-time");

export const runRequestSchema = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    only: z.enum(["failed", "missing", "all"]).default("all"),
    dryRun: z.boolean().default(false),
    callKeys: z.array(z.string().min(1).max(200)).max(10_000).optional(),
  })
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: "from must be before to", path: ["to"] });

function badRequest(res: Response, error: z.ZodError): void {
  sendApiError(res, 400, "bad_request", error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "), {
    issues: error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message })),
  });
}

export function createReprocessRouter(api: ReprocessApi): Router {
  const router = Router();
  router.use("/reprocess", express.json({ limit: "1mb" }));

  router.post("/reprocess", async (req, res) => {
    const parsed = runRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) return badRequest(res, parsed.error);
    const r = parsed.data;
    const run = await api.submit({
      from: new Date(r.from).toISOString(),
      to: new Date(r.to).toISOString(),
      only: r.only,
      dryRun: r.dryRun,
      ...(r.callKeys ? { callKeys: r.callKeys } : {}),
      trigger: "api",
    });
    res.status(202).json({ id: run.id });
  });

  router.get("/reprocess", async (_req, res) => {
    res.json({ runs: await api.list() });
  });

  router.get("/reprocess/:id", async (req, res) => {
    const run = await api.get(req.params.id);
    if (!run) return void sendApiError(res, 404, "unknown_run", `no reprocessing run ${req.params.id}`);
    res.json(run);
  });

  router.delete("/reprocess/:id", async (req, res) => {
    const run = await api.cancel(req.params.id);
    if (!run) return void sendApiError(res, 404, "unknown_run", `no reprocessing run ${req.params.id}`);
    res.json(run);
  });

  router.get("/reprocess/:id/report.:format", async (req, res) => {
    const format = req.params.format;
    if (!["json", "csv", "html"].includes(format)) return void sendApiError(res, 404, "unknown_report", "the report is report.json, report.csv or report.html");
    const report = await api.report(req.params.id);
    if (!report) return void sendApiError(res, 404, "unknown_run", `no reprocessing run ${req.params.id}`);
    if (format === "json") return void res.json(report);
    if (format === "csv") {
      res.setHeader("Content-Disposition", `attachment; filename="reprocess-${report.run.id}.csv"`);
      return void res.type("text/csv; charset=utf-8").send(reportCsv(report));
    }
    res.type("text/html; charset=utf-8").send(reportHtml(report));
  });

  router.get("/errors/stats", async (req, res) => {
    const period = req.query.period ?? "hour";
    if (period !== "hour" && period !== "day")
      return void sendApiError(res, 400, "bad_query", `period must be hour or day, got ${JSON.stringify(period)}`, { parameter: "period" });
    const [buckets, rates] = await Promise.all([api.stats.buckets(period), api.stats.rates()]);
    res.json({ buckets, liveErrorRate: rates.liveErrorRate, afterReprocessErrorRate: rates.afterReprocessErrorRate, calls: rates.calls, from: rates.from, to: rates.to });
  });

  return router;
}
