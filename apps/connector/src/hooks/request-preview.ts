import type { HookInputs, HookOutputs } from "./contract.js";
import { isPlainObject } from "./json.js";
import type { HookName } from "./names.js";

/** The request (or action) a hook's data turns into, as `hook-try` shows it. */
export interface RequestPreview {
  /** "Bitrix24", "AMI", "dialplan" or "none". */
  target: "Bitrix24" | "AMI" | "dialplan" | "none";
  method: string;
  params: unknown;
}

export function previewRequest<H extends HookName>(hook: H, input: HookInputs[H], data: HookOutputs[H]): RequestPreview {
  const d: Record<string, unknown> = isPlainObject(data) ? data : {};
  const i: Record<string, unknown> = isPlainObject(input) ? input : {};
  const activityId = isPlainObject(i.activity) ? i.activity.id : undefined;
  switch (hook) {
    case "customize_activity":
    case "customize_attach_record_url":
      return { target: "Bitrix24", method: "crm.activity.update", params: { id: activityId, fields: d } };
    case "customize_entity": {
      const call = isPlainObject(i.call_full) ? i.call_full : {};
      const entity = isPlainObject(call.entity) ? call.entity : {};
      const type = entity.type === "lead" ? "lead" : "contact";
      return { target: "Bitrix24", method: `crm.${type}.update`, params: { id: entity.id, fields: d } };
    }
    case "need_registration":
      return d.result
        ? { target: "Bitrix24", method: "(this stage's requests)", params: { register: true } }
        : { target: "none", method: "(call not registered: no requests for this stage)", params: { register: false } };
    case "process_client_phone":
      return { target: "Bitrix24", method: "telephony.externalcall.register", params: { PHONE_NUMBER: d.phone } };
    case "process_user_phone":
      return { target: "Bitrix24", method: "(user lookup by phone)", params: { phone: d.phone } };
    case "process_final_params":
      return { target: "Bitrix24", method: "telephony.externalcall.finish", params: d };
    case "process_registration_params":
      return { target: "Bitrix24", method: "telephony.externalcall.register", params: d };
    case "process_originate_params":
      return {
        target: "AMI",
        method: "Originate",
        params: { Channel: d.channel, Context: d.context, Exten: d.extension, Priority: d.priority, CallerID: d.caller_id },
      };
    case "process_record_file_path":
      return { target: "Bitrix24", method: "telephony.externalCall.attachRecord", params: { FILE: d.path } };
    case "process_task_creation_params":
      return { target: "Bitrix24", method: "tasks.task.add", params: d };
    case "customize_autodistribution":
      return { target: "dialplan", method: "(autodistribution answer)", params: d };
    case "customize_show_call_card":
      return { target: "Bitrix24", method: "telephony.externalcall.show", params: d };
    case "post_registration":
      return { target: "none", method: "(nothing: post_registration only acts)", params: null };
  }
  return { target: "none", method: "", params: null };
}
