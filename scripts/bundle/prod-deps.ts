import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

/**
 * Ships the npm packages the compiled app imports, with their production dependency closure, as a
 * flat (hoisted) `node_modules`. Packages are copied from the workspace's own install (pnpm's
 * virtual store, hard links into the local content-addressable store), so bundling never touches the
 * network and ships the exact versions the tests ran against. Native addons come as they were built
 * or fetched for this machine by `pnpm install`; `nativeAddons` reports them so the caller can check
 * they match the target platform.
 */

export interface PackageJson {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface PlacedPackage {
  name: string;
  version: string;
  license: string;
  /** Where the package lives in the workspace install (real path). */
  source: string;
  /** Path inside the bundle's node_modules root, e.g. `ioredis` or `bullmq/node_modules/semver`. */
  target: string;
}

export class DependencyError extends Error {
  override readonly name = "DependencyError";
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Node's lookup: `<dir>/node_modules/<name>` for `fromDir` and each parent (skipping `node_modules` folders). */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The `node_modules` folder a package sits in (where pnpm links its resolved dependencies and peers). */
function containingNodeModules(pkgDir: string, name: string): string {
  return pkgDir.slice(0, pkgDir.length - name.length - 1);
}

/**
 * Which dependencies of a package must ship: all regular ones, optional ones that are installed,
 * required peers, and optional peers that the install resolved for this package (linked next to it —
 * e.g. bullmq's ioredis, which it loads with require() at run time).
 */
function runtimeDependencies(pkg: PackageJson, pkgDir: string): Array<{ name: string; optional: boolean }> {
  const out = new Map<string, boolean>();
  for (const name of Object.keys(pkg.dependencies ?? {})) out.set(name, false);
  for (const name of Object.keys(pkg.optionalDependencies ?? {})) out.set(name, true);
  for (const name of Object.keys(pkg.peerDependencies ?? {})) {
    if (out.has(name)) continue;
    if (pkg.peerDependenciesMeta?.[name]?.optional) {
      if (existsSync(join(containingNodeModules(pkgDir, pkg.name), name, "package.json"))) out.set(name, true);
      continue;
    }
    out.set(name, false);
  }
  return [...out].filter(([name]) => !name.startsWith("@types/")).map(([name, optional]) => ({ name, optional }));
}

/**
 * Resolves the closure of `roots` (package name → folders it is imported from) and places every
 * package npm-style: at the top when free, else nested under the package that needs that version.
 */
export function resolveClosure(roots: Map<string, Set<string>>): PlacedPackage[] {
  const placed = new Map<string, PlacedPackage>(); // target → package

  const place = (name: string, sourceDir: string, parentTarget: string): PlacedPackage => {
    // The folders Node will look in from the parent's location at run time, nearest first.
    const chain: string[] = [];
    let t: string | undefined = parentTarget;
    while (t !== undefined) {
      chain.push(`${t}/node_modules/${name}`);
      const idx: number = t.lastIndexOf("/node_modules/");
      t = idx === -1 ? undefined : t.slice(0, idx);
    }
    chain.push(name);
    for (const target of chain) {
      const there = placed.get(target);
      if (!there) continue;
      // Same version (pnpm may hold several copies that differ only in how peers resolved): reuse it.
      if (there.source === sourceDir || there.version === readPackageJson(sourceDir).version) return there;
      // A different version is visible from here: nest ours under the parent.
      return add(name, sourceDir, `${parentTarget}/node_modules/${name}`);
    }
    return add(name, sourceDir, name);
  };

  const add = (name: string, sourceDir: string, target: string): PlacedPackage => {
    const entry = record(name, sourceDir, target);
    expand(entry);
    return entry;
  };

  const record = (name: string, sourceDir: string, target: string): PlacedPackage => {
    const pkg = readPackageJson(sourceDir);
    const entry: PlacedPackage = { name, version: pkg.version, license: pkg.license ?? "UNKNOWN", source: sourceDir, target };
    placed.set(target, entry);
    return entry;
  };

  const expand = (entry: PlacedPackage): void => {
    const pkg = readPackageJson(entry.source);
    for (const dep of runtimeDependencies(pkg, entry.source)) {
      const depDir = findPackageDir(dep.name, entry.source);
      if (!depDir) {
        if (dep.optional) continue;
        throw new DependencyError(`${entry.name}@${pkg.version} needs ${dep.name}, which is not installed (run pnpm install)`);
      }
      place(dep.name, depDir, entry.target);
    }
  };

  // The directly imported packages take the top level first; their dependencies fit around them.
  const direct: PlacedPackage[] = [];
  for (const [name, importers] of [...roots].sort(([a], [b]) => a.localeCompare(b))) {
    const dirs = new Set<string>();
    for (const from of importers) {
      const dir = findPackageDir(name, from);
      if (!dir) throw new DependencyError(`${name} is imported from ${from} but is not installed there (a missing dependency in that package.json?)`);
      dirs.add(dir);
    }
    if (dirs.size > 1) {
      throw new DependencyError(`different installs of ${name} are imported (${[...dirs].join(", ")}); align the workspace dependencies`);
    }
    direct.push(record(name, [...dirs][0]!, name));
  }
  for (const root of direct) expand(root);
  return [...placed.values()].sort((a, b) => a.target.localeCompare(b.target));
}

/** Files a running app never reads: type declarations, source maps, build caches. Licences always stay. */
function shipped(path: string): boolean {
  const name = basename(path);
  if (/\.d\.[cm]?ts$/.test(name) || name.endsWith(".map") || name.endsWith(".tsbuildinfo")) return false;
  if (name === ".github" || name === "node_modules") return false;
  return true;
}

export function copyPackages(packages: PlacedPackage[], nodeModulesDir: string): void {
  for (const p of packages) {
    const dest = join(nodeModulesDir, ...p.target.split("/"));
    cpSync(p.source, dest, {
      recursive: true,
      dereference: true,
      filter: (src) => src === p.source || shipped(src),
    });
  }
}

/** `.node` files under a folder, with their ELF machine (x86-64, aarch64, …). */
export function nativeAddons(root: string): Array<{ path: string; machine: string }> {
  const out: Array<{ path: string; machine: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSafe(dir)) {
      const full = join(dir, entry);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (entry.endsWith(".node"))
        out.push({
          path: full
            .slice(root.length + 1)
            .split(sep)
            .join("/"),
          machine: elfMachine(full),
        });
    }
  };
  walk(root);
  return out;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

const ELF_MACHINES: Record<number, string> = { 3: "x86", 40: "arm", 62: "x64", 183: "arm64" };

export function elfMachine(file: string): string {
  const head = readFileSync(file).subarray(0, 20);
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return "not-elf";
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return ELF_MACHINES[machine] ?? `elf-machine-${machine}`;
}
