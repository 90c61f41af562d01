/**
 * The 14 customization points, named exactly as Itgrix_bx 3.10+ names them, so a customer's
 * `<hook>.php` files keep their names when they move.
 */
export const HOOK_NAMES = [
  "customize_activity",
  "customize_entity",
  "need_registration",
  "process_client_phone",
  "process_final_params",
  "process_originate_params",
  "process_record_file_path",
  "process_registration_params",
  "process_task_creation_params",
  "process_user_phone",
  "customize_autodistribution",
  "post_registration",
  "customize_show_call_card",
  "customize_attach_record_url",
] as const;

export type HookName = (typeof HOOK_NAMES)[number];

export function isHookName(value: unknown): value is HookName {
  return typeof value === "string" && (HOOK_NAMES as readonly string[]).includes(value);
}

/** `call_stage` as Itgrix passes it. */
export const CALL_STAGES = ["conversation_requested", "conversation_accepted", "conversation_ended", "call_ended"] as const;

export type CallStage = (typeof CALL_STAGES)[number];

export function isCallStage(value: unknown): value is CallStage {
  return typeof value === "string" && (CALL_STAGES as readonly string[]).includes(value);
}
