import { readFileSync } from "node:fs";
import { LicenseFileError } from "./errors.js";

/**
 * Reads a licence file. Returns undefined when the file does not exist (→ evaluation mode);
 * throws LicenseFileError when it exists but cannot be read.
 */
export function readLicenseFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new LicenseFileError(`cannot read licence file ${path} (${code ?? "unknown error"})`);
  }
}
