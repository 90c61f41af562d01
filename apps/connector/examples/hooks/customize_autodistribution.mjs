// customize_autodistribution — the dialplan asks whom to route an incoming call to.
// Company name in the CallerID (≤ 20 characters, Asterisk's limit); managers who are away
// hand over to reception (100); no responsible found → empty data: the normal route.
// from/user/entity/error are read-only: the connector strips them if you return them.

const AWAY = new Set(["104"]);
const RECEPTION = "100";

export default async function customizeAutodistribution(input) {
  if (input.error || !input.number) return { data: {}, state: "success" };
  const number = AWAY.has(input.number) ? RECEPTION : input.number;
  const name = (input.entity?.name ?? input.name ?? "").slice(0, 20);
  return { data: { number, name }, state: "success" };
}
