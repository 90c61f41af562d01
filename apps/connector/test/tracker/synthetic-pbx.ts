/**
 * Builder for HAND-WRITTEN AMI fixtures (flows no recording covers). Field sets follow what
 * the Asterisk 22 recordings show for the same events (Channel block: Channel, ChannelState,
 * ChannelStateDesc, CallerIDNum/Name, ConnectedLineNum/Name, Language, AccountCode, Context,
 * Exten, Priority, Uniqueid, Linkedid; prefixed copies such as DestChannel, TransfererChannel), and the AMI v2
 * spec / CDR spec for ordering. They are synthetic: not captured from a PBX.
 */
import { AmiMessage } from "@asterisk-b24/ami";
import type { TimedMessage } from "@asterisk-b24/testkit";

const STATE_DESC: Record<number, string> = { 0: "Down", 4: "Ring", 5: "Ringing", 6: "Up" };

export interface Chan {
  name: string;
  uid: string;
  linkedid: string;
  state: number;
  cid: string;
  cidName: string;
  connected: string;
  context: string;
  exten: string;
}

export class SyntheticPbx {
  t = 0;
  readonly messages: TimedMessage[] = [];

  at(t: number): this {
    this.t = t;
    return this;
  }

  block(ch: Chan, prefix = ""): Record<string, string> {
    return {
      [`${prefix}Channel`]: ch.name,
      [`${prefix}ChannelState`]: String(ch.state),
      [`${prefix}ChannelStateDesc`]: STATE_DESC[ch.state] ?? "Unknown",
      [`${prefix}CallerIDNum`]: ch.cid,
      [`${prefix}CallerIDName`]: ch.cidName,
      [`${prefix}ConnectedLineNum`]: ch.connected,
      [`${prefix}ConnectedLineName`]: ch.connected,
      [`${prefix}Language`]: "en",
      [`${prefix}AccountCode`]: "",
      [`${prefix}Context`]: ch.context,
      [`${prefix}Exten`]: ch.exten,
      [`${prefix}Priority`]: "1",
      [`${prefix}Uniqueid`]: ch.uid,
      [`${prefix}Linkedid`]: ch.linkedid,
    };
  }

  event(name: string, ...parts: Record<string, string>[]): this {
    const obj: Record<string, string> = { Event: name, Privilege: "call,all" };
    for (const p of parts) Object.assign(obj, p);
    this.messages.push({ t: this.t, message: AmiMessage.from(obj) });
    return this;
  }

  raw(obj: Record<string, string>): this {
    this.messages.push({ t: this.t, message: AmiMessage.from(obj) });
    return this;
  }

  newchannel(name: string, uid: string, linkedid: string, opts: Partial<Chan> = {}): Chan {
    const ch: Chan = {
      name,
      uid,
      linkedid,
      state: opts.state ?? 0,
      cid: opts.cid ?? "<unknown>",
      cidName: opts.cidName ?? opts.cid ?? "<unknown>",
      connected: opts.connected ?? "<unknown>",
      context: opts.context ?? "from-internal",
      exten: opts.exten ?? "s",
    };
    this.event("Newchannel", this.block(ch));
    return ch;
  }

  newstate(ch: Chan, state: number): this {
    ch.state = state;
    return this.event("Newstate", this.block(ch));
  }

  dialBegin(caller: Chan | null, dest: Chan, dialString: string): this {
    return this.event("DialBegin", caller ? this.block(caller) : {}, this.block(dest, "Dest"), { DialString: dialString });
  }

  dialEnd(caller: Chan | null, dest: Chan, status: string): this {
    return this.event("DialEnd", caller ? this.block(caller) : {}, this.block(dest, "Dest"), { DialStatus: status });
  }

  bridgeEnter(bridge: string, ch: Chan, extra: Record<string, string> = {}): this {
    return this.event(
      "BridgeEnter",
      {
        BridgeUniqueid: bridge,
        BridgeType: "basic",
        BridgeTechnology: "simple_bridge",
        BridgeCreator: "<unknown>",
        BridgeName: "<unknown>",
        BridgeNumChannels: "1",
        BridgeVideoSourceMode: "none",
      },
      this.block(ch),
      extra,
    );
  }

  bridgeLeave(bridge: string, ch: Chan): this {
    return this.event(
      "BridgeLeave",
      {
        BridgeUniqueid: bridge,
        BridgeType: "basic",
        BridgeTechnology: "simple_bridge",
        BridgeCreator: "<unknown>",
        BridgeName: "<unknown>",
        BridgeNumChannels: "1",
        BridgeVideoSourceMode: "none",
      },
      this.block(ch),
    );
  }

  hangup(ch: Chan, cause: number, causeTxt = "Normal Clearing"): this {
    return this.event("Hangup", this.block(ch), { Cause: String(cause), "Cause-txt": causeTxt });
  }

  varSet(ch: Chan, variable: string, value: string): this {
    return this.event("VarSet", this.block(ch), { Variable: variable, Value: value });
  }
}
