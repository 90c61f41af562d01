// process_registration_params — before telephony.externalcall.register.
// Lead source per line, and no automatic leads from short (internal or service) numbers.

const SOURCE_BY_LINE = { 73432723033: "ADVERTISING", 88007654321: "WEB" };

export default async function processRegistrationParams(input) {
  const { call_full, call_stage, ...params } = input;
  const data = { ...params };
  data.CRM_SOURCE = SOURCE_BY_LINE[params.LINE_NUMBER] ?? params.CRM_SOURCE;
  if (String(params.PHONE_NUMBER).replace(/\D/g, "").length < 7) data.CRM_CREATE = 0;
  return { data, state: "success" };
}
