import type { Logger } from "pino";
import { B24AuthError, B24Error, type ChainResult } from "../crm/index.js";
import type { ComponentStatus } from "../http/status.js";
import type { CrmGateway } from "../crm/gateway.js";

type AuthMode = "webhook" | "oauth" | "gateway";

/** What the operator has to change when Bitrix24 refuses the credential, per auth mode. */
export function credentialFix(mode: AuthMode): string {
  switch (mode) {
    case "webhook":
      return "fix b24.auth.webhookUrl (or ASTERISK_B24_WEBHOOK_URL): an incoming webhook of an active admin with scopes telephony, crm, user, task, im; then restart the connector";
    case "oauth":
      return "fix b24.auth.clientId / b24.auth.clientSecret (or ASTERISK_B24_CLIENT_SECRET) / b24.auth.refreshToken (reinstall the local application for a new token pair); then restart the connector";
    case "gateway":
      return "fix b24.auth.token: issue a new connector token in the b24-app (asterisk-b24-app-cli token issue) and check that the b24-app is installed on the portal; then restart the connector";
  }
}

function isAuthError(err: unknown): err is B24Error {
  return err instanceof B24AuthError || (err instanceof B24Error && (err.kind === "B24AuthError" || err.kind === "B24TokenExpiredError"));
}

/**
 * Remembers whether Bitrix24 currently refuses our credential. Nothing is dropped meanwhile:
 * the stages that failed stay in the outbox and are retried with back-off, so the calls land
 * once the credential is right; /status says Error with the key to fix.
 */
export class CrmHealth {
  #authError: { code: string; text: string; at: number } | undefined;
  #lastOkAt: number | undefined;

  constructor(
    readonly mode: AuthMode,
    readonly log: Logger,
  ) {}

  noteOk(): void {
    if (this.#authError) this.log.info("Bitrix24 accepts the credential again");
    this.#authError = undefined;
    this.#lastOkAt = Date.now();
  }

  noteError(err: unknown): void {
    if (!isAuthError(err)) return;
    const first = !this.#authError;
    this.#authError = { code: err.code, text: err.description || err.message, at: Date.now() };
    if (first)
      this.log.error({ code: err.code, err: this.#authError.text, fix: credentialFix(this.mode) }, `Bitrix24 refused the credential (${this.mode}); calls are kept and retried`);
  }

  noteChain(result: ChainResult): void {
    let ok = false;
    for (const outcome of Object.values(result)) {
      if (outcome.ok) ok = true;
      else this.noteError(outcome.error);
    }
    if (ok) this.noteOk();
  }

  get authError(): { code: string; text: string; at: number } | undefined {
    return this.#authError;
  }

  /** Health fields merged into the `crm` component of /status. */
  status(): Pick<ComponentStatus, "health" | "problems"> & { credential: Record<string, unknown> } {
    const e = this.#authError;
    const credential = {
      accepted: !e,
      ...(e ? { refused_at: new Date(e.at).toISOString(), error: `${e.code}: ${e.text}` } : {}),
      ...(this.#lastOkAt ? { last_ok: new Date(this.#lastOkAt).toISOString() } : {}),
    };
    if (!e) return { health: "Ok", credential };
    return { health: "Error", problems: [`Bitrix24 refuses the credential (${e.code}: ${e.text}): ${credentialFix(this.mode)}. Calls wait in the queue meanwhile.`], credential };
  }
}

/** The gateway, reporting every answer to `health` (a refused credential, or a success). */
export function observeGateway(gateway: CrmGateway, health: CrmHealth): CrmGateway {
  const watch = async <T>(p: Promise<T>): Promise<T> => {
    try {
      const v = await p;
      health.noteOk();
      return v;
    } catch (err) {
      health.noteError(err);
      throw err;
    }
  };
  return {
    call: (method, params) => watch(gateway.call(method, params)),
    callRaw: (method, params) => watch(gateway.callRaw(method, params)),
    async chain(commands, id) {
      let r: ChainResult;
      try {
        r = await gateway.chain(commands, id);
      } catch (err) {
        health.noteError(err);
        throw err;
      }
      health.noteChain(r);
      return r;
    },
    upload: (url, field, filename, content) => gateway.upload(url, field, filename, content),
  };
}

/** The `crm` component's health: credential refused → Error; users never loaded → Warning. */
export function crmReachStatus(health: CrmHealth, users: { loaded: boolean }): ReturnType<CrmHealth["status"]> {
  const st = health.status();
  if (st.health !== "Ok" || users.loaded) return st;
  return { ...st, health: "Warning", problems: ["Bitrix24 users not loaded yet (portal unreachable?): calls are tracked and wait in the queue"] };
}
