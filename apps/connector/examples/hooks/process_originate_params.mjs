// process_originate_params — click-to-call, before the AMI Originate.
// The PBX dials out with prefix 9: take the last 10 digits, dial 9 + 8 + those digits
// ("+7 916 123-45-67" → "989161234567"). Short (internal) numbers are dialled as they are.

export default async function processOriginateParams(input) {
  const params = { ...input.params };
  const digits = String(params.extension).replace(/\D/g, "");
  if (digits.length >= 10) params.extension = `98${digits.slice(-10)}`;
  return { data: params, state: "success" };
}
