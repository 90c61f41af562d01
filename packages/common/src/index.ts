export * from "./log.js";
export * from "./config.js";
export * from "./redis.js";
export * from "./oauth.js";
export * from "./oauth-store.js";
export * from "./http-errors.js";
export * from "./click-to-call.js";
