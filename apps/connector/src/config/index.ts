export * from "./schema.js";
export * from "./load.js";
export * from "./ami-endpoint.js";
export * from "./warnings.js";
