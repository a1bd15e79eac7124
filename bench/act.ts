/**
 * Fused GELU and fused cross-entropy on the wasm backend against their composites, in one run,
 * alternating blocks of A and B so both see the same load from the rest of the machine.
 *
 * Cases (float32):
 * - `gelu` / `gelu-tanh`: gelu forward + backward (sum of y·g) on (2048, 512), exact and tanh forms;
 * - `xent-1000`: crossEntropy forward + backward on logits (2048, 1000) with int64 targets (mean);
 * - `xent-2`: the same on (32, 2), the seed model's classifier head (call overhead dominates).
 * The composite is selected with the ops' internal switch (setFusedPath in src/ops/fused-switch.ts).
 *
 * Run: `npx tsc -p tsconfig.test.json && node build/bench/act.js [--reps 9]`. Prints wall and
 * CPU medians in ms (CPU: this process, all its threads). Under contention the absolute numbers
 * are provisional; the A/B ratio is the robust figure.
 */
import { parseArgs } from 'node:util';
import * as torch from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { setFusedPath } from '../src/ops/fused-switch.js';
import { crossEntropy } from '../src/ops/loss.js';
import { median, wallAndCpu } from './lib/timing.js';


const { values } = parseArgs({ options: { reps: { type: 'string', default: '9' } } });
const reps = Number(values.reps);
torch.setBackend('wasm');
torch.manualSeed(0);

/** One case: a setup returning the step to time (the step must read nothing back but the loss). */
interface Case { name: string; setFused: (on: boolean) => boolean; inner: number; step: () => void }

function geluCase(tanhForm: boolean): Case {
  const x = torch.randn([2048, 512]).requiresGrad_();
  const g = torch.randn([2048, 512]);
  return {
    name: tanhForm ? 'gelu-tanh 2048x512 fwd+bwd' : 'gelu 2048x512 fwd+bwd',
    setFused: (on) => setFusedPath('gelu', on),
    inner: 1,
    step: () => {
      x.grad = null;
      torch.gelu(x, tanhForm ? 'tanh' : 'none').backward(g);
    },
  };
}

function xentCase(N: number, C: number, inner: number): Case {
  const x = torch.randn([N, C]).mul(2).requiresGrad_();
  const t: Tensor = torch.randint(0, C, [N], { dtype: 'int64' });
  return {
    name: `xent ${N}x${C} fwd+bwd${inner > 1 ? ` (x${inner})` : ''}`,
    setFused: (on) => setFusedPath('crossEntropy', on),
    inner,
    step: () => {
      for (let i = 0; i < inner; i++) {
        x.grad = null;
        crossEntropy(x, t).backward();
      }
    },
  };
}

const cases = [geluCase(false), geluCase(true), xentCase(2048, 1000, 1), xentCase(32, 2, 100)];
console.log(`act bench: ${3 * Math.ceil(reps / 3)} timed calls per mode in 3 alternating blocks; medians in ms per call (wall / CPU)`);
for (const c of cases) {
  const t = { fused: { wall: [] as number[], cpu: [] as number[] }, composite: { wall: [] as number[], cpu: [] as number[] } };
  // Blocks of calls per mode (two warm-ups, then timed calls), alternating modes over three
  // rounds: back-to-back calls of one mode reuse its freed blocks of wasm memory, as a training
  // loop does; alternating every call would also time first-touch page faults of fresh memory.
  for (let round = 0; round < 3; round++) {
    for (const mode of ['fused', 'composite'] as const) {
      const prev = c.setFused(mode === 'fused');
      c.step();
      c.step();
      for (let r = 0; r < Math.ceil(reps / 3); r++) {
        const m = wallAndCpu(c.step);
        t[mode].wall.push(m.wall / c.inner);
        t[mode].cpu.push(m.cpu / c.inner);
      }
      c.setFused(prev);
    }
  }
  const f = (a: number[]): string => median(a).toFixed(3).padStart(9);
  console.log(`${c.name.padEnd(32)} fused ${f(t.fused.wall)} / ${f(t.fused.cpu)}   composite ${f(t.composite.wall)} / ${f(t.composite.cpu)}   ` +
    `speed-up wall ${(median(t.composite.wall) / median(t.fused.wall)).toFixed(2)}x cpu ${(median(t.composite.cpu) / median(t.fused.cpu)).toFixed(2)}x`);
}
