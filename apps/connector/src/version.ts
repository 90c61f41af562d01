import { readFileSync } from "node:fs";

/** The connector's version (from its package.json; bundles replace it at build time). */
export const CONNECTOR_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
})();
