/**
 * Classification metrics with scikit-learn's definitions: accuracy, a confusion matrix (rows are
 * true classes, columns predictions), and precision, recall and F1 per class and averaged
 * (micro: from summed counts; macro: unweighted mean of the per-class scores; weighted: mean
 * weighted by support). A ratio with a zero denominator is 0, as sklearn's `zero_division=0`.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Class ids: a number array or an integer tensor of any shape (flattened). */
export type Labels = readonly number[] | Tensor;

/** Precision, recall and F1 of one class or one average. */
export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

/** Per-class scores with the class's number of true instances. */
export interface ClassScores extends PRF {
  support: number;
}

/** Everything `classificationReport` computes. */
export interface ClassificationReport {
  accuracy: number;
  /** One entry per class id 0 … numClasses-1. */
  perClass: ClassScores[];
  micro: PRF;
  macro: PRF;
  weighted: PRF;
  /** confusion[true][predicted]. */
  confusion: number[][];
  /** Number of samples. */
  support: number;
}

function toList(x: Labels, op: string, what: string): number[] {
  const list = Array.isArray(x) ? [...(x as readonly number[])] : Array.from((x as Tensor).dataSync());
  for (const v of list) if (!Number.isInteger(v)) throw new ValueError(op, `${what} must be integer class ids, got ${v}`);
  return list;
}

function pair(predictions: Labels, targets: Labels, op: string): [number[], number[]] {
  const p = toList(predictions, op, 'predictions');
  const t = toList(targets, op, 'targets');
  if (p.length !== t.length) throw new ValueError(op, `predictions (${p.length}) and targets (${t.length}) differ in length`);
  return [p, t];
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/**
 * The fraction of predictions equal to their targets (0 for no samples).
 *
 * @example
 * ```ts
 * accuracy([0, 1, 1, 2], [0, 1, 2, 2]); // 0.75
 * ```
 */
export function accuracy(predictions: Labels, targets: Labels): number {
  const [p, t] = pair(predictions, targets, 'accuracy');
  return ratio(p.filter((v, i) => v === t[i]).length, p.length);
}

/**
 * The (numClasses, numClasses) confusion matrix: entry [i][j] counts samples of true class i
 * predicted as j. `numClasses` defaults to one more than the largest id seen.
 *
 * @example
 * ```ts
 * confusionMatrix([0, 1, 1], [0, 0, 1]); // [[1, 1], [0, 1]]
 * ```
 */
export function confusionMatrix(predictions: Labels, targets: Labels, numClasses?: number): number[][] {
  const [p, t] = pair(predictions, targets, 'confusionMatrix');
  const C = numClasses ?? Math.max(-1, ...p, ...t) + 1;
  const m = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  p.forEach((v, i) => {
    const y = t[i]!;
    if (v < 0 || v >= C || y < 0 || y >= C) throw new ValueError('confusionMatrix', `class id ${v < 0 || v >= C ? v : y} is outside 0 … ${C - 1}`);
    m[y]![v]! += 1;
  });
  return m;
}

/**
 * Scores from per-class true-positive, false-positive and false-negative counts.
 *
 * @example
 * ```ts
 * scoresFromCounts([1, 2], [0, 1], [1, 0]).micro.f1; // 0.75
 * ```
 */
export function scoresFromCounts(tp: readonly number[], fp: readonly number[], fn: readonly number[]): { perClass: ClassScores[]; micro: PRF; macro: PRF; weighted: PRF } {
  const perClass = tp.map((t, c) => {
    const precision = ratio(t, t + fp[c]!);
    const recall = ratio(t, t + fn[c]!);
    return { precision, recall, f1: f1Of(precision, recall), support: t + fn[c]! };
  });
  const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);
  const [TP, FP, FN] = [sum(tp), sum(fp), sum(fn)];
  const microP = ratio(TP, TP + FP);
  const microR = ratio(TP, TP + FN);
  const n = perClass.length;
  const total = sum(perClass.map((s) => s.support));
  const avg = (k: keyof PRF, w: (s: ClassScores) => number, d: number): number => ratio(sum(perClass.map((s) => s[k] * w(s))), d);
  return {
    perClass,
    micro: { precision: microP, recall: microR, f1: f1Of(microP, microR) },
    macro: { precision: avg('precision', () => 1, n), recall: avg('recall', () => 1, n), f1: avg('f1', () => 1, n) },
    weighted: { precision: avg('precision', (s) => s.support, total), recall: avg('recall', (s) => s.support, total), f1: avg('f1', (s) => s.support, total) },
  };
}

/**
 * Accuracy, confusion matrix and precision/recall/F1 per class and averaged, for single-label
 * classification. Macro averages include every class 0 … numClasses-1, also classes absent
 * from both predictions and targets (their scores are 0), as sklearn with `labels=range(C)`.
 *
 * @example
 * ```ts
 * const r = classificationReport([0, 1, 1, 2], [0, 1, 2, 2], 3);
 * r.perClass[2]; // { precision: 1, recall: 0.5, f1: 0.667, support: 2 }
 * r.macro.f1;    // mean of the three per-class F1 scores
 * ```
 */
export function classificationReport(predictions: Labels, targets: Labels, numClasses?: number): ClassificationReport {
  const confusion = confusionMatrix(predictions, targets, numClasses);
  const C = confusion.length;
  const tp = confusion.map((row, c) => row[c]!);
  const fp = Array.from({ length: C }, (_, c) => confusion.reduce((s, row) => s + row[c]!, 0) - tp[c]!);
  const fn = confusion.map((row, c) => row.reduce((s, v) => s + v, 0) - tp[c]!);
  const support = confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  return { accuracy: ratio(tp.reduce((a, b) => a + b, 0), support), confusion, support, ...scoresFromCounts(tp, fp, fn) };
}

/**
 * Precision, recall and F1 for multi-label classification: predictions and targets are
 * (N, C) 0/1 indicator rows (nested arrays or tensors); each class is scored as its own binary
 * problem, micro averages pool the counts. `accuracy` here is the exact-match ratio (every
 * label of a sample right), as sklearn's accuracy_score on indicator matrices.
 *
 * @example
 * ```ts
 * multiLabelReport([[1, 0], [1, 1]], [[1, 0], [0, 1]]).micro.precision; // 2/3
 * ```
 */
export function multiLabelReport(predictions: readonly (readonly number[])[] | Tensor, targets: readonly (readonly number[])[] | Tensor): Omit<ClassificationReport, 'confusion'> {
  const rows = (x: readonly (readonly number[])[] | Tensor, what: string): number[][] => {
    if (Array.isArray(x)) return (x as readonly (readonly number[])[]).map((r) => [...r]);
    const t = x as Tensor;
    if (t.ndim !== 2) throw new ValueError('multiLabelReport', `${what} must be (N, C), got shape [${t.shape.join(',')}]`);
    return t.toArray() as number[][];
  };
  const p = rows(predictions, 'predictions');
  const t = rows(targets, 'targets');
  if (p.length !== t.length) throw new ValueError('multiLabelReport', `predictions (${p.length} rows) and targets (${t.length} rows) differ`);
  const C = t[0]?.length ?? p[0]?.length ?? 0;
  const [tp, fp, fn] = [new Array<number>(C).fill(0), new Array<number>(C).fill(0), new Array<number>(C).fill(0)];
  let exact = 0;
  p.forEach((row, i) => {
    const y = t[i]!;
    if (row.length !== C || y.length !== C) throw new ValueError('multiLabelReport', `row ${i} has ${row.length} predictions and ${y.length} targets, expected ${C}`);
    let same = true;
    for (let c = 0; c < C; c++) {
      const [a, b] = [row[c] !== 0, y[c] !== 0];
      if (a && b) tp[c]! += 1;
      else if (a) fp[c]! += 1;
      else if (b) fn[c]! += 1;
      if (a !== b) same = false;
    }
    if (same) exact++;
  });
  return { accuracy: ratio(exact, p.length), support: p.length, ...scoresFromCounts(tp, fp, fn) };
}

/**
 * Macro-averaged F1 over the classes seen in predictions or targets (a `fit` metric).
 *
 * @example
 * ```ts
 * macroF1([0, 1, 1, 2], [0, 1, 2, 2]); // (1 + 0.667 + 0.667) / 3
 * ```
 */
export function macroF1(predictions: Labels, targets: Labels): number {
  return classificationReport(predictions, targets).macro.f1;
}
