/**
 * A small FastAGI server of our own (ding-dong splits `agi_request: agi://host:4573/x` on every
 * ':'; see peers-and-ami.md §B). One request per connection:
 *
 *   Asterisk → "agi_<name>: <value>\n" … "\n"   (a value may contain ':' — split at the FIRST ": ")
 *   we       → SET VARIABLE AD_NUMBER "<ext>" / AD_NAME "<name>" / AD_REASON "<reason>", each answered
 *              "200 result=1"; then we close and the dialplan goes on.
 *   "HANGUP" (AGISIGHUP) at any time → we stop sending.
 *
 * Dialplan: AGI(agi://127.0.0.1:4573/autodistribution[,<caller number>])
 * The caller is agi_arg_1 if given, else agi_callerid; the line is agi_dnid / agi_extension.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Logger } from "pino";
import type { AutodistributionAnswer, AutodistributionQuery } from "./resolver.js";

export interface AgiRequest {
  /** agi_* variables without the prefix (`request`, `callerid`, `arg_1`, …). */
  vars: Record<string, string>;
  /** Path of agi_request (`/autodistribution`). */
  script: string;
  args: string[];
}

/** Parses the environment block ("agi_x: y" lines). Exported for tests. */
export function parseAgiEnvironment(lines: string[]): AgiRequest {
  const vars: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const key = line.slice(0, i).trim();
    if (!key.startsWith("agi_")) continue;
    vars[key.slice(4)] = line.slice(i + 1).replace(/^ /, "");
  }
  let script = vars.network_script ? `/${vars.network_script.split("?")[0]}` : "";
  if (!script && vars.request) {
    try {
      script = new URL(vars.request).pathname;
    } catch {
      script = "";
    }
  }
  const args: string[] = [];
  for (let n = 1; vars[`arg_${n}`] !== undefined; n++) args.push(vars[`arg_${n}`]!);
  return { vars, script, args };
}

/** SET VARIABLE's value in double quotes; the resolver already removed quotes and backslashes. */
function quote(value: string): string {
  return `"${value
    .replace(/[\r\n]/g, " ")
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')}"`;
}

export interface FastAgiOptions {
  host: string;
  port: number;
  resolve: (q: AutodistributionQuery) => Promise<AutodistributionAnswer>;
  logger: Logger;
  /** Give up on a silent Asterisk after this long (default 10 s). */
  idleMs?: number;
}

/** Reads "\n"-separated lines from a socket, one at a time. */
class LineReader {
  #buf = "";
  #lines: string[] = [];
  #waiters: Array<(line: string | undefined) => void> = [];
  #ended = false;

  constructor(socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.#buf += chunk;
      let i: number;
      while ((i = this.#buf.indexOf("\n")) >= 0) {
        const line = this.#buf.slice(0, i).replace(/\r$/, "");
        this.#buf = this.#buf.slice(i + 1);
        const w = this.#waiters.shift();
        if (w) w(line);
        else this.#lines.push(line);
      }
    });
    const end = () => {
      this.#ended = true;
      for (const w of this.#waiters.splice(0)) w(undefined);
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  /** Takes the lines already received, without waiting. */
  drain(): string[] {
    return this.#lines.splice(0);
  }

  next(): Promise<string | undefined> {
    const l = this.#lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

export class FastAgiServer {
  #server: Server | undefined;
  #sockets = new Set<Socket>();
  requests = 0;
  hangups = 0;

  constructor(private readonly o: FastAgiOptions) {}

  async start(): Promise<number> {
    const server = (this.#server = createServer((socket) => void this.#session(socket)));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    const addr = server.address();
    return typeof addr === "object" && addr ? addr.port : this.o.port;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    if (this.#server) await new Promise<void>((resolve) => this.#server!.close(() => resolve()));
  }

  async #session(socket: Socket): Promise<void> {
    this.#sockets.add(socket);
    socket.setTimeout(this.o.idleMs ?? 10_000, () => socket.destroy());
    socket.on("close", () => this.#sockets.delete(socket));
    const reader = new LineReader(socket);
    let hungUp = false;
    const readReply = async (): Promise<string | undefined> => {
      // "200 result=1", or a multi-line "520-…" ending with "520 End of proper usage."; HANGUP may come first.
      for (;;) {
        const line = await reader.next();
        if (line === undefined) return undefined;
        if (line.trim().toUpperCase() === "HANGUP") {
          hungUp = true;
          this.hangups++;
          continue;
        }
        if (/^\d{3} /.test(line)) return line;
      }
    };
    try {
      const env: string[] = [];
      for (;;) {
        const line = await reader.next();
        if (line === undefined) return;
        if (line === "") break;
        if (line.trim().toUpperCase() === "HANGUP") {
          hungUp = true;
          this.hangups++;
          continue;
        }
        env.push(line);
      }
      this.requests++;
      const req = parseAgiEnvironment(env);
      const from = req.args[0] || req.vars.callerid || "";
      const did = req.vars.dnid && req.vars.dnid !== "unknown" ? req.vars.dnid : req.vars.extension;
      const answer = await this.o.resolve({ from, ...(did ? { did } : {}) });
      const sets: Array<[string, string]> = [
        ["AD_NUMBER", answer.number],
        ["AD_NAME", answer.name],
        ["AD_REASON", answer.reason],
      ];
      for (const [name, value] of sets) {
        // a HANGUP that came while we were looking up the answer
        for (const line of reader.drain()) {
          if (line.trim().toUpperCase() === "HANGUP") {
            hungUp = true;
            this.hangups++;
          }
        }
        if (hungUp || socket.destroyed) break;
        socket.write(`SET VARIABLE ${name} ${quote(value)}\n`);
        const reply = await readReply();
        if (reply === undefined || hungUp) break;
        if (!reply.startsWith("200")) this.o.logger.warn({ reply, variable: name }, "FastAGI: Asterisk refused SET VARIABLE");
      }
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, "FastAGI session failed");
    } finally {
      socket.end();
    }
  }
}
