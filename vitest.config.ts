import { defineConfig } from "vitest/config";

// One runner for the whole repo. Unit tests are pure and fast; integration tests open
// real sockets (AMI replay server, Bitrix24 emulator) and talk to the real Redis,
// PostgreSQL and MariaDB on this machine. With CI=true a missing service fails the test.
export default defineConfig({
  test: {
    include: ["apps/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".tmp/vitest-report.json" },
  },
});
