import { timingSafeEqual } from "node:crypto";
import type { Server } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response, type Router } from "express";
import type { Logger } from "pino";
import { httpErrorHandler } from "@asterisk-b24/common";
import type { Metrics } from "./metrics.js";
import { selectPath, type StatusRegistry } from "./status.js";
import { sendApiError } from "./api-error.js";

export interface AdminAuth {
  /** HTTP Basic credentials for the admin API (/status, /metrics, /api). */
  user: string;
  password: string;
}

export interface HttpAppOptions {
  status: StatusRegistry;
  metrics: Metrics;
  /** Without it the admin API is open: bind it to localhost then. */
  auth?: AdminAuth;
  /** Extra routers mounted under their path (API, recordings, autodistribution, hooks API …). */
  routers?: Array<{ path: string; router: Router; public?: boolean }>;
  logger?: Logger;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function basicAuth(auth: AdminAuth) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? "";
    const [scheme, encoded] = header.split(" ");
    if (scheme?.toLowerCase() === "basic" && encoded) {
      const decoded = Buffer.from(encoded, "base64").toString("utf8");
      const sep = decoded.indexOf(":");
      if (sep > 0 && safeEqual(decoded.slice(0, sep), auth.user) && safeEqual(decoded.slice(sep + 1), auth.password)) return next();
    }
    res.setHeader("WWW-Authenticate", 'Basic realm="asterisk-b24"');
    sendApiError(res, 401, "unauthorized", "HTTP Basic credentials (http.auth) are missing or wrong");
  };
}

/** The connector's HTTP app: /status, /metrics, /healthz and the mounted routers. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => void res.json({ ok: true }));
  for (const r of options.routers ?? []) if (r.public) app.use(r.path, r.router);
  if (options.auth) app.use(basicAuth(options.auth));
  app.get("/status", async (req, res) => {
    const doc = await options.status.snapshot();
    const path = typeof req.query.path === "string" ? req.query.path : undefined;
    const selected = selectPath(doc, path);
    if (selected === undefined) return void sendApiError(res, 404, "unknown_path", `no element at path ${path}`, { path });
    // The whole document answers 503 when the app is in Error, so health checks see it (the body stays the same).
    res.status(!path && doc.app_status === "Error" ? 503 : 200).json(selected);
  });
  app.get("/metrics", (_req, res) => {
    res.type("text/plain; version=0.0.4").send(options.metrics.render());
  });
  for (const r of options.routers ?? []) if (!r.public) app.use(r.path, r.router);
  app.use(httpErrorHandler(options.logger ? { logger: options.logger } : {}));
  return app;
}

/** Starts listening; resolves with the server and its actual port. */
export function listen(app: Express, port: number, host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === "object" && addr ? addr.port : port });
    });
    server.once("error", reject);
  });
}
