/** In-memory portal data: users, CRM, lines, active calls, statistics, activities, files, events. */
import type { CallRecord, SeedContact, SeedLead, SeedUser } from "./types.js";

export interface UserRow {
  ID: number;
  NAME: string;
  LAST_NAME: string;
  EMAIL: string;
  UF_PHONE_INNER: string;
  ACTIVE: boolean;
  PERSONAL_MOBILE: string;
  WORK_PHONE: string;
  PERSONAL_PHONE: string;
  IS_ADMIN: boolean;
  TIMEMAN_STATUS: string;
}

export interface MultiField {
  ID: string;
  VALUE_TYPE: string;
  VALUE: string;
  TYPE_ID: "PHONE" | "EMAIL";
}

/** A contact or lead: free-form fields plus multifields. */
export interface CrmRow {
  ID: number;
  fields: Record<string, unknown>;
  PHONE: MultiField[];
  EMAIL: MultiField[];
}

export interface LineRow {
  ID: number;
  NUMBER: string;
  NAME: string;
  CRM_AUTO_CREATE: "Y" | "N";
  REST_APP_ID: number | null;
}

export interface ActiveCall {
  CALL_ID: string;
  USER_ID: number;
  PHONE_NUMBER: string;
  phoneKey: string;
  TYPE: number;
  REST_APP_ID: number | null;
  LINE_NUMBER: string | null;
  EXTERNAL_CALL_ID: string | null;
  /** DATE_CREATE: CALL_START_DATE when given, else now (ms). */
  dateCreate: number;
  callStartDate: number;
  CRM_ENTITY_TYPE: string | null;
  CRM_ENTITY_ID: number | null;
  CRM_CREATED_LEAD: number | null;
  CRM_CREATED_ENTITIES: Array<{ ENTITY_TYPE: string; ENTITY_ID: number }>;
  crmEnabled: boolean;
  CRM_SOURCE: string | null;
  CALL_LIST_ID: number | null;
}

export interface StatRow {
  ID: number;
  CALL_ID: string;
  REST_APP_ID: number | null;
  CRM_ACTIVITY_ID: number | null;
  row: Record<string, unknown>;
  recordFileId: number | null;
  /** CALL_START_DATE of the call (ms): what voximplant.statistic.get filters and sorts by. */
  callStartDate: number;
}

export interface FileRow {
  ID: number;
  name: string;
  content: Buffer;
  contentType: string;
  at: number;
}

export interface EventBinding {
  id: number;
  event: string;
  handler: string;
  offline: boolean;
  authType: number;
  appId: number | null;
  /** "webhook" bindings exist only when webhookAllowedForEvents is on. */
  credential: string;
}

/** A placement handler bound with placement.bind (fact: admin only, OAuth app only). */
export interface PlacementBinding {
  id: number;
  placement: string;
  handler: string;
  title: string;
  description: string;
  userId: number;
  appId: number | null;
}

export interface OfflineEvent {
  ID: number;
  TIMESTAMP_X: string;
  EVENT_NAME: string;
  EVENT_DATA: Record<string, unknown>;
  EVENT_ADDITIONAL: Record<string, unknown>;
  MESSAGE_ID: string;
  processId: string | null;
  appId: number | null;
}

export interface PendingUpload {
  token: string;
  CALL_ID: string;
  FILENAME: string;
  created: number;
}

export class PortalState {
  users = new Map<number, UserRow>();
  contacts = new Map<number, CrmRow>();
  leads = new Map<number, CrmRow>();
  lines: LineRow[] = [];
  active = new Map<string, ActiveCall>();
  stats = new Map<string, StatRow>();
  activities = new Map<number, Record<string, unknown>>();
  files = new Map<number, FileRow>();
  tasks = new Map<number, Record<string, unknown>>();
  notifications: Array<{ ID: number; kind: "system" | "personal"; USER_ID: number; FROM_USER_ID: number; MESSAGE: string; TAG?: string; at: number }> = [];
  comments: Array<Record<string, unknown>> = [];
  bindings: EventBinding[] = [];
  placements: PlacementBinding[] = [];
  offline: OfflineEvent[] = [];
  uploads = new Map<string, PendingUpload>();
  /** Inspection view of every call, in registration order. */
  calls = new Map<string, CallRecord>();
  private seq = new Map<string, number>();

  nextId(kind: string): number {
    const n = (this.seq.get(kind) ?? 0) + 1;
    this.seq.set(kind, n);
    return n;
  }

  /** Make sure the next id of `kind` is above `id` (seeded rows keep their ids). */
  bump(kind: string, id: number): void {
    this.seq.set(kind, Math.max(this.seq.get(kind) ?? 0, id));
  }

  seed(seed: { users?: SeedUser[]; contacts?: SeedContact[]; leads?: SeedLead[] }): void {
    for (const u of seed.users ?? []) {
      this.users.set(u.ID, {
        ID: u.ID,
        NAME: u.NAME,
        LAST_NAME: u.LAST_NAME ?? "",
        EMAIL: u.EMAIL ?? "",
        UF_PHONE_INNER: u.UF_PHONE_INNER ?? "",
        ACTIVE: u.ACTIVE ?? true,
        PERSONAL_MOBILE: u.PERSONAL_MOBILE ?? "",
        WORK_PHONE: u.WORK_PHONE ?? "",
        PERSONAL_PHONE: u.PERSONAL_PHONE ?? "",
        IS_ADMIN: u.IS_ADMIN ?? u.ID === 1,
        TIMEMAN_STATUS: u.TIMEMAN_STATUS ?? "UNAVAILABLE",
      });
      this.bump("user", u.ID);
    }
    for (const c of seed.contacts ?? []) {
      const { ID, PHONE, EMAIL, ...rest } = c;
      this.contacts.set(ID, { ID, fields: { ...rest }, PHONE: this.multi(PHONE, "PHONE"), EMAIL: this.multi(EMAIL ?? [], "EMAIL") });
      this.bump("contact", ID);
    }
    for (const l of seed.leads ?? []) {
      const { ID, PHONE, EMAIL, ...rest } = l;
      this.leads.set(ID, {
        ID,
        fields: { STATUS_ID: "NEW", SOURCE_ID: "CALL", ...rest },
        PHONE: this.multi(PHONE, "PHONE"),
        EMAIL: this.multi(EMAIL ?? [], "EMAIL"),
      });
      this.bump("lead", ID);
    }
  }

  multi(items: Array<{ VALUE: string; VALUE_TYPE?: string }>, type: "PHONE" | "EMAIL"): MultiField[] {
    return items.map((p) => ({
      ID: String(this.nextId("multifield")),
      VALUE_TYPE: p.VALUE_TYPE ?? "WORK",
      VALUE: p.VALUE,
      TYPE_ID: type,
    }));
  }

  clear(): void {
    this.users.clear();
    this.contacts.clear();
    this.leads.clear();
    this.lines = [];
    this.active.clear();
    this.stats.clear();
    this.activities.clear();
    this.files.clear();
    this.tasks.clear();
    this.notifications = [];
    this.comments = [];
    this.bindings = [];
    this.placements = [];
    this.offline = [];
    this.uploads.clear();
    this.calls.clear();
    this.seq.clear();
  }

  activeUser(id: number): UserRow | undefined {
    const u = this.users.get(id);
    return u && u.ACTIVE ? u : undefined;
  }

  userByInner(inner: string): UserRow | undefined {
    for (const u of this.users.values()) if (u.ACTIVE && u.UF_PHONE_INNER !== "" && u.UF_PHONE_INNER === inner) return u;
    return undefined;
  }
}
