// customize_entity — end of call, before crm.lead.update / crm.contact.update.
// Leads remember the line they last called on (a user field); contacts are left alone.

export default async function customizeEntity(input) {
  const entity = input.call_full.entity;
  if (!entity || entity.type !== "lead") return { data: {}, state: "success" }; // cancel: no update
  const channel = input.call_full.channel ?? {};
  return {
    data: {
      UF_CRM_LAST_CALL_LINE: channel.trunk?.number ?? "",
      UF_CRM_LAST_CALL_AT: channel.start_time ?? "",
    },
    state: "success",
  };
}
