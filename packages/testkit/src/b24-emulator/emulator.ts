/** The running emulator: its addresses, inspection of what it received, and controls for tests. */
import type { OAuthTokenResponse } from "./auth.js";
import { eventDeliveries, deliverEvent, type DeliveryResult } from "./methods/events.js";
import { startClickToCall, type ClickToCallInput } from "./methods/telephony.js";
import { Portal } from "./portal.js";
import { framesFor, renderFramePage } from "./portal-frame.js";
import { EmulatorServer } from "./server.js";
import type { CallRecord, EmulatorStats, FaultsConfig, LimitsConfig, OperatingLimitConfig, RequestLogEntry, SeedContact, SeedLead, SeedUser } from "./types.js";

export type EmulatorEvent = "ONEXTERNALCALLSTART" | "ONEXTERNALCALLBACKSTART" | "ONVOXIMPLANTCALLINIT" | "ONVOXIMPLANTCALLEND";

const clone = <T>(v: T): T => structuredClone(v);

export class B24Emulator {
  readonly url: string;
  readonly webhookUrl: string;
  readonly oauthTokenUrl: string;
  readonly port: number;

  constructor(
    private readonly p: Portal,
    private readonly server: EmulatorServer,
    port: number,
  ) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    const wh = p.options.webhook;
    this.webhookUrl = wh ? `${this.url}/rest/${wh.userId}/${wh.code}/` : "";
    this.oauthTokenUrl = `${this.url}/oauth/token/`;
  }

  /** Portal domain (options.portal). */
  get portal(): string {
    return this.p.domain;
  }

  /** OAuth REST endpoint (`client_endpoint`): methods are called as `${restUrl}<method>` with `auth=<token>`. */
  get restUrl(): string {
    return `${this.url}/rest/`;
  }

  /** The per-install secret sent as `auth[application_token]` with events. */
  get applicationToken(): string {
    return this.p.auth.applicationToken;
  }

  get memberId(): string {
    return this.p.auth.memberId;
  }

  /** A fresh token pair of the installed app (what ONAPPINSTALL / the first code exchange would give). */
  issueOAuthTokens(userId?: number): OAuthTokenResponse {
    return this.p.auth.issue(userId);
  }

  /** An authorization code (30 s) for `grant_type=authorization_code` at the token endpoint. */
  issueAuthCode(userId?: number): string {
    return this.p.auth.issueAuthCode(userId);
  }

  /** Make every access token issued so far expired now (refresh tokens stay valid). */
  expireAccessTokens(): void {
    this.p.auth.expireAccessTokens();
  }

  setFaults(faults: FaultsConfig): void {
    this.p.faults.set(faults);
  }

  setLimits(limits: LimitsConfig | false): void {
    this.p.bucket.set(limits);
  }

  setOperatingLimit(limit: OperatingLimitConfig | false): void {
    this.p.operating.set(limit);
  }

  /** Add or replace users / contacts / leads. */
  seed(seed: { users?: SeedUser[]; contacts?: SeedContact[]; leads?: SeedLead[] }): void {
    this.p.state.seed(seed);
  }

  calls(): CallRecord[] {
    return clone([...this.p.state.calls.values()]);
  }

  call(callId: string): CallRecord | undefined {
    const c = this.p.state.calls.get(callId);
    return c ? clone(c) : undefined;
  }

  /** Users of the portal (ID, names, extension, active flag). */
  users(): Array<{ ID: number; NAME: string; LAST_NAME: string; UF_PHONE_INNER: string; ACTIVE: boolean }> {
    return [...this.p.state.users.values()].map((u) => ({
      ID: u.ID,
      NAME: u.NAME,
      LAST_NAME: u.LAST_NAME,
      UF_PHONE_INNER: u.UF_PHONE_INNER,
      ACTIVE: u.ACTIVE,
    }));
  }

  /** Deactivates (fires) or reactivates a user: an inactive user's webhook and tokens stop answering `user.current`. */
  setUserActive(id: number, active: boolean): void {
    const u = this.p.state.users.get(id);
    if (!u) throw new Error(`b24-emulator: no user ${id}`);
    u.ACTIVE = active;
  }

  requests(): RequestLogEntry[] {
    return clone(this.p.log);
  }

  stats(): EmulatorStats {
    return this.p.stats();
  }

  /** Everything else the portal holds (lines, users, CRM, activities, tasks, notifications, bindings, offline queue). */
  snapshot(): Record<string, unknown> {
    const s = this.p.state;
    return clone({
      lines: s.lines,
      users: [...s.users.values()],
      contacts: [...s.contacts.values()],
      leads: [...s.leads.values()],
      activeCalls: [...s.active.values()],
      activities: [...s.activities.values()],
      tasks: [...s.tasks.values()],
      notifications: s.notifications,
      comments: s.comments,
      bindings: s.bindings,
      offlineEvents: s.offline,
      files: [...s.files.values()].map((f) => ({ ID: f.ID, name: f.name, size: f.content.length, contentType: f.contentType })),
    });
  }

  file(id: number): { name: string; content: Buffer; contentType: string } | undefined {
    return this.p.state.files.get(id);
  }

  eventDeliveries(): DeliveryResult[] {
    return eventDeliveries(this.p);
  }

  /**
   * Emit a portal event: form-encoded POST to each bound online handler (no retries) or into the offline queue.
   * `ONEXTERNALCALLSTART` / `ONEXTERNALCALLBACKSTART` go to the installed app's handlers only.
   */
  fireEvent(event: EmulatorEvent, data: Record<string, unknown>): Promise<DeliveryResult[]> {
    return deliverEvent(this.p, event, data, this.p.auth.appId);
  }

  /**
   * Click-to-call from CRM: the portal registers a TYPE 1 call for the app, then fires ONEXTERNALCALLSTART with the
   * CALL_ID. Resolves to the CALL_ID after the delivery attempt.
   */
  startClickToCall(input: ClickToCallInput): Promise<string> {
    return startClickToCall(this.p, input);
  }

  /** The app's page ("Your handler path" of the local application): framed by `/_emulator/portal/app`. */
  setAppHandlerUrl(url: string): void {
    this.p.appHandlerUrl = new URL(url).toString();
  }

  /** The portal's application page for `userId`: DEFAULT (the app) or the CALL_CARD tabs of `callId`. */
  framePage(kind: "app" | "call-card", input: { userId: number; callId?: string; lang?: string }): string {
    return renderFramePage(this.p, {
      userId: input.userId,
      lang: input.lang ?? "en",
      frames: framesFor(this.p, kind, input.callId),
      heading: kind === "app" ? this.p.auth.appName : `Call ${input.callId ?? ""}`,
    });
  }

  /** Placement handlers bound with placement.bind. */
  placements(): Array<{ placement: string; handler: string; title: string; appId: number | null }> {
    return this.p.state.placements.map((p) => ({ placement: p.placement, handler: p.handler, title: p.title, appId: p.appId }));
  }

  /** Back to the seeded data; calls, logs, counters, limiter state, faults and bindings cleared. Tokens stay. */
  reset(): void {
    this.p.reset();
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
