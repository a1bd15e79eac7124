/**
 * A small SVG line chart (loss curves): axes with round-number ticks, one polyline per series
 * and a legend. Plain SVG 1.1 text, viewable in any browser, no dependency.
 */

/** One line of the chart. */
export interface ChartSeries {
  name: string;
  /** (x, y) points; points with a non-finite coordinate are left out. */
  points: readonly (readonly [number, number])[];
  /** CSS colour. Default: from a colour-blind-safe palette, by position. */
  color?: string;
  /** Line width in pixels. Default 2. */
  width?: number;
  /** Opacity 0–1. Default 1. */
  opacity?: number;
}

/** Options of {@link lineChartSVG}. */
export interface LineChartOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Default 720. */
  width?: number;
  /** Default 420. */
  height?: number;
  /** Corner of the legend: 'top-right' (default; suits falling curves such as losses) or 'bottom-right' (rising ones such as accuracy). */
  legend?: 'top-right' | 'bottom-right';
}

// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

/**
 * Escapes text for SVG content and attribute values.
 *
 * @example
 * ```ts
 * escapeXml('a < b & c'); // 'a &lt; b &amp; c'
 * ```
 */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * Round tick values (steps of 1, 2 or 5 × 10^k) covering [lo, hi], about `count` of them.
 *
 * @example
 * ```ts
 * niceTicks(0, 1); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * ```
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

/**
 * An SVG document with the series drawn as lines over shared axes.
 *
 * @example
 * ```ts
 * const svg = lineChartSVG([{ name: 'train', points: [[1, 0.9], [2, 0.5], [3, 0.3]] }], { title: 'Loss', xLabel: 'epoch' });
 * await writeFile('loss.svg', svg);
 * ```
 */
export function lineChartSVG(series: readonly ChartSeries[], opts: LineChartOptions = {}): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 420;
  const m = { left: 70, right: 20, top: opts.title ? 40 : 20, bottom: 55 };
  const pts = series.map((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const all = pts.flat();
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (W - m.left - m.right);
  const py = (y: number): number => H - m.bottom - ((y - y0) / (y1 - y0)) * (H - m.top - m.bottom);
  const r = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
  ];
  if (opts.title) out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(opts.title)}</text>`);
  for (const t of niceTicks(y0, y1)) {
    out.push(`<line x1="${m.left}" y1="${r(py(t))}" x2="${W - m.right}" y2="${r(py(t))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.left - 6}" y="${r(py(t) + 4)}" text-anchor="end">${escapeXml(fmt(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    out.push(`<line x1="${r(px(t))}" y1="${H - m.bottom}" x2="${r(px(t))}" y2="${H - m.bottom + 5}" stroke="#333333"/>`);
    out.push(`<text x="${r(px(t))}" y="${H - m.bottom + 18}" text-anchor="middle">${escapeXml(fmt(t))}</text>`);
  }
  out.push(`<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="#333333"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${H - m.bottom}" stroke="#333333"/>`);
  if (opts.xLabel) out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  if (opts.yLabel) out.push(`<text x="16" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(m.top + H - m.bottom) / 2})">${escapeXml(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = escapeXml(s.color ?? PALETTE[i % PALETTE.length]!);
    const p = pts[i]!;
    if (p.length > 1) {
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="${s.width ?? 2}" stroke-opacity="${s.opacity ?? 1}" points="${p.map(([x, y]) => `${r(px(x))},${r(py(y))}`).join(' ')}"/>`);
    } else if (p.length === 1) {
      out.push(`<circle cx="${r(px(p[0]![0]))}" cy="${r(py(p[0]![1]))}" r="3" fill="${color}"/>`);
    }
    const ly = opts.legend === 'bottom-right' ? H - m.bottom - 12 - (series.length - 1 - i) * 18 : m.top + 8 + i * 18;
    out.push(`<line x1="${W - m.right - 150}" y1="${ly}" x2="${W - m.right - 130}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${W - m.right - 124}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}
