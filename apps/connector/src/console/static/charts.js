import { h } from "./dom.js";

// Small hand-written SVG charts: stacked bars over time. No dependency.
const SVG = "http://www.w3.org/2000/svg";
const PALETTE = ["#d23c3c", "#2f6fde", "#c77700", "#7b4fd6", "#14a0a0", "#d1498f", "#5d7a1f", "#8a5a2b"];

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A stable color per series name (same type → same color on every chart). */
export function colorOf(name, fixed = {}) {
  if (fixed[name]) return fixed[name];
  let x = 0;
  for (const ch of name) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[x % PALETTE.length];
}

/**
 * buckets: [{label, values: {series: n}}]; series: [{name, color}]
 * Draws a stacked bar chart with a y axis and a few x labels; each bar has a <title> tooltip.
 */
export function stackedBars({ buckets, series, height = 170, width = 560, labelEvery = 1, id }) {
  const pad = { l: 34, r: 8, t: 10, b: 22 };
  const max = Math.max(1, ...buckets.map((b) => series.reduce((n, s0) => n + (b.values[s0.name] ?? 0), 0)));
  const nice = niceStep(max / 4) * 4;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", ...(id ? { "data-chart": id } : {}) });
  const innerW = width - pad.l - pad.r;
  const innerH = height - pad.t - pad.b;
  for (let i = 0; i <= 4; i++) {
    const v = (nice * i) / 4;
    const y = pad.t + innerH - (innerH * i) / 4;
    svg.append(s("line", { x1: pad.l, x2: width - pad.r, y1: y, y2: y, stroke: "#e3e8ee" }));
    svg.append(s("text", { x: pad.l - 5, y: y + 3, "text-anchor": "end", class: "axis" }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const slot = innerW / Math.max(1, buckets.length);
  const bw = Math.max(2, slot * 0.72);
  buckets.forEach((b, i) => {
    let y = pad.t + innerH;
    const x = pad.l + i * slot + (slot - bw) / 2;
    const g = s("g", { "data-total": series.reduce((n, s0) => n + (b.values[s0.name] ?? 0), 0) });
    const tip = [b.label, ...series.filter((s0) => b.values[s0.name]).map((s0) => `${s0.name}: ${b.values[s0.name]}`)].join("\n");
    g.append(s("title", {}, tip));
    for (const s0 of series) {
      const v = b.values[s0.name] ?? 0;
      if (!v) continue;
      const bh = (innerH * v) / nice;
      y -= bh;
      g.append(s("rect", { x, y, width: bw, height: Math.max(bh, 1), rx: 2, fill: s0.color }));
    }
    if (g.childNodes.length === 1) g.append(s("rect", { x, y: pad.t, width: bw, height: innerH, fill: "transparent" }));
    svg.append(g);
    if (i % labelEvery === 0) svg.append(s("text", { x: x + bw / 2, y: height - 6, "text-anchor": "middle", class: "axis" }, b.label));
  });
  return svg;
}

/** A round tick step ≥ v: 1, 2, 5 × 10^k (2.5 too from 10 up), never below 1 (counts are integers). */
function niceStep(v) {
  if (v <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of p >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function legend(series) {
  return h(
    "div.legend",
    series.map((s0) => h("span", h("i", { style: `background:${s0.color}` }), s0.name)),
  );
}

/**
 * Horizontal stacked bars, one row per item: rows: [{label, values: {series: n}}]; series: [{name, color}].
 * `max` fixes the scale (1 for ratios), else the largest row total. Each row has a <title> tooltip.
 */
export function hbars({ rows, series, max, width = 560, rowHeight = 22, format = (v) => String(v), id }) {
  const pad = { l: 170, r: 60, t: 4, b: 4 };
  const height = pad.t + pad.b + Math.max(1, rows.length) * rowHeight;
  const total = (r) => series.reduce((n, s0) => n + (r.values[s0.name] ?? 0), 0);
  const scale = max ?? Math.max(1, ...rows.map(total));
  const innerW = width - pad.l - pad.r;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "hbars", style: `max-width:${width}px`, ...(id ? { "data-chart": id } : {}) });
  const short = (t) => (t.length > 24 ? `${t.slice(0, 23)}…` : t);
  rows.forEach((r, i) => {
    const y = pad.t + i * rowHeight;
    const g = s("g", { "data-row": r.label, "data-total": total(r) });
    g.append(s("title", {}, [r.label, ...series.map((s0) => `${s0.name}: ${format(r.values[s0.name] ?? 0)}`)].join("\n")));
    g.append(s("text", { x: pad.l - 6, y: y + rowHeight / 2 + 4, "text-anchor": "end", class: "axis" }, short(r.label)));
    g.append(s("rect", { x: pad.l, y: y + 3, width: innerW, height: rowHeight - 6, rx: 2, fill: "#f1f4f7" }));
    let x = pad.l;
    for (const s0 of series) {
      const v = r.values[s0.name] ?? 0;
      if (!v) continue;
      const w = (innerW * v) / scale;
      g.append(s("rect", { x, y: y + 3, width: Math.max(w, 1), height: rowHeight - 6, rx: 2, fill: s0.color }));
      x += w;
    }
    g.append(s("text", { x: width - pad.r + 6, y: y + rowHeight / 2 + 4, class: "axis" }, format(total(r))));
    svg.append(g);
  });
  return svg;
}
