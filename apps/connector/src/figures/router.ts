import { Router, type Request, type Response } from "express";
import type { CachedUser } from "../directory/users-cache.js";
import type { ExtensionMap } from "../directory/extension-map.js";
import { CSV_TABLES, figuresCsv, type CsvTable } from "./csv.js";
import { FiguresQueryError, resolvePeriod } from "./period.js";
import type { QueueFigures } from "./service.js";
import { sendApiError } from "../http/api-error.js";

export interface FiguresRouterDeps {
  figures: QueueFigures;
  users: { list(): CachedUser[] };
  extensionMap: ExtensionMap;
  now?: () => number;
}

/**
 * `GET /api/figures?period=today|7d|custom&from=YYYY-MM-DD&to=YYYY-MM-DD` → JSON;
 * `GET /api/figures.csv?table=queues|managers|missed&…` → CSV download. Behind the admin auth.
 */
export function createFiguresRouter(deps: FiguresRouterDeps): Router {
  const router = Router();
  const now = deps.now ?? Date.now;
  const userOf = (ext: string): { id: number; name: string } | undefined => {
    const inner = deps.extensionMap.toB24(ext);
    const u = deps.users.list().find((x) => x.innerPhone === inner);
    return u ? { id: u.id, name: u.name } : undefined;
  };
  const load = async (req: Request) => deps.figures.figures(resolvePeriod(req.query, deps.figures.settings.timeZone, now()), userOf);
  const fail = (res: Response, err: unknown): void => {
    if (err instanceof FiguresQueryError) return void sendApiError(res, 400, "bad_query", err.message, { parameter: err.parameter });
    sendApiError(res, 500, "internal_error", `figures could not be read: ${(err as Error).message}`);
  };
  router.get("/figures", (req, res) => {
    load(req).then(
      (f) => res.json(f),
      (err: unknown) => fail(res, err),
    );
  });
  router.get("/figures.csv", (req, res) => {
    const table = (req.query.table ?? "queues") as string;
    if (!CSV_TABLES.includes(table as CsvTable)) {
      return void sendApiError(res, 400, "bad_query", `table: expected one of ${CSV_TABLES.join(", ")}`, { parameter: "table" });
    }
    load(req).then(
      (f) => {
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        res.setHeader("Content-Type", "text/csv; charset=utf-8");
        res.setHeader("Content-Disposition", `attachment; filename="figures-${table}-${day(f.fromMs)}-${day(f.toMs)}.csv"`);
        res.send(figuresCsv(f, table as CsvTable));
      },
      (err: unknown) => fail(res, err),
    );
  });
  return router;
}
