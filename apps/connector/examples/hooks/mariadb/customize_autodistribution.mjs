// customize_autodistribution — route a caller to their personal manager, looked up in an
// external database (a billing or ERP table) rather than in Bitrix24.
//
//   CREATE TABLE clients (phone VARCHAR(32) PRIMARY KEY, manager_ext VARCHAR(8), company VARCHAR(100));
//
// In-process hooks are loaded once and kept, so the pool is reused across calls. Install the
// driver next to your hooks (`npm install mysql2` in the hooks directory). The connection
// string comes from the environment (HOOKS_DB_URL), never from the file.

import mysql from "mysql2/promise";

const pool = mysql.createPool({
  uri: process.env.HOOKS_DB_URL ?? "mysql://root@127.0.0.1:3306/test",
  connectionLimit: 2,
  connectTimeout: 2_000,
});
const TABLE = process.env.HOOKS_DB_TABLE ?? "clients";

export default async function customizeAutodistribution(input) {
  const caller = (input.from ?? "").replace(/\D/g, "").slice(-10);
  if (!caller) return { data: {}, state: "success" };
  const [rows] = await pool.query(`SELECT manager_ext, company FROM \`${TABLE}\` WHERE RIGHT(phone, 10) = ? LIMIT 1`, [caller]);
  const row = rows[0];
  if (!row) return { data: {}, state: "success" }; // unknown caller: the normal route
  return { data: { number: row.manager_ext, name: String(row.company).slice(0, 20) }, state: "success" };
}

/** For tests and graceful shutdown. */
export async function closePool() {
  await pool.end();
}
