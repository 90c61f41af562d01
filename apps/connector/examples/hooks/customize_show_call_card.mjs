// customize_show_call_card — before telephony.externalcall.show.
// The supervisor (user 3) also sees cards of calls on the sales line; no card pops up for
// calls from the blacklisted "robot" numbers (empty data cancels the show request).

const SUPERVISOR = 3;
const SALES_LINE = "73432723033";
const NO_CARD = new Set(["+74950000001"]);

export default async function customizeShowCallCard(input) {
  const channel = input.call_full.channel ?? {};
  if (NO_CARD.has(channel.from?.number)) return { data: {}, state: "success" };
  const users = channel.trunk?.number === SALES_LINE ? [input.USER_ID, SUPERVISOR] : input.USER_ID;
  return { data: { CALL_ID: input.CALL_ID, USER_ID: users }, state: "success" };
}
