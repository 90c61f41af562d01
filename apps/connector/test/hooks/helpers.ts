import { execFileSync } from "node:child_process";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CallFull, HookB24, HookErrorRecord, HookInputs, HookName } from "../../src/hooks/index.js";
import { buildHookInput } from "../../src/hooks/index.js";

/** An incoming call from +7 916 123-45-67 over trunk 73432723033, answered by ext. 101 (user 7). */
export function sampleCallFull(overrides: Partial<CallFull> = {}): CallFull {
  const number = (n: string) => ({ number: n });
  const primary = {
    answer_time: "2026-11-20 10:00:05",
    end_time: "2026-11-20 10:01:10",
    start_time: "2026-11-20 10:00:00",
    extra: {},
    from: number("89161234567"),
    to: number("73432723033"),
    trunk: number("73432723033"),
    id: "1763632800.101",
    is_primary: true,
    name: "PJSIP/trunk-00000001",
    state: "processed" as const,
    type: "incoming" as const,
    was_answered: true,
  };
  return {
    active_conversation_id: "1763632800.102",
    channel: primary,
    conversations: {
      "1763632800.102": {
        channel: { ...primary, id: "1763632800.102", is_primary: false, name: "PJSIP/101-00000002", to: number("101") },
        is_parked: false,
        user: { id: 7, name: "Anna Petrova", phones: ["101"] },
      },
    },
    deal: null,
    entity: { type: "lead", id: 11201, name: "ACME LLC", responsible_id: 7 },
    is_ivr: false,
    record: "/var/spool/asterisk/monitor/2026/11/20/in-101-89161234567-1763632800.101.wav",
    registration: { CALL_ID: "externalCall.3f2a", CRM_ACTIVITY_ID: 5512, USER_ID: 7 },
    result: 200,
    ...overrides,
  };
}

export function sampleInput<H extends HookName>(hook: H, call: CallFull = sampleCallFull()): HookInputs[H] {
  return buildHookInput(hook, call, "conversation_requested");
}

/** A valid answer per hook (the Itgrix envelope) and the data the runner must hand back. */
export const VALID: { [H in HookName]: { answer: unknown; data: unknown } } = {
  customize_activity: {
    answer: { data: { SUBJECT: "Call with ACME", DESCRIPTION: "Asked for an invoice" }, state: "success" },
    data: { SUBJECT: "Call with ACME", DESCRIPTION: "Asked for an invoice" },
  },
  customize_entity: {
    answer: { data: { COMMENTS: "Called on 2026-11-20", UF_CRM_LAST_TRUNK: "73432723033" }, state: "success" },
    data: { COMMENTS: "Called on 2026-11-20", UF_CRM_LAST_TRUNK: "73432723033" },
  },
  need_registration: { answer: { data: { result: false }, state: "success" }, data: { result: false } },
  process_client_phone: { answer: { data: { phone: "+79161234567" }, state: "success" }, data: { phone: "+79161234567" } },
  process_final_params: {
    answer: { data: { ADD_TO_CHAT: 0, CALL_ID: "externalCall.3f2a", DURATION: 65, STATUS_CODE: 304, USER_ID: "5" }, state: "success" },
    data: { ADD_TO_CHAT: 0, CALL_ID: "externalCall.3f2a", DURATION: 65, STATUS_CODE: "304", USER_ID: 5 },
  },
  process_originate_params: {
    answer: {
      data: { caller_id: "ACME <101>", channel: "PJSIP/101", context: "from-internal", extension: "989161234567", priority: 1, request_data: { USER_ID: 7 } },
      state: "success",
    },
    data: { caller_id: "ACME <101>", channel: "PJSIP/101", context: "from-internal", extension: "989161234567", priority: 1, request_data: { USER_ID: 7 } },
  },
  process_record_file_path: {
    answer: { data: "/var/spool/asterisk/monitor/2026/11/20/in-101.mp3", state: "success" },
    data: { path: "/var/spool/asterisk/monitor/2026/11/20/in-101.mp3" },
  },
  process_registration_params: {
    answer: {
      data: { CALL_START_DATE: "2026-11-20 10:00:00", CRM_CREATE: 0, CRM_SOURCE: "CALL", LINE_NUMBER: "73432723033", PHONE_NUMBER: "79161234567", SHOW: 0, TYPE: 2, USER_ID: 7 },
      state: "success",
    },
    data: { CALL_START_DATE: "2026-11-20 10:00:00", CRM_CREATE: 0, CRM_SOURCE: "CALL", LINE_NUMBER: "73432723033", PHONE_NUMBER: "79161234567", SHOW: 0, TYPE: 2, USER_ID: 7 },
  },
  process_task_creation_params: {
    answer: { data: { fields: { TITLE: "Call back ACME", RESPONSIBLE_ID: 5, UF_CRM_TASK: ["L_11201"], PRIORITY: "2" } }, state: "success" },
    data: { fields: { TITLE: "Call back ACME", RESPONSIBLE_ID: 5, UF_CRM_TASK: ["L_11201"], PRIORITY: "2" } },
  },
  process_user_phone: { answer: { data: { phone: "101" }, state: "success" }, data: { phone: "101" } },
  customize_autodistribution: {
    answer: { data: { number: "102", name: "ACME LLC", entity: { id: 1 }, from: "x" }, state: "success" },
    data: { number: "102", name: "ACME LLC" },
  },
  post_registration: { answer: { state: "success" }, data: null },
  customize_show_call_card: {
    answer: { data: { CALL_ID: "externalCall.3f2a", USER_ID: [7, 8] }, state: "success" },
    data: { CALL_ID: "externalCall.3f2a", USER_ID: [7, 8] },
  },
  customize_attach_record_url: {
    answer: { data: { DESCRIPTION: '<a href="https://pbx/rec/1.mp3">record</a>', DESCRIPTION_TYPE: 3 }, state: "success" },
    data: { DESCRIPTION: '<a href="https://pbx/rec/1.mp3">record</a>', DESCRIPTION_TYPE: 3 },
  },
};

export type Behaviour = { kind: "answer"; value: unknown } | { kind: "throw" } | { kind: "hang" } | { kind: "bad-json" } | { kind: "empty" };

export type Form = "module" | "executable" | "php";

/** Writes one generated hook in the given form; returns the file. */
export async function writeHook(dir: string, hook: HookName, form: Form, behaviour: Behaviour): Promise<string> {
  if (form === "module") {
    const body = {
      answer: `export default async (input, ctx) => (${JSON.stringify((behaviour as { value?: unknown }).value)});`,
      throw: `export default () => { throw new Error("boom from hook"); };`,
      hang: `export default (input, ctx) => new Promise(() => {});`,
      "bad-json": `export default () => ({ data: { DURATION: 10n }, state: "success" });`,
      empty: `export default () => ({ data: {}, state: "success" });`,
    }[behaviour.kind];
    const file = path.join(dir, `${hook}.mjs`);
    await writeFile(file, body);
    return file;
  }
  if (form === "executable") {
    const answer = JSON.stringify(JSON.stringify((behaviour as { value?: unknown }).value));
    const act = {
      answer: `process.stdout.write(${answer});`,
      throw: `throw new Error("boom from hook");`,
      hang: `setInterval(() => {}, 1000);`,
      "bad-json": `process.stdout.write("{not json");`,
      empty: `process.stdout.write(JSON.stringify({ data: [], state: "success" }));`,
    }[behaviour.kind];
    const body = `#!/usr/bin/env node\nlet s = "";\nprocess.stdin.on("data", (c) => (s += c)).on("end", () => {\n  const input = JSON.parse(s);\n  ${act}\n});\n`;
    const file = path.join(dir, hook);
    await writeFile(file, body);
    await chmod(file, 0o755);
    return file;
  }
  const value = JSON.stringify((behaviour as { value?: unknown }).value);
  const body = {
    answer: `<?php\nreturn json_decode(<<<'JSON'\n${value}\nJSON, true);\n`,
    throw: `<?php\nthrow new RuntimeException("boom from hook");\n`,
    hang: `<?php\nsleep(60);\nreturn ['state' => 'success'];\n`,
    "bad-json": `<?php\nfwrite(STDOUT, "{not json");\nexit(0);\n`,
    empty: `<?php\nreturn ['data' => [], 'state' => 'success'];\n`,
  }[behaviour.kind];
  const file = path.join(dir, `${hook}.php`);
  await writeFile(file, body);
  return file;
}

export async function tempDir(prefix = "ab24-hooks-"): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** An error sink that keeps what it gets. */
export function collectingSink(): { records: HookErrorRecord[]; sink: (r: HookErrorRecord) => void } {
  const records: HookErrorRecord[] = [];
  return { records, sink: (r) => void records.push(r) };
}

/** A fake Bitrix24: records calls, answers from a table. */
export function fakeB24(answers: Record<string, unknown> = {}): HookB24 & { calls: { method: string; params: unknown }[] } {
  const calls: { method: string; params: unknown }[] = [];
  return {
    calls,
    call: async (method, params) => {
      calls.push({ method, params: params ?? {} });
      if (!(method in answers)) throw Object.assign(new Error(`no fake answer for ${method}`), { name: "B24BusinessError" });
      return answers[method];
    },
  };
}

/** php on PATH? With CI=true a missing php is a failure, not a skip (see requirePhp). */
export function phpAvailable(): boolean {
  try {
    execFileSync("php", ["-r", "echo 1;"], { timeout: 10_000, stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Installs php through scripts/ensure-php.sh when it is missing (bounded), then says whether it is there. */
export function ensurePhp(): boolean {
  if (phpAvailable()) return true;
  try {
    const script = path.resolve(import.meta.dirname, "../../../../scripts/ensure-php.sh");
    execFileSync("bash", [script], { timeout: 900_000, stdio: "pipe" });
  } catch {
    /* reported by the caller */
  }
  return phpAvailable();
}

export const IS_CI = process.env.CI === "true" || process.env.CI === "1";

/** Is a process gone (or a zombie nobody waits for)? */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}
