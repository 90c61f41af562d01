// customize_activity — end of call, before crm.activity.update.
// Puts the line (trunk) name into the activity subject and notes who answered.
// Return {} (empty data) to leave the activity as Bitrix24 created it.

const LINE_NAMES = { 73432723033: "Sales", 88007654321: "Support hotline" };

/** @param {{activity: {name: string}, call_full: any}} input */
export default async function customizeActivity(input) {
  const channel = input.call_full.channel ?? {};
  const line = LINE_NAMES[channel.trunk?.number];
  if (!line) return { data: {}, state: "success" }; // unknown line: no update
  const conversation = Object.values(input.call_full.conversations ?? {}).at(-1);
  const who = conversation?.user?.name ?? "nobody";
  return {
    data: {
      SUBJECT: `[${line}] ${input.activity.name}`,
      DESCRIPTION: `Line: ${line}. Answered by: ${channel.was_answered ? who : "missed"}.`,
    },
    state: "success",
  };
}
