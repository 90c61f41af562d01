// `pnpm bundle [app...] [--version x.y.z] [--out dir]` — offline install/update archives, one per app
// (dist/bundles/<app>-<version>-linux-x64.tar.gz). Without app names: every app whose entry exists.
// Format and reasons: docs/decisions/0010-bundle-format.md; installing: docs/install.md.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildBundle } from "./bundle/build-bundle.js";
import { findManifest, MANIFESTS } from "./bundle/manifests.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: pnpm bundle [app...] [--version x.y.z] [--out dir]
Apps: ${MANIFESTS.map((m) => m.name).join(", ")} (default: every app whose entry exists)
  --version x.y.z   bundle version (default: the app's package.json version)
  --out dir         where archives go (default: dist/bundles)`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== "--"),
    allowPositionals: true,
    options: { version: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const outDir = resolve(values.out ?? join(repoRoot, "dist", "bundles"));
  const explicit = positionals.length > 0;
  const manifests = explicit ? positionals.map(findManifest) : MANIFESTS;
  let built = 0;
  for (const manifest of manifests) {
    if (!explicit && !existsSync(join(repoRoot, manifest.entry))) {
      process.stderr.write(`bundle: skipping ${manifest.name} (${manifest.entry} does not exist yet)\n`);
      continue;
    }
    const result = await buildBundle({
      manifest,
      repoRoot,
      outDir,
      ...(values.version ? { version: values.version } : {}),
      log: (line) => process.stderr.write(`bundle: ${line}\n`),
    });
    process.stdout.write(`${result.archive}\n`);
    built++;
  }
  if (built === 0) process.stderr.write("bundle: nothing built\n");
  return built === 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bundle: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exitCode = 1;
  },
);
