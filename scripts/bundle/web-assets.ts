import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { build } from "esbuild";

/**
 * Browser code of an app (e.g. the b24-app's page in the Bitrix24 frame): one minified ES module per
 * entry, npm packages included (closed networks: no CDN). The release ships the result under
 * `share/` at the manifest's `out` path, where the app's server reads it; a source checkout builds
 * the same file in memory on first request (apps/b24-app/src/page/assets.ts).
 */
export async function buildBrowserScript(entry: string, outFile?: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    write: false,
    logLevel: "silent",
  });
  const text = result.outputFiles[0]!.text;
  if (outFile) {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, text);
  }
  return text;
}
