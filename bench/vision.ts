/**
 * `npm run bench:vision`: training speed of the vision models in tsorch (wasm backend) and in
 * PyTorch (Debian's /usr/bin/python3, OpenBLAS core SkylakeX, 2 threads), measured in one run,
 * model by model, tsorch then PyTorch, so both see similar load from the rest of the machine.
 *
 * Each engine times `--batches` Adam training steps (forward, cross-entropy, backward, step) on
 * one random batch of (N, 1, 28, 28) images after `--warmup` steps, and evaluation forwards. The
 * time per Fashion-MNIST epoch (60,000 images) is the median step time × the number of batches:
 * an extrapolation that leaves out data loading (about 10 s per epoch in tsorch with augmentation,
 * measured separately) and validation. Writes bench/vision-results/latest.json and a timestamped copy.
 *
 * Options: --models lenet,vgg-small,vgg,resnet  --batches 20  --warmup 3  --batch-size 128
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as torch from 'tsorch';
import { nn, optim } from 'tsorch';
import { buildImageModel, type ImageModelSpec } from 'tsorch/vision';
import { othersShare, snapshot } from './lib/contention.js';
import { median } from './lib/timing.js';

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/vision_torch.py', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../../bench/vision-results/', import.meta.url));
const EPOCH_IMAGES = 60000;

/** The benchmarked models: tsorch's spec (also sent to PyTorch's script). */
const MODELS: Record<string, ImageModelSpec> = {
  lenet: { name: 'lenet', options: {} },
  'vgg-small': { name: 'vgg', options: { config: [32, 'M', 64, 'M'], hidden: 256 } },
  vgg: { name: 'vgg', options: {} },
  resnet: { name: 'resnet', options: {} },
};

interface EngineResult { trainMs: number[]; evalMs: number[]; othersCpu?: number | null; note?: string }

function timed(fn: () => void, warmup: number, runs: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  return ms;
}

function runTsorch(spec: ImageModelSpec, batchSize: number, batches: number, warmup: number): EngineResult {
  torch.manualSeed(0);
  const model = buildImageModel(spec);
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([batchSize, 1, 28, 28]);
  const y = torch.randint(0, 10, [batchSize]);
  const a = snapshot();
  model.train();
  const trainMs = timed(() => {
    opt.zeroGrad();
    const loss = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    loss.item();
  }, warmup, batches);
  model.eval();
  const evalMs = timed(() => torch.noGrad(() => model.forward(x).argmax(1).dataSync()), 1, Math.max(3, batches >> 1));
  return { trainMs, evalMs, othersCpu: othersShare(a, snapshot()) ?? null };
}

function runTorch(spec: ImageModelSpec, batchSize: number, batches: number, warmup: number): EngineResult {
  const arg = JSON.stringify({ model: spec.name, options: spec.options, batchSize, batches, warmup });
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_CORETYPE: 'SkylakeX' };
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, arg], { encoding: 'utf8', env, timeout: 30 * 60 * 1000 });
  if (r.status !== 0) return { trainMs: [], evalMs: [], note: `PyTorch failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}` };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as EngineResult;
}

const { values } = parseArgs({
  options: { models: { type: 'string' }, batches: { type: 'string' }, warmup: { type: 'string' }, 'batch-size': { type: 'string' } },
});
const names = (values.models ?? 'lenet,vgg-small,resnet').split(',');
for (const n of names) if (!(n in MODELS)) throw new Error(`bench:vision: unknown model '${n}' (one of ${Object.keys(MODELS).join(', ')})`);
const batches = Number(values.batches ?? 20);
const warmup = Number(values.warmup ?? 3);
const batchSize = Number(values['batch-size'] ?? 128);
const perEpoch = Math.ceil(EPOCH_IMAGES / batchSize);

console.log(`bench:vision — ${batches} Adam steps on (${batchSize}, 1, 28, 28) after ${warmup} warm-up; epoch = ${perEpoch} steps (extrapolated, no data loading)`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const rows: Record<string, unknown>[] = [];
for (const name of names) {
  const spec = MODELS[name]!;
  const ts = runTsorch(spec, batchSize, batches, warmup);
  const pt = runTorch(spec, batchSize, batches, warmup);
  const tsMs = median(ts.trainMs);
  const ptMs = pt.trainMs.length ? median(pt.trainMs) : NaN;
  const row = {
    model: name, spec, batchSize, batches,
    tsorch: { trainMsMedian: tsMs, epochSeconds: (tsMs * perEpoch) / 1000, evalMsMedian: median(ts.evalMs), othersCpu: ts.othersCpu, trainMs: ts.trainMs },
    pytorch: { trainMsMedian: ptMs, epochSeconds: (ptMs * perEpoch) / 1000, evalMsMedian: pt.evalMs.length ? median(pt.evalMs) : NaN, othersCpu: pt.othersCpu, trainMs: pt.trainMs, ...(pt.note ? { note: pt.note } : {}) },
    ratio: tsMs / ptMs,
  };
  rows.push(row);
  const busy = (v: number | null | undefined): string => (v == null ? '' : ` [others ${Math.round(v * 100)}% CPU]`);
  console.log(`${name.padEnd(10)} tsorch ${tsMs.toFixed(1).padStart(7)} ms/step ≈ ${row.tsorch.epochSeconds.toFixed(0).padStart(4)} s/epoch${busy(ts.othersCpu)}`
    + ` | PyTorch ${ptMs.toFixed(1).padStart(7)} ms/step ≈ ${row.pytorch.epochSeconds.toFixed(0).padStart(4)} s/epoch${busy(pt.othersCpu)}`
    + ` | tsorch/PyTorch ${row.ratio.toFixed(2)}×${pt.note ? `  (${pt.note})` : ''}`);
}
const report = { date: new Date().toISOString(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverage: os.loadavg(), node: process.version, backend: torch.getBackend().name, rows };
mkdirSync(RESULTS_DIR, { recursive: true });
const json = `${JSON.stringify(report, null, 2)}\n`;
writeFileSync(`${RESULTS_DIR}latest.json`, json);
writeFileSync(`${RESULTS_DIR}${report.date.replace(/[:.]/g, '-')}.json`, json);
console.log(`wrote bench/vision-results/latest.json`);
