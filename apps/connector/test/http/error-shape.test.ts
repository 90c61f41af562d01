/** Every error answer of the connector's HTTP app has one shape: {error: "<code>", message: "<sentence>", …details}. */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Router } from "express";
import { createHttpApp } from "../../src/http/server.js";
import { Metrics } from "../../src/http/metrics.js";
import { StatusRegistry } from "../../src/http/status.js";
import { sendApiError } from "../../src/http/api-error.js";

describe("one error shape", () => {
  let base = "";
  let close: () => void = () => undefined;
  const auth = "Basic " + Buffer.from("admin:password-1").toString("base64");
  beforeAll(async () => {
    const router = Router();
    router.get("/thing/:id", (req, res) => sendApiError(res, 404, "unknown_thing", `no thing ${req.params.id}`, { id: req.params.id }));
    const app = createHttpApp({ status: new StatusRegistry("test"), metrics: new Metrics(), auth: { user: "admin", password: "password-1" }, routers: [{ path: "/api", router }] });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  it.each([
    ["/status", {}, 401, { error: "unauthorized", message: "HTTP Basic credentials (http.auth) are missing or wrong" }],
    ["/status?path=app.nothing", { authorization: auth }, 404, { error: "unknown_path", message: "no element at path app.nothing", path: "app.nothing" }],
    ["/api/thing/7", { authorization: auth }, 404, { error: "unknown_thing", message: "no thing 7", id: "7" }],
  ])("GET %s → %i with {error, message, …}", async (path, headers, status, body) => {
    const res = await fetch(base + path, { headers });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(body);
  });
});
