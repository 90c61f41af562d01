// process_task_creation_params — before tasks.task.add for a missed call.
// A clearer title, a 2-hour deadline, and calls missed in the IVR go to the call-centre lead (5).

const IVR_RESPONSIBLE = 5;

export default async function processTaskCreationParams(input) {
  const call = input.call_full;
  const fields = { ...input.fields };
  const client = call.channel?.from?.number ?? "";
  const name = call.entity?.name ? ` (${call.entity.name})` : "";
  fields.TITLE = `Call back ${client}${name}`;
  const start = new Date(`${(call.channel?.start_time ?? "").replace(" ", "T")}Z`);
  if (!Number.isNaN(start.getTime())) fields.DEADLINE = new Date(start.getTime() + 2 * 3600_000).toISOString();
  if (call.is_ivr) fields.RESPONSIBLE_ID = IVR_RESPONSIBLE;
  return { data: { fields }, state: "success" };
}
