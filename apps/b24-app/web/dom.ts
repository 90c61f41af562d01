/** A tiny element builder: h("td", {class: "x"}, "text", child…). Text is always text (no HTML injection). */
export type Child = Node | string | number | null | undefined | false;

export function h(tag: string, attrs: Record<string, string | boolean | undefined | ((ev: Event) => void)> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === "number" ? String(c) : c);
  return el;
}

export function pill(text: string, tone: "ok" | "warn" | "bad"): HTMLElement {
  return h("span", { class: `pill ${tone}` }, text);
}

export function table(head: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLElement {
  return h("table", attrs, h("thead", {}, h("tr", {}, ...head.map((t) => h("th", {}, t)))), h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))));
}

export function showError(text: string): void {
  const el = document.getElementById("error");
  if (el) el.textContent = text;
}
