export { ClickToCallService, type ClickToCallDeps, type ClickToCallJobData, type ClickToCallResult, type ClickToCallStatus, type OriginateCall } from "./service.js";
export { clickToCallSchema, type ClickToCallConfig } from "./config.js";
export { diagnoseOriginate, failureNotice, type OriginateDiagnosis, type OriginateOutcome } from "./diagnostics.js";
export { ClickToCallValueError, cleanPhoneNumber, assertFormat, assertNoControl, assertCallerId, type ClickToCallValueProblem } from "./validate.js";
export { originateAction, type OriginateRequest } from "./originate.js";
