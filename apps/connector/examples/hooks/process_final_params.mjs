// process_final_params — before telephony.externalcall.finish.
// A default responsible per trunk for missed calls (STATUS_CODE 304): the JS twin of the
// vendor's PHP example (see php/process_final_params.php).

const RESPONSIBLE_BY_TRUNK = { 73432723033: 5, 88007654321: 456 };

export default async function processFinalParams(input) {
  const { call_full, ...params } = input;
  const data = {
    ADD_TO_CHAT: params.ADD_TO_CHAT,
    CALL_ID: params.CALL_ID,
    DURATION: params.DURATION,
    STATUS_CODE: params.STATUS_CODE,
    USER_ID: params.USER_ID,
  };
  const responsible = RESPONSIBLE_BY_TRUNK[call_full.channel?.trunk?.number];
  if (String(params.STATUS_CODE) === "304" && responsible) data.USER_ID = responsible;
  return { data, state: "success" };
}
