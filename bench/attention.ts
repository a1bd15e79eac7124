/**
 * Fused self-attention and dropout speed on the wasm backend at the seed model's shapes
 * (batch 32, sequence 64, d_model 128, 8 heads, dim_feedforward 512, batch_first, float32):
 * - `attn-train`: selfAttention forward with dropout 0.1 and saved probabilities/mask;
 * - `attn-infer`: selfAttention forward without dropout, nothing saved;
 * - `attn-bwd`: its backward (the fused attentionBackward);
 * - `drop512` / `drop128`: dropout(0.1) forward on [32, 64, 512] / [32, 64, 128], and
 *   `drop512-bwd` / `drop128-bwd`: forward + backward of the same.
 *
 * Run: `npx tsc -p tsconfig.test.json && nice -n 10 node build/bench/attention.js [--reps 15] [--threads 2] [--nobits]`
 * (`--nobits` hides fused.dropoutBits/dropoutApply: dropout's backward then regenerates its mask).
 * Prints wall-clock and CPU-time medians (and minima) per call in ms. The wasm backend computes
 * eagerly, so a call's time is its kernels' time. Under contention numbers are provisional.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as torch from '../src/index.js';
import { selfAttention } from '../src/ops/attention.js';
import { dropout } from '../src/ops/dropout.js';
import type { Tensor } from '../src/index.js';
import { median, wallAndCpu } from './lib/timing.js';

const { values } = parseArgs({ options: { reps: { type: 'string' }, threads: { type: 'string' }, cases: { type: 'string' }, nobits: { type: 'boolean' } } });
const reps = Number(values.reps ?? 15);
torch.setBackend('wasm');
if (values.nobits === true) {
  // A/B switch (bench only): hide the bit-mask dropout so dropout regenerates its mask in backward.
  const table = torch.getBackend('wasm').fused as Record<string, unknown> | undefined;
  if (table !== undefined) { delete table.dropoutBits; delete table.dropoutApply; }
}
if (values.threads !== undefined) torch.setNumThreads(Number(values.threads));
const cases = (values.cases ?? 'attn-train,attn-infer,attn-bwd,drop512,drop512-bwd,drop128,drop128-bwd').split(',');
console.log(`bench:attention — wasm, float32, ${torch.getNumThreads()} threads; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

torch.manualSeed(0);
const qkv = torch.randn([32, 64, 384]).requiresGrad_();
const g = torch.randn([32, 64, 128]);
const x512 = torch.randn([32, 64, 512]).requiresGrad_();
const x128 = torch.randn([32, 64, 128]).requiresGrad_();
const g512 = torch.randn([32, 64, 512]);
const g128 = torch.randn([32, 64, 128]);

/** Per-case work; `pre` runs untimed before each rep (for backward, the forward). */
const CASES: Record<string, { pre?: () => Tensor; run: (t: Tensor | undefined) => void }> = {
  'attn-train': { run: () => { selfAttention(qkv, 8, { batchFirst: true, dropout: 0.1 }); } },
  'attn-infer': { run: () => { torch.noGrad(() => selfAttention(qkv, 8, { batchFirst: true })); } },
  'attn-bwd': { pre: () => selfAttention(qkv, 8, { batchFirst: true, dropout: 0.1 }), run: (y) => { torch.grad([y!], [qkv], { gradOutputs: [g] }); } },
  drop512: { run: () => { dropout(x512, 0.1); } },
  'drop512-bwd': { pre: () => dropout(x512, 0.1), run: (y) => { torch.grad([y!], [x512], { gradOutputs: [g512] }); } },
  drop128: { run: () => { dropout(x128, 0.1); } },
  'drop128-bwd': { pre: () => dropout(x128, 0.1), run: (y) => { torch.grad([y!], [x128], { gradOutputs: [g128] }); } },
};

const fmt = (label: string, a: readonly number[]): string => `${label} ${median(a).toFixed(3).padStart(7)} ms (min ${Math.min(...a).toFixed(3)})`;
for (const name of cases) {
  const c = CASES[name];
  if (c === undefined) throw new Error(`unknown case ${name}`);
  const inner = 10;
  for (let i = 0; i < 5; i++) c.run(c.pre?.());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const pre = Array.from({ length: inner }, () => c.pre?.());
    const t = wallAndCpu(() => { for (let i = 0; i < inner; i++) c.run(pre[i]); });
    wall.push(t.wall / inner);
    cpu.push(t.cpu / inner);
  }
  console.log(`${name.padEnd(12)} ${fmt('wall', wall)}   ${fmt('cpu', cpu)}`);
}
