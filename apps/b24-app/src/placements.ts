/**
 * The app's places in the portal's interface, bound at install with the install token (placement.bind
 * needs an administrator and the app's own OAuth token):
 *   CALL_CARD → <publicUrl>/b24/placement/call-card  (a "PBX" tab in the live call card)
 * The page itself (placement DEFAULT) is the local application's handler path, <publicUrl>/b24/app.
 * An existing binding is kept (placement.get first), so a reinstall binds nothing twice.
 */
import type { PortalClient } from "./portal-client.js";

export const CALL_CARD_PATH = "/b24/placement/call-card";

export interface PlacementSpec {
  placement: string;
  handler: string;
  title: string;
  description: string;
}

export function placementSpecs(publicUrl: string): PlacementSpec[] {
  return [
    {
      placement: "CALL_CARD",
      handler: new URL(CALL_CARD_PATH, publicUrl).toString(),
      title: "PBX",
      description: "What the PBX knows about this call: queue, IVR path, transfers, who answered",
    },
  ];
}

/** Binds every missing placement; returns the placements bound now or already. */
export async function bindPlacements(client: PortalClient, specs: PlacementSpec[]): Promise<string[]> {
  const existing = await client.call<Array<{ placement: string; handler: string }>>("placement.get");
  const bound: string[] = [];
  for (const s of specs) {
    if (!existing.some((e) => e.placement === s.placement && e.handler === s.handler)) {
      await client.call("placement.bind", { PLACEMENT: s.placement, HANDLER: s.handler, TITLE: s.title, DESCRIPTION: s.description });
    }
    bound.push(s.placement);
  }
  return bound;
}
