import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import type { HookSettings } from "./config.js";
import type { HookName } from "./names.js";

/** How a hook is run. */
export type HookTarget = { form: "module"; file: string } | { form: "php"; file: string } | { form: "executable"; command: string[] };

/** Looked for in this order; the first that exists wins. */
export const MODULE_EXTENSIONS = [".js", ".mjs", ".ts"] as const;

export function targetForFile(file: string): HookTarget {
  const ext = path.extname(file).toLowerCase();
  if ((MODULE_EXTENSIONS as readonly string[]).includes(ext)) return { form: "module", file };
  if (ext === ".php") return { form: "php", file };
  return { form: "executable", command: [file] };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  if (!(await isFile(file))) return false;
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the hook: an explicit `command` or `file` from the config, else in `dir`:
 * `<hook>.js`, `<hook>.mjs`, `<hook>.ts`, `<hook>.php`, then an executable `<hook>`.
 * Returns the candidates looked at when nothing is found (for HookNotFoundError).
 */
export async function findHook(
  dir: string,
  hook: HookName,
  settings: Pick<HookSettings, "file" | "command">,
): Promise<{ target: HookTarget } | { target: null; looked: string[] }> {
  if (settings.command) return { target: { form: "executable", command: settings.command } };
  if (settings.file) {
    const file = path.resolve(dir, settings.file);
    const target = targetForFile(file);
    const found = target.form === "executable" ? await isExecutable(file) : await isFile(file);
    return found ? { target } : { target: null, looked: [file] };
  }
  const looked: string[] = [];
  for (const ext of [...MODULE_EXTENSIONS, ".php"]) {
    const file = path.join(dir, `${hook}${ext}`);
    looked.push(file);
    if (await isFile(file)) return { target: targetForFile(file) };
  }
  const bare = path.join(dir, hook);
  looked.push(`${bare} (executable)`);
  if (await isExecutable(bare)) return { target: { form: "executable", command: [bare] } };
  return { target: null, looked };
}
