import { B24Emulator } from "./emulator.js";
import { inspectionHandler } from "./inspection.js";
import { completeUpload } from "./methods/telephony.js";
import { Portal } from "./portal.js";
import { installMethods } from "./registry.js";
import { EmulatorServer } from "./server.js";
import type { B24EmulatorOptions } from "./types.js";

export async function startB24Emulator(options: B24EmulatorOptions = {}): Promise<B24Emulator> {
  const portal = new Portal(options);
  installMethods(portal);
  let emu: B24Emulator | undefined;
  const server = new EmulatorServer(
    portal,
    inspectionHandler(() => {
      if (!emu) throw new Error("emulator not started");
      return emu;
    }),
    completeUpload,
  );
  const port = await server.listen(options.port ?? 0);
  portal.baseUrl = `http://127.0.0.1:${port}`;
  emu = new B24Emulator(portal, server, port);
  return emu;
}
