/**
 * The I/O half of adopting live calls after an AMI (re)connect: for every channel of the
 * CoreShowChannels snapshot that the tracker does not know, ask Asterisk (`Getvar`) for the
 * channel variables that tell the call's recording, DID, click-to-call id, voicemail and dialled
 * number and answer time (`adoptionVariables(config)`) — and, for a channel it follows that was
 * not answered yet, its answer time alone — and hand them to the pure tracker as
 * `ChanVariable: NAME=value` headers of the CoreShowChannel entry — the same headers Asterisk adds
 * itself when manager.conf `channelvars` lists them. A channel that hung up meanwhile ("No such
 * channel"), an empty value or a failed action just leaves that variable out.
 */
import { AmiMessage, type AmiActionInput, type AmiActionOptions, type AmiActionResult } from "@asterisk-b24/ami";
import type { Logger } from "pino";

export interface GetvarPort {
  action(input: AmiActionInput, options?: AmiActionOptions): Promise<AmiActionResult>;
}

export interface AdoptVariablesOptions {
  /** Variable names to ask for (no `_` prefix). */
  names: readonly string[];
  /** Channels the tracker already follows need nothing… */
  isKnown: (uniqueid: string) => boolean;
  /** …except these names when `needs(entry)` (e.g. the answer time of a channel answered while we were away). */
  knownNeed?: { names: readonly string[]; needs: (entry: AmiMessage) => boolean };
  timeoutMs?: number;
  logger?: Logger;
}

async function getvar(ami: GetvarPort, channel: string, variable: string, timeoutMs: number): Promise<string> {
  const res = await ami.action({ Action: "Getvar", Channel: channel, Variable: variable }, { timeoutMs });
  return res.ok ? (res.response.get("Value") ?? "") : "";
}

/** `live` with ChanVariable headers added to the entries of channels the tracker does not know. */
export async function withAdoptionVariables(ami: GetvarPort, live: readonly AmiMessage[], o: AdoptVariablesOptions): Promise<AmiMessage[]> {
  const timeoutMs = o.timeoutMs ?? 5000;
  return Promise.all(
    live.map(async (m) => {
      const uid = m.get("Uniqueid");
      const channel = m.get("Channel");
      if (m.event !== "CoreShowChannel" || !uid || !channel) return m;
      const names = !o.isKnown(uid) ? o.names : o.knownNeed?.needs(m) ? o.knownNeed.names : [];
      if (names.length === 0) return m;
      // All at once: the consumer waits for them (the snapshot is applied at its place in the stream).
      const values = await Promise.all(
        names.map((name) =>
          getvar(ami, channel, name, timeoutMs).catch((err: Error) => {
            o.logger?.debug({ channel, variable: name, err: err.message }, "Getvar failed while adopting a live call");
            return "";
          }),
        ),
      );
      const extra: [string, string][] = [];
      names.forEach((name, i) => values[i] !== "" && extra.push(["ChanVariable", `${name}=${values[i]}`]));
      return extra.length ? new AmiMessage([...m.fields, ...extra]) : m;
    }),
  );
}
