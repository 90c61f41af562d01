/**
 * The b24-app's page script, opened by the portal in its frame. b24jssdk's frame API gives the
 * viewer's token, the portal and the placement (DEFAULT = the app's page, CALL_CARD = the call
 * card's tab with PLACEMENT_OPTIONS.CALL_ID).
 */
import { initializeB24Frame } from "@bitrix24/b24jssdk";
import { renderAdminPage } from "./admin-page.js";
import { renderCallCard } from "./call-card.js";
import { showError } from "./dom.js";

async function main(): Promise<void> {
  const root = document.getElementById("app")!;
  let b24;
  try {
    b24 = await initializeB24Frame();
  } catch (err) {
    root.textContent = "";
    showError(`Open this page from the Bitrix24 portal (Applications → Asterisk connector): ${(err as Error).message}`);
    return;
  }
  document.body.dataset.placement = b24.placement.placement;
  if (b24.placement.placement === "CALL_CARD") await renderCallCard(b24, root);
  else await renderAdminPage(b24, root);
}

main().catch((err: unknown) => {
  showError((err as Error).message);
  document.body.dataset.ready = "error";
});
