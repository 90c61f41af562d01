import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createHookRunner, findHook } from "../../src/hooks/index.js";
import { sampleInput, tempDir } from "./helpers.js";

describe("hook discovery", () => {
  it("order: .js, .mjs, .ts, .php, then an executable <hook>; non-executable bare files are ignored", async () => {
    const dir = await tempDir();
    const bare = path.join(dir, "need_registration");
    await writeFile(bare, "#!/bin/sh\necho '{}'\n");
    expect((await findHook(dir, "need_registration", {})).target).toBeNull();
    await chmod(bare, 0o755);
    expect((await findHook(dir, "need_registration", {})).target).toEqual({ form: "executable", command: [bare] });
    await writeFile(path.join(dir, "need_registration.php"), "<?php return [];");
    expect((await findHook(dir, "need_registration", {})).target).toMatchObject({ form: "php" });
    await writeFile(path.join(dir, "need_registration.ts"), "export default () => ({});");
    expect((await findHook(dir, "need_registration", {})).target).toMatchObject({ form: "module", file: path.join(dir, "need_registration.ts") });
    await writeFile(path.join(dir, "need_registration.mjs"), "export default () => ({});");
    expect((await findHook(dir, "need_registration", {})).target).toMatchObject({ form: "module", file: path.join(dir, "need_registration.mjs") });
  });

  it("a TypeScript module hook runs in-process (under tsx / vitest)", async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, "process_user_phone.ts"),
      `type In = { phone: string };\nexport default (input: In): { data: { phone: string }; state: "success" } => ({ data: { phone: input.phone.slice(-3) }, state: "success" });\n`,
    );
    const runner = createHookRunner({ config: { dir, enabled: { process_user_phone: true } } });
    const result = await runner.run("process_user_phone", { ...sampleInput("process_user_phone"), phone: "2101" });
    expect(result).toMatchObject({ outcome: "applied", form: "module", data: { phone: "101" } });
  });

  it("a .mjs module edited on disk is imported afresh", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "process_client_phone.mjs");
    const runner = createHookRunner({ config: { dir, enabled: { process_client_phone: true } } });
    await writeFile(file, `export default () => ({ data: { phone: "+71" }, state: "success" });`);
    expect(await runner.run("process_client_phone", sampleInput("process_client_phone"))).toMatchObject({ data: { phone: "+71" } });
    await writeFile(file, `export default () => ({ data: { phone: "+72" }, state: "success" });`);
    const { utimes } = await import("node:fs/promises");
    await utimes(file, new Date(), new Date(Date.now() + 5_000)); // a different mtime, whatever the clock's resolution
    expect(await runner.run("process_client_phone", sampleInput("process_client_phone"))).toMatchObject({ data: { phone: "+72" } });
  });
});
