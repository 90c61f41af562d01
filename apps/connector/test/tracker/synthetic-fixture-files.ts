/**
 * The SYNTHETIC flows of synthetic-flows.ts as fixture files in the format of the real
 * recordings (packages/testkit/fixtures/asterisk/README.md): NAME.jsonl, NAME.actions.jsonl,
 * NAME.ami, NAME.md, NAME.expect.json. Written by `pnpm tsx apps/connector/test/tracker/synthetic-fixture-files.ts`;
 * synthetic-fixture-files.test.ts checks the committed files still equal the builders.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serializeFields } from "@asterisk-b24/ami";
import { SYNTHETIC_RECORDINGS_DIR } from "@asterisk-b24/testkit";
import { syntheticFlows, type SyntheticFlow } from "./synthetic-flows.js";

const jsonl = (rows: Array<{ t: number; fields: readonly (readonly [string, string])[] }>) => rows.map((r) => JSON.stringify({ t: r.t, fields: r.fields })).join("\n") + "\n";

export function fixtureFiles(flow: SyntheticFlow): Record<string, string> {
  const last = flow.messages.at(-1)?.t ?? 0;
  const actions = [
    {
      t: 0,
      fields: [
        ["Action", "Login"],
        ["Username", "crm"],
        ["Secret", "********"],
        ["Events", "on"],
        ["ActionID", "synthetic-1"],
      ] as [string, string][],
    },
    {
      t: last + 100,
      fields: [
        ["Action", "Logoff"],
        ["ActionID", "synthetic-2"],
      ] as [string, string][],
    },
  ];
  const ami = "Asterisk Call Manager/11.0.0\r\n" + flow.messages.map((m) => serializeFields(m.message.fields)).join("");
  const md = [
    `# SYNTHETIC: ${flow.title}`,
    "",
    "**Synthetic fixture, not captured from a PBX.** Built by `apps/connector/test/tracker/synthetic-flows.ts`",
    `from the Asterisk 22 AMI documentation of the events ${flow.events.join(", ")}, with the field`,
    "sets of the real Asterisk 22 recordings in `../asterisk/` (same PBX: trunk `provider`, DID 74951234567,",
    "phones 101 Ivan Petrov, 102 Maria Ivanova). Same file format as the real recordings.",
    "",
    "## Scenario",
    "",
    flow.story,
    "",
  ].join("\n");
  const expect = {
    scenario: flow.name,
    description: `SYNTHETIC (built from the Asterisk 22 AMI documentation): ${flow.title}`,
    source: `${flow.name}.md`,
    synthetic: true,
    replay: { speed: 1 },
    b24: { auth: "webhook", contacts: [{ ID: 1, NAME: "Known", LAST_NAME: "Client", ASSIGNED_BY_ID: flow.contactOwner, PHONE: [{ VALUE: "+79161234567", VALUE_TYPE: "WORK" }] }] },
    product: { cardMode: "ringing" },
    settleMs: 5000,
    timeoutMs: 240000,
    expect: flow.expect,
  };
  return {
    [`${flow.name}.jsonl`]: jsonl(flow.messages.map((m) => ({ t: m.t, fields: m.message.fields }))),
    [`${flow.name}.actions.jsonl`]: jsonl(actions),
    [`${flow.name}.ami`]: ami,
    [`${flow.name}.md`]: md,
    [`${flow.name}.expect.json`]: JSON.stringify(expect, null, 2) + "\n",
  };
}

export function allFixtureFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flow of syntheticFlows()) Object.assign(out, fixtureFiles(flow));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(allFixtureFiles())) writeFileSync(join(SYNTHETIC_RECORDINGS_DIR, name), text);
  process.stdout.write(`written to ${SYNTHETIC_RECORDINGS_DIR}\n`);
}
