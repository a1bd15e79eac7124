/**
 * Batch norm speed on the wasm backend: the fused kernel (Backend.fused.batchNorm /
 * batchNormBackward) against the composite of reductions and elementwise ops, in one run,
 * alternating A/B so both see the same load from the rest of the machine.
 *
 * Cases (float32, training mode unless said):
 * - `bn`: BatchNorm2d(16) forward + backward on (128, 16, 28, 28), the shape of the small ResNet's
 *   first stage (1.6M floats per activation);
 * - `bn-eval`: BatchNorm2d(16) eval forward on the same input;
 * - `resnet`: one Adam training step (forward, cross-entropy, backward, step) of vision's ResNet
 *   at batch 128 on (128, 1, 28, 28).
 * The composite is selected by hiding the fused kernels from the backend's table for the
 * duration of a rep (a bench-only switch; the library has none).
 *
 * Run: `npx tsc -p tsconfig.test.json && node build/bench/batchnorm.js [--reps 7] [--steps 3]`.
 * Prints wall-clock and CPU-time medians (and minima) in ms; the wasm backend computes eagerly, so a call's time is its
 * kernels' time (no read-back is timed). Under contention (other processes on the cores) the numbers are
 * provisional; the A/B ratio is the robust figure.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as torch from '../src/index.js';
import { nn, optim } from '../src/index.js';
import type { FusedKernels } from '../src/backend/types.js';
import { ResNet } from '../src/vision/models/resnet.js';
import { median, wallAndCpu } from './lib/timing.js';

type Fn = (o: FusedKernels) => unknown;
const KEYS = ['batchNorm', 'batchNormBackward'] as const;

/** Runs fn with the fused batch norm kernels present (fused) or hidden (composite). */
function withMode<T>(fused: boolean, fn: () => T): T {
  const table = torch.getBackend('wasm').fused as Record<string, Fn | undefined> | undefined;
  if (table === undefined || fused) return fn();
  const saved = KEYS.map((k) => table[k]);
  for (const k of KEYS) delete table[k];
  try {
    return fn();
  } finally {
    KEYS.forEach((k, i) => { if (saved[i] !== undefined) table[k] = saved[i]; });
  }
}


const fmt = (label: string, a: readonly number[]): string => `${label} ${median(a).toFixed(1).padStart(7)} ms (min ${Math.min(...a).toFixed(1)})`;

/**
 * A/B timing: warm-up of each, then `reps` alternating reps. Reports wall-clock and CPU-time
 * medians: on a loaded machine the wall clock counts time this process waited for a core, the
 * CPU time does not (it sums every thread of the process, so it measures work, not latency).
 */
function ab(name: string, fn: () => void, reps: number, warmup: number): void {
  const hasFused = torch.getBackend('wasm').fused?.batchNorm !== undefined;
  const modes = hasFused ? [false, true] : [false];
  for (const m of modes) for (let i = 0; i < warmup; i++) withMode(m, fn);
  const wall: Record<string, number[]> = { composite: [], fused: [] };
  const cpu: Record<string, number[]> = { composite: [], fused: [] };
  for (let r = 0; r < reps; r++) {
    for (const m of modes) {
      const k = m ? 'fused' : 'composite';
      const t = wallAndCpu(() => withMode(m, fn));
      wall[k]!.push(t.wall);
      cpu[k]!.push(t.cpu);
    }
  }
  console.log(`${name}: ${reps} reps`);
  for (const [what, d] of [['wall', wall], ['cpu ', cpu]] as const) {
    const line = [`  ${what} ${fmt('composite', d.composite!)}`];
    if (hasFused) line.push(fmt('fused', d.fused!), `speed-up ×${(median(d.composite!) / median(d.fused!)).toFixed(2)}`);
    else line.push('(no fused batch norm on this build)');
    console.log(line.join('   '));
  }
}

const { values } = parseArgs({ options: { reps: { type: 'string' }, steps: { type: 'string' }, cases: { type: 'string' } } });
const reps = Number(values.reps ?? 7);
const steps = Number(values.steps ?? 3);
const cases = (values.cases ?? 'bn,bn-eval,resnet').split(',');
torch.setBackend('wasm');
console.log(`bench:batchnorm — wasm backend, float32; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

if (cases.includes('bn') || cases.includes('bn-eval')) {
  torch.manualSeed(0);
  const bn = new nn.BatchNorm2d(16);
  const x = torch.randn([128, 16, 28, 28]).requiresGrad_();
  const g = torch.randn([128, 16, 28, 28]);
  if (cases.includes('bn')) {
    bn.train();
    ab('bn', () => {
      x.grad = null;
      bn.zeroGrad();
      bn.forward(x).backward(g);
    }, reps, 2);
  }
  if (cases.includes('bn-eval')) {
    bn.eval();
    ab('bn-eval', () => { torch.noGrad(() => bn.forward(x)); }, reps, 2);
  }
}

if (cases.includes('resnet')) {
  torch.manualSeed(0);
  const model = new ResNet();
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([128, 1, 28, 28]);
  const y = torch.randint(0, 10, [128]);
  model.train();
  ab('resnet', () => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    loss.item();
  }, steps, 1);
}
