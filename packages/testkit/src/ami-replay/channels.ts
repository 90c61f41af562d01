import type { AmiField, AmiMessage } from "@asterisk-b24/ami";

/** Channel snapshot headers carried (unprefixed) by every channel event, in CoreShowChannel order. */
const SNAPSHOT_KEYS = [
  "Channel",
  "ChannelState",
  "ChannelStateDesc",
  "CallerIDNum",
  "CallerIDName",
  "ConnectedLineNum",
  "ConnectedLineName",
  "Language",
  "AccountCode",
  "Context",
  "Exten",
  "Priority",
] as const;

export interface LiveChannel {
  uniqueid: string;
  snapshot: Map<string, string>;
  linkedid: string;
  /** Replay clock (ms) of the Newchannel. */
  createdAt: number;
  /** Replay clock (ms) when the channel was first seen Up (ChannelState 6), -1 while not answered. */
  answeredAt: number;
  application: string;
  applicationData: string;
  bridgeId: string;
  /** Channel variables set so far (VarSet), by name without the `_`/`__` inheritance prefix. */
  vars: Map<string, string>;
}

/** `__FROM_DID` → `FROM_DID`: Asterisk's Getvar matches names without the inheritance prefix. */
function bareName(name: string): string {
  return name.replace(/^_{1,2}/, "");
}

/** Dialplan functions Getvar can evaluate from a channel snapshot. */
const SNAPSHOT_FUNCTIONS: Record<string, string> = {
  "CALLERID(num)": "CallerIDNum",
  "CALLERID(name)": "CallerIDName",
  "CONNECTEDLINE(num)": "ConnectedLineNum",
  "CONNECTEDLINE(name)": "ConnectedLineName",
};

/**
 * The PBX's channel table as the replay has seen it so far: Newchannel adds, Hangup removes, and
 * every channel event (anything with a Uniqueid and a ChannelState) refreshes the snapshot
 * (state, caller ID, Linkedid, dialplan location), Newexten the application, BridgeEnter/Leave
 * the bridge. Messages "lost" during a simulated outage are applied too, so CoreShowChannels
 * always tells the truth about the PBX, as a real Asterisk would after a reconnect.
 */
export class ChannelTracker {
  readonly #channels = new Map<string, LiveChannel>();

  apply(message: AmiMessage, clock: number): void {
    const event = message.event;
    if (event === undefined) return;
    const uniqueid = message.get("Uniqueid");
    if (uniqueid === undefined || !message.has("ChannelState")) return;
    if (event === "Hangup") {
      this.#channels.delete(uniqueid);
      return;
    }
    let ch = this.#channels.get(uniqueid);
    if (!ch) {
      if (event !== "Newchannel") return;
      ch = { uniqueid, snapshot: new Map(), linkedid: uniqueid, createdAt: clock, answeredAt: -1, application: "", applicationData: "", bridgeId: "", vars: new Map() };
      this.#channels.set(uniqueid, ch);
    }
    for (const key of SNAPSHOT_KEYS) {
      const v = message.get(key);
      if (v !== undefined) ch.snapshot.set(key, v);
    }
    const linkedid = message.get("Linkedid");
    if (linkedid !== undefined) ch.linkedid = linkedid;
    if (ch.answeredAt < 0 && message.get("ChannelState") === "6") ch.answeredAt = clock;
    if (event === "Newexten") {
      ch.application = message.get("Application") ?? ch.application;
      ch.applicationData = message.get("AppData") ?? "";
    } else if (event === "BridgeEnter") {
      ch.bridgeId = message.get("BridgeUniqueid") ?? "";
    } else if (event === "BridgeLeave") {
      ch.bridgeId = "";
    } else if (event === "VarSet") {
      const name = message.get("Variable");
      if (name) ch.vars.set(bareName(name), message.get("Value") ?? "");
    } else if (event === "Rename") {
      const newName = message.get("Newname");
      if (newName !== undefined) ch.snapshot.set("Channel", newName);
    }
  }

  /** The live channel with this name (what an action's `Channel:` header names). */
  byName(name: string): LiveChannel | undefined {
    for (const ch of this.#channels.values()) if (ch.snapshot.get("Channel") === name) return ch;
    return undefined;
  }

  /**
   * What `Getvar` answers for a live channel at this point of the replay: a variable set so far
   * (empty when never set, as Asterisk does), a few snapshot functions (CALLERID(num)…), or
   * `CDR(answer,u)`: the answer time of the channel's CDR as epoch seconds with microseconds
   * (func_cdr's raw format, "0.000000" while unanswered). Emulated as the moment the channel went
   * Up, which is what Asterisk's CDR engine records for the channel's own CDR in the flows the
   * recordings hold (a dialled phone: when it picked up; the caller of a Dial: when the callee
   * answered); `epochOf` turns a replay clock into the PBX's epoch ms.
   */
  static getvar(ch: LiveChannel, variable: string, epochOf: (clock: number) => number = (c) => c): string {
    if (variable === "CDR(answer,u)") return ch.answeredAt < 0 ? "0.000000" : (epochOf(ch.answeredAt) / 1000).toFixed(6);
    const fn = SNAPSHOT_FUNCTIONS[variable];
    if (fn) return ch.snapshot.get(fn) ?? "";
    if (variable === "UNIQUEID" || variable === "CHANNEL(uniqueid)") return ch.uniqueid;
    if (variable === "CHANNEL(linkedid)") return ch.linkedid;
    return ch.vars.get(bareName(variable)) ?? "";
  }

  /** Live channels, oldest first. */
  live(): LiveChannel[] {
    return [...this.#channels.values()];
  }

  clear(): void {
    this.#channels.clear();
  }

  /** A `CoreShowChannel` list item as Asterisk 22 sends it. */
  static coreShowChannel(ch: LiveChannel, clock: number, actionId: string | undefined): AmiField[] {
    const fields: AmiField[] = [["Event", "CoreShowChannel"]];
    if (actionId !== undefined) fields.push(["ActionID", actionId]);
    for (const key of SNAPSHOT_KEYS) fields.push([key, ch.snapshot.get(key) ?? ""]);
    fields.push(
      ["Uniqueid", ch.uniqueid],
      ["Linkedid", ch.linkedid],
      ["Application", ch.application],
      ["ApplicationData", ch.applicationData],
      ["Duration", formatDuration(clock - ch.createdAt)],
      ["BridgeId", ch.bridgeId],
    );
    return fields;
  }
}

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}
