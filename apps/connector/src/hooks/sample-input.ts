import type { CallFull, HookConversation } from "./call-full.js";
import type { HookActivity, HookInputs } from "./contract.js";
import { isPlainObject } from "./json.js";
import type { CallStage, HookName } from "./names.js";

/**
 * Builds the input a hook would get for a stored call (used by `hook-try`). Best effort from
 * `call_full` alone: fields the stage would know (CRM ids, CALL_ID) come from `registration` when
 * it is there; anything else can be overridden by the caller.
 */
const ZERO_TIME = "0001-01-01 00:00:00";

function seconds(from: string | undefined, to: string | undefined): number {
  if (!from || !to || from === ZERO_TIME || to === ZERO_TIME) return 0;
  const a = Date.parse(from.replace(" ", "T") + "Z");
  const b = Date.parse(to.replace(" ", "T") + "Z");
  return Number.isFinite(a) && Number.isFinite(b) && b > a ? Math.round((b - a) / 1000) : 0;
}

function conversationOf(call: CallFull): HookConversation | undefined {
  const all = call.conversations ?? {};
  return (call.active_conversation_id ? all[call.active_conversation_id] : undefined) ?? Object.values(all).at(-1);
}

export function callFacts(call: CallFull) {
  const channel = call.channel;
  const outgoing = channel?.type === "outgoing";
  const conversation = conversationOf(call);
  const registration = isPlainObject(call.registration) ? call.registration : {};
  const entity = isPlainObject(call.entity) ? call.entity : undefined;
  const clientPhone = String((outgoing ? channel?.to?.number : channel?.from?.number) ?? "");
  const userPhone = String((outgoing ? conversation?.channel?.from?.number : conversation?.channel?.to?.number) ?? "");
  const userId = Number(conversation?.user?.id ?? registration.USER_ID ?? 1) || 1;
  const answered = Boolean(channel?.was_answered);
  const result = typeof call.result === "number" ? call.result : answered ? 200 : 304;
  return {
    outgoing,
    clientPhone,
    userPhone,
    userId,
    callId: String(registration.CALL_ID ?? "externalCall.unknown"),
    duration: seconds(channel?.answer_time, channel?.end_time),
    statusCode: answered ? "200" : String(result === 200 ? 304 : result),
    trunk: String(channel?.trunk?.number ?? ""),
    startTime: channel?.start_time ?? "",
    record: call.record ?? "",
    entity,
    activityId: String(registration.CRM_ACTIVITY_ID ?? "0"),
  };
}

export function buildHookInput<H extends HookName>(hook: H, call: CallFull, stage: CallStage = "call_ended"): HookInputs[H] {
  const f = callFacts(call);
  const activity: HookActivity = {
    id: f.activityId,
    is_new: false,
    name: `${f.outgoing ? "Outgoing" : "Incoming"} call ${f.clientPhone}`,
    phones: [],
    raw: {},
    responsible: { id: f.userId },
    responsible_id: String(f.userId),
    type: "activity",
  };
  const entityBinding =
    f.entity && (f.entity.type === "lead" || f.entity.type === "contact") && f.entity.id !== undefined ? [`${f.entity.type === "lead" ? "L" : "C"}_${String(f.entity.id)}`] : [];
  const inputs: { [K in HookName]: () => HookInputs[K] } = {
    customize_activity: () => ({ activity, call_full: call }),
    customize_entity: () => ({ call_full: call }),
    need_registration: () => ({ call_full: call, call_stage: stage }),
    process_client_phone: () => ({ phone: f.clientPhone, call_full: call, call_stage: stage }),
    process_final_params: () => ({
      ADD_TO_CHAT: 1,
      CALL_ID: f.callId,
      DURATION: f.duration,
      STATUS_CODE: f.statusCode,
      USER_ID: f.userId,
      call_full: call,
    }),
    process_originate_params: () => ({
      params: {
        caller_id: "",
        channel: `Local/${f.userPhone}@from-internal`,
        context: "from-internal",
        extension: f.clientPhone,
        priority: 1,
        request_data: { PHONE_NUMBER: f.clientPhone, USER_ID: f.userId, CALL_ID: f.callId },
      },
    }),
    process_record_file_path: () => ({ path: f.record, call_full: call }),
    process_registration_params: () => ({
      CALL_START_DATE: f.startTime,
      CRM_CREATE: 1,
      CRM_SOURCE: "CALL",
      LINE_NUMBER: f.trunk,
      PHONE_NUMBER: f.clientPhone,
      SHOW: 0,
      TYPE: f.outgoing ? 1 : 2,
      USER_ID: f.userId,
      call_full: call,
      call_stage: stage,
    }),
    process_task_creation_params: () => ({
      fields: {
        CREATED_BY: f.userId,
        DEADLINE: "",
        RESPONSIBLE_ID: f.userId,
        TITLE: `Missed call ${f.clientPhone}`,
        UF_CRM_TASK: entityBinding,
      },
      call_full: call,
    }),
    process_user_phone: () => ({ phone: f.userPhone, call_full: call, call_stage: stage }),
    customize_autodistribution: () => ({ number: f.userPhone, name: "", ...(f.clientPhone ? { from: f.clientPhone } : {}) }),
    post_registration: () => ({ call_full: call, call_stage: stage }),
    customize_show_call_card: () => ({ CALL_ID: f.callId, USER_ID: f.userId, call_full: call, call_stage: stage }),
    customize_attach_record_url: () => ({
      DESCRIPTION: f.record ? `<audio src="${f.record}" controls></audio>` : "",
      DESCRIPTION_TYPE: 3,
      activity,
      call_full: call,
    }),
  };
  return inputs[hook]();
}
