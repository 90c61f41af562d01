/**
 * The call tracker: AMI messages in, Itgrix-style call stages out. Pure (no I/O, no clock):
 *
 *   let state = createTrackerState();
 *   const { events, touched } = track(state, amiMessage, Date.now(), config);
 *
 * See docs/tracker.md for the model, the stage order guarantees and every call_full field.
 */
export { track } from "./reducer.js";
export { reconcile, type AdoptionClock } from "./reconcile.js";
export { expire } from "./expire.js";
export { adoptionVariables, ANSWER_TIME_VARIABLE, defaultTrackerConfig, DIALED_NUMBER_VARIABLE, type TrackerConfig } from "./config.js";
export { createTrackerState, rebuildIndexes, stateFromCalls, type TrackerState, type CallRecord, type ChannelRecord, type ConversationRecord } from "./model.js";
export type { Stage, StageEvent, ConversationRequested, ConversationAccepted, ConversationEnded, CallEnded, TrackResult, TrackerDiagnostic } from "./stage-event.js";
export {
  ZERO_TIME,
  type CallFull,
  type ChannelFull,
  type ConversationFull,
  type PartyInfo,
  type TrunkInfo,
  type ChannelExtra,
  type ClickToCallFull,
  type ParkFull,
  type PickupFull,
  type TransferFull,
  type CallDirection,
  type CallEndReason,
  type DateTimeString,
} from "./call-full.js";
export { ORIGINATE_REASONS } from "./outcome.js";
export { snapshotCall } from "./snapshot.js";
