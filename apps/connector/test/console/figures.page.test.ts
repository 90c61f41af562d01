/**
 * The console's "Queues & managers" page in a real Chromium over a running stack (AMI replay of
 * real Asterisk recordings → connector on Redis → Bitrix24 emulator), behind the HTTP auth.
 * Screenshots land in .tmp/screenshots/console-figures*.png.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack, type Stack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import type { FiguresWithUsers } from "../../src/figures/index.js";
import { haveChromium, inCi, launchChromium, screenshotPath } from "./browser.js";

const AUTH = { user: "admin", password: "figures-pass-1" };
const authorization = "Basic " + Buffer.from(`${AUTH.user}:${AUTH.password}`).toString("base64");
const RECORDINGS = ["01_inbound_ext101_answered", "02_inbound_queue_sales_102_answers", "03_inbound_queue_missed", "06_outbound_answered", "17a_inbound_ringgroup_102_answers"];
const redisUp = await requireService("redis");

describe.runIf(redisUp && (haveChromium || inCi))("queue and manager figures in the console (Chromium)", () => {
  let stack: Stack;
  let browser: Browser;
  let ctx: BrowserContext;
  let base: string;
  // The tracker times calls by the PBX's events: an "asap" replay runs ahead of the wall clock, so the period spans today and tomorrow (UTC).
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const period = `period=custom&from=${day(Date.now())}&to=${day(Date.now() + 86_400_000)}`;

  beforeAll(async () => {
    browser = await launchChromium();
    stack = await startStack({
      recordings: RECORDINGS.map((n) => loadRecording(n)),
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("console-figures"),
      limits: false,
      config: { http: { auth: AUTH }, figures: { timeZone: "UTC", serviceLevelSeconds: 10 } },
      logger: silentLogger(),
    });
    base = `http://127.0.0.1:${stack.connector.httpPort}`;
    await stack.idle();
    ctx = await browser.newContext({ httpCredentials: { username: AUTH.user, password: AUTH.password }, viewport: { width: 1400, height: 1000 }, locale: "de-DE" });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("the figures API and its CSV are behind the connector's HTTP auth", async () => {
    expect((await fetch(`${base}/api/figures?${period}`)).status).toBe(401);
    expect((await fetch(`${base}/api/figures.csv?${period}`)).status).toBe(401);
    expect((await fetch(`${base}/api/figures?${period}`, { headers: { authorization } })).status).toBe(200);
  });

  it("shows the queue and manager tables and charts that the API gives, and the calls missed by everybody", async () => {
    const f = (await (await fetch(`${base}/api/figures?${period}`, { headers: { authorization } })).json()) as FiguresWithUsers;
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/console/#/figures?${period}`);
    await page.locator("#queues-table").waitFor();

    const cells = async (selector: string) => (await page.locator(selector).allTextContents()).map((s) => s.trim());
    expect(await cells("#kpi-inbound .value")).toEqual([String(f.totals.inbound)]);
    expect(await cells("#kpi-missed .value")).toEqual(["1"]);
    // queue sales: offered 2, answered 1, abandoned 1, other 0, within 10 s 1, service level 50 %
    expect((await cells('#queues-table tr[data-queue="sales"] td')).slice(0, 7)).toEqual(["sales", "2", "1", "1", "0", "1", "50 %"]);
    const m101 = await cells('#managers-table tr[data-extension="101"] td');
    const api101 = f.managers.find((m) => m.extension === "101")!;
    expect(m101.slice(2, 6)).toEqual([api101.rung, api101.answered, api101.missed, api101.placed].map(String));
    expect(m101[1]).toBe(api101.userName);
    expect(await page.locator("#missed-table tr[data-call]").count()).toBe(1);

    // Charts: inline SVG whose bars carry the same totals.
    const chartTotal = async (chart: string) =>
      (await page.locator(`svg[data-chart="${chart}"] g[data-total]`).evaluateAll((gs) => gs.map((g) => Number(g.getAttribute("data-total"))))).reduce((a, b) => a + b, 0);
    expect(await chartTotal("figures-calls")).toBe(f.totals.inbound);
    expect(await chartTotal("queues-outcome")).toBe(2);
    expect(await chartTotal("managers-chart")).toBe(f.managers.reduce((n, m) => n + m.answered + m.missed, 0));
    expect(await page.locator('svg[data-chart="queues-sl"] g[data-row="sales"]').getAttribute("data-total")).toBe("0.5");

    // Dates in the viewer's locale (de-DE here: 06.12.2026).
    const when = (await cells("#missed-table tr[data-call] td a"))[0]!;
    expect(when).toMatch(/^\d{2}\.\d{2}\.\d{4}/);

    await page.screenshot({ path: screenshotPath("figures"), fullPage: true });
    await page.locator("#figures-queues").screenshot({ path: screenshotPath("figures-queues") });
    await page.locator("#figures-managers").screenshot({ path: screenshotPath("figures-managers") });

    // The period buttons: 7 days keeps the page working (calls may or may not fall in it).
    await page.getByRole("button", { name: "7 days" }).click();
    await page.waitForURL(/period=7d/);
    await page.locator("#figures-period").waitFor();
    expect(errors).toEqual([]);
  }, 120_000);

  it("the CSV links download the tables", async () => {
    const res = await fetch(`${base}/api/figures.csv?table=queues&${period}`, { headers: { authorization } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split("\r\n");
    expect(lines[0]!.startsWith("queue,offered,answered,abandoned,other,answered_within_10s,")).toBe(true);
    expect(lines[1]!.startsWith("sales,2,1,1,0,1,0.5,")).toBe(true);
  });
});
