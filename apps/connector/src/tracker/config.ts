import { z } from "zod";

/**
 * Tracker settings: the one definition. The config file's `tracker` section is validated by this
 * schema, `TrackerConfig` is its output and `defaultTrackerConfig` its defaults, which suit a
 * FreePBX host, so the tracker works with the defaults alone; the lists only refine them.
 * docs/tracker.md lists the same keys (test/config/tracker-keys.test.ts walks that list).
 */
const names = z.array(z.string()).readonly();
const ms = z.number().int().min(0);

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const trackerSettingsSchema = z.strictObject({
  /** Endpoint names that are employees' extensions (regex source). Anything else is a trunk. */
  internalNumberPattern: z.string().refine(isRegex, "not a valid regular expression").default("^\\d{2,5}$"),
  /** Endpoint names that are trunks even if they look like extensions (e.g. a trunk named "1001"). */
  trunks: names.default([]),
  /** Endpoint names that are phones even though they do not match the pattern (e.g. "reception"). */
  internalEndpoints: names.default([]),
  /** Channel technologies whose channels are always trunks (E1/FXO cards). */
  trunkTechnologies: names.default(["DAHDI"]),
  /** Contexts only trunks use: a channel created in one of them is a trunk even with a short name. */
  trunkContexts: names.default(["from-trunk", "from-pstn"]),
  /** Channel technologies that are not parties of a call (spies, announcers, conference helpers). */
  ignoredTechnologies: names.default(["Snoop", "CBAnn", "CBRec", "Announcer", "Recorder", "Message", "Multicast", "AudioSocket"]),
  /** Queues (name or dialplan number) whose conversations are not for the CRM (flagged `excluded`). */
  nonCrmQueues: names.default([]),
  /** Extensions that are not CRM users (their conversations are flagged `excluded`). */
  nonCrmExtensions: names.default([]),
  /** Channel variable set by the CRM's Originate (Bitrix24 CALL_ID). Leading `_`/`__` ignored. */
  clickToCallVariable: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .default("CRM_CALL_ID"),
  /** Variables carrying the recording file, first found wins for `record` (all kept in `records`). */
  recordingVariables: names.default(["MIXMONITOR_FILENAME", "REC_FILE"]),
  /** Variables carrying the dialled DID when the trunk channel's Exten is `s`. */
  didVariables: names.default(["FROM_DID"]),
  /** Variables carrying the path of a voicemail message left in the call (app_voicemail sets VM_MESSAGEFILE). */
  voicemailVariables: names.default(["VM_MESSAGEFILE"]),
  /** A call with no AMI event for this long is closed by `expire()` (lost Hangup, missed reconnect). */
  staleCallMs: ms.default(12 * 3600_000),
  /** How long an Originate is remembered (pending answer, or after its call ended). */
  originateMemoryMs: ms.default(60_000),
  /** Offset applied to `now` when formatting "YYYY-MM-DD HH:MM:SS" times (PBX local time). */
  utcOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60)
    .default(0),
});

export type TrackerConfig = Readonly<z.output<typeof trackerSettingsSchema>>;

export const defaultTrackerConfig: TrackerConfig = Object.freeze(trackerSettingsSchema.parse({}));

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

/**
 * The answer time of the channel's CDR as epoch seconds (func_cdr raw format `1795257492.423000`;
 * `0.000000` while unanswered): read back when a call is adopted, so its talk time starts when
 * the conversation did, not when the connector came in.
 */
export const ANSWER_TIME_VARIABLE = "CDR(answer,u)";

/** What Dial sets on the channel it dialled (`89161234567@provider`): read back when a call is adopted. */
export const DIALED_NUMBER_VARIABLE = "DIALEDPEERNUMBER";

/**
 * Channel variables worth asking Asterisk for (AMI `Getvar`) about a live channel the tracker has
 * to adopt after a (re)connect: recording, DID, click-to-call id, voicemail, dialled number, answer time. The
 * adapter passes the answers back as `ChanVariable: NAME=value` headers of the CoreShowChannel.
 */
export function adoptionVariables(partial: Partial<TrackerConfig> = defaultTrackerConfig): string[] {
  const raw: TrackerConfig = { ...defaultTrackerConfig, ...partial };
  const names = [...raw.recordingVariables, ...raw.didVariables, raw.clickToCallVariable, ...raw.voicemailVariables, DIALED_NUMBER_VARIABLE, ANSWER_TIME_VARIABLE].map(
    normalizeVariable,
  );
  return [...new Set(names)];
}
