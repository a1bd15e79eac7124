/**
 * TF-IDF features with scikit-learn's `TfidfVectorizer` definitions, as sparse rows: the
 * vocabulary is sorted alphabetically, idf = ln((1 + n) / (1 + df)) + 1 (smooth, the default) or
 * ln(n / df) + 1, tf is the raw count (or 1 + ln(count) when sublinear), and each row is scaled
 * to unit L2 norm. Documents are raw text (split by `tokenizer`, by default sklearn's
 * `\b\w\w+\b` after lower-casing) or already lists of tokens (genres, tags, words).
 * Used by the text baselines and by content-based recommendation (cosine similarity of rows).
 */
import { ValueError } from '../errors.js';

/** A sparse vector: ascending column `indices` and their `values` (same length). */
export interface SparseRow {
  indices: Int32Array;
  values: Float32Array;
}

/** Rows stacked in compressed sparse row form: row i is `indices/data[indptr[i] .. indptr[i+1])`. */
export interface CSRMatrix {
  rows: number;
  cols: number;
  /** Length rows + 1. */
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** A document: raw text, or its tokens. */
export type TfidfDocument = string | readonly string[];

/** Options of {@link TfidfVectorizer}; defaults are scikit-learn's. */
export interface TfidfOptions {
  /** Splits raw text into tokens. Default: lower-case (see `lowercase`) then the runs of ≥ 2 word characters. */
  tokenizer?: (text: string) => string[];
  /** Lower-case raw text before the default tokenizer. Default true. */
  lowercase?: boolean;
  /** Word n-grams [min, max], joined by a space. Default [1, 1]. */
  ngramRange?: readonly [number, number];
  /** Minimum document frequency: an integer count ≥ 1, or a fraction in (0, 1). Default 1. */
  minDf?: number;
  /** Maximum document frequency: a fraction in (0, 1], or an integer count > 1. Default 1 (no limit). */
  maxDf?: number;
  /** Keep only the terms most frequent over the corpus (ties: alphabetical order). Default null (all). */
  maxFeatures?: number | null;
  /** Replace tf by 1 + ln(tf). Default false. */
  sublinearTf?: boolean;
  /** Weight by inverse document frequency. Default true. */
  useIdf?: boolean;
  /** Add one to document frequencies, as if a document held every term once. Default true. */
  smoothIdf?: boolean;
  /** Row normalisation. Default 'l2'. */
  norm?: 'l2' | 'l1' | null;
}

/** What `toJSON` writes and `fromJSON` reads (the tokenizer function is not saved). */
export interface TfidfJSON {
  type: 'tfidf';
  version: 1;
  terms: string[];
  idf: number[];
  options: Omit<Required<TfidfOptions>, 'tokenizer'>;
}

const WORD = /[\p{L}\p{M}\p{N}_]{2,}/gu;

/**
 * scikit-learn's default analyzer: lower-case, then every run of two or more word characters.
 *
 * @example
 * ```ts
 * defaultTokenize('Is this the 1st document?'); // ['is', 'this', 'the', '1st', 'document']
 * ```
 */
export function defaultTokenize(text: string, lowercase = true): string[] {
  return (lowercase ? text.toLowerCase() : text).match(WORD) ?? [];
}

/**
 * Fits a vocabulary and idf weights on documents, then turns documents into sparse TF-IDF rows.
 *
 * @example
 * ```ts
 * const tfidf = new TfidfVectorizer({ sublinearTf: true, minDf: 2 });
 * const rows = tfidf.fitTransform(['the cat sat', 'the dog sat', 'a cat ran']);
 * tfidf.terms;                            // ['cat', 'sat', 'the'] (df ≥ 2)
 * cosineSimilarity(rows[0]!, rows[1]!);   // > 0: they share 'sat' and 'the'
 * ```
 */
export class TfidfVectorizer {
  readonly options: Omit<Required<TfidfOptions>, 'tokenizer'>;
  private readonly tokenizer: ((text: string) => string[]) | null;
  private vocab: Map<string, number> | null = null;
  private termList: string[] = [];
  private idfWeights: Float64Array = new Float64Array(0);

  constructor(opts: TfidfOptions = {}) {
    const { tokenizer, ...rest } = opts;
    this.tokenizer = tokenizer ?? null;
    this.options = {
      lowercase: true, ngramRange: [1, 1], minDf: 1, maxDf: 1, maxFeatures: null,
      sublinearTf: false, useIdf: true, smoothIdf: true, norm: 'l2', ...rest,
    };
    const o = this.options;
    const [lo, hi] = o.ngramRange;
    if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi >= lo)) {
      throw new ValueError('TfidfVectorizer', `ngramRange must be integers 1 ≤ min ≤ max, got [${lo}, ${hi}]`);
    }
    checkDf('minDf', o.minDf);
    checkDf('maxDf', o.maxDf);
    if (o.maxFeatures !== null && !(Number.isInteger(o.maxFeatures) && o.maxFeatures > 0)) {
      throw new ValueError('TfidfVectorizer', `maxFeatures must be a positive integer or null, got ${o.maxFeatures}`);
    }
  }

  /** Number of features (columns). */
  get numFeatures(): number {
    return this.termList.length;
  }

  /** The feature names, column by column (alphabetical). */
  get terms(): readonly string[] {
    return this.termList;
  }

  /** The idf weight of each column. */
  get idf(): Float64Array {
    return this.idfWeights;
  }

  /** The column of a term, or undefined. */
  column(term: string): number | undefined {
    return this.fitted('column').get(term);
  }

  /** The terms (n-grams included) of one document, in order. */
  analyze(doc: TfidfDocument): string[] {
    const tokens = typeof doc === 'string'
      ? (this.tokenizer ? this.tokenizer(doc) : defaultTokenize(doc, this.options.lowercase))
      : [...doc];
    const [lo, hi] = this.options.ngramRange;
    if (lo === 1 && hi === 1) return tokens;
    const out: string[] = [];
    for (let n = lo; n <= hi; n++) {
      for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? tokens[i]! : tokens.slice(i, i + n).join(' '));
    }
    return out;
  }

  /** Learns the vocabulary and idf from documents. */
  fit(docs: readonly TfidfDocument[]): this {
    this.fitAnalyzed(docs.map((d) => this.analyze(d)));
    return this;
  }

  /** Fits, then transforms the same documents (analysing each once). */
  fitTransform(docs: readonly TfidfDocument[]): SparseRow[] {
    const analyzed = docs.map((d) => this.analyze(d));
    this.fitAnalyzed(analyzed);
    return analyzed.map((terms) => this.rowOf(terms));
  }

  /** Sparse TF-IDF rows of documents; terms outside the vocabulary are ignored. */
  transform(docs: readonly TfidfDocument[]): SparseRow[] {
    this.fitted('transform');
    return docs.map((d) => this.rowOf(this.analyze(d)));
  }

  /** The sparse row of one document. */
  transformOne(doc: TfidfDocument): SparseRow {
    this.fitted('transformOne');
    return this.rowOf(this.analyze(doc));
  }

  /** The vocabulary, idf and options as JSON (a custom tokenizer must be given again to `fromJSON`). */
  toJSON(): TfidfJSON {
    this.fitted('toJSON');
    return { type: 'tfidf', version: 1, terms: [...this.termList], idf: Array.from(this.idfWeights), options: { ...this.options } };
  }

  /** Rebuilds a fitted vectorizer from `toJSON()`'s output. */
  static fromJSON(json: TfidfJSON, tokenizer?: (text: string) => string[]): TfidfVectorizer {
    if (json?.type !== 'tfidf' || !Array.isArray(json.terms) || !Array.isArray(json.idf) || json.terms.length !== json.idf.length) {
      throw new ValueError('TfidfVectorizer.fromJSON', 'not a TF-IDF vectorizer saved by toJSON (needs type "tfidf" and terms/idf of equal length)');
    }
    const v = new TfidfVectorizer({ ...json.options, ...(tokenizer ? { tokenizer } : {}) });
    v.termList = [...json.terms];
    v.vocab = new Map(v.termList.map((t, i) => [t, i]));
    v.idfWeights = Float64Array.from(json.idf);
    return v;
  }

  private fitted(op: string): Map<string, number> {
    if (this.vocab === null) throw new ValueError(`TfidfVectorizer.${op}`, 'call fit (or fitTransform) first');
    return this.vocab;
  }

  private fitAnalyzed(docs: readonly string[][]): void {
    const n = docs.length;
    if (n === 0) throw new ValueError('TfidfVectorizer.fit', 'no documents');
    const df = new Map<string, number>();
    const tf = new Map<string, number>();
    for (const terms of docs) {
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of new Set(terms)) df.set(t, (df.get(t) ?? 0) + 1);
    }
    const o = this.options;
    const minCount = o.minDf < 1 ? Math.ceil(o.minDf * n) : o.minDf;
    const maxCount = o.maxDf <= 1 ? Math.floor(o.maxDf * n) : o.maxDf;
    if (maxCount < minCount) throw new ValueError('TfidfVectorizer.fit', `maxDf ${o.maxDf} (${maxCount} documents) is below minDf ${o.minDf} (${minCount} documents) for ${n} documents`);
    let kept = [...df.keys()].filter((t) => { const d = df.get(t)!; return d >= minCount && d <= maxCount; }).sort(compareStrings);
    if (o.maxFeatures !== null && kept.length > o.maxFeatures) {
      // Stable sort by corpus frequency over the alphabetical list: ties keep alphabetical order.
      kept = kept.map((t, i) => ({ t, i, f: tf.get(t)! })).sort((a, b) => b.f - a.f || a.i - b.i)
        .slice(0, o.maxFeatures).map((x) => x.t).sort(compareStrings);
    }
    if (kept.length === 0) throw new ValueError('TfidfVectorizer.fit', `no terms left after minDf ${o.minDf} / maxDf ${o.maxDf} (${n} documents, ${df.size} distinct terms)`);
    this.termList = kept;
    this.vocab = new Map(kept.map((t, i) => [t, i]));
    const s = o.smoothIdf ? 1 : 0;
    this.idfWeights = Float64Array.from(kept, (t) => (o.useIdf ? Math.log((n + s) / (df.get(t)! + s)) + 1 : 1));
  }

  private rowOf(terms: readonly string[]): SparseRow {
    const vocab = this.vocab!;
    const counts = new Map<number, number>();
    for (const t of terms) {
      const j = vocab.get(t);
      if (j !== undefined) counts.set(j, (counts.get(j) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const values = new Float32Array(indices.length);
    const w = new Float64Array(indices.length);
    let norm = 0;
    for (let k = 0; k < indices.length; k++) {
      const c = counts.get(indices[k]!)!;
      const v = (this.options.sublinearTf ? 1 + Math.log(c) : c) * this.idfWeights[indices[k]!]!;
      w[k] = v;
      norm += this.options.norm === 'l1' ? Math.abs(v) : v * v;
    }
    if (this.options.norm === 'l2') norm = Math.sqrt(norm);
    const scale = this.options.norm === null || norm === 0 ? 1 : 1 / norm;
    for (let k = 0; k < w.length; k++) values[k] = w[k]! * scale;
    return { indices, values };
  }
}

function compareStrings(a: string, b: string): number {
  // Code-point order, as Python sorts str (not localeCompare).
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkDf(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0 && (v <= 1 || Number.isInteger(v)))) {
    throw new ValueError('TfidfVectorizer', `${name} must be a fraction in (0, 1] or an integer count, got ${v}`);
  }
}

/**
 * Dot product of two sparse rows (indices ascending), by merging.
 *
 * @example
 * ```ts
 * sparseDot(tfidf.transformOne('cat'), tfidf.transformOne('cat sat'));
 * ```
 */
export function sparseDot(a: SparseRow, b: SparseRow): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) s += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** Euclidean norm of a sparse row. */
export function sparseNorm(a: SparseRow): number {
  let s = 0;
  for (const v of a.values) s += v * v;
  return Math.sqrt(s);
}

/**
 * Cosine similarity of two sparse rows (0 when either is all zeros). TF-IDF rows with the default
 * L2 norm have unit length, so this equals their dot product.
 *
 * @example
 * ```ts
 * const [a, b] = new TfidfVectorizer().fitTransform(['red apple', 'green apple']);
 * cosineSimilarity(a!, b!); // in (0, 1): they share 'apple'
 * ```
 */
export function cosineSimilarity(a: SparseRow, b: SparseRow): number {
  const na = sparseNorm(a);
  const nb = sparseNorm(b);
  return na === 0 || nb === 0 ? 0 : sparseDot(a, b) / (na * nb);
}

/**
 * Stacks sparse rows into a CSR matrix with `cols` columns (checked against the indices).
 *
 * @example
 * ```ts
 * const X = toCSR(tfidf.transform(docs), tfidf.numFeatures);
 * X.indptr[X.rows]; // number of stored values
 * ```
 */
export function toCSR(rows: readonly SparseRow[], cols: number): CSRMatrix {
  let nnz = 0;
  for (const r of rows) nnz += r.indices.length;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  let at = 0;
  rows.forEach((r, i) => {
    for (let k = 0; k < r.indices.length; k++) {
      const c = r.indices[k]!;
      if (c < 0 || c >= cols) throw new ValueError('toCSR', `row ${i} has column ${c}, outside [0, ${cols})`);
    }
    indices.set(r.indices, at);
    data.set(r.values, at);
    at += r.indices.length;
    indptr[i + 1] = at;
  });
  return { rows: rows.length, cols, indptr, indices, data };
}

/** Row i of a CSR matrix as a sparse row (views, no copy). */
export function csrRow(m: CSRMatrix, i: number): SparseRow {
  if (!(Number.isInteger(i) && i >= 0 && i < m.rows)) throw new ValueError('csrRow', `row ${i} is outside [0, ${m.rows})`);
  return { indices: m.indices.subarray(m.indptr[i]!, m.indptr[i + 1]!), values: m.data.subarray(m.indptr[i]!, m.indptr[i + 1]!) };
}
