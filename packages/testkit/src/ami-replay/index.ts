export { startAmiReplayServer, type AmiReplayServer, type AmiReplayServerOptions } from "./server.js";
export type { AmiReplayDrop } from "./player.js";
export type { AmiReplayStartMode } from "./playlist.js";
export type { ChunkingOptions } from "./session.js";
export type { CommandFormat } from "./replies.js";
export { ChannelTracker, type LiveChannel } from "./channels.js";
export { EventFilter } from "./event-filter.js";
export { seededRandom } from "../util/random.js";
