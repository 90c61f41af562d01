import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium (scripts/ensure-chromium.sh); with CI=true a missing browser fails the tests. */
export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
export const inCi = process.env["CI"] === "true";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Screenshots the tests save for people to look at: .tmp/screenshots/console-*.png at the repo root. */
export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "..", "..", ".tmp", "screenshots");
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `console-${name}.png`);
}
