/**
 * The b24-app's page inside the emulated portal, in a real Chromium: the emulator frames the app the
 * way Bitrix24 does (POST to the handler with the placement parameters, window.name, the parent side
 * of b24jssdk's postMessage protocol), over a whole stack (AMI replay → connector → b24-app gateway →
 * emulator) that replayed two real calls. Screenshots go to .tmp/screenshots/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type FrameLocator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { startStack, type Stack } from "../../connector/src/demo/stack.js";
import { silentLogger } from "../../connector/src/log/logger.js";

const CHROMIUM = "/usr/bin/chromium";
const inCi = process.env["CI"] === "true";
const haveChromium = existsSync(CHROMIUM);
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const SHOTS = fileURLToPath(new URL("../../../.tmp/screenshots/", import.meta.url));

const redis = await requireService("redis");
if (!haveChromium && !inCi) console.warn(`b24-app page test skipped: ${CHROMIUM} is missing (run scripts/ensure-chromium.sh)`);

interface Facts {
  callKey: string;
  queues: string[];
  answeredBy: string;
  transfers: Array<{ kind: string; from: string; to: string }>;
  legs: Array<{ extension: string }>;
}

describe.runIf(redis && (haveChromium || inCi))("b24-app page in the portal frame (Chromium)", () => {
  let stack: Stack;
  let browser: Browser;
  let appUrl: string;
  const facts = new Map<string, Facts>();

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI=true and ${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({
      recordings: [loadRecording("02_inbound_queue_sales_102_answers"), loadRecording("09_inbound_blind_transfer_101_to_102")],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("b24page"),
      limits: false,
      logger: silentLogger(),
    });
    await stack.idle();
    appUrl = `http://127.0.0.1:${stack.b24app.port}`;
    for (const call of stack.emu.calls()) {
      const r = await fetch(`http://127.0.0.1:${stack.connector.httpPort}/api/b24/calls/${call.CALL_ID}`);
      if (r.ok) facts.set(call.CALL_ID, (await r.json()) as Facts);
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function portalPage(path: string): Promise<{ page: Page; app: FrameLocator }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on("pageerror", (err) => console.error("page error:", err.message));
    await page.goto(`${stack.emu.url}${path}`);
    return { page, app: page.frameLocator("iframe").first() };
  }

  async function gateway(token: string): Promise<number> {
    const r = await fetch(`${appUrl}/gateway/rest/user.get`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ ID: 1 }),
    });
    await r.arrayBuffer();
    return r.status;
  }

  it("install bound the CALL_CARD placement on the b24-app's host", () => {
    expect(stack.emu.placements()).toEqual([expect.objectContaining({ placement: "CALL_CARD", handler: `${appUrl}/b24/placement/call-card`, title: "PBX" })]);
  });

  it("an administrator sees status, bindings, users ↔ extensions, and issues / revokes a token from the page", async () => {
    // The portal's data as the admin will see it: user 2 moved to inner number 202 (PBX 102 maps to nobody), a user without a number.
    stack.emu.seed({
      users: [
        { ID: 2, NAME: "Maria", LAST_NAME: "Ivanova", UF_PHONE_INNER: "202" },
        { ID: 7, NAME: "Nina", LAST_NAME: "Orlova", UF_PHONE_INNER: "" },
      ],
    });
    const { page, app } = await portalPage("/_emulator/portal/app?user=1");
    await app.locator("body[data-ready=true]").waitFor({ timeout: 60_000 });
    expect(await page.locator("#who").textContent()).toContain("administrator");

    // status of the connector (through the b24-app) and of the b24-app
    const connector = app.locator("#connector-status");
    expect(await connector.getAttribute("data-health")).toMatch(/^(Ok|Warning|Error)$/);
    expect(await connector.locator(".component[data-name=ami]").textContent()).toContain("Ok");
    expect(await app.locator("#app-status").textContent()).toContain("oauth");

    // event and placement bindings (event.get / placement.get through b24jssdk)
    expect(await app.locator('#bindings-table tr[data-name="ONEXTERNALCALLSTART"]').textContent()).toContain("bound");
    expect(await app.locator('#bindings-table tr[data-name="placement CALL_CARD"]').textContent()).toContain(`${appUrl}/b24/placement/call-card`);

    // users ↔ extensions: 101 answered calls; 102 rang but maps to nobody now; Nina has no inner number
    const states = async (state: string) => app.locator(`#users-table tr[data-state="${state}"]`).allTextContents();
    expect((await states("ok")).join("|")).toContain("Ivan Petrov (1)");
    expect((await states("maps-to-nobody")).join("|")).toContain("102");
    expect((await states("no-inner-number")).join("|")).toContain("Nina Orlova (7)");
    expect((await states("no-calls-seen")).join("|")).toContain("Maria Ivanova (2)");

    // issue a token from the page: shown once, listed, works on the gateway
    await app.locator("#token-connector").fill("pbx-page");
    await app.locator("#token-note").fill("issued in the page test");
    await app.locator("#token-issue").click();
    const block = JSON.parse(await app.locator("#token-issued textarea").inputValue()) as { b24: { auth: { mode: string; gatewayUrl: string; token: string } } };
    expect(block.b24.auth).toMatchObject({ mode: "gateway", gatewayUrl: `${appUrl}/gateway` });
    const token = block.b24.auth.token;
    const jti = (await stack.b24app.tokens.verify(token)).jti;
    const row = app.locator(`#tokens-table tr[data-jti="${jti}"]`);
    expect(await row.textContent()).toContain("pbx-page");
    expect(await row.textContent()).toContain("active");
    expect(await gateway(token)).toBe(200);
    await page.screenshot({ path: join(SHOTS, "b24-app-page-admin.png"), fullPage: true });

    // revoke it from the page: the gateway refuses it at once
    await row.locator("button.revoke").click();
    await app.locator(`#tokens-table tr[data-jti="${jti}"] .pill.bad`).waitFor();
    expect(await app.locator(`#tokens-table tr[data-jti="${jti}"]`).textContent()).toContain("revoked");
    expect(await gateway(token)).toBe(401);
    // audit: issued and revoked by the page's user, the use in between, then the refusal (written asynchronously)
    await vi.waitFor(
      async () => {
        const audit = await stack.b24app.store.auditTail(50);
        expect(audit.filter((a) => a.jti === jti).map((a) => a.kind)).toEqual(["issued", "rest", "revoked"]);
        expect(audit.find((a) => a.jti === jti && a.kind === "revoked")?.reason).toContain("Bitrix24 user 1 (Ivan Petrov)");
        expect(audit.at(-1)).toMatchObject({ kind: "refused", reason: "revoked", status: 401 });
      },
      { timeout: 30_000, interval: 100 },
    );
    await page.screenshot({ path: join(SHOTS, "b24-app-page-token-revoked.png"), fullPage: true });
    await page.close();
  });

  it("a user who is not a portal administrator is refused (page and API)", async () => {
    const { page, app } = await portalPage("/_emulator/portal/app?user=3");
    await app.locator("#denied").waitFor({ timeout: 60_000 });
    expect(await app.locator("#denied").textContent()).toMatch(/Access denied: Sergey Smirnov is not a portal administrator/);
    expect(await app.locator("#tokens").count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "b24-app-page-non-admin.png"), fullPage: true });
    await page.close();

    const api = (path: string, token: string, member: string, method = "GET") =>
      fetch(`${appUrl}/b24/admin/api/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "x-b24-member-id": member, "content-type": "application/json" },
        ...(method === "POST" ? { body: JSON.stringify({ connectorId: "x" }) } : {}),
      });
    const user3 = stack.emu.issueOAuthTokens(3);
    expect((await api("tokens", user3.access_token, user3.member_id)).status).toBe(403);
    expect((await api("tokens", user3.access_token, user3.member_id, "POST")).status).toBe(403);
    expect((await api("me", user3.access_token, user3.member_id)).status).toBe(200);
    const admin = stack.emu.issueOAuthTokens(1);
    expect((await api("tokens", admin.access_token, "another-portal")).status).toBe(403);
    expect((await api("tokens", "forged-token", admin.member_id)).status).toBe(401);
    expect((await api("tokens", admin.access_token, admin.member_id)).status).toBe(200);
  });

  it("the CALL_CARD tab shows what the PBX knows about a replayed call: queue, who answered, transfers", async () => {
    const queued = [...facts.entries()].find(([, f]) => f.queues.length > 0);
    const transferred = [...facts.entries()].find(([, f]) => f.transfers.length > 0);
    expect(queued, "the queue call is in the connector's journal").toBeDefined();
    expect(transferred, "the transferred call is in the connector's journal").toBeDefined();
    const [queueCallId, queueFacts] = queued!;
    expect(queueFacts.answeredBy).toBe("102");

    const { page, app } = await portalPage(`/_emulator/portal/call-card?callId=${queueCallId}&user=2`);
    await app.locator("#call-facts").waitFor({ timeout: 60_000 });
    expect(await app.locator("#call-facts").getAttribute("data-call-key")).toBe(queueFacts.callKey);
    expect(await app.locator("#fact-queues").textContent()).toBe(queueFacts.queues.join(", "));
    expect(await app.locator("#fact-answered").textContent()).toBe("extension 102");
    expect(await app.locator("#legs-table tbody tr").count()).toBe(queueFacts.legs.length);
    expect(await app.locator("#fact-route").textContent()).toContain(`group ${queueFacts.queues[0]}`);
    await page.screenshot({ path: join(SHOTS, "b24-app-call-card-queue.png"), fullPage: true });
    await page.close();

    const [transferCallId, transferFacts] = transferred!;
    const t = await portalPage(`/_emulator/portal/call-card?callId=${transferCallId}&user=2`);
    await t.app.locator("#transfers-table").waitFor({ timeout: 60_000 });
    const cells = await t.app.locator("#transfers-table tbody tr td").allTextContents();
    expect(cells).toEqual([transferFacts.transfers[0]!.kind, transferFacts.transfers[0]!.from, transferFacts.transfers[0]!.to]);
    expect(cells[0]).toBe("blind");
    expect(await t.app.locator("#fact-answered").textContent()).toBe("extension 102");
    await t.page.screenshot({ path: join(SHOTS, "b24-app-call-card-transfer.png"), fullPage: true });
    await t.page.close();
  });
});
