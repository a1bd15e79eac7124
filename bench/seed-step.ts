/**
 * Focused micro-benchmark of the seed model (issue 4): a few Adam training steps and eval
 * forwards at the benchmark configuration, on the backend chosen by `--backend` (default wasm),
 * timed per step with the median reported, plus the wasm heap peak. Used to measure each
 * optimisation before/after without running the whole `npm run bench`.
 *
 *   node build/bench/seed-step.js [--steps 5] [--infer 5] [--backend wasm] [--batch 32] [--threads n]
 *
 * Besides wall-clock medians it reports the process's CPU time per training and inference step
 * (all threads), which stays meaningful when other processes share the cores.
 *
 * Imports the source build (build/src), so it measures the working tree without `npm run build`
 * (the .wasm kernels still come from dist/backend/wasm, built by `npm run build:wasm`).
 */
import * as torch from '../src/index.js';
import { nn, optim } from '../src/index.js';
import { SEED, type SeedConfig } from './lib/cases.js';
import { SeedClassifier } from './lib/seed-model.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const median = (xs: number[]): number => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

const steps = Number(arg('steps', '5'));
const inferSteps = Number(arg('infer', '5'));
torch.setBackend(arg('backend', 'wasm'));
if (process.argv.includes('--threads')) torch.setNumThreads(Number(arg('threads', '1')));
const c: SeedConfig = { ...SEED, batch: Number(arg('batch', String(SEED.batch))) };
torch.manualSeed(0);
const model = new SeedClassifier(c);
const ids = torch.randint(0, c.vocab, [c.batch, c.seq], { dtype: 'int64' });
const labels = torch.randint(0, c.classes, [c.batch], { dtype: 'int64' });
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const lossFn = new nn.CrossEntropyLoss();
model.train();
const times: number[] = [];
const cpuTimes: number[] = [];
const losses: number[] = [];
for (let s = 0; s < steps + 1; s++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(ids), labels);
  loss.backward();
  opt.step();
  losses.push(loss.item());
  if (s > 0) {
    times.push(performance.now() - t0);
    const cu = process.cpuUsage(c0);
    cpuTimes.push((cu.user + cu.system) / 1000);
  }
}
const inferTimes: number[] = [];
const inferCpuTimes: number[] = [];
model.eval();
for (let s = 0; s < inferSteps + 1; s++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  torch.noGrad(() => model.forward(ids)).reshape([-1]).narrow(0, 0, 1).item();
  if (s > 0) {
    inferTimes.push(performance.now() - t0);
    const cu = process.cpuUsage(c0);
    inferCpuTimes.push((cu.user + cu.system) / 1000);
  }
}
const trainMs = median(times);
const inferMs = median(inferTimes);
console.log(JSON.stringify({
  backend: torch.getBackend().name,
  trainMsMedian: +trainMs.toFixed(1),
  trainSamplesPerSec: +((c.batch * 1000) / trainMs).toFixed(1),
  trainMs: times.map((t) => +t.toFixed(0)),
  // CPU time of the process (all threads): robust to other processes sharing the cores.
  trainCpuMsMedian: +median(cpuTimes).toFixed(1),
  inferMsMedian: +inferMs.toFixed(1),
  inferSamplesPerSec: +((c.batch * 1000) / inferMs).toFixed(1),
  inferCpuMsMedian: +median(inferCpuTimes).toFixed(1),
  losses: losses.map((l) => +l.toFixed(5)),
  wasm: torch.wasmMemoryStats(),
  rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
}));
process.exit(0);
