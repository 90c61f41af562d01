import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { RecordingPathError } from "./errors.js";

/**
 * Where the recording file is on this machine, from what the PBX said.
 *
 * - `MIXMONITOR_FILENAME` (or a CDR `recordingfile` column) is either absolute
 *   (`/var/spool/asterisk/monitor/2026/03/07/in-…wav`) or relative to the monitor folder.
 * - FreePBX stores just the file name in the CDR and the file under `YYYY/MM/DD/`:
 *   `datedSubfolders` puts a bare name under the call's date.
 * - When the connector runs elsewhere (docker, another host with an NFS mount), `mounts`
 *   rewrites the PBX's prefix to the local one.
 * - A relative name may not climb out of the monitor folder; with `allowedRoots`, absolute paths
 *   must be inside one of them.
 */

export interface RecordingLocation {
  /** The PBX's monitor folder (default /var/spool/asterisk/monitor). */
  monitorDir?: string;
  /** Bare file names live under monitorDir/YYYY/MM/DD (FreePBX). Default false. */
  datedSubfolders?: boolean;
  /** PBX path prefix → local path prefix, first match wins. */
  mounts?: Array<{ pbx: string; local: string }>;
  /** Absolute paths (after mounts) must be inside one of these. Default: any absolute path. */
  allowedRoots?: string[];
}

export const DEFAULT_MONITOR_DIR = "/var/spool/asterisk/monitor";

const pad = (n: number) => String(n).padStart(2, "0");

function inside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Resolves the PBX's recording name to a local absolute path (throws RecordingPathError). */
export function resolveRecordingPath(name: string, location: RecordingLocation = {}, callStartedAt?: Date): string {
  const raw = name.trim();
  if (raw === "" || raw.includes("\0")) throw new RecordingPathError("empty recording file name");
  const monitorDir = location.monitorDir ?? DEFAULT_MONITOR_DIR;

  let path: string;
  if (isAbsolute(raw)) {
    path = normalize(raw);
  } else {
    let rel = raw;
    if (location.datedSubfolders && !raw.includes("/") && callStartedAt) {
      const d = callStartedAt;
      rel = join(String(d.getFullYear()), pad(d.getMonth() + 1), pad(d.getDate()), raw);
    }
    path = resolve(monitorDir, rel);
    if (!inside(monitorDir, path)) throw new RecordingPathError(`"${raw}" leaves the monitor folder`);
  }

  for (const mount of location.mounts ?? []) {
    const from = mount.pbx.endsWith(sep) ? mount.pbx.slice(0, -1) : mount.pbx;
    if (path === from || path.startsWith(from + sep)) {
      path = join(mount.local, path.slice(from.length));
      break;
    }
  }
  if (location.allowedRoots && !location.allowedRoots.some((root) => inside(root, path))) {
    throw new RecordingPathError(`"${raw}" is outside the allowed recording folders`);
  }
  return path;
}
