#!/usr/bin/env node
// `license-tool` bin: runs the TypeScript CLI through tsx (the repo has no build step).
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
