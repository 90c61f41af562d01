// customize_attach_record_url — attaching a link instead of the file: the activity description.
// Links to the company's recordings portal (behind its own login) instead of the raw file URL.

const PORTAL = "https://records.example.com/listen";

export default async function customizeAttachRecordUrl(input) {
  const uniqueid = input.call_full.channel?.id ?? "";
  return {
    data: {
      DESCRIPTION: `<a href="${PORTAL}?call=${encodeURIComponent(uniqueid)}">Listen to the recording</a>`,
      DESCRIPTION_TYPE: 3,
    },
    state: "success",
  };
}
