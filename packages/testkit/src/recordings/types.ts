import type { AmiMessage } from "@asterisk-b24/ami";
import type { SeedContact } from "../b24-emulator/types.js";

/** One recorded AMI message: `t` = ms since the AMI connection was opened. */
export interface TimedMessage {
  t: number;
  message: AmiMessage;
}

export interface Recording {
  name: string;
  /** Every message received after the greeting (Login response, events, action responses). */
  messages: TimedMessage[];
  /** Actions the recorder sent (Login with the secret masked, Originate, Logoff). */
  actions: TimedMessage[];
  /** Exact bytes of the AMI session, greeting included. */
  raw: Buffer;
  /** The machine-readable expected CRM outcome (NAME.expect.json). */
  expect: RecordingExpectation;
  /** The human description (NAME.md). */
  description: string;
}

/** Shape of NAME.expect.json (only the parts our tests read are typed strictly). */
export interface RecordingExpectation {
  scenario: string;
  description: string;
  product: { cardMode: "ringing" | "answer" };
  clickToCall?: { USER_ID: number; PHONE_NUMBER: string; LINE_NUMBER: string };
  b24: { auth: string; contacts: SeedContact[] };
  expect: {
    registrations: number | { min: number; max: number };
    tasks?: number;
    leadsCreated?: number;
    calls: ExpectedCall[];
    ami: { noInjection: boolean; originate?: { count: number; Channel: string; Exten: string } };
  };
  settleMs: number;
  timeoutMs: number;
  /** Set on SYNTHETIC fixtures (fixtures/asterisk-synthetic). */
  synthetic?: boolean;
}

export interface ExpectedCall {
  source?: "portal";
  match: { PHONE_NUMBER: string };
  TYPE: number | number[];
  lineNumber?: string;
  responsible: number | number[];
  status: "answered" | "missed";
  duration: { value?: number; tolerance?: number; min?: number; max?: number };
  shownTo?: number[];
  shownToInclude?: number[];
  notShownTo?: number[];
  record?: boolean;
}
