/**
 * Tracker configuration. Every key has a default that suits a FreePBX host, so the tracker
 * works with `defaultTrackerConfig` alone; the lists only refine the defaults.
 *
 * Key names match `tracker` in apps/connector/src/config/schema.ts (the validated file config);
 * a config object from there can be passed as is (missing keys fall back to these defaults).
 */
export interface TrackerConfig {
  /** Endpoint names that are employees' extensions (regex source). Anything else is a trunk. */
  internalNumberPattern: string;
  /** Endpoint names that are trunks even if they look like extensions (e.g. a trunk named "1001"). */
  trunks: readonly string[];
  /** Endpoint names that are phones even though they do not match the pattern (e.g. "reception"). */
  internalEndpoints: readonly string[];
  /** Channel technologies whose channels are always trunks (E1/FXO cards). */
  trunkTechnologies: readonly string[];
  /** Contexts only trunks use: a channel created in one of them is a trunk even with a short name. */
  trunkContexts: readonly string[];
  /** Channel technologies that are not parties of a call (spies, announcers, conference helpers). */
  ignoredTechnologies: readonly string[];
  /** Queues (name or dialplan number) whose conversations are not for the CRM (flagged `excluded`). */
  nonCrmQueues: readonly string[];
  /** Extensions that are not CRM users (their conversations are flagged `excluded`). */
  nonCrmExtensions: readonly string[];
  /** Channel variable set by the CRM's Originate (Bitrix24 CALL_ID). Leading `_`/`__` ignored. */
  clickToCallVariable: string;
  /** Variables carrying the recording file, first found wins for `record` (all kept in `records`). */
  recordingVariables: readonly string[];
  /** Variables carrying the dialled DID when the trunk channel's Exten is `s`. */
  didVariables: readonly string[];
  /** Variables carrying the path of a voicemail message left in the call (app_voicemail sets VM_MESSAGEFILE). */
  voicemailVariables: readonly string[];
  /** A call with no AMI event for this long is closed by `expire()`. */
  staleCallMs: number;
  /** How long an Originate is remembered (pending answer, or after its call ended). */
  originateMemoryMs: number;
  /** Offset applied to `now` when formatting "YYYY-MM-DD HH:MM:SS" times (PBX local time). */
  utcOffsetMinutes: number;
}

export const defaultTrackerConfig: TrackerConfig = Object.freeze({
  internalNumberPattern: "^\\d{2,5}$",
  trunks: [],
  internalEndpoints: [],
  trunkTechnologies: ["DAHDI"],
  trunkContexts: ["from-trunk", "from-pstn"],
  ignoredTechnologies: ["Snoop", "CBAnn", "CBRec", "Announcer", "Recorder", "Message", "Multicast", "AudioSocket"],
  nonCrmQueues: [],
  nonCrmExtensions: [],
  clickToCallVariable: "CRM_CALL_ID",
  recordingVariables: ["MIXMONITOR_FILENAME", "REC_FILE"],
  didVariables: ["FROM_DID"],
  voicemailVariables: ["VM_MESSAGEFILE"],
  staleCallMs: 12 * 3600_000,
  originateMemoryMs: 60_000,
  utcOffsetMinutes: 0,
});

/** The config in the form the hot path wants (sets, compiled regex). Built once per config object. */
export interface CompiledConfig {
  readonly raw: TrackerConfig;
  readonly internal: RegExp;
  readonly trunks: ReadonlySet<string>;
  readonly internalEndpoints: ReadonlySet<string>;
  readonly trunkTechs: ReadonlySet<string>;
  readonly trunkContexts: ReadonlySet<string>;
  readonly ignoredTechs: ReadonlySet<string>;
  readonly nonCrmQueues: ReadonlySet<string>;
  readonly nonCrmExtensions: ReadonlySet<string>;
  readonly c2cVar: string;
  /** normalized variable name → role */
  readonly vars: ReadonlyMap<string, "record" | "c2c" | "did" | "voicemail">;
  readonly recordingOrder: readonly string[];
}

const cache = new WeakMap<object, CompiledConfig>();

/** Strips the inheritance prefix: `__REC_FILE` and `_REC_FILE` are `REC_FILE`. */
export function normalizeVariable(name: string): string {
  let i = 0;
  while (i < name.length && name.charCodeAt(i) === 95 /* _ */) i++;
  return i === 0 ? name : name.slice(i);
}

export function compileConfig(partial: Partial<TrackerConfig> = defaultTrackerConfig): CompiledConfig {
  const hit = cache.get(partial);
  if (hit) return hit;
  const raw: TrackerConfig = { ...defaultTrackerConfig, ...partial };
  const vars = new Map<string, "record" | "c2c" | "did" | "voicemail">();
  for (const v of raw.recordingVariables) vars.set(normalizeVariable(v), "record");
  for (const v of raw.didVariables) vars.set(normalizeVariable(v), "did");
  for (const v of raw.voicemailVariables) vars.set(normalizeVariable(v), "voicemail");
  vars.set(normalizeVariable(raw.clickToCallVariable), "c2c");
  const compiled: CompiledConfig = {
    raw,
    internal: new RegExp(raw.internalNumberPattern),
    trunks: new Set(raw.trunks),
    internalEndpoints: new Set(raw.internalEndpoints),
    trunkTechs: new Set(raw.trunkTechnologies.map((t) => t.toLowerCase())),
    trunkContexts: new Set(raw.trunkContexts),
    ignoredTechs: new Set(raw.ignoredTechnologies.map((t) => t.toLowerCase())),
    nonCrmQueues: new Set(raw.nonCrmQueues),
    nonCrmExtensions: new Set(raw.nonCrmExtensions),
    c2cVar: normalizeVariable(raw.clickToCallVariable),
    vars,
    recordingOrder: raw.recordingVariables.map(normalizeVariable),
  };
  cache.set(partial, compiled);
  return compiled;
}

/** What Dial sets on the channel it dialled (`89161234567@provider`): read back when a call is adopted. */
export const DIALED_NUMBER_VARIABLE = "DIALEDPEERNUMBER";

/**
 * Channel variables worth asking Asterisk for (AMI `Getvar`) about a live channel the tracker has
 * to adopt after a (re)connect: recording, DID, click-to-call id, voicemail, dialled number. The
 * adapter passes the answers back as `ChanVariable: NAME=value` headers of the CoreShowChannel.
 */
export function adoptionVariables(partial: Partial<TrackerConfig> = defaultTrackerConfig): string[] {
  const raw: TrackerConfig = { ...defaultTrackerConfig, ...partial };
  const names = [...raw.recordingVariables, ...raw.didVariables, raw.clickToCallVariable, ...raw.voicemailVariables, DIALED_NUMBER_VARIABLE].map(normalizeVariable);
  return [...new Set(names)];
}
