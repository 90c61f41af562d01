import { stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHookRunner } from "../../src/hooks/index.js";
import { IS_CI, collectingSink } from "./helpers.js";

/**
 * The MariaDB example (examples/hooks/mariadb/customize_autodistribution.mjs) against the real
 * MariaDB on 127.0.0.1:3306 (root, empty password, db `test`). With CI=true a MariaDB that does
 * not answer fails this file instead of skipping it.
 */
const DIR = path.resolve(import.meta.dirname, "../../examples/hooks/mariadb");
const TABLE = `hooks_clients_${process.pid}_${Date.now()}`;
const URL = "mysql://root@127.0.0.1:3306/test";

async function connect(): Promise<mysql.Connection | null> {
  try {
    return await mysql.createConnection({ uri: URL, connectTimeout: 3_000 });
  } catch {
    return null;
  }
}

const db = await connect();

describe.skipIf(!db && !IS_CI)("MariaDB example: route the caller to the manager in an external table", () => {
  beforeAll(async () => {
    expect(db, "MariaDB on 127.0.0.1:3306 is not answering (scripts/ensure-services.sh)").not.toBeNull();
    await db!.query(`CREATE TABLE \`${TABLE}\` (phone VARCHAR(32) PRIMARY KEY, manager_ext VARCHAR(8), company VARCHAR(100))`);
    await db!.query(`INSERT INTO \`${TABLE}\` VALUES (?, ?, ?), (?, ?, ?)`, ["+79161234567", "104", "Horns and Hooves Trading House", "74957654321", "102", "ACME"]);
    process.env.HOOKS_DB_URL = URL;
    process.env.HOOKS_DB_TABLE = TABLE;
  });

  afterAll(async () => {
    if (!db) return;
    await db.query(`DROP TABLE IF EXISTS \`${TABLE}\``);
    await db.end();
    const file = path.join(DIR, "customize_autodistribution.mjs");
    const mod = (await import(`${pathToFileURL(file).href}?v=${(await stat(file)).mtimeMs}`)) as { closePool(): Promise<void> };
    await mod.closePool();
  });

  it("a known caller goes to their manager, with the company (≤ 20 chars) as the CallerID name", async () => {
    const { records, sink } = collectingSink();
    const runner = createHookRunner({ config: { dir: DIR, enabled: { customize_autodistribution: true } }, errorSink: sink });
    const result = await runner.run("customize_autodistribution", { number: "101", name: "", from: "89161234567" });
    expect(records.map((r) => r.error.message)).toEqual([]);
    expect(result).toMatchObject({ outcome: "applied", form: "module", data: { number: "104", name: "Horns and Hooves Tra" } });
    const other = await runner.run("customize_autodistribution", { number: "101", name: "", from: "+7 495 765-43-21" });
    expect(other).toMatchObject({ outcome: "applied", data: { number: "102", name: "ACME" } });
  });

  it("an unknown caller: empty data → the normal route (cancelled, not an error)", async () => {
    const { records, sink } = collectingSink();
    const runner = createHookRunner({ config: { dir: DIR, enabled: { customize_autodistribution: true } }, errorSink: sink });
    const result = await runner.run("customize_autodistribution", { number: "101", name: "", from: "+12025550100" });
    expect(result.outcome).toBe("cancelled");
    expect(records).toEqual([]);
  });
});
