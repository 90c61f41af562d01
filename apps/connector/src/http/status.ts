/**
 * /status: one JSON document an admin (or a monitoring script) polls, in the spirit of
 * Itgrix's /status so existing jq scripts translate easily:
 *   { app_state: "" | "restarting" | "stopped", app_status: "Ok" | "Warning" | "Error",
 *     version, uptime_s, problems: [...], app: { ami: {...}, crm: {...}, calls: {...}, ... } }
 * Each component registers a provider; the worst health wins.
 */
export type Health = "Ok" | "Warning" | "Error";

export interface ComponentStatus {
  health: Health;
  /** Human sentences explaining a Warning/Error. */
  problems?: string[];
  [key: string]: unknown;
}

export type StatusProvider = () => ComponentStatus | Promise<ComponentStatus>;

/** A component that does not answer within this time is reported as Error. */
const PROVIDER_TIMEOUT_MS = 2000;

const RANK: Record<Health, number> = { Ok: 0, Warning: 1, Error: 2 };

export class StatusRegistry {
  readonly #providers = new Map<string, StatusProvider>();
  readonly #startedAt = Date.now();
  appState: "" | "restarting" | "stopped" = "";

  constructor(readonly version: string) {}

  register(name: string, provider: StatusProvider): void {
    this.#providers.set(name, provider);
  }

  async snapshot(): Promise<Record<string, unknown>> {
    const app: Record<string, unknown> = {};
    let worst: Health = "Ok";
    const problems: string[] = [];
    const read = async ([name, provider]: [string, StatusProvider]): Promise<[string, ComponentStatus]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PROVIDER_TIMEOUT_MS} ms (Redis down?)`)), PROVIDER_TIMEOUT_MS);
        });
        return [name, await Promise.race([Promise.resolve().then(provider), late])];
      } catch (err) {
        return [name, { health: "Error", problems: [`status of ${name} could not be read: ${(err as Error).message}`] }];
      } finally {
        clearTimeout(timer);
      }
    };
    // In parallel, each bounded: /status answers even when Redis or Bitrix24 does not.
    for (const [name, s] of await Promise.all([...this.#providers].map(read))) {
      app[name] = s;
      if (RANK[s.health] > RANK[worst]) worst = s.health;
      for (const p of s.problems ?? []) problems.push(`${name}: ${p}`);
    }
    return {
      app_state: this.appState,
      app_status: worst,
      version: this.version,
      uptime_s: Math.round((Date.now() - this.#startedAt) / 1000),
      problems,
      app,
    };
  }
}

/** `?path=app.crm.users_cache` returns one element of the document (as Itgrix does). */
export function selectPath(doc: unknown, path: string | undefined): unknown {
  if (!path) return doc;
  let node: unknown = doc;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object" || !(part in (node as object))) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
