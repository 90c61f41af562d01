import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyPackages, DependencyError, resolveClosure } from "../../../../scripts/bundle/prod-deps.js";
import { MANIFESTS } from "../../../../scripts/bundle/manifests.js";
import { REPO_ROOT, removeDir, tempDir } from "./harness.js";

/** A pnpm-like install: every package in .pnpm/<name>@<version>/node_modules/<name>, its deps linked next to it. */
function fakeStore(root: string) {
  const dirOf = (name: string, version: string) => join(root, "node_modules/.pnpm", `${name}@${version}`, "node_modules", name);
  const pkg = (name: string, version: string, fields: Record<string, unknown> = {}, files: Record<string, string> = {}) => {
    const dir = dirOf(name, version);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, license: "MIT", ...fields }));
    writeFileSync(join(dir, "index.js"), `module.exports = ${JSON.stringify(`${name}@${version}`)};`);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  return { pkg };
}

describe("production dependency closure (scripts/bundle/prod-deps.ts)", () => {
  const work = tempDir("prod-deps");
  afterAll(() => removeDir(work));

  it("places packages npm-style: shared versions on top, a conflicting version nested under its dependent", () => {
    const store = fakeStore(work);
    const app = join(work, "app");
    mkdirSync(join(app, "node_modules"), { recursive: true });
    const a = store.pkg("a", "1.0.0", { dependencies: { shared: "^1", c: "^1" } }, { "README.md": "x", "index.d.ts": "types", "LICENSE": "MIT" });
    const b = store.pkg("b", "1.0.0", { dependencies: { shared: "^2" }, optionalDependencies: { "native-linux-arm64": "1" }, peerDependencies: { redisish: "*" }, peerDependenciesMeta: { redisish: { optional: true } } });
    const shared1 = store.pkg("shared", "1.0.0");
    const shared2 = store.pkg("shared", "2.0.0");
    const c = store.pkg("c", "1.0.0", { dependencies: { a: "^1" } }); // a cycle back to a
    const redisish = store.pkg("redisish", "3.0.0");
    // pnpm links each dependency next to the package that needs it.
    const link = (from: string, name: string, to: string) => symlinkSync(to, join(from, "..", name));
    link(a, "shared", shared1);
    link(a, "c", c);
    link(c, "a", a);
    link(b, "shared", shared2);
    link(b, "redisish", redisish); // the optional peer the install resolved for b
    symlinkSync(a, join(app, "node_modules/a"));
    symlinkSync(b, join(app, "node_modules/b"));

    const placed = resolveClosure(new Map([["a", new Set([app])], ["b", new Set([app])]]));
    expect(placed.map((p) => `${p.target}@${p.version}`)).toEqual(["a@1.0.0", "b@1.0.0", "b/node_modules/shared@2.0.0", "c@1.0.0", "redisish@3.0.0", "shared@1.0.0"]);

    const out = join(work, "out/node_modules");
    copyPackages(placed, out);
    expect(readFileSync(join(out, "b/node_modules/shared/index.js"), "utf8")).toContain("shared@2.0.0");
    expect(existsSync(join(out, "a/LICENSE"))).toBe(true);
    expect(existsSync(join(out, "a/index.d.ts"))).toBe(false);
  });

  it("a missing required dependency is an error naming the package", () => {
    const store = fakeStore(join(work, "missing"));
    const app = join(work, "missing/app");
    mkdirSync(join(app, "node_modules"), { recursive: true });
    const x = store.pkg("x", "1.0.0", { dependencies: { gone: "^1" } });
    symlinkSync(x, join(app, "node_modules/x"));
    expect(() => resolveClosure(new Map([["x", new Set([app])]]))).toThrow(DependencyError);
    expect(() => resolveClosure(new Map([["x", new Set([app])]]))).toThrow("x@1.0.0 needs gone");
  });
});

describe("bundle manifests (scripts/bundle/manifests.ts)", () => {
  for (const m of MANIFESTS) {
    it(`${m.name}: its packaging files exist, keep paths are under etc/ or var/`, () => {
      expect(existsSync(join(REPO_ROOT, m.packageDir, "package.json"))).toBe(true);
      if (m.service) {
        const unit = readFileSync(join(REPO_ROOT, m.service.unit), "utf8");
        expect(unit).toContain(`ExecStart=@PREFIX@/current/bin/${m.name} `);
        expect(unit).toMatch(/^User=@USER@$/m);
        expect(unit).toMatch(/^Restart=on-failure$/m);
        expect(unit).toContain(`@CONFIG@/${m.name}.json`);
      }
      if (m.exampleConfig) expect(() => JSON.parse(readFileSync(join(REPO_ROOT, m.exampleConfig!), "utf8"))).not.toThrow();
      for (const k of m.keep) expect(k).toMatch(/^(etc|var)\//);
      if (m.exampleConfig) expect(m.keep).toContain(`etc/${m.name}.json`);
      for (const a of m.assets) expect(existsSync(join(REPO_ROOT, a))).toBe(true);
    });
  }
});
