// process_user_phone — before the Bitrix24 user is looked up by the employee's number.
// Branch offices dial 4-digit extensions (2101) while Bitrix24 profiles hold 3 digits (101);
// employees' mobiles (FMC) map to their extension.

const MOBILE_TO_EXTENSION = { "+79031112233": "105", 89031112233: "105" };

export default async function processUserPhone(input) {
  const phone = MOBILE_TO_EXTENSION[input.phone] ?? input.phone;
  const branch = /^2(\d{3})$/.exec(phone);
  return { data: { phone: branch ? branch[1] : phone }, state: "success" };
}
