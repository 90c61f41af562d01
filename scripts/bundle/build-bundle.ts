import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeShare } from "./assets.js";
import { compileApp } from "./compile.js";
import { buildBrowserScript } from "./web-assets.js";
import type { AppManifest } from "./manifests.js";
import { copyPackages, nativeAddons, resolveClosure } from "./prod-deps.js";

/**
 * Builds `<outDir>/<app>-<version>-linux-x64.tar.gz` for one manifest:
 *
 *   <app>-<version>-linux-x64/
 *     bin/<app>                 launcher (system node)
 *     lib/<app>.mjs             Node version check, then imports the bundle
 *     lib/<app>.bundle.mjs(.map) our code and workspace packages, compiled by esbuild
 *     lib/node_modules/         npm production dependencies (copied from the pnpm install)
 *     lib/healthcheck.mjs       services only: GET /status probe (Docker HEALTHCHECK)
 *     share/                    files our code reads next to itself (see assets.ts)
 *     packaging/<app>.service   services only: systemd unit template
 *     config.example.json       services only
 *     install.sh, bundle.env, bundle.json
 */
export interface BundleResult {
  app: string;
  version: string;
  archive: string;
  archiveBytes: number;
  unpackedBytes: number;
  packages: number;
  seconds: number;
}

export class EntryMissingError extends Error {
  override readonly name = "EntryMissingError";
  constructor(
    readonly app: string,
    readonly entry: string,
  ) {
    super(`${app}: entry ${entry} does not exist yet`);
  }
}

export class TargetMismatchError extends Error {
  override readonly name = "TargetMismatchError";
}

export const TARGET = "linux-x64";
const VERSION_RE = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

function nodeMinimum(repoRoot: string): string {
  const engines = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines?: { node?: string } }).engines;
  const m = /(\d+\.\d+)/.exec(engines?.node ?? "");
  return m?.[1] ?? "20.19";
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/@([A-Z_]+)@/g, (whole, key: string) => values[key] ?? whole);
}

function duBytes(dir: string): number {
  const out = execFileSync("du", ["-sb", dir], { encoding: "utf8", timeout: 30_000 });
  return Number(out.split("\t")[0]);
}

function sourceDateEpoch(repoRoot: string): number {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: repoRoot, encoding: "utf8", timeout: 10_000 }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}

function gitCommit(repoRoot: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { cwd: repoRoot, encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return "unknown";
  }
}

export async function buildBundle(options: { manifest: AppManifest; repoRoot: string; outDir: string; version?: string; log?: (line: string) => void }): Promise<BundleResult> {
  const started = Date.now();
  const { manifest: m, repoRoot } = options;
  const log = options.log ?? (() => {});
  if (!existsSync(join(repoRoot, m.entry))) throw new EntryMissingError(m.name, m.entry);
  const host = `${process.platform}-${process.arch}`;
  if (host !== TARGET) throw new TargetMismatchError(`bundles are built on their target (${TARGET}) so native addons match; this is ${host}`);

  const appPkg = JSON.parse(readFileSync(join(repoRoot, m.packageDir, "package.json"), "utf8")) as { version: string };
  const version = options.version ?? appPkg.version;
  if (!VERSION_RE.test(version)) throw new RangeError(`version must be x.y.z[-tag], got "${version}"`);
  const base = `${m.name}-${version}-${TARGET}`;
  const stagingRoot = join(options.outDir, `.staging-${base}-${process.pid}`);
  const root = join(stagingRoot, base);
  rmSync(stagingRoot, { recursive: true, force: true });
  mkdirSync(join(root, "lib"), { recursive: true });
  const nodeMin = nodeMinimum(repoRoot);
  const values = { APP: m.name, COMMAND: m.command, NODE_MIN: nodeMin, PORT: String(m.health?.port ?? ""), PATH: m.health?.path ?? "" };

  try {
    // 1. Our code: the app's entry and its extra commands, each compiled into lib/<name>.bundle.mjs.
    const commands = [{ name: m.name, entry: m.entry, command: m.command }, ...(m.extraCommands ?? [])];
    const externals = new Map<string, Set<string>>();
    const sources = new Set<string>();
    const [major, minor] = nodeMin.split(".").map(Number) as [number, number];
    for (const c of commands) {
      if (!existsSync(join(repoRoot, c.entry))) throw new EntryMissingError(c.name, c.entry);
      const compiled = await compileApp({ repoRoot, entry: c.entry, outFile: join(root, "lib", `${c.name}.bundle.mjs`), shareRel: "../share" });
      for (const [name, dirs] of compiled.externals) externals.set(name, new Set([...(externals.get(name) ?? []), ...dirs]));
      for (const src of compiled.sources) sources.add(src);
      log(
        `${c.name}: compiled ${compiled.sources.length} sources (${(compiled.bytes / 1024).toFixed(0)} KiB), external: ${[...compiled.externals.keys()].sort().join(", ") || "none"}`,
      );
      writeFileSync(
        join(root, "lib", `${c.name}.mjs`),
        `// ${c.name} ${version}: checks the Node.js version, then starts the compiled app.\n` +
          `import { fileURLToPath } from "node:url";\n` +
          `const [major, minor] = process.versions.node.split(".").map(Number);\n` +
          `if (major < ${major} || (major === ${major} && minor < ${minor})) {\n` +
          `  process.stderr.write(\`${c.name}: Node.js >= ${nodeMin} is needed, this is \${process.version} (\${process.execPath})\\n\`);\n` +
          `  process.exit(1);\n` +
          `}\n` +
          `// Entries decide "am I the main module" from process.argv[1] (e.g. /cli\\.(ts|js|mjs)$/ or\n` +
          `// import.meta.url === pathToFileURL(argv[1]).href): name the entry source in share/, as \`tsx <entry>\` would.\n` +
          `process.argv[1] = fileURLToPath(new URL(${JSON.stringify(`../share/${c.entry}`)}, import.meta.url));\n` +
          `await import("./${c.name}.bundle.mjs");\n`,
      );
    }

    // 2. npm production dependencies, from the local install.
    const packages = resolveClosure(externals);
    copyPackages(packages, join(root, "lib", "node_modules"));
    const natives = nativeAddons(join(root, "lib", "node_modules"));
    const foreign = natives.filter((n) => n.machine !== "x64");
    if (foreign.length > 0) throw new TargetMismatchError(`native addons not built for ${TARGET}: ${foreign.map((n) => `${n.path} (${n.machine})`).join(", ")}`);
    log(`${m.name}: ${packages.length} npm packages, ${natives.length} native addon(s)`);

    // 3. Files our code reads at run time.
    const share = writeShare({ repoRoot, shareDir: join(root, "share"), sources: [...sources], appPackageDir: m.packageDir, version, assets: m.assets });
    log(`${m.name}: share/ ${share.files} files`);
    for (const asset of m.webAssets ?? []) {
      const text = await buildBrowserScript(join(repoRoot, asset.entry), join(root, "share", asset.out));
      log(`${m.name}: built ${asset.out} (${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)`);
    }

    // 4. Launcher, health probe, packaging, install script.
    mkdirSync(join(root, "bin"));
    for (const c of commands) {
      writeFileSync(join(root, "bin", c.name), fill(readFileSync(join(repoRoot, "packaging/launcher.sh"), "utf8"), { ...values, APP: c.name, COMMAND: c.command }));
      chmodSync(join(root, "bin", c.name), 0o755);
    }
    if (m.health) writeFileSync(join(root, "lib", "healthcheck.mjs"), fill(readFileSync(join(repoRoot, "packaging/healthcheck.mjs"), "utf8"), values));
    if (m.service) {
      mkdirSync(join(root, "packaging"));
      cpSync(join(repoRoot, m.service.unit), join(root, "packaging", `${m.name}.service`));
    }
    if (m.exampleConfig) cpSync(join(repoRoot, m.exampleConfig), join(root, "config.example.json"));
    cpSync(join(repoRoot, "packaging/install.sh"), join(root, "install.sh"));
    chmodSync(join(root, "install.sh"), 0o755);
    const env = {
      APP: m.name,
      VERSION: version,
      LINKS: commands.map((c) => `${c.name}:${c.command}`).join(" "),
      DESCRIPTION: m.description,
      SERVICE: m.service ? "1" : "",
      KEEP: m.keep.join(" "),
      NODE_MIN: nodeMin,
    };
    writeFileSync(
      join(root, "bundle.env"),
      `# Written by pnpm bundle; read by install.sh.\n` +
        Object.entries(env)
          .map(([k, v]) => `${k}=${shellQuote(v)}`)
          .join("\n") +
        "\n",
    );
    const epoch = sourceDateEpoch(repoRoot);
    const info = {
      name: m.name,
      version,
      description: m.description,
      target: TARGET,
      node: `>=${nodeMin}`,
      commit: gitCommit(repoRoot),
      sourceDate: new Date(epoch * 1000).toISOString(),
      entry: m.entry,
      commands: commands.map((c) => ({ bin: `bin/${c.name}`, entry: c.entry, linkedAs: c.command })),
      service: m.service ? `asterisk-b24-${m.name}.service` : null,
      keep: m.keep,
      health: m.health ?? null,
      dependencies: packages.map((p) => ({ name: p.name, version: p.version, license: p.license, path: `lib/node_modules/${p.target}` })),
      nativeAddons: natives.map((n) => ({ path: `lib/node_modules/${n.path}`, machine: n.machine })),
    };
    writeFileSync(join(root, "bundle.json"), `${JSON.stringify(info, null, 2)}\n`);

    // 5. The archive (reproducible order, owners and times).
    mkdirSync(options.outDir, { recursive: true });
    const archive = join(options.outDir, `${base}.tar.gz`);
    const partial = `${archive}.partial-${process.pid}`;
    execFileSync("tar", ["--sort=name", "--owner=0", "--group=0", "--numeric-owner", `--mtime=@${epoch}`, "-czf", partial, "-C", stagingRoot, base], { timeout: 120_000 });
    execFileSync("mv", ["-f", partial, archive], { timeout: 10_000 });
    const result: BundleResult = {
      app: m.name,
      version,
      archive,
      archiveBytes: statSync(archive).size,
      unpackedBytes: duBytes(root),
      packages: packages.length,
      seconds: (Date.now() - started) / 1000,
    };
    log(`${m.name}: ${archive} (${(result.archiveBytes / 1048576).toFixed(1)} MiB, unpacked ${(result.unpackedBytes / 1048576).toFixed(1)} MiB) in ${result.seconds.toFixed(1)} s`);
    return result;
  } finally {
    rmSync(stagingRoot, { recursive: true, force: true });
  }
}
