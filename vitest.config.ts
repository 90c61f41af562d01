import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { defineConfig } from "vitest/config";

// One runner for the whole repo, two projects:
//   unit         pure tests: no socket, no service, no child process (`pnpm test:unit`)
//   integration  real sockets (AMI replay server, Bitrix24 emulator), the real Redis, PostgreSQL
//                and MariaDB on this machine, child processes, Chromium. With CI=true a missing
//                service fails the test.
// `vitest run` runs both. A test file is integration when it reaches for any of those (the marks
// below), so a new test lands in the right project without a list to keep.
const ROOT = import.meta.dirname;
const INTEGRATION_MARKS =
  /requireService|serviceAvailable|mysql2|import\("pg"\)|replayThroughTracker|SERVICES\.|startB24Emulator|startAmiReplayServer|startStack|new Redis\(|from "ioredis"|child_process|createServer|\.listen\(|playwright|chromium|fetch\(/;

function testFiles(): string[] {
  const out: string[] = [];
  for (const group of ["apps", "packages"]) {
    for (const pkg of readdirSync(join(ROOT, group))) walk(join(ROOT, group, pkg, "test"), out);
  }
  return out;
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith(".test.ts")) out.push(relative(ROOT, p));
  }
}

/** A test's own text and that of the test helpers it imports (one level: `./x.js`, `../x.js`). */
function reaches(file: string): string {
  const text = readFileSync(join(ROOT, file), "utf8");
  const helpers = [...text.matchAll(/from "(\.{1,2}\/[^"]+?)\.js"/g)].map((m) => join(ROOT, file, "..", `${m[1]}.ts`)).filter((p) => !p.includes("/src/"));
  return [text, ...helpers.map((p) => readIfExists(p))].join("\n");
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

const files = testFiles();
const integration = files.filter((f) => INTEGRATION_MARKS.test(reaches(f)));
const unit = files.filter((f) => !integration.includes(f));

export default defineConfig({
  test: {
    pool: "forks",
    // Most integration tests wait on sockets, real-time replays and child processes, not on the
    // CPU: three files at a time on a 2-core machine (vitest's default there is one).
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".tmp/vitest-report.json" },
    projects: [
      { extends: true, test: { name: "unit", include: unit } },
      { extends: true, test: { name: "integration", include: integration } },
    ],
  },
});
