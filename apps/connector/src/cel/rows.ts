/**
 * CEL and CDR rows with Asterisk's own column names (cel_odbc / cel_pgsql / cel_custom,
 * cdr_adaptive_odbc / cdr_pgsql / Master.csv, FreePBX `asteriskcdrdb.cel` and `.cdr`).
 * Every source normalizes its rows to these shapes: times are `Date`, numbers are numbers,
 * text is text ("" when the column is NULL or absent).
 */

/** One row of the CEL table (`cel` in FreePBX's asteriskcdrdb). */
export interface CelRow {
  /** Auto-increment id when the table has one (cel_odbc/FreePBX `id`, cel-custom `AcctId`). */
  id?: number;
  /** CHAN_START, ANSWER, HANGUP, BRIDGE_ENTER… (cel_pgsql may store the numeric code: mapped to the name). */
  eventtype: string;
  /** Event time (datetime(6) in MySQL, timestamp in PostgreSQL, "YYYY-MM-DD HH:MM:SS.ffffff" in CSV). */
  eventtime: Date;
  cid_name: string;
  cid_num: string;
  cid_ani: string;
  cid_rdnis: string;
  cid_dnid: string;
  exten: string;
  context: string;
  channame: string;
  appname: string;
  appdata: string;
  amaflags: number;
  accountcode: string;
  peeraccount: string;
  uniqueid: string;
  linkedid: string;
  userfield: string;
  peer: string;
  /** USER_DEFINED event name (`userdeftype`), "" otherwise. */
  userdeftype: string;
  /** JSON text since Asterisk 12 (`{"hangupcause":16,"hangupsource":"…","dialstatus":"ANSWER"}`), "" when empty. */
  extra: string;
}

/** One row of the CDR table (`cdr` in asteriskcdrdb, or a line of Master.csv). */
export interface CdrRow {
  /** Start of the CDR (`calldate` in FreePBX / cdr_mysql, `start` in cdr_pgsql / Master.csv). */
  calldate: Date;
  answer: Date | null;
  end: Date | null;
  clid: string;
  src: string;
  dst: string;
  dcontext: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  duration: number;
  billsec: number;
  /** ANSWERED, NO ANSWER, BUSY, FAILED, CONGESTION. */
  disposition: string;
  amaflags: string;
  accountcode: string;
  uniqueid: string;
  userfield: string;
  did: string;
  recordingfile: string;
  cnum: string;
  cnam: string;
  outbound_cnum: string;
  linkedid: string;
  peeraccount: string;
  sequence: number;
}

/** The rows of one call: every CEL row whose linkedid is the call's, in event order (eventtime, id). */
export interface CelCallRows {
  linkedid: string;
  cel: CelRow[];
  /** The call's CDR rows when the source has a CDR table / Master.csv, else undefined. */
  cdr: CdrRow[] | undefined;
}
