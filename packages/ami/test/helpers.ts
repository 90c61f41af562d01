import type { EventEmitter } from "node:events";
import { AmiClient, type AmiClientOptions, type AmiLogger } from "../src/index.js";
// relative: testkit depends on ami, so ami cannot depend on testkit by name
import type { AmiReplayServer } from "../../testkit/src/index.js";

/** Resolves with the next `event` whose payload satisfies `predicate`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event map: the helper waits on emitters of every kind
export function next<T>(emitter: EventEmitter<any>, event: string, predicate: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T) => {
      if (!predicate(value)) return;
      (emitter as EventEmitter).off(event, listener);
      resolve(value);
    };
    (emitter as EventEmitter).on(event, listener);
  });
}

/** Polls a condition on the event loop (no wall-clock assertion; the test timeout is the guard). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

export function clientFor(server: AmiReplayServer, options: Partial<AmiClientOptions> = {}): AmiClient {
  return new AmiClient({
    host: server.host,
    port: server.port,
    username: "crm",
    secret: "secret",
    keepalive: false,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50, jitter: 0 },
    actionTimeoutMs: 5_000,
    ...options,
  });
}

/** A logger that records every call as JSON (to prove the secret never appears). */
export function recordingLogger(): AmiLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) => {
    lines.push(JSON.stringify({ level, ...obj, msg }, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : v)));
  };
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
