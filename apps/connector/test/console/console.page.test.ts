/**
 * The connector console in a real Chromium over a running demo-like stack (AMI replay of real
 * Asterisk recordings → connector on Redis → Bitrix24 emulator), behind the connector's HTTP auth.
 * Screenshots land in .tmp/screenshots/console-*.png.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack, type Stack } from "../../src/demo/stack.js";
import { silentLogger } from "../../src/log/logger.js";
import { haveChromium, inCi, launchChromium, screenshotPath } from "./browser.js";
import { startContractServer, type ContractServer } from "./reprocess-contract.js";

// The page's document inside page.waitForFunction callbacks (the repo compiles without the DOM library).
interface PageElement {
  getAttribute(name: string): string | null;
}
declare const document: { querySelector(s: string): PageElement | null; querySelectorAll(s: string): ArrayLike<PageElement> & Iterable<PageElement> };

const AUTH = { user: "admin", password: "console-pass-1" };
const basicAuth = () => "Basic " + Buffer.from(`${AUTH.user}:${AUTH.password}`).toString("base64");
const RECORDINGS = ["01_inbound_ext101_answered", "02_inbound_queue_sales_102_answers", "03_inbound_queue_missed", "06_outbound_answered", "07_outbound_busy"];
const redisUp = await requireService("redis");
if (!haveChromium && !inCi) console.warn("console page tests skipped: /usr/bin/chromium is missing (run scripts/ensure-chromium.sh)");

const numberOf = async (page: Page, selector: string): Promise<number> => Number(await page.locator(selector).getAttribute("data-value"));

describe.runIf(redisUp && (haveChromium || inCi))("connector console in Chromium over a running stack", () => {
  let stack: Stack;
  let browser: Browser;
  let ctx: BrowserContext;
  let base: string;
  let idle: Promise<void>;

  beforeAll(async () => {
    // The browser first: the replay starts as soon as the connector logs in, and the overview must see calls land.
    browser = await launchChromium();
    stack = await startStack({
      recordings: RECORDINGS.map((n) => loadRecording(n)),
      speed: 3,
      gapMs: 1500,
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("console"),
      limits: false,
      // 103 is mapped to an inner number nobody has: the users ↔ extensions table must show it.
      config: { http: { auth: AUTH }, product: { extensionMap: { "103": "1003" } } },
      logger: silentLogger(),
    });
    // A Bitrix24 user without an internal number.
    stack.emu.seed({ users: [{ ID: 7, NAME: "Nina", LAST_NAME: "Orlova", ACTIVE: true }] });
    await stack.connector.users.refresh();
    base = `http://127.0.0.1:${stack.connector.httpPort}`;
    idle = stack.idle();
    ctx = await browser.newContext({ httpCredentials: { username: AUTH.user, password: AUTH.password }, viewport: { width: 1400, height: 1000 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("is behind the connector's HTTP auth and / leads to the console", async () => {
    expect((await fetch(`${base}/console/`)).status).toBe(401);
    expect((await fetch(`${base}/api/console/overview`)).status).toBe(401);
    const authorization = "Basic " + Buffer.from(`${AUTH.user}:${AUTH.password}`).toString("base64");
    const root = await fetch(`${base}/`, { headers: { authorization }, redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/console/");
    const html = await (await fetch(`${base}/console/`, { headers: { authorization } })).text();
    expect(html).toContain('<script type="module" src="app.js">');
    expect(html).not.toMatch(/https?:\/\//); // no CDN: everything is served by the connector
  });

  it("overview: live figures change as calls land, health with fixes, charts from the journal", async () => {
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${base}/console/#/overview?refresh=1`);
    await page.locator("#kpi-calls .value").waitFor();
    const first = await numberOf(page, "#kpi-calls .value");
    // Calls keep landing while the page polls: the figure grows without reloading the page.
    expect(first).toBeLessThan(RECORDINGS.length);
    await page.waitForFunction((n) => Number(document.querySelector("#kpi-calls .value")?.getAttribute("data-value")) > n, first, { timeout: 120_000 });
    await idle;
    const journal = await stack.connector.journal.list({ limit: 1000 });
    await page.waitForFunction((n) => Number(document.querySelector("#kpi-calls .value")?.getAttribute("data-value")) === n, journal.length, { timeout: 30_000 });
    // The calls-per-hour chart counts the same calls the journal holds.
    await page.waitForFunction((n) => Number(document.querySelector("#calls-per-hour")?.getAttribute("data-total")) === n, journal.length, { timeout: 30_000 });
    expect(await numberOf(page, "#kpi-live .value")).toBe(stack.connector.engine.activeCalls);
    for (const id of ["ami", "redis", "bitrix24", "users", "recordings"]) {
      expect(await page.locator(`[data-component="${id}"]`).getAttribute("data-health"), id).toBe("Ok");
    }
    // Evaluation mode (no licence file): a warning with its fix.
    const licence = page.locator('[data-component="license"]');
    expect(await licence.getAttribute("data-health")).toBe("Warning");
    expect(await licence.locator(".fix").textContent()).toContain("license.file");
    expect(await page.locator("#errors-24h").getAttribute("data-total")).toBe(String(Object.values(await stack.connector.journal.errorStats(24)).reduce((a, b) => a + b, 0)));
    expect(await page.locator("#errors-7d svg").count()).toBe(1);
    // The connector has the reprocessing API: the charts come from /api/errors/stats.
    expect(await page.locator("main").textContent()).toContain("Error statistics from /api/errors/stats");
    // Unhealthy components come first, wider.
    expect(await page.locator("[data-component]").first().getAttribute("data-component")).toBe("license");
    await page.screenshot({ path: screenshotPath("overview"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it("calls journal: search by number, manager, status; a call's timeline matches its journal", async () => {
    await idle;
    const page = await ctx.newPage();
    const all = await stack.connector.journal.list({ limit: 1000 });
    await page.goto(`${base}/console/#/calls`);
    await page.locator("#calls-count").waitFor();
    expect(await page.locator("tr[data-call]").count()).toBe(all.length);

    // By manager (an extension, mapped to its Bitrix24 user): only the calls that user is responsible for.
    const byMaria = all
      .filter((c) => c.responsibleUserId === "2")
      .map((c) => c.callKey)
      .sort();
    expect(byMaria.length).toBeGreaterThan(0);
    await page.fill('input[name="manager"]', "102");
    await page.click('#call-filters button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll("tr[data-call]").length === n, byMaria.length);
    expect((await page.locator("tr[data-call]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-call")))).sort()).toEqual(byMaria);

    // By status.
    await page.fill('input[name="manager"]', "");
    await page.selectOption('select[name="status"]', "delivered");
    await page.click('#call-filters button[type="submit"]');
    const delivered = all.filter((c) => c.status === "delivered").length;
    await page.waitForFunction(
      (n) => document.querySelectorAll("tr[data-call]").length === n && [...document.querySelectorAll("tr[data-call]")].every((r) => r.getAttribute("data-status") === "delivered"),
      delivered,
    );

    // By number: the outbound calls' client number only.
    const outbound = all.find((c) => c.direction === "outbound" && c.clientNumber)!;
    const sameNumber = all.filter((c) => (c.clientNumber ?? "").includes(outbound.clientNumber!) || (c.lineNumber ?? "").includes(outbound.clientNumber!)).length;
    await page.selectOption('select[name="status"]', "");
    await page.fill('input[name="number"]', outbound.clientNumber!);
    await page.click('#call-filters button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll("tr[data-call]").length === n, sameNumber);
    expect(sameNumber).toBeLessThan(all.length);
    await page.screenshot({ path: screenshotPath("calls"), fullPage: true });

    // One call's timeline: the richest delivered call.
    const details = await Promise.all(all.map((c) => stack.connector.journal.get(c.callKey)));
    const rich = details.filter((d) => d?.summary.status === "delivered").sort((a, b) => b!.entries.length - a!.entries.length)[0]!;
    await page.goto(`${base}/console/#/calls/${encodeURIComponent(rich.summary.callKey)}`);
    await page.locator("#timeline").waitFor();
    const shown = await page.locator("[data-entry]").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-entry")} ${e.getAttribute("data-method")}`));
    const journaled = rich.entries.filter((e) => e.kind !== "stage").map((e) => `${e.kind} ${e.method ?? ""}`);
    expect(shown).toEqual(journaled);
    expect(shown.some((s) => s.startsWith("request telephony.externalcall.register"))).toBe(true);
    expect(shown.some((s) => s.startsWith("result telephony.externalcall.finish"))).toBe(true);
    const stagesShown = await page.locator("li[data-stage]").evaluateAll((els) => els.map((e) => e.getAttribute("data-stage")));
    const stagesStored = ((await stack.connector.outbox.readAll(rich.summary.callKey)) as Array<{ stage: string }>).map((s) => s.stage);
    expect(stagesShown).toEqual(stagesStored);
    expect(stagesShown.at(-1)).toBe("call_ended");
    expect(await page.locator("[data-outcome]").getAttribute("data-outcome")).toBe(rich.summary.status);
    await page.screenshot({ path: screenshotPath("call-timeline"), fullPage: true });

    // "Reprocess this call" runs a real reprocessing run of this call through the connector's API:
    // the call is already in the CRM, so the run ends done and nothing is registered again.
    const registered = stack.emu.calls().length;
    await page.click("#reprocess-this");
    const job = page.locator('[data-reprocess="done"]');
    await job.waitFor({ timeout: 120_000 });
    const run = (await (await fetch(`${base}/api/reprocess/${await job.getAttribute("data-job")}`, { headers: { authorization: basicAuth() } })).json()) as {
      status: string;
      params: { callKeys?: string[] };
      counts: { checked: number };
    };
    expect(run.status).toBe("done");
    expect(run.params.callKeys).toEqual([rich.summary.callKey]);
    expect(run.counts.checked).toBe(1);
    expect(stack.emu.calls().length).toBe(registered);
    await page.close();
  }, 300_000);

  it("dates follow the viewer's locale (de-DE) in the calls list and a call's timeline, with the PBX clock's skew when large", async () => {
    await idle;
    const de = await browser.newContext({
      locale: "de-DE",
      timezoneId: "Europe/Berlin",
      httpCredentials: { username: AUTH.user, password: AUTH.password },
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const page = await de.newPage();
      const all = await stack.connector.journal.list({ limit: 1000 });
      await page.goto(`${base}/console/#/calls`);
      await page.locator("#calls-count").waitFor();
      const first = all[0]!;
      const cell = (await page.locator(`tr[data-call="${first.callKey}"] td a`).first().textContent())!.trim();
      // German numeric date: day.month.year, 24-hour time, in the viewer's zone.
      const expected = new Intl.DateTimeFormat("de-DE", {
        timeZone: "Europe/Berlin",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }).format(first.firstSeenAt);
      expect(cell).toBe(expected);
      expect(cell).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/);
      await page.screenshot({ path: screenshotPath("calls-de"), fullPage: true });

      await page.goto(`${base}/console/#/calls/${encodeURIComponent(first.callKey)}`);
      await page.locator("#timeline").waitFor();
      const pbxTimes = await page.locator(".pbx-time").allTextContents();
      expect(pbxTimes.length).toBeGreaterThan(0);
      for (const t of pbxTimes) expect(t).toMatch(/PBX time \d{2}:\d{2}:\d{2}/);
      const skew = stack.connector.engine.pbxClockSkewMs;
      expect(skew).toBeDefined();
      expect(await page.locator("#clock-skew").count()).toBe(Math.abs(skew!) > 5000 ? 1 : 0);
      await page.screenshot({ path: screenshotPath("call-timeline-de"), fullPage: true });
    } finally {
      await de.close();
    }
  });

  it("settings: secrets masked, a wrong setting reported with its path, connections tested, users ↔ extensions", async () => {
    await idle;
    const page = await ctx.newPage();
    await page.goto(`${base}/console/#/settings`);
    const effective = (await page.locator("#effective-config").textContent())!;
    const b24Auth = stack.connector.config.b24.auth as { token: string };
    expect(effective).not.toContain(b24Auth.token);
    expect(effective).not.toContain(AUTH.password);
    expect(effective).toContain("••••••");

    // The masked copy as it is is valid: masked secrets keep their values.
    await page.click("#check-config");
    await page.locator('[data-check="ok"]').waitFor();
    // A wrong value and an unknown key, each reported with its path.
    const editor = page.locator("#config-editor");
    const text = await editor.inputValue();
    await editor.fill(text.replace(/"lanes": \d+/, '"lanes": "four"').replace('"cardMode": "ringing"', '"cardMode": "ringing", "cardModus": 1'));
    await page.click("#check-config");
    await page.locator('[data-check="invalid"]').waitFor();
    expect(await page.locator('[data-path="b24.lanes"]').textContent()).toMatch(/b24\.lanes.*expected number/);
    expect(await page.locator('[data-path="product"]').textContent()).toContain('"cardModus"');

    await page.click("#test-connections");
    await page.locator("#connections-result").waitFor({ timeout: 60_000 });
    for (const id of ["ami", "redis", "bitrix24", "recordings-dir"]) {
      const row = page.locator(`[data-connection="${id}"]`);
      expect(await row.getAttribute("data-ok"), `${id}: ${await row.textContent()}`).toBe("true");
    }
    expect(await page.locator('[data-connection="bitrix24"]').textContent()).toContain("active users");

    await page.locator('#users-without-extension [data-user="7"]').waitFor();
    expect(await page.locator('#users-without-extension [data-user="7"]').textContent()).toContain("Nina Orlova");
    const unmapped = page.locator('#unmapped-extensions [data-extension="103"]');
    expect(await unmapped.textContent()).toContain("1003");
    expect(await page.locator("#unmapped-extensions [data-extension]").count()).toBe(1);
    // Sergey's 103 is sent to 1003 by the map: he cannot be reached; Ivan (101) can.
    expect(await page.locator('[data-user-row="3"]').getAttribute("data-reachable")).toBe("false");
    expect(await page.locator('[data-user-row="1"]').getAttribute("data-reachable")).toBe("true");
    await page.screenshot({ path: screenshotPath("settings"), fullPage: true });
    await page.close();
  }, 300_000);

  describe("wired to the reprocessing API contract (in-test implementation)", () => {
    let contract: ContractServer;
    beforeAll(async () => {
      contract = await startContractServer(`http://127.0.0.1:${stack.connector.httpPort}`, AUTH);
    });
    afterAll(async () => contract?.close());

    it("reprocess these: sends the checked calls, shows progress until done with counts", async () => {
      await idle;
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${contract.url}/console/#/calls`);
      await page.locator("tr[data-call]").first().waitFor();
      const keys = await page.locator("tr[data-call]").evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute("data-call")!));
      for (const k of keys) await page.check(`input[data-select="${k}"]`);
      await page.click("#reprocess-these");
      await page.locator('[data-reprocess="running"]').waitFor();
      await page.locator('[data-reprocess="done"]').waitFor({ timeout: 30_000 });
      expect(contract.jobs).toHaveLength(1);
      expect(contract.jobs[0]!.request.callKeys!.sort()).toEqual([...keys].sort());
      expect(contract.jobs[0]!.request.only).toBe("all");
      expect(Date.parse(String(contract.jobs[0]!.request.from))).toBeLessThanOrEqual(Date.parse(String(contract.jobs[0]!.request.to)));
      expect(JSON.parse((await page.locator("[data-counts]").getAttribute("data-counts"))!)).toEqual({ checked: 2, alreadyFine: 1, fixed: 1, stillWrong: 0 });
      expect(await page.locator('a[href$="/report.html"]').getAttribute("href")).toBe("/api/reprocess/job-1/report.html");
      await page.screenshot({ path: screenshotPath("reprocess"), fullPage: true });

      // One call, from its page; cancelled while it runs.
      await page.goto(`${contract.url}/console/#/calls/${encodeURIComponent(keys[0]!)}`);
      contract.stats.liveErrorRate = 0.25;
      await page.click("#reprocess-this");
      await page.locator('[data-reprocess="running"] button.danger').click();
      await page.locator('[data-reprocess="cancelled"]').waitFor();
      expect(contract.jobs[1]!.request.callKeys).toEqual([keys[0]]);
      await page.close();
    }, 120_000);

    it("error charts come from /api/errors/stats when the connector has it", async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${contract.url}/console/#/overview`);
      await page.waitForFunction(() => document.querySelector("#errors-24h")?.getAttribute("data-total") === "6");
      expect(await page.locator("#errors-7d").getAttribute("data-total")).toBe("6");
      expect(await page.locator("#kpi-errors .value").textContent()).toBe("25 %");
      expect(await page.locator("#errors-24h .legend").textContent()).toContain("HookTimeoutError");
      expect(await page.locator("main").textContent()).toContain("Error statistics from /api/errors/stats");
      await page.screenshot({ path: screenshotPath("overview-errors"), fullPage: true });
      await page.close();
    });
  });
});
