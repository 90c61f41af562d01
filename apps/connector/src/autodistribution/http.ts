/**
 * GET /autodistribution?from=<caller>[&did=<line>][&format=text|json][&key=<token>]
 *
 * For Asterisk's CURL(): always HTTP 200 so the dialplan never stalls on an error page.
 *   format=text (default): "<extension>,<name>" — or an EMPTY body when there is no answer.
 *     Set(AD=${CURL(http://127.0.0.1:8077/autodistribution?from=${CALLERID(num)})})
 *     ${CUT(AD,\,,1)} = extension, ${CUT(AD,\,,2-)} = name (may contain commas)
 *   format=json: {"number": "...", "name": "...", "reason": "..."}
 * With `autodistribution.http.token` set, ?key=<token> (or header X-Api-Key) is required (403).
 */
import { Router } from "express";
import { secretMatches } from "./secret.js";
import type { Autodistribution } from "./resolver.js";
import { sendApiError } from "../http/api-error.js";

export function createAutodistributionRouter(resolver: Autodistribution, token?: string): Router {
  const router = Router();
  router.get("/", async (req, res) => {
    if (token !== undefined) {
      const given = typeof req.query.key === "string" ? req.query.key : req.get("x-api-key");
      if (!secretMatches(given, token)) return void sendApiError(res, 403, "forbidden", "missing or wrong autodistribution token");
    }
    const from = typeof req.query.from === "string" ? req.query.from : typeof req.query.number === "string" ? req.query.number : "";
    const did = typeof req.query.did === "string" ? req.query.did : undefined;
    const a = await resolver.resolve({ from, ...(did ? { did } : {}) });
    res.set("cache-control", "no-store");
    if (req.query.format === "json") return void res.json(a);
    res.type("text").send(a.number ? `${a.number},${a.name}` : "");
  });
  return router;
}
