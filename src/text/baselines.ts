/**
 * Linear baselines on sparse features (TF-IDF rows): multinomial naive Bayes and L2-regularised
 * softmax (logistic) regression, in plain typed-array code. They train in about a second on a
 * few thousand documents, which makes them the yardstick a neural text classifier must beat.
 */
import { ValueError } from '../errors.js';
import type { SparseRow } from './tfidf.js';

/** What both baselines offer. */
export interface SparseClassifier {
  readonly numClasses: number;
  readonly numFeatures: number;
  /** Class probabilities of each row: (N) arrays of length numClasses. */
  predictProba(rows: readonly SparseRow[]): Float64Array[];
  /** The most probable class of each row. */
  predict(rows: readonly SparseRow[]): number[];
}

function checkData(op: string, rows: readonly SparseRow[], labels: readonly number[], numFeatures: number, numClasses?: number): number {
  if (rows.length === 0) throw new ValueError(op, 'no training rows');
  if (rows.length !== labels.length) throw new ValueError(op, `${rows.length} rows but ${labels.length} labels`);
  let maxLabel = -1;
  labels.forEach((y, i) => {
    if (!(Number.isInteger(y) && y >= 0)) throw new ValueError(op, `label ${i} is ${y}; labels must be class ids 0, 1, …`);
    maxLabel = Math.max(maxLabel, y);
  });
  const C = numClasses ?? Math.max(2, maxLabel + 1);
  if (maxLabel >= C) throw new ValueError(op, `label ${maxLabel} is outside [0, ${C})`);
  rows.forEach((r, i) => {
    for (const j of r.indices) if (j < 0 || j >= numFeatures) throw new ValueError(op, `row ${i} has feature ${j}, outside [0, ${numFeatures})`);
  });
  return C;
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return best;
}

/** In-place softmax of a small vector. */
function softmaxInPlace(z: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (let c = 0; c < z.length; c++) s += (z[c] = Math.exp(z[c]! - m));
  for (let c = 0; c < z.length; c++) z[c]! /= s;
  return z;
}

/** Options of {@link MultinomialNB}. */
export interface MultinomialNBOptions {
  /** Additive (Laplace/Lidstone) smoothing. Default 1, as scikit-learn. */
  alpha?: number;
}

/**
 * Multinomial naive Bayes with scikit-learn's `MultinomialNB` definitions: class log-priors from
 * label frequencies, and per-class feature log-probabilities log((count + α) / (total + α·F)),
 * where counts are the summed (non-negative) feature values of the class's rows.
 *
 * @example
 * ```ts
 * const tfidf = new TfidfVectorizer();
 * const nb = MultinomialNB.fit(tfidf.fitTransform(texts), labels, tfidf.numFeatures);
 * nb.predict(tfidf.transform(['win money now'])); // [1]
 * ```
 */
export class MultinomialNB implements SparseClassifier {
  private constructor(
    readonly numClasses: number,
    readonly numFeatures: number,
    /** log P(class), length C. */
    readonly classLogPrior: Float64Array,
    /** log P(feature | class), (C, F) row-major. */
    readonly featureLogProb: Float64Array,
  ) {}

  /** Fits on sparse rows (non-negative values) and class ids. */
  static fit(rows: readonly SparseRow[], labels: readonly number[], numFeatures: number, opts: MultinomialNBOptions & { numClasses?: number } = {}): MultinomialNB {
    const op = 'MultinomialNB.fit';
    const C = checkData(op, rows, labels, numFeatures, opts.numClasses);
    const alpha = opts.alpha ?? 1;
    if (!(alpha >= 0)) throw new ValueError(op, `alpha must be ≥ 0, got ${alpha}`);
    const F = numFeatures;
    const counts = new Float64Array(C * F);
    const classCount = new Float64Array(C);
    rows.forEach((r, i) => {
      const y = labels[i]!;
      classCount[y]!++;
      for (let k = 0; k < r.indices.length; k++) {
        const v = r.values[k]!;
        if (v < 0) throw new ValueError(op, `row ${i} has a negative value ${v} (naive Bayes needs counts or TF-IDF weights)`);
        counts[y * F + r.indices[k]!]! += v;
      }
    });
    const prior = Float64Array.from(classCount, (n) => Math.log(n / rows.length));
    const logProb = new Float64Array(C * F);
    for (let c = 0; c < C; c++) {
      let total = 0;
      for (let j = 0; j < F; j++) total += counts[c * F + j]! + alpha;
      for (let j = 0; j < F; j++) logProb[c * F + j] = Math.log((counts[c * F + j]! + alpha) / total);
    }
    return new MultinomialNB(C, F, prior, logProb);
  }

  /** Joint log-likelihood log P(class) + Σ x_j log P(j | class) of each row. */
  jointLogLikelihood(rows: readonly SparseRow[]): Float64Array[] {
    const { numClasses: C, numFeatures: F } = this;
    return rows.map((r) => {
      const z = Float64Array.from(this.classLogPrior);
      for (let k = 0; k < r.indices.length; k++) {
        const j = r.indices[k]!;
        if (j >= F) continue;
        for (let c = 0; c < C; c++) z[c]! += r.values[k]! * this.featureLogProb[c * F + j]!;
      }
      return z;
    });
  }

  predictProba(rows: readonly SparseRow[]): Float64Array[] {
    return this.jointLogLikelihood(rows).map(softmaxInPlace);
  }

  predict(rows: readonly SparseRow[]): number[] {
    return this.jointLogLikelihood(rows).map(argmax);
  }
}

/** Options of {@link LogisticRegression}. */
export interface LogisticRegressionOptions {
  /** L2 penalty λ on the weights (not the bias): loss = mean cross-entropy + λ/2·‖W‖². Default 1e-4. */
  l2?: number;
  /** Full-batch Adam iterations at most (the step decays to zero over them, cosine). Default 200. */
  maxIter?: number;
  /** Adam learning rate. Default 0.1. */
  lr?: number;
  /** Stop once every gradient component is below this in absolute value (the optimum is reached). Default 1e-5. */
  tol?: number;
  /** Number of classes (default: largest label + 1, at least 2). */
  numClasses?: number;
}

/**
 * Softmax (multinomial logistic) regression with an L2 penalty, trained by full-batch Adam on
 * sparse rows. Each iteration costs O(nnz·C + F·C), so thousands of TF-IDF rows train in well
 * under a second. For two classes it is ordinary logistic regression (with a redundant
 * parameterisation, which the penalty makes unique).
 *
 * @example
 * ```ts
 * const lr = LogisticRegression.fit(tfidf.fitTransform(texts), labels, tfidf.numFeatures, { l2: 1e-4 });
 * lr.predictProba(tfidf.transform(['free money'])); // [[P(ham), P(spam)]]
 * ```
 */
export class LogisticRegression implements SparseClassifier {
  private constructor(
    readonly numClasses: number,
    readonly numFeatures: number,
    /** (C, F) row-major. */
    readonly weight: Float64Array,
    /** Length C. */
    readonly bias: Float64Array,
    /** Training loss after each iteration. */
    readonly lossHistory: number[],
  ) {}

  static fit(rows: readonly SparseRow[], labels: readonly number[], numFeatures: number, opts: LogisticRegressionOptions = {}): LogisticRegression {
    const op = 'LogisticRegression.fit';
    const C = checkData(op, rows, labels, numFeatures, opts.numClasses);
    const l2 = opts.l2 ?? 1e-4;
    const maxIter = opts.maxIter ?? 200;
    const lr = opts.lr ?? 0.1;
    const tol = opts.tol ?? 1e-5;
    if (!(l2 >= 0)) throw new ValueError(op, `l2 must be ≥ 0, got ${l2}`);
    if (!(Number.isInteger(maxIter) && maxIter > 0)) throw new ValueError(op, `maxIter must be a positive integer, got ${maxIter}`);
    const F = numFeatures;
    const N = rows.length;
    const P = C * F + C; // weights then biases
    const theta = new Float64Array(P);
    const grad = new Float64Array(P);
    const m = new Float64Array(P);
    const v = new Float64Array(P);
    const b1 = 0.9;
    const b2 = 0.999;
    const z = new Float64Array(C);
    const history: number[] = [];
    for (let it = 1; it <= maxIter; it++) {
      grad.fill(0);
      let loss = 0;
      for (let i = 0; i < N; i++) {
        const r = rows[i]!;
        for (let c = 0; c < C; c++) {
          let s = theta[C * F + c]!;
          for (let k = 0; k < r.indices.length; k++) s += theta[c * F + r.indices[k]!]! * r.values[k]!;
          z[c] = s;
        }
        softmaxInPlace(z);
        const y = labels[i]!;
        loss -= Math.log(Math.max(z[y]!, 1e-300));
        for (let c = 0; c < C; c++) {
          const d = (z[c]! - (c === y ? 1 : 0)) / N;
          grad[C * F + c]! += d;
          for (let k = 0; k < r.indices.length; k++) grad[c * F + r.indices[k]!]! += d * r.values[k]!;
        }
      }
      loss /= N;
      let penalty = 0;
      for (let p = 0; p < C * F; p++) {
        penalty += theta[p]! * theta[p]!;
        grad[p]! += l2 * theta[p]!;
      }
      loss += (l2 / 2) * penalty;
      history.push(loss);
      if (!Number.isFinite(loss)) throw new ValueError(op, `the loss is ${loss} at iteration ${it}: lower lr`);
      let gmax = 0;
      for (let p = 0; p < P; p++) gmax = Math.max(gmax, Math.abs(grad[p]!));
      if (gmax < tol) break;
      const c1 = 1 - b1 ** it;
      const c2 = 1 - b2 ** it;
      // Cosine decay to zero over maxIter: constant-step Adam hovers around the optimum instead of reaching it.
      const step = lr * 0.5 * (1 + Math.cos((Math.PI * (it - 1)) / maxIter));
      for (let p = 0; p < P; p++) {
        const g = grad[p]!;
        m[p] = b1 * m[p]! + (1 - b1) * g;
        v[p] = b2 * v[p]! + (1 - b2) * g * g;
        theta[p]! -= (step * (m[p]! / c1)) / (Math.sqrt(v[p]! / c2) + 1e-8);
      }
    }
    return new LogisticRegression(C, F, theta.slice(0, C * F), theta.slice(C * F), history);
  }

  /** Logits W·x + b of each row. */
  decisionFunction(rows: readonly SparseRow[]): Float64Array[] {
    const { numClasses: C, numFeatures: F } = this;
    return rows.map((r) => {
      const z = Float64Array.from(this.bias);
      for (let k = 0; k < r.indices.length; k++) {
        const j = r.indices[k]!;
        if (j >= F) continue;
        for (let c = 0; c < C; c++) z[c]! += this.weight[c * F + j]! * r.values[k]!;
      }
      return z;
    });
  }

  predictProba(rows: readonly SparseRow[]): Float64Array[] {
    return this.decisionFunction(rows).map(softmaxInPlace);
  }

  predict(rows: readonly SparseRow[]): number[] {
    return this.decisionFunction(rows).map(argmax);
  }
}
