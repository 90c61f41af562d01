import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

/**
 * The `share/` mirror: the files our compiled sources read at run time, at the same repo-relative
 * paths (compile.ts rewrites each source's `import.meta.url` to its place in this mirror):
 * - each bundled workspace package's package.json (the app's own with the bundle version, so
 *   `--version` reports what was shipped),
 * - every non-TypeScript file under those packages' `src/` (Lua scripts, the PHP hook adapter, …),
 * - the manifest's extra assets (e.g. the recordings `replay` reads), and docs/install.md.
 */
export function packageRootOf(repoRoot: string, file: string): string {
  let dir = dirname(join(repoRoot, file));
  while (dir.startsWith(repoRoot) && dir !== repoRoot) {
    if (existsSync(join(dir, "package.json"))) return dir;
    dir = dirname(dir);
  }
  return repoRoot;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

export function writeShare(options: { repoRoot: string; shareDir: string; sources: string[]; appPackageDir: string; version: string; assets: string[] }): { files: number } {
  const { repoRoot, shareDir } = options;
  let files = 0;
  const copy = (abs: string): void => {
    const dest = join(shareDir, relative(repoRoot, abs));
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(abs, dest, { recursive: true });
    files += statSync(abs).isDirectory() ? listFiles(abs).length : 1;
  };

  const packageDirs = new Set(options.sources.map((s) => packageRootOf(repoRoot, s)));
  packageDirs.add(join(repoRoot, options.appPackageDir));
  for (const pkgDir of [...packageDirs].sort()) {
    if (pkgDir === repoRoot) continue;
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as Record<string, unknown>;
    if (pkgDir === join(repoRoot, options.appPackageDir)) pkg.version = options.version;
    const dest = join(shareDir, relative(repoRoot, pkgDir), "package.json");
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, `${JSON.stringify(pkg, null, 2)}\n`);
    files++;
    const src = join(pkgDir, "src");
    if (!existsSync(src)) continue;
    for (const file of listFiles(src)) {
      if (/\.[cm]?ts$/.test(file) || file.split(sep).includes("node_modules")) continue;
      copy(file);
    }
  }
  for (const asset of [...options.assets, "docs/install.md"]) {
    const abs = join(repoRoot, asset);
    if (!existsSync(abs)) {
      if (asset === "docs/install.md") continue;
      throw new AssetMissingError(asset);
    }
    copy(abs);
  }
  return { files };
}

export class AssetMissingError extends Error {
  override readonly name = "AssetMissingError";
  constructor(readonly asset: string) {
    super(`manifest asset ${asset} does not exist`);
  }
}
