/**
 * Builds each benchmark case on tsorch's current backend: setup (tensors, model, optimizer) runs
 * once, and the returned closure is one timed run. Every closure ends by reading a value back to
 * the host, so a backend that queues work (worker threads, lazy kernels) is timed to completion.
 */
import * as torch from 'tsorch';
import { nn, optim, type Tensor } from 'tsorch';
import type { CaseSpec, ConvSpec, LstmSpec, MatmulSpec, SeedConfig, SeedSpec } from './lib/cases.js';

/** Reads one element: forces completion without timing a copy of the whole result. */
function sync(t: Tensor): number {
  return t.reshape([-1]).narrow(0, 0, 1).item();
}

/** A (batch×)rows×cols operand, optionally built as the transpose of a contiguous cols×rows tensor (a strided view, as Linear's Wᵀ). */
function operand(batch: number, rows: number, cols: number, transposed: boolean): Tensor {
  const lead = batch > 1 ? [batch] : [];
  return transposed ? torch.randn([...lead, cols, rows]).transpose(-2, -1) : torch.randn([...lead, rows, cols]);
}

function matmulCase(s: MatmulSpec): () => void {
  const a = operand(s.batch, s.m, s.k, s.transA);
  const b = operand(s.batch, s.k, s.n, s.transB);
  return () => { sync(torch.noGrad(() => a.matmul(b))); };
}

function convCase(s: ConvSpec): () => void {
  const layers: nn.Conv2d[] = [];
  let c = s.inChannels;
  for (const l of s.layers) {
    layers.push(new nn.Conv2d(c, l.out, l.kernel));
    c = l.out;
  }
  const x = torch.randn([s.batch, s.inChannels, s.size, s.size]);
  const forward = (): Tensor => layers.reduce((h, conv) => torch.relu(conv.forward(h)), x);
  if (!s.backward) return () => { sync(torch.noGrad(forward)); };
  return () => {
    for (const l of layers) l.zeroGrad();
    forward().sum().backward();
    sync(layers[0]!.weight.grad!);
  };
}

function lstmCase(s: LstmSpec): () => void {
  const lstm = new nn.LSTM(s.input, s.hidden, { batchFirst: true });
  const x = torch.randn([s.batch, s.seq, s.input]);
  const wih = [...lstm.parameters()][0]!; // weight_ih_l0, registered first
  return () => {
    lstm.zeroGrad();
    lstm.forward(x).output.sum().backward();
    sync(wih.grad!);
  };
}

/** The seed's TextClassifier (README, examples/seed-text-classifier.ts) at the benchmark's configuration. */
class TextClassifier extends nn.Module {
  embedding: nn.Embedding;
  encoder: nn.TransformerEncoder;
  fc: nn.Linear;
  constructor(c: SeedConfig) {
    super();
    this.embedding = new nn.Embedding(c.vocab, c.dModel);
    const layer = new nn.TransformerEncoderLayer({ dModel: c.dModel, nhead: c.nhead, dimFeedforward: c.ff, dropout: c.dropout, batchFirst: true });
    this.encoder = new nn.TransformerEncoder(layer, c.layers);
    this.fc = new nn.Linear(c.dModel, c.classes);
  }
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.encoder.forward(this.embedding.forward(x)).mean(1));
  }
}

function seedCase(s: SeedSpec): () => void {
  const c = s.model;
  const model = new TextClassifier(c);
  const ids = torch.randint(0, c.vocab, [c.batch, c.seq], { dtype: 'int64' });
  if (s.kind === 'seed-infer') {
    model.eval();
    return () => { sync(torch.noGrad(() => model.forward(ids))); };
  }
  const labels = torch.randint(0, c.classes, [c.batch], { dtype: 'int64' });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  model.train();
  return () => {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(ids), labels);
    loss.backward();
    opt.step();
    loss.item();
  };
}

/**
 * Waits for backends that load asynchronously. A WebAssembly backend may compile its module
 * asynchronously and register only then; if tsorch exports a `ready()` (a promise-returning
 * hook), it is awaited before `listBackends()` is read. Without one, this does nothing.
 */
export async function tsorchReady(): Promise<string[]> {
  const ns = torch as unknown as Record<string, unknown>;
  const ready = ns['ready'];
  if (typeof ready === 'function') await (ready as () => Promise<unknown>)();
  return torch.listBackends();
}

/** Builds `spec` on the current backend; the result is one run of the case. */
export function buildTsorchCase(spec: CaseSpec): () => void {
  torch.manualSeed(0);
  switch (spec.kind) {
    case 'matmul': return matmulCase(spec);
    case 'conv': return convCase(spec);
    case 'lstm': return lstmCase(spec);
    case 'seed-train':
    case 'seed-infer': return seedCase(spec);
  }
}

/**
 * What the backends run with, for the report's header: read through optional hooks (looked up by
 * name, so this compiles whichever of them tsorch exports today): `wasmUsesRelaxedSimd()` and a
 * PyTorch-style `getNumThreads()`.
 */
export function tsorchBackendInfo(): Record<string, string | number | boolean> {
  const ns = torch as unknown as Record<string, unknown>;
  const info: Record<string, string | number | boolean> = {};
  for (const name of ['wasmUsesRelaxedSimd', 'getNumThreads']) {
    const f = ns[name];
    if (typeof f !== 'function') continue;
    const v: unknown = (f as () => unknown)();
    if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') info[name] = v;
  }
  return info;
}
