import { z } from "zod";

/** `db.table` or `table`: SQL identifiers only (names are interpolated into queries). */
const tableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, "a table name (letters, digits, _; optionally db.table)");

/**
 * `cel`: where Asterisk's Channel Event Logging (and CDR) rows are read from, to rebuild calls
 * (reprocessing, verification). Optional: without it the connector has no second source.
 *
 *   {"type": "mysql", "url": "mysql://freepbxuser:secret@127.0.0.1/asteriskcdrdb"}              FreePBX
 *   {"type": "postgres", "url": "postgres://asterisk@db/asterisk", "table": "cel", "cdrTable": "cdr"}
 *   {"type": "csv", "csvPath": "/var/log/asterisk/cel-custom/Master.csv", "cdrCsvPath": "/var/log/asterisk/cdr-csv/Master.csv"}
 */
export const celConfigSchema = z
  .strictObject({
    type: z.enum(["mysql", "postgres", "csv"]),
    /** mysql://user:pass@host:3306/asteriskcdrdb or postgres://user:pass@host:5432/db (mysql/postgres). */
    url: z.string().min(1).optional(),
    /** CEL table (FreePBX: `cel` in asteriskcdrdb). */
    table: tableName.default("cel"),
    /** CDR table, or null when the installation has none. */
    cdrTable: tableName.nullable().default("cdr"),
    /** cel-custom CSV file (csv). */
    csvPath: z.string().min(1).optional(),
    /** Master.csv of cdr_csv (csv, optional). */
    cdrCsvPath: z.string().min(1).optional(),
    /**
     * Column order of a header-less cel-custom file (the `Master.csv => ${CSV_QUOTE(${eventtype})},…`
     * line of cel_custom.conf). Default: the order of Asterisk's sample cel_custom.conf. A file whose
     * first line is a header names its own columns.
     */
    csvColumns: z.array(z.string().min(1)).optional(),
    /**
     * Zone of times stored without one (MySQL datetime, PostgreSQL timestamp without time zone,
     * CSV): "UTC", an offset "+03:00", or an IANA name "Europe/Moscow". Asterisk writes the PBX's
     * local time unless `usegmtime=yes`.
     */
    timezone: z.string().default("UTC"),
    /** Rows fetched per round trip (streaming; memory stays bounded). */
    batchSize: z.number().int().min(10).max(100_000).default(2000),
  })
  .superRefine((c, ctx) => {
    if (c.type !== "csv" && !c.url) ctx.addIssue({ code: "custom", path: ["url"], message: `required for type ${c.type}` });
    if (c.type === "csv" && !c.csvPath) ctx.addIssue({ code: "custom", path: ["csvPath"], message: "required for type csv" });
  });

export type CelConfig = z.infer<typeof celConfigSchema>;
export type CelConfigInput = z.input<typeof celConfigSchema>;
