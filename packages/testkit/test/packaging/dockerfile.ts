/**
 * A small Dockerfile reader for the packaging tests: there is no Docker engine here, so the tests run
 * the Dockerfile's own RUN step (the bundle's install.sh) in a private mount + network namespace
 * instead, and check the rest of the image definition (base, non-root USER, HEALTHCHECK) statically.
 */
export interface Dockerfile {
  from: string;
  args: Record<string, string>;
  add: { src: string; dest: string } | undefined;
  run: string[];
  user: string | undefined;
  workdir: string | undefined;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

function jsonArray(text: string): string[] {
  const value = JSON.parse(text) as unknown;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) throw new SyntaxError(`not a JSON string array: ${text}`);
  return value as string[];
}

export function parseDockerfile(text: string): Dockerfile {
  const lines: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    lines.push(`${pending}${line}`.trim());
    pending = "";
  }
  const out: Dockerfile = { from: "", args: {}, add: undefined, run: [], user: undefined, workdir: undefined, entrypoint: [], cmd: [], healthcheck: [] };
  for (const line of lines) {
    const [instruction, ...restWords] = line.split(/\s+/);
    const rest = line.slice(instruction!.length).trim();
    switch (instruction!.toUpperCase()) {
      case "FROM":
        out.from = rest;
        break;
      case "ARG": {
        const [name, value] = rest.split("=");
        out.args[name!] = value ?? "";
        break;
      }
      case "ADD":
        out.add = { src: restWords[0]!, dest: restWords[1]! };
        break;
      case "RUN":
        out.run.push(rest);
        break;
      case "USER":
        out.user = rest;
        break;
      case "WORKDIR":
        out.workdir = rest;
        break;
      case "ENTRYPOINT":
        out.entrypoint = jsonArray(rest);
        break;
      case "CMD":
        out.cmd = jsonArray(rest);
        break;
      case "HEALTHCHECK": {
        const at = rest.indexOf("CMD ");
        out.healthcheck = at >= 0 ? jsonArray(rest.slice(at + 4)) : [];
        break;
      }
      default:
        break;
    }
  }
  return out;
}

/** `${NAME}` / `$NAME` → ARG value. */
export function expandArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)\}|\$([A-Z_][A-Z0-9_]*)/g, (whole, a: string | undefined, b: string | undefined) => args[(a ?? b)!] ?? whole);
}
