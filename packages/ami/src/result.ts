import type { AmiMessage } from "./message.js";

/** The outcome of one action: its response and, for list actions, the aggregated events. */
export interface AmiActionResult {
  actionId: string;
  /** The `Response:` message (Success, Error, Follows, Goodbye ...). */
  response: AmiMessage;
  /** EventList items, in order (empty for a plain action). The completion event is not included. */
  events: AmiMessage[];
  /** The event that ended the list (`...Complete`, `EventList: Complete|cancelled`), if any. */
  complete?: AmiMessage;
  /** `Response` is not `Error` and the list (if any) was not cancelled. */
  ok: boolean;
  /** The list ended with `EventList: cancelled`. */
  cancelled: boolean;
}
