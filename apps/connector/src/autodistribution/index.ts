export {
  Autodistribution,
  callerName,
  MAX_NAME_LENGTH,
  type AutodistributionAnswer,
  type AutodistributionQuery,
  type AutodistributionReason,
  type AutodistributionDeps,
} from "./resolver.js";
export { autodistributionSchema, type AutodistributionConfig } from "./config.js";
export { createAutodistributionRouter } from "./http.js";
export { FastAgiServer, parseAgiEnvironment, type AgiRequest, type FastAgiOptions } from "./fastagi.js";
export { withinWorkingHours, localTime, type WorkingHours } from "./working-hours.js";
