/**
 * Classification reports a person can open: the confusion matrix as an SVG heat map (class
 * names on both axes, the count in every cell, colour by the fraction of the true class) and a
 * JSON report (accuracy, per-class accuracy, precision/recall/F1, the matrix), written together
 * by `writeClassificationReport`. Shared by every classifier (images, text, tags).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TsorchError, ValueError } from '../errors.js';
import { writeAtomic } from '../io/atomic.js';
import { escapeXml } from './chart.js';
import { classificationReport, type ClassificationReport, type Labels } from './metrics.js';

/** Options of {@link confusionMatrixSVG}. */
export interface ConfusionMatrixSVGOptions {
  /** Default 'Confusion matrix'. */
  title?: string;
  /** Side of one cell in pixels. Default: 56 for up to 12 classes, smaller for more (at least 14). */
  cellSize?: number;
}

/** White → blue (Okabe–Ito's blue, #0072B2) by a fraction in [0, 1]. */
function shade(f: number): string {
  const t = Math.min(1, Math.max(0, f));
  const mix = (a: number, b: number): number => Math.round(a + (b - a) * t);
  const hex = (v: number): string => v.toString(16).padStart(2, '0');
  return `#${hex(mix(255, 0x00))}${hex(mix(255, 0x72))}${hex(mix(255, 0xb2))}`;
}

/**
 * The confusion matrix (`matrix[true][predicted]`) as an SVG heat map: rows are true classes,
 * columns predictions, each cell shows its count and is shaded by the fraction of its row (so
 * the diagonal reads as per-class recall, whatever the class sizes); a last column gives each
 * class's accuracy (recall) and its number of samples.
 *
 * @example
 * ```ts
 * const svg = confusionMatrixSVG([[5, 1], [0, 4]], ['cat', 'dog']);
 * await writeFile('confusion.svg', svg);
 * ```
 */
export function confusionMatrixSVG(matrix: readonly (readonly number[])[], classNames: readonly string[], opts: ConfusionMatrixSVGOptions = {}): string {
  const C = matrix.length;
  if (C === 0) throw new ValueError('confusionMatrixSVG', 'the matrix is empty');
  matrix.forEach((row, i) => {
    if (row.length !== C) throw new ValueError('confusionMatrixSVG', `row ${i} has ${row.length} entries, expected ${C} (a square matrix)`);
  });
  if (classNames.length !== C) throw new ValueError('confusionMatrixSVG', `${classNames.length} class names for a ${C}×${C} matrix`);
  const cell = opts.cellSize ?? Math.max(14, Math.min(56, Math.floor(672 / C)));
  const font = Math.max(7, Math.min(12, Math.floor(cell / 4)));
  const longest = Math.max(...classNames.map((n) => n.length));
  const labelW = Math.min(220, 16 + longest * font * 0.62);
  const left = labelW + 34;
  const top = (opts.title ?? 'Confusion matrix') ? 46 : 20;
  const statsW = 110;
  const W = left + C * cell + statsW;
  const H = top + C * cell + labelW + 30;
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W.toFixed(0)}" height="${H.toFixed(0)}" viewBox="0 0 ${W.toFixed(0)} ${H.toFixed(0)}" font-family="sans-serif" font-size="${font}">`,
    `<rect x="0" y="0" width="${W.toFixed(0)}" height="${H.toFixed(0)}" fill="#ffffff"/>`,
    `<text x="${(W / 2).toFixed(0)}" y="26" text-anchor="middle" font-size="15">${escapeXml(opts.title ?? 'Confusion matrix')}</text>`,
    `<text x="14" y="${(top + (C * cell) / 2).toFixed(0)}" text-anchor="middle" transform="rotate(-90 14 ${(top + (C * cell) / 2).toFixed(0)})">true class</text>`,
    `<text x="${(left + (C * cell) / 2).toFixed(0)}" y="${(H - 8).toFixed(0)}" text-anchor="middle">predicted class</text>`,
    `<text x="${(left + C * cell + 8).toFixed(0)}" y="${top - 6}">accuracy (n)</text>`,
  ];
  for (let i = 0; i < C; i++) {
    const y = top + i * cell;
    const name = escapeXml(classNames[i]!);
    out.push(`<text x="${(left - 6).toFixed(0)}" y="${(y + cell / 2 + font / 3).toFixed(1)}" text-anchor="end">${name}</text>`);
    const cx = left + i * cell + cell / 2;
    const ly = top + C * cell + 6;
    out.push(`<text x="${cx.toFixed(1)}" y="${ly}" text-anchor="end" transform="rotate(-60 ${cx.toFixed(1)} ${ly})">${name}</text>`);
    for (let j = 0; j < C; j++) {
      const v = matrix[i]![j]!;
      const f = rowSums[i]! === 0 ? 0 : v / rowSums[i]!;
      const x = left + j * cell;
      out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${cell}" height="${cell}" fill="${shade(f)}" stroke="#dddddd"><title>true ${name}, predicted ${escapeXml(classNames[j]!)}: ${v} (${(100 * f).toFixed(1)}% of the class)</title></rect>`);
      if (cell >= 18) out.push(`<text x="${(x + cell / 2).toFixed(1)}" y="${(y + cell / 2 + font / 3).toFixed(1)}" text-anchor="middle" fill="${f > 0.5 ? '#ffffff' : '#222222'}">${v}</text>`);
    }
    const acc = rowSums[i]! === 0 ? '–' : `${((100 * matrix[i]![i]!) / rowSums[i]!).toFixed(1)}%`;
    out.push(`<text x="${(left + C * cell + 8).toFixed(0)}" y="${(y + cell / 2 + font / 3).toFixed(1)}">${acc} (${rowSums[i]})</text>`);
  }
  out.push('</svg>', '');
  return out.join('\n');
}

/** A classification report with class names: what `writeClassificationReport` saves as JSON. */
export interface NamedClassificationReport extends ClassificationReport {
  classNames: string[];
  /** Per-class accuracy (the fraction of each true class predicted right, i.e. recall), by class name. */
  perClassAccuracy: Record<string, number>;
}

/**
 * The classification report of `predictions` against `targets` with each class named.
 *
 * @example
 * ```ts
 * namedClassificationReport([0, 1, 1], [0, 1, 0], ['cat', 'dog']).perClassAccuracy; // { cat: 0.5, dog: 1 }
 * ```
 */
export function namedClassificationReport(predictions: Labels, targets: Labels, classNames: readonly string[]): NamedClassificationReport {
  const report = classificationReport(predictions, targets, classNames.length);
  const perClassAccuracy: Record<string, number> = {};
  classNames.forEach((n, c) => { perClassAccuracy[n] = report.perClass[c]!.recall; });
  return { ...report, classNames: [...classNames], perClassAccuracy };
}

/** Where {@link writeClassificationReport} wrote its files. */
export interface ReportFiles {
  json: string;
  confusionSvg: string;
}

/**
 * Writes `<prefix>report.json` (the named classification report, with `extra` fields merged in)
 * and `<prefix>confusion.svg` (the heat map) into `dir`, atomically, and returns the report.
 *
 * @example
 * ```ts
 * const { report, files } = await writeClassificationReport('runs/fmnist', preds, targets, dataset.classes, { prefix: 'test-' });
 * report.accuracy; // files.confusionSvg is 'runs/fmnist/test-confusion.svg'
 * ```
 */
export async function writeClassificationReport(
  dir: string, predictions: Labels, targets: Labels, classNames: readonly string[],
  opts: { prefix?: string; title?: string; extra?: Record<string, unknown> } = {},
): Promise<{ report: NamedClassificationReport; files: ReportFiles }> {
  const report = namedClassificationReport(predictions, targets, classNames);
  await mkdir(dir, { recursive: true });
  const prefix = opts.prefix ?? '';
  const files = { json: join(dir, `${prefix}report.json`), confusionSvg: join(dir, `${prefix}confusion.svg`) };
  const title = opts.title ?? `Confusion matrix — accuracy ${(100 * report.accuracy).toFixed(2)}% of ${report.support}`;
  await writeText(files.json, `${JSON.stringify({ ...opts.extra, ...report }, null, 2)}\n`);
  await writeText(files.confusionSvg, confusionMatrixSVG(report.confusion, classNames, { title }));
  return { report, files };
}

async function writeText(path: string, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  await writeAtomic(path, async (write) => write(bytes), (problem, cause) => {
    const e = new TsorchError('writeClassificationReport', `${path}: ${problem}`);
    e.cause = cause;
    return e;
  });
}
