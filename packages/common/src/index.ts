export * from "./log.js";
export * from "./config.js";
export * from "./redis.js";
export * from "./oauth.js";
export * from "./click-to-call.js";
