import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { build, type Plugin } from "esbuild";

/**
 * Compiles one app entry and every workspace package it imports (`@asterisk-b24/*`, TypeScript
 * sources) into a single ESM file. npm packages stay external: they are shipped unmodified in
 * `lib/node_modules` (see prod-deps.ts), so they run exactly as they do in development.
 *
 * Our sources locate files next to themselves with `new URL("./x.lua", import.meta.url)`. In one
 * bundled file every module would share the bundle's URL, so each source file's `import.meta.url`
 * is rewritten to the URL of the same file inside `share/` (a mirror of the repo paths that holds
 * the non-TypeScript files; see assets.ts). `./limiter.lua` next to `apps/connector/src/crm/limiter.ts`
 * then resolves to `<release>/share/apps/connector/src/crm/limiter.lua`.
 */
export interface CompileResult {
  /** npm package name → folders of the files that import it (where Node would resolve it from). */
  externals: Map<string, Set<string>>;
  /** Repo-relative paths of our source files in the bundle. */
  sources: string[];
  /** Size of the compiled file, bytes. */
  bytes: number;
}

export class ImportMetaError extends Error {
  override readonly name = "ImportMetaError";
}

const BUILTINS = new Set(builtinModules);

/** `lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

function isOurSource(repoRoot: string, file: string): boolean {
  const rel = relative(repoRoot, file);
  return !rel.startsWith("..") && !rel.split(sep).includes("node_modules");
}

export async function compileApp(options: { repoRoot: string; entry: string; outFile: string; shareRel: string }): Promise<CompileResult> {
  const externals = new Map<string, Set<string>>();
  const plugin: Plugin = {
    name: "asterisk-b24-bundle",
    setup(b) {
      // Bare specifiers: node builtins and npm packages are external; workspace packages are bundled.
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const spec = args.path;
        if (spec.startsWith("node:") || BUILTINS.has(spec) || BUILTINS.has(packageNameOf(spec))) return { path: spec, external: true };
        if (spec.startsWith("@asterisk-b24/")) return undefined;
        const name = packageNameOf(spec);
        let importers = externals.get(name);
        if (!importers) externals.set(name, (importers = new Set()));
        importers.add(args.resolveDir);
        return { path: spec, external: true };
      });
      b.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, (args) => {
        if (!isOurSource(options.repoRoot, args.path)) return undefined;
        const rel = relative(options.repoRoot, args.path).split(sep).join("/");
        let contents = readFileSync(args.path, "utf8");
        if (/\bimport\.meta\.(dirname|filename)\b/.test(contents)) {
          throw new ImportMetaError(`${rel}: use import.meta.url (import.meta.dirname/filename are not rewritten for bundles)`);
        }
        const shareUrl = `new URL(${JSON.stringify(`${options.shareRel}/${rel}`)}, import.meta.url).href`;
        contents = contents.replace(/\bimport\.meta\.url\b/g, shareUrl);
        const loader = args.path.endsWith("ts") ? "ts" : "js";
        return { contents, loader, resolveDir: dirname(args.path) };
      });
    },
  };

  const result = await build({
    absWorkingDir: options.repoRoot,
    entryPoints: [join(options.repoRoot, options.entry)],
    outfile: options.outFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    logLevel: "silent",
    legalComments: "none",
    plugins: [plugin],
  });
  if (result.warnings.length > 0) {
    for (const w of result.warnings) process.stderr.write(`bundle: esbuild warning: ${w.text} (${w.location?.file ?? "?"})\n`);
  }
  const sources = Object.keys(result.metafile.inputs).filter((p) => !p.includes("node_modules"));
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith(".mjs") || path.endsWith(".js"));
  return { externals, sources, bytes: output?.[1].bytes ?? 0 };
}
