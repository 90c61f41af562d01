/**
 * A tiny Prometheus-text metrics registry: counters and gauges with labels. No dependency:
 * the connector exposes a handful of figures, and `prom-client` would add default process
 * collectors we do not want on the hot path.
 */
type Labels = Record<string, string>;

function labelKey(labels: Labels): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.map(([k, v]) => `${k}="${String(v).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",");
}

interface Family {
  type: "counter" | "gauge";
  help: string;
  values: Map<string, number>;
  collect?: () => Array<[Labels, number]>;
}

export class Metrics {
  readonly #families = new Map<string, Family>();

  #family(name: string, type: Family["type"], help: string): Family {
    let f = this.#families.get(name);
    if (!f) {
      f = { type, help, values: new Map() };
      this.#families.set(name, f);
    }
    return f;
  }

  /** Adds to a counter. */
  inc(name: string, labels: Labels = {}, by = 1, help = name): void {
    const f = this.#family(name, "counter", help);
    const key = labelKey(labels);
    f.values.set(key, (f.values.get(key) ?? 0) + by);
  }

  /** Sets a gauge. */
  set(name: string, value: number, labels: Labels = {}, help = name): void {
    this.#family(name, "gauge", help).values.set(labelKey(labels), value);
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, collect: () => Array<[Labels, number]> | number): void {
    const f = this.#family(name, "gauge", help);
    f.collect = () => {
      const v = collect();
      return typeof v === "number" ? [[{}, v]] : v;
    };
  }

  /** A counter whose values live elsewhere (e.g. durable in Redis), read at scrape time. */
  counterFrom(name: string, help: string, collect: () => Array<[Labels, number]>): void {
    this.#family(name, "counter", help).collect = collect;
  }

  get(name: string, labels: Labels = {}): number | undefined {
    return this.#families.get(name)?.values.get(labelKey(labels));
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.#families) {
      lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
      const values = new Map(f.values);
      if (f.collect) for (const [labels, v] of f.collect()) values.set(labelKey(labels), v);
      for (const [key, v] of values) lines.push(key ? `${name}{${key}} ${v}` : `${name} ${v}`);
    }
    return lines.join("\n") + "\n";
  }
}
