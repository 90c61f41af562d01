// need_registration — every stage: should this call be registered in Bitrix24 at all?
// Black list by trunk (a fax line, a test line) and by client number (spam callers).
// The admin settings cover extensions; trunks and numbers need this hook (as in Itgrix).

const BLACKLISTED_TRUNKS = new Set(["74950000000", "fax-line"]);
const BLACKLISTED_CLIENTS = new Set(["+74951234567", "84951234567"]);

export default async function needRegistration(input) {
  const channel = input.call_full.channel ?? {};
  const client = channel.type === "outgoing" ? channel.to?.number : channel.from?.number;
  const blocked = BLACKLISTED_TRUNKS.has(channel.trunk?.number) || BLACKLISTED_CLIENTS.has(client);
  return { data: { result: !blocked }, state: "success" };
}
