export * from "./aggregate.js";
export * from "./call-figures.js";
export * from "./csv.js";
export * from "./period.js";
export * from "./router.js";
export * from "./service.js";
export * from "./store.js";
