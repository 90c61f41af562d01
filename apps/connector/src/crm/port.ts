/**
 * The one door the stage building blocks use to reach Bitrix24.
 *
 * The parts never import the CRM transport (batcher, limiter, queue): they take a `B24Port`, so
 * the pipeline can hand them the batched client, a test can hand them a fake, and a demo can hand
 * them the tiny webhook port in `webhook-port.ts`.
 */

/** The whole success envelope of one REST call. List methods add `next` and `total`. */
export interface B24Envelope<T = unknown> {
  result: T;
  /** Offset of the next page (`start=<next>`); absent on the last page. */
  next?: number;
  /** Total rows matching the filter (list methods). */
  total?: number;
}

export interface B24Port {
  /** Calls a method and returns its `result`. Business errors reject (the implementation's error type). */
  call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T>;
  /** Same call, but the whole envelope: list methods need `next` to page on. */
  callRaw<T = unknown>(method: string, params: Record<string, unknown>): Promise<B24Envelope<T>>;
}

/**
 * Posts a file to an absolute upload URL Bitrix24 handed out (e.g. `attachRecord`'s `uploadUrl`)
 * as `multipart/form-data` with the file in `fieldName`. Not a REST method, so not part of B24Port.
 */
export interface B24Uploader {
  upload<T = unknown>(url: string, fieldName: string, filename: string, content: Uint8Array): Promise<T>;
}

/** Thrown by `listAll` when a list never ends (a misbehaving server or a runaway filter). */
export class B24PagingError extends Error {
  override readonly name = "B24PagingError";
  constructor(
    readonly method: string,
    readonly pages: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ListAllOptions {
  /** Stop with B24PagingError after this many pages (default 1000 = 50 000 rows). */
  maxPages?: number;
}

/**
 * Reads every page of a list method: `start=0`, then `start=<next>` until `next` is absent.
 * Bitrix24's page size is fixed at 50. A `next` that does not move forward is an error, not a loop.
 */
export async function listAll<Row>(port: B24Port, method: string, params: Record<string, unknown>, options: ListAllOptions = {}): Promise<Row[]> {
  const maxPages = options.maxPages ?? 1000;
  const rows: Row[] = [];
  let start = 0;
  for (let page = 1; ; page++) {
    const envelope = await port.callRaw<Row[] | Record<string, Row>>(method, { ...params, start });
    const result = envelope.result;
    // PHP serialises an empty list as [] but a sparse one as {"0":…}; accept both.
    const pageRows = Array.isArray(result) ? result : result && typeof result === "object" ? Object.values(result) : [];
    rows.push(...pageRows);
    const next = envelope.next;
    if (next === undefined || next === null) return rows;
    if (typeof next !== "number" || next <= start) {
      throw new B24PagingError(method, page, `${method}: next=${String(next)} does not advance past start=${start}`);
    }
    if (page >= maxPages) throw new B24PagingError(method, page, `${method}: more than ${maxPages} pages`);
    start = next;
  }
}

/** A prepared REST call: builders return these, the pipeline sends them (alone or in a batch). */
export interface B24Command<P extends Record<string, unknown> = Record<string, unknown>> {
  method: string;
  params: P;
}
