/**
 * The benchmark catalogue: every case, its shapes and how much work one run does. It is data
 * only (JSON-serialisable), so the same list drives tsorch, tfjs and PyTorch (the driver hands it
 * to bench/torch_bench.py as JSON): the engines cannot drift apart on shapes.
 */

/** The seed model of issue 4 (the README's TextClassifier). */
export interface SeedConfig {
  vocab: number;
  dModel: number;
  nhead: number;
  layers: number;
  ff: number;
  dropout: number;
  classes: number;
  batch: number;
  seq: number;
}

export const SEED: SeedConfig = { vocab: 10000, dModel: 128, nhead: 8, layers: 6, ff: 512, dropout: 0.1, classes: 2, batch: 32, seq: 64 };

/** a (batch×)m×k times b k×n. `transB`: b is stored n×k and used as a transposed view (Linear's x·Wᵀ); `transA` likewise for a. */
export interface MatmulSpec { kind: 'matmul'; batch: number; m: number; k: number; n: number; transA: boolean; transB: boolean }
/** A stack of 3×3 (or k×k) convolutions with ReLU, no padding, stride 1, on NCHW images. */
export interface ConvSpec { kind: 'conv'; batch: number; inChannels: number; size: number; layers: { out: number; kernel: number }[]; backward: boolean }
/** One LSTM layer over a batch-first sequence, forward and backward through the sum of its output. */
export interface LstmSpec { kind: 'lstm'; batch: number; seq: number; input: number; hidden: number }
/** The seed model: one Adam training step (train mode, dropout on) or one eval-mode, no-grad forward. */
export interface SeedSpec { kind: 'seed-train' | 'seed-infer'; model: SeedConfig }

export type CaseSpec = MatmulSpec | ConvSpec | LstmSpec | SeedSpec;

export type Group = 'matmul' | 'seed-matmul' | 'conv' | 'lstm' | 'seed';

export interface BenchCase {
  id: string;
  group: Group;
  label: string;
  spec: CaseSpec;
  /** What the reported value counts: GFLOPS for products, samples (images, sequences) per second otherwise. */
  unit: 'GFLOPS' | 'samples/s';
  /** Floating-point operations (matmul) or samples (everything else) in one run of the case. */
  work: number;
}

function matmul(id: string, group: Group, label: string, s: Omit<MatmulSpec, 'kind'>): BenchCase {
  return { id, group, label, spec: { kind: 'matmul', ...s }, unit: 'GFLOPS', work: 2 * s.batch * s.m * s.k * s.n };
}

const sq = (n: number): BenchCase => matmul(`matmul-${n}`, 'matmul', `matmul ${n}×${n}·${n}×${n}`, { batch: 1, m: n, k: n, n, transA: false, transB: false });

/**
 * The products one training step of the seed model performs, derived from its layers: tokens
 * T = batch·seq = 2048, E = dModel = 128, heads H = 8 of size E/H = 16, batch-heads B·H = 256,
 * feed-forward F = 512. Linear layers compute x·Wᵀ with W stored (out, in), as PyTorch's
 * F.linear and tsorch's Linear do; backward adds dY·W (input grad) and dYᵀ·X (weight grad, a
 * long K = T reduction). Per step: each forward shape runs 6 times (one per layer), backward
 * shapes likewise.
 */
function seedShapes(c: SeedConfig): BenchCase[] {
  const T = c.batch * c.seq;
  const E = c.dModel;
  const hd = E / c.nhead;
  const BH = c.batch * c.nhead;
  const F = c.ff;
  const L = c.seq;
  return [
    matmul('seed-inproj', 'seed-matmul', `in-proj x·Wᵀ (${T}×${E})·(${E}×${3 * E})`, { batch: 1, m: T, k: E, n: 3 * E, transA: false, transB: true }),
    matmul('seed-scores', 'seed-matmul', `attn q·kᵀ ${BH}×(${L}×${hd})·(${hd}×${L})`, { batch: BH, m: L, k: hd, n: L, transA: false, transB: true }),
    matmul('seed-attnv', 'seed-matmul', `attn p·v ${BH}×(${L}×${L})·(${L}×${hd})`, { batch: BH, m: L, k: L, n: hd, transA: false, transB: false }),
    matmul('seed-outproj', 'seed-matmul', `out-proj x·Wᵀ (${T}×${E})·(${E}×${E})`, { batch: 1, m: T, k: E, n: E, transA: false, transB: true }),
    matmul('seed-ff1', 'seed-matmul', `linear1 x·Wᵀ (${T}×${E})·(${E}×${F})`, { batch: 1, m: T, k: E, n: F, transA: false, transB: true }),
    matmul('seed-ff2', 'seed-matmul', `linear2 h·Wᵀ (${T}×${F})·(${F}×${E})`, { batch: 1, m: T, k: F, n: E, transA: false, transB: true }),
    matmul('seed-ff1-dx', 'seed-matmul', `bwd linear1 dY·W (${T}×${F})·(${F}×${E})`, { batch: 1, m: T, k: F, n: E, transA: false, transB: false }),
    matmul('seed-ff1-dw', 'seed-matmul', `bwd linear1 dYᵀ·X (${F}×${T})·(${T}×${E})`, { batch: 1, m: F, k: T, n: E, transA: true, transB: false }),
  ];
}

const MNIST_CNN: Omit<ConvSpec, 'kind' | 'backward'> = { batch: 32, inChannels: 1, size: 28, layers: [{ out: 32, kernel: 3 }, { out: 64, kernel: 3 }] };

/** Every case, in table order. */
export const CASES: BenchCase[] = [
  ...[128, 256, 512, 1024, 2048].map(sq),
  ...seedShapes(SEED),
  { id: 'conv-fwd', group: 'conv', label: 'conv 1→32→64 3×3, 32×28×28, fwd', spec: { kind: 'conv', ...MNIST_CNN, backward: false }, unit: 'samples/s', work: MNIST_CNN.batch },
  { id: 'conv-fwdbwd', group: 'conv', label: 'conv 1→32→64 3×3, 32×28×28, fwd+bwd', spec: { kind: 'conv', ...MNIST_CNN, backward: true }, unit: 'samples/s', work: MNIST_CNN.batch },
  { id: 'lstm-fwdbwd', group: 'lstm', label: 'LSTM 128→128, 32×64 steps, fwd+bwd', spec: { kind: 'lstm', batch: 32, seq: 64, input: 128, hidden: 128 }, unit: 'samples/s', work: 32 },
  { id: 'seed-train', group: 'seed', label: 'seed model train step (Adam)', spec: { kind: 'seed-train', model: SEED }, unit: 'samples/s', work: SEED.batch },
  { id: 'seed-infer', group: 'seed', label: 'seed model inference (eval)', spec: { kind: 'seed-infer', model: SEED }, unit: 'samples/s', work: SEED.batch },
];

export const GROUPS: readonly Group[] = ['matmul', 'seed-matmul', 'conv', 'lstm', 'seed'];

export function findCase(id: string): BenchCase {
  const c = CASES.find((x) => x.id === id);
  if (!c) throw new Error(`no benchmark case '${id}' (cases: ${CASES.map((x) => x.id).join(', ')})`);
  return c;
}
