// process_client_phone — before the client number goes to Bitrix24 (lookup, registration).
// Russian numbers to E.164: 8XXXXXXXXXX → +7XXXXXXXXXX, 7XXXXXXXXXX → +7…, 9XXXXXXXXX → +79…

export function normalizeRussian(phone) {
  const digits = phone.replace(/\D/g, "");
  if (digits.length === 11 && (digits.startsWith("8") || digits.startsWith("7"))) return `+7${digits.slice(1)}`;
  if (digits.length === 10 && digits.startsWith("9")) return `+7${digits}`;
  return phone; // foreign or short numbers stay as they are
}

export default async function processClientPhone(input) {
  return { data: { phone: normalizeRussian(input.phone) }, state: "success" };
}
