/**
 * The page's script. A release carries it built (`dist/page.js` next to this file, made by `pnpm
 * bundle`: scripts/bundle/web-assets.ts); a source checkout (dev, tests, `pnpm demo`) builds the
 * same file in memory with esbuild on first request. The builder is imported by a computed
 * specifier so the release bundle neither includes it nor ships esbuild.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BUILT = new URL("./dist/page.js", import.meta.url);
const ENTRY = new URL("../../web/main.ts", import.meta.url);
const BUILDER = new URL("../../../../scripts/bundle/web-assets.ts", import.meta.url);

export class PageAssetsMissingError extends Error {
  override readonly name = "PageAssetsMissingError";
}

let script: Promise<string> | undefined;

async function load(): Promise<string> {
  const built = fileURLToPath(BUILT);
  if (existsSync(built)) return readFileSync(built, "utf8");
  if (!existsSync(fileURLToPath(ENTRY)) || !existsSync(fileURLToPath(BUILDER))) {
    throw new PageAssetsMissingError(`the page script ${built} is missing from this installation (rebuild the bundle)`);
  }
  const builder = BUILDER.href;
  const { buildBrowserScript } = (await import(builder)) as { buildBrowserScript(entry: string): Promise<string> };
  return buildBrowserScript(fileURLToPath(ENTRY));
}

/** The page's script (cached; a failed build is retried on the next request). */
export function pageScript(): Promise<string> {
  script ??= load().catch((err: unknown) => {
    script = undefined;
    throw err;
  });
  return script;
}
