#!/usr/bin/env node
// Before `pnpm test`: says LOUDLY which test groups will be skipped because a tool is missing
// (under CI=true those tests fail instead of skipping). Install them with the scripts named.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const has = (cmd, args = ["-version"]) => {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};
const missing = [];
if (!has("ffmpeg")) missing.push("ffmpeg    → the recording conversion tests (wav → mp3) are SKIPPED: bash scripts/ensure-ffmpeg.sh");
if (!existsSync("/usr/bin/chromium")) missing.push("chromium  → the console / b24-app page tests are SKIPPED: bash scripts/ensure-chromium.sh");
if (!has("php", ["-v"])) missing.push("php-cli   → the PHP hook tests are SKIPPED: bash scripts/ensure-php.sh");
if (missing.length > 0) {
  const ci = process.env.CI === "true" || process.env.CI === "1";
  const line = "!".repeat(100);
  process.stderr.write(
    [
      line,
      ci ? "MISSING TEST TOOLS (CI=true: these tests will FAIL):" : "MISSING TEST TOOLS — these tests will be SKIPPED:",
      ...missing.map((m) => `  ${m}`),
      "(.ci/run installs all of them)",
      line,
      "",
    ].join("\n"),
  );
}
