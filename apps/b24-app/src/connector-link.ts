/**
 * The b24-app → connector link (config `connector`): the connector's HTTP API with its own HTTP auth
 * (Basic, the connector's `http.auth`). Used by the app's page (status, users ↔ extensions) and the
 * CALL_CARD tab (what the PBX knows about a call). Read-only.
 */
export class ConnectorUnavailableError extends Error {
  override readonly name = "ConnectorUnavailableError";
  constructor(
    message: string,
    readonly status = 502,
  ) {
    super(message);
  }
}

export interface ConnectorLinkOptions {
  url: string;
  user?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

export class ConnectorLink {
  constructor(private readonly o: ConnectorLinkOptions) {}

  get url(): string {
    return this.o.url;
  }

  /** GET a JSON document; 404 → undefined; anything else not 2xx → ConnectorUnavailableError. */
  async get<T>(path: string): Promise<T | undefined> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.o.user && this.o.password) headers.authorization = `Basic ${Buffer.from(`${this.o.user}:${this.o.password}`).toString("base64")}`;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.o.url), { headers, signal: AbortSignal.timeout(this.o.timeoutMs) });
    } catch (e) {
      throw new ConnectorUnavailableError(`connector at ${this.o.url} unreachable: ${(e as Error).message}`);
    }
    if (res.status === 404) {
      await res.arrayBuffer().catch(() => undefined);
      return undefined;
    }
    if (res.status === 401) throw new ConnectorUnavailableError(`connector at ${this.o.url} refused our credentials (connector.user/password must equal its http.auth)`);
    if (!res.ok) throw new ConnectorUnavailableError(`connector at ${this.o.url} answered ${res.status}`);
    return (await res.json()) as T;
  }

  status(): Promise<Record<string, unknown> | undefined> {
    return this.get("/status");
  }

  call(crmCallId: string): Promise<Record<string, unknown> | undefined> {
    return this.get(`/api/b24/calls/${encodeURIComponent(crmCallId)}`);
  }

  extensions(): Promise<{ fromCalls: number; extensions: Array<{ extension: string; b24Inner: string; calls: number; answered: number; lastSeenAt: number }> } | undefined> {
    return this.get("/api/b24/extensions");
  }
}
