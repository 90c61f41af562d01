/** The method table of the emulated portal (lower-case names). */
import { batchMethods } from "./batch.js";
import { appMethods } from "./methods/app.js";
import { crmMethods } from "./methods/crm.js";
import { eventMethods } from "./methods/events.js";
import { imMethods } from "./methods/im.js";
import { taskMethods } from "./methods/tasks.js";
import { telephonyMethods } from "./methods/telephony.js";
import { userMethods } from "./methods/user.js";
import { voximplantMethods } from "./methods/voximplant.js";
import type { Portal } from "./portal.js";

export function installMethods(portal: Portal): void {
  const all = {
    ...batchMethods,
    ...userMethods,
    ...telephonyMethods,
    ...crmMethods,
    ...taskMethods,
    ...imMethods,
    ...eventMethods,
    ...appMethods,
    ...voximplantMethods,
  };
  for (const [name, def] of Object.entries(all)) portal.methods.set(name.toLowerCase(), def);
}
