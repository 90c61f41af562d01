/**
 * `pnpm bench`: runs every `bench/*.bench.ts` file of every app and package, one after
 * the other (so each figure is measured on an otherwise idle core), in its own process.
 *
 * Contract for a bench file: print each figure on stdout as one JSON line
 *   {"metric":"ami.parse.events_per_s","value":123456,"unit":"events/s"}
 * and anything meant for people on stderr. This runner forwards both unchanged, checks
 * every stdout line is such a figure, and exits non-zero if any bench failed.
 *
 * `pnpm bench <filter>` runs only the files whose path contains <filter>.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dirname, "..");
const filter = process.argv[2];
const files: string[] = [];
for (const group of ["packages", "apps"]) {
  for (const pkg of readdirSync(join(root, group))) {
    const dir = join(root, group, pkg, "bench");
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".bench.ts")) files.push(join(dir, f));
  }
}
const selected = files.filter((f) => !filter || f.includes(filter));
let failed = 0;
for (const file of selected) {
  process.stderr.write(`# bench ${relative(root, file)}\n`);
  const res = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", file], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of res.stdout.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const fig = JSON.parse(line) as { metric?: unknown; value?: unknown; unit?: unknown };
      if (typeof fig.metric !== "string" || typeof fig.value !== "number" || typeof fig.unit !== "string") throw new Error("shape");
      process.stdout.write(line + "\n");
    } catch {
      process.stderr.write(`${relative(root, file)}: not a figure line: ${line}\n`);
      failed++;
    }
  }
  if (res.status !== 0) {
    process.stderr.write(`${relative(root, file)}: exited ${res.status ?? res.signal}\n`);
    failed++;
  }
}
if (selected.length === 0) process.stderr.write("no bench files found\n");
process.exit(failed ? 1 : 0);
