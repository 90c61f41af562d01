/** Hand-written CEL for call flows that are not in the shared recordings (test helper). */
import type { CelRow } from "../../src/cel/rows.js";

export interface Chan {
  name: string;
  uid: string;
  lid: string;
  num: string;
  context: string;
  exten: string;
}

export class CelScript {
  readonly rows: CelRow[] = [];
  constructor(readonly t0 = Date.UTC(2026, 10, 25, 9, 0, 0)) {}

  row(type: string, sec: number, ch: Chan, o: Partial<CelRow> & { x?: Record<string, unknown> } = {}): this {
    const { x, ...rest } = o;
    this.rows.push({
      id: this.rows.length + 1,
      eventtype: type,
      eventtime: new Date(this.t0 + Math.round(sec * 1000)),
      cid_name: "",
      cid_num: ch.num,
      cid_ani: "",
      cid_rdnis: "",
      cid_dnid: "",
      exten: ch.exten,
      context: ch.context,
      channame: ch.name,
      appname: "",
      appdata: "",
      amaflags: 3,
      accountcode: "",
      peeraccount: "",
      uniqueid: ch.uid,
      linkedid: ch.lid,
      userfield: "",
      peer: "",
      userdeftype: "",
      extra: x ? JSON.stringify(x) : "",
      ...rest,
    });
    return this;
  }
  start(sec: number, ch: Chan): this {
    return this.row("CHAN_START", sec, ch);
  }
  answer(sec: number, ch: Chan, app = "", data = ""): this {
    return this.row("ANSWER", sec, ch, { appname: app, appdata: data });
  }
  enter(sec: number, ch: Chan, bridge: string, tech = "simple_bridge"): this {
    return this.row("BRIDGE_ENTER", sec, ch, { x: { bridge_id: bridge, bridge_technology: tech } });
  }
  exit(sec: number, ch: Chan, bridge: string, tech = "simple_bridge"): this {
    return this.row("BRIDGE_EXIT", sec, ch, { x: { bridge_id: bridge, bridge_technology: tech } });
  }
  /** `caller` ran Dial(`callee`): the callee answers, the caller is answered, both enter `bridge`. */
  connect(sec: number, caller: Chan, callee: Chan, bridge: string, dialData: string): this {
    return this.answer(sec, callee, "AppDial", "(Outgoing Line)").answer(sec, caller, "Dial", dialData).enter(sec, callee, bridge).enter(sec, caller, bridge);
  }
  hangup(sec: number, ch: Chan, cause: number, app = "", dialstatus = ""): this {
    this.row("HANGUP", sec, ch, { appname: app, x: { hangupcause: cause, hangupsource: "", dialstatus } });
    return this.row("CHAN_END", sec, ch, { appname: app });
  }
  linkedidEnd(sec: number, ch: Chan): this {
    return this.row("LINKEDID_END", sec, ch);
  }
}

export const chan = (name: string, uid: string, lid: string, num: string, context: string, exten: string): Chan => ({ name, uid, lid, num, context, exten });
