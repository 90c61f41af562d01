import { realpath } from "node:fs/promises";
import { extname, isAbsolute, relative, resolve } from "node:path";
import express, { type Router } from "express";
import { RecordingTokenError } from "./errors.js";
import { verifyRecordingToken } from "./signed-url.js";
import { sendApiError } from "../http/api-error.js";

/**
 * Serves recordings by signed, expiring token: `GET <mount>/<token>[/<name>]`.
 * - 403 bad or tampered token, 410 expired, 404 anything not a wav/mp3 file inside `root`
 *   (after resolving symlinks: a link pointing out of the folder is not served).
 * - Range requests (players seek) and HEAD are handled by express's sendFile.
 */

export interface RecordingsRouterOptions {
  /** Folder the tokens' paths are relative to. */
  root: string;
  secret: string;
  now?: () => number;
  /** Cache-Control max-age for served files (default 3600 s; private). */
  maxAgeSeconds?: number;
}

const TYPES: Record<string, string> = { ".wav": "audio/wav", ".mp3": "audio/mpeg" };

async function within(root: string, relPath: string): Promise<string | undefined> {
  if (relPath.includes("\0") || isAbsolute(relPath)) return undefined;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(resolve(realRoot, relPath));
    const rel = relative(realRoot, real);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return undefined;
    return real;
  } catch {
    return undefined;
  }
}

export function createRecordingsRouter(options: RecordingsRouterOptions): Router {
  const router = express.Router();
  const maxAge = options.maxAgeSeconds ?? 3600;

  router.get("/:token{/:name}", async (req, res, next) => {
    let relPath: string;
    try {
      relPath = verifyRecordingToken(String(req.params.token), { secret: options.secret, now: options.now });
    } catch (err) {
      if (err instanceof RecordingTokenError) {
        sendApiError(
          res,
          err.problem === "expired" ? 410 : 403,
          `token_${err.problem.replace(/-/g, "_")}`,
          err.problem === "expired" ? "this recording link has expired: open the call again for a fresh one" : `this recording link is not valid (${err.problem})`,
        );
        return;
      }
      next(err);
      return;
    }
    const file = await within(options.root, relPath);
    const type = file ? TYPES[extname(file).toLowerCase()] : undefined;
    if (!file || !type) {
      sendApiError(res, 404, "not_found", "no such recording");
      return;
    }
    res.sendFile(file, { headers: { "Content-Type": type, "Cache-Control": `private, max-age=${maxAge}` }, dotfiles: "allow" }, (err) => {
      if (err && !res.headersSent) sendApiError(res, 404, "not_found", "no such recording");
    });
  });
  return router;
}
