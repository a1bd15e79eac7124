/**
 * A linear-chain conditional random field over tag sequences (Lafferty et al., 2001), the
 * output layer of BiLSTM-CRF taggers: the score of tags y for emissions E is
 * start[y₀] + Σₜ E[t, yₜ] + Σₜ trans[yₜ₋₁, yₜ] + end[y_last], and the model is
 * p(y | E) = exp(score(y)) / Σ_y' exp(score(y')). The normaliser comes from the forward
 * algorithm (a logsumexp recursion over tags, built from differentiable ops so its gradient is
 * autograd's), the best sequence from Viterbi.
 *
 * Parameter names and initialisation follow pytorch-crf (`start_transitions`,
 * `end_transitions`, `transitions[from, to]`, all U(-0.1, 0.1)), so its state dicts load as is.
 */
import { noGrad } from '../autograd/mode.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { Module, Parameter, init } from '../nn/index.js';
import { where } from '../ops/index.js';
import { tensor, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';

/** How the per-sequence negative log-likelihoods are reduced. 'tokenMean' divides the sum by the number of real tokens. */
export type CRFReduction = 'mean' | 'sum' | 'none' | 'tokenMean';

/** Options of the CRF layer. */
export interface CRFOptions {
  /** Emissions (N, L, T), tags and masks (N, L). Default true; false: (L, N, T) and (L, N). */
  batchFirst?: boolean;
}

/** The CRF's parameters, for the functional forms. */
export interface CRFParams {
  /** (T) score of starting with each tag. */
  start: Tensor;
  /** (T) score of ending with each tag. */
  end: Tensor;
  /** (T, T) score of moving from tag i (row) to tag j (column). */
  transitions: Tensor;
}

/** Checks shapes and the mask; returns each sequence's length. Mask rows must be true then false, starting true. */
function checkInputs(op: string, emissions: Tensor, tags: Tensor | null, mask: Tensor | null, numTags: number): number[] {
  if (emissions.ndim !== 3) throw new ShapeError(op, 'emissions must be (N, L, numTags)', [emissions.shape]);
  const [N, L, T] = emissions.shape as [number, number, number];
  if (T !== numTags) throw new ShapeError(op, `emissions have ${T} tags, the CRF has ${numTags}`, [emissions.shape]);
  if (L === 0) throw new ShapeError(op, 'sequences must have at least one step', [emissions.shape]);
  if (tags && (tags.ndim !== 2 || tags.shape[0] !== N || tags.shape[1] !== L)) throw new ShapeError(op, 'tags must be (N, L) like the emissions\' first two dimensions', [tags.shape, emissions.shape]);
  if (tags && tags.dtype !== 'int64' && tags.dtype !== 'int32') throw new DTypeError(op, `tags must be int64 or int32, got ${tags.dtype}`);
  if (!mask) return new Array<number>(N).fill(L);
  if (mask.ndim !== 2 || mask.shape[0] !== N || mask.shape[1] !== L) throw new ShapeError(op, 'mask must be (N, L) like the emissions\' first two dimensions', [mask.shape, emissions.shape]);
  const m = mask.dataSync();
  return Array.from({ length: N }, (_, n) => {
    let len = 0;
    while (len < L && m[n * L + len]) len++;
    for (let t = len; t < L; t++) if (m[n * L + t]) throw new ValueError(op, `mask row ${n} has a gap: it must be true for a prefix of steps, then false`);
    if (len === 0) throw new ValueError(op, `mask row ${n} starts with false: every sequence needs its first step`);
    return len;
  });
}

/**
 * log Z for each sequence by the forward algorithm: α₀ = start + E₀,
 * αₜ[j] = logsumexp_i(αₜ₋₁[i] + trans[i, j]) + Eₜ[j] while the step is inside the sequence,
 * log Z = logsumexp(α_last + end). Shapes: emissions (N, L, T), mask (N, L) bool or null → (N).
 *
 * @example
 * ```ts
 * const logZ = crfLogPartition(emissions, mask, { start, end, transitions }); // (N)
 * ```
 */
export function crfLogPartition(emissions: Tensor, mask: Tensor | null, p: CRFParams): Tensor {
  const lengths = checkInputs('crfLogPartition', emissions, null, mask, p.start.shape[0]!);
  const L = emissions.shape[1]!;
  let alpha = p.start.unsqueeze(0).add(emissions.select(1, 0));
  const trans = p.transitions.unsqueeze(0);
  for (let t = 1; t < L; t++) {
    const next = alpha.unsqueeze(2).add(trans).add(emissions.select(1, t).unsqueeze(1)).logsumexp(1);
    alpha = lengths.every((l) => l > t) ? next : where(mask!.select(1, t).unsqueeze(1), next, alpha);
  }
  return alpha.add(p.end.unsqueeze(0)).logsumexp(1);
}

/**
 * The score of the given tag sequences. Shapes: emissions (N, L, T), tags (N, L), mask (N, L) or null → (N).
 *
 * @example
 * ```ts
 * const nll = crfLogPartition(e, mask, p).sub(crfScore(e, tags, mask, p)); // (N)
 * ```
 */
export function crfScore(emissions: Tensor, tags: Tensor, mask: Tensor | null, p: CRFParams): Tensor {
  const T = p.start.shape[0]!;
  const lengths = checkInputs('crfScore', emissions, tags, mask, T);
  const [N, L] = emissions.shape as [number, number, number];
  const tg = tags.dtype === 'int64' ? tags : tags.to('int64');
  const tv = tg.dataSync();
  for (const v of tv) if (!(v >= 0 && v < T)) throw new ValueError('crfScore', `tag ${v} is outside 0 … ${T - 1}`);
  const valid = mask ? mask.to(emissions.dtype) : null;
  const emitted = emissions.gather(2, tg.unsqueeze(2)).squeeze(2);
  let score = (valid ? emitted.mul(valid) : emitted).sum(1);
  score = score.add(p.start.indexSelect(0, tg.select(1, 0)));
  if (L > 1) {
    const pairIds = tensor(Int32Array.from({ length: N * (L - 1) }, (_, k) => {
      const n = Math.floor(k / (L - 1));
      const t = k % (L - 1);
      return tv[n * L + t]! * T + tv[n * L + t + 1]!;
    }), { shape: [N * (L - 1)], dtype: 'int64' });
    const moved = p.transitions.reshape([T * T]).indexSelect(0, pairIds).reshape([N, L - 1]);
    score = score.add((valid ? moved.mul(valid.slice(1, 1)) : moved).sum(1));
  }
  const last = tensor(lengths.map((len, n) => tv[n * L + len - 1]!), { dtype: 'int64' });
  return score.add(p.end.indexSelect(0, last));
}

/** Result of Viterbi decoding. */
export interface ViterbiResult {
  /** The best tag sequence of each input, as long as its mask. */
  paths: number[][];
  /** The score of each best sequence. */
  scores: number[];
}

/**
 * The highest-scoring tag sequences (Viterbi), computed without autograd. Shapes as `crfLogPartition`.
 *
 * @example
 * ```ts
 * const { paths, scores } = crfViterbi(emissions, mask, { start, end, transitions });
 * ```
 */
export function crfViterbi(emissions: Tensor, mask: Tensor | null, p: CRFParams): ViterbiResult {
  const T = p.start.shape[0]!;
  const lengths = checkInputs('crfViterbi', emissions, null, mask, T);
  const L = emissions.shape[1]!;
  const e = emissions.contiguous().dataSync();
  const start = p.start.dataSync();
  const end = p.end.dataSync();
  const trans = p.transitions.contiguous().dataSync();
  const paths: number[][] = [];
  const scores: number[] = [];
  lengths.forEach((len, n) => {
    const base = n * L * T;
    let score = Array.from({ length: T }, (_, j) => start[j]! + e[base + j]!);
    const back: Int32Array[] = [];
    for (let t = 1; t < len; t++) {
      const next = new Array<number>(T);
      const bp = new Int32Array(T);
      for (let j = 0; j < T; j++) {
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < T; i++) {
          const s = score[i]! + trans[i * T + j]!;
          if (s > best) { best = s; arg = i; }
        }
        next[j] = best + e[base + t * T + j]!;
        bp[j] = arg;
      }
      score = next;
      back.push(bp);
    }
    let bestTag = 0;
    for (let j = 1; j < T; j++) if (score[j]! + end[j]! > score[bestTag]! + end[bestTag]!) bestTag = j;
    scores.push(score[bestTag]! + end[bestTag]!);
    const path = [bestTag];
    for (let t = back.length - 1; t >= 0; t--) path.push(back[t]![path[path.length - 1]!]!);
    paths.push(path.reverse());
  });
  return { paths, scores };
}

/**
 * A linear-chain CRF layer. `forward` gives the negative log-likelihood of gold tags (a loss to
 * minimise; pytorch-crf's forward returns the log-likelihood itself, with 'sum' as default),
 * `decode` the best tags by Viterbi.
 *
 * Shapes (batchFirst): emissions (N, L, numTags) — typically a linear layer over BiLSTM
 * outputs —, tags (N, L) int64, mask (N, L) bool with true for real tokens (each row a prefix,
 * the first step always true); without a mask every step counts.
 *
 * @example
 * ```ts
 * const crf = new CRF(5);
 * const emissions = torch.randn([2, 4, 5]);
 * const tags = torch.tensor([[0, 1, 2, 0], [3, 4, 0, 0]], { dtype: 'int64' });
 * const mask = torch.tensor([[true, true, true, true], [true, true, false, false]]);
 * crf.forward(emissions, tags, { mask }).backward(); // mean negative log-likelihood
 * crf.decode(emissions, mask);                          // e.g. [[0, 1, 2, 0], [3, 4]]
 * ```
 */
export class CRF extends Module {
  start_transitions: Parameter;
  end_transitions: Parameter;
  transitions: Parameter;
  readonly batchFirst: boolean;

  constructor(readonly numTags: number, opts: CRFOptions = {}) {
    super();
    if (!Number.isInteger(numTags) || numTags <= 0) throw new ValueError('CRF', `numTags must be a positive integer, got ${numTags}`);
    this.batchFirst = opts.batchFirst ?? true;
    this.start_transitions = new Parameter(zeros([numTags]));
    this.end_transitions = new Parameter(zeros([numTags]));
    this.transitions = new Parameter(zeros([numTags, numTags]));
    this.resetParameters();
  }

  resetParameters(): void {
    for (const p of [this.start_transitions, this.end_transitions, this.transitions]) init.uniform_(p, -0.1, 0.1);
  }

  private get params(): CRFParams {
    return { start: this.start_transitions, end: this.end_transitions, transitions: this.transitions };
  }

  private batchMajor(x: Tensor | null): Tensor | null {
    return x === null || this.batchFirst ? x : x.transpose(0, 1);
  }

  /** Negative log-likelihood of `tags`, reduced ('mean' over sequences by default). */
  forward(emissions: Tensor, tags: Tensor, opts: { mask?: Tensor | null; reduction?: CRFReduction } = {}): Tensor {
    const e = this.batchMajor(emissions)!;
    const t = this.batchMajor(tags)!;
    const mask = this.batchMajor(opts.mask ?? null);
    const m = mask === null || mask.dtype === 'bool' ? mask : mask.ne(0);
    const nll = crfLogPartition(e, m, this.params).sub(crfScore(e, t, m, this.params));
    switch (opts.reduction ?? 'mean') {
      case 'none': return nll;
      case 'sum': return nll.sum();
      case 'mean': return nll.mean();
      case 'tokenMean': return nll.sum().div(m === null ? e.shape[0]! * e.shape[1]! : m.to('float64').sum().item());
    }
  }

  /** The best tag sequence of each input (Viterbi), each as long as its mask. */
  decode(emissions: Tensor, mask: Tensor | null = null): number[][] {
    const m = this.batchMajor(mask);
    return noGrad(() => crfViterbi(this.batchMajor(emissions)!, m === null || m.dtype === 'bool' ? m : m.ne(0), this.params).paths);
  }
}
