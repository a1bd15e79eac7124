/**
 * Where the seed model's training step spends its time (issue 4): wraps every method of the
 * current backend (and its fused kernels) with a wall-clock timer, runs a few training steps and
 * prints the per-kernel totals per step, largest first, with the share of the step they cover.
 * The remainder is JavaScript-side work: autograd bookkeeping, views, the optimizer's loop.
 *
 *   node build/bench/profile-step.js [--steps 4] [--backend wasm] [--infer]
 *
 * Times are wall-clock and include each kernel's wait for the worker threads.
 */
import * as torch from '../src/index.js';
import { nn, optim } from '../src/index.js';
import { getBackend } from '../src/backend/registry.js';
import { SEED } from './lib/cases.js';
import { SeedClassifier } from './lib/seed-model.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

torch.setBackend(arg('backend', 'wasm'));
const steps = Number(arg('steps', '4'));
const infer = process.argv.includes('--infer');
const detail = process.argv.includes('--detail');

/** With --detail, a call's key adds its string arguments and its views' shapes and strides. */
function describe(args: unknown[]): string {
  const parts: string[] = [];
  for (const a of args) {
    if (typeof a === 'string') parts.push(a);
    else if (a !== null && typeof a === 'object' && 'shape' in a && 'strides' in a) {
      const v = a as { shape: number[]; strides: number[] };
      parts.push(`[${v.shape.join(',')}]/[${v.strides.join(',')}]`);
    }
  }
  return parts.join(' ');
}
const totals = new Map<string, { ms: number; calls: number }>();
let depth = 0;

function wrap(obj: Record<string, unknown>, prefix: string): void {
  for (const key of Object.keys(obj)) {
    const fn = obj[key];
    if (typeof fn !== 'function') continue;
    const base = prefix + key;
    obj[key] = function (this: unknown, ...args: unknown[]): unknown {
      const name = detail ? `${base} ${describe(args)}` : base;
      if (depth > 0) return (fn as (...a: unknown[]) => unknown).apply(this, args);
      depth++;
      const t0 = performance.now();
      try {
        return (fn as (...a: unknown[]) => unknown).apply(this, args);
      } finally {
        depth--;
        const e = totals.get(name) ?? { ms: 0, calls: 0 };
        e.ms += performance.now() - t0;
        e.calls++;
        totals.set(name, e);
      }
    };
  }
}

const backend = getBackend() as unknown as Record<string, unknown>;
if (backend['fused'] !== undefined) wrap(backend['fused'] as Record<string, unknown>, 'fused.');
wrap(backend, '');

torch.manualSeed(0);
const model = new SeedClassifier(SEED);
const ids = torch.randint(0, SEED.vocab, [SEED.batch, SEED.seq], { dtype: 'int64' });
const labels = torch.randint(0, SEED.classes, [SEED.batch], { dtype: 'int64' });
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new nn.CrossEntropyLoss();
if (infer) model.eval();
const run = (): void => {
  if (infer) {
    torch.noGrad(() => model.forward(ids)).reshape([-1]).narrow(0, 0, 1).item();
    return;
  }
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(ids), labels);
  loss.backward();
  opt.step();
  loss.item();
};
run();
totals.clear();
const t0 = performance.now();
for (let s = 0; s < steps; s++) run();
const stepMs = (performance.now() - t0) / steps;
const rows = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms);
let covered = 0;
console.log(`step ${stepMs.toFixed(1)} ms (${infer ? 'inference' : 'training'}, ${steps} steps)`);
for (const [name, { ms, calls }] of rows) {
  covered += ms / steps;
  if (ms / steps < 0.3) continue;
  console.log(`${(ms / steps).toFixed(1).padStart(8)} ms ${((100 * ms) / steps / stepMs).toFixed(1).padStart(5)}%  ${String(calls / steps).padStart(6)} calls  ${name}`);
}
console.log(`${covered.toFixed(1).padStart(8)} ms in kernels, ${(stepMs - covered).toFixed(1)} ms elsewhere`);
