import type { CelSource } from "./types.js";
import type { CelConfig } from "./config.js";
import { csvCelSource } from "./csv-source.js";
import { CelSourceError } from "./sql-driver.js";
import { sqlCelSource } from "./sql-source.js";
import { checkTimezone } from "./time.js";

/**
 * The CelSource the `cel` config section describes. Settings are checked now; the database is
 * connected on first use (a connection error then comes from `calls()`/`call()` as a CelSourceError).
 */
export function openCelSource(config: CelConfig): CelSource {
  checkTimezone(config.timezone);
  if (config.type === "csv") {
    if (!config.csvPath) throw new CelSourceError("cel.csvPath: required for type csv");
    return csvCelSource({ csvPath: config.csvPath, cdrCsvPath: config.cdrCsvPath, csvColumns: config.csvColumns, timezone: config.timezone });
  }
  if (!config.url) throw new CelSourceError(`cel.url: required for type ${config.type}`);
  const url = config.url;
  const driver =
    config.type === "mysql"
      ? import("./sql-mysql.js").then((m) => m.mysqlDriver(url, config.timezone))
      : import("./sql-postgres.js").then((m) => m.postgresDriver(url, config.timezone));
  driver.catch(() => undefined); // reported on first use
  return sqlCelSource(driver, { table: config.table, cdrTable: config.cdrTable, timezone: config.timezone, batchSize: config.batchSize });
}
