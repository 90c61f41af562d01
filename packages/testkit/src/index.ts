export * from "./recordings/index.js";
export * from "./bench/figure.js";
export * from "./services.js";
export * from "./ami-replay/index.js";
export * from "./b24-emulator/index.js";
export * from "./demo-data/users.js";
export * from "./tls-certificates.js";
