// post_registration — after the call was registered. Only `state` matters.
// A missed call from an unknown number: create a lead, through the connector's own Bitrix24
// client (ctx.b24: same OAuth, queue and rate limit) — no separate incoming webhook as in the
// Itgrix-era PHP example. Looks the number up first so a second call does not duplicate it.

export default async function postRegistration(input, ctx) {
  const call = input.call_full;
  if (input.call_stage !== "call_ended" || call.channel?.was_answered || call.entity) return { state: "success" };
  const phone = call.channel?.from?.number;
  if (!phone) return { state: "success" };
  const found = await ctx.b24.call("crm.duplicate.findbycomm", { type: "PHONE", values: [phone] });
  if (found && Array.isArray(found.LEAD) && found.LEAD.length > 0) return { state: "success" };
  const id = await ctx.b24.call("crm.lead.add", {
    fields: { TITLE: `Missed call from ${phone}`, PHONE: [{ VALUE: phone, VALUE_TYPE: "WORK" }], SOURCE_ID: "CALL" },
  });
  ctx.log.info({ phone, lead: id }, "lead created for a missed call");
  return { state: "success" };
}
