/**
 * Memory test of issue 4: a training loop written the PyTorch way (no dispose() anywhere) must
 * keep resident memory flat. Trains a small MLP with Adam for N steps on fresh random batches,
 * samples process.memoryUsage() (and the backend's allocator statistics where it exposes them)
 * every few hundred steps, and reports growth after warm-up in % (target: under 5%). Warm-up is
 * --warmup-steps (default a fifth of the steps) and, on a backend that reports its forced
 * garbage collections (wasm), at least two of them: until its first collection a heap grows
 * with every step whatever the loop, and a leaner step (less garbage) collects later. V8 sizes
 * its own heap late too: in the MLP loop its young generation grows once around step 1,250
 * (heapTotal 29 → 45 MiB, +15 MiB resident) while the wasm heap has been constant since step
 * 250; the default warm-up lets both settle.
 *
 *   npm run bench:memory -- [--steps 10000] [--every 250] [--warmup-steps 2000] [--backends cpu,wasm]
 *                           [--model mlp|cnn|lstm|transformer]
 *
 * --model picks the loop's model (default mlp): `cnn` (conv → batch norm → ReLU → max pool, twice,
 * then average pool and a linear head: the fused convolution and batch norm), `lstm` (an LSTM
 * over 10 steps: the fused sequence op) or `transformer` (a TransformerEncoderLayer with dropout:
 * the fused attention, layer norm and dropout).
 *   npm run bench -- --memory [same options]
 *
 * Each backend runs in its own process: resident memory is per process, and one backend's
 * allocations must not count against another. Writes bench/results/memory-latest.json and a
 * timestamped copy.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as torch from 'tsorch';
import { nn, optim, type Tensor } from 'tsorch';
import { exitWatch } from './lib/exit.js';
import { machineInfo } from './lib/machine.js';
import { tsorchReady } from './tsorch-cases.js';

const MARK = '@@memory-result ';
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const TARGET_PCT = 5;

interface Sample { step: number; seconds: number; rssMiB: number; heapUsedMiB: number; externalMiB: number; arrayBuffersMiB: number; backend?: Record<string, number> }
/** warmupEndStep: the sample growth is measured from (see warmUpEnd). */
interface BackendRun { backend: string; steps: number; warmupSteps: number; warmupEndStep: number; samples: Sample[]; growthPct: number; maxGrowthPct: number; finalLoss: number; stepsPerSecond: number }

/** Full collections a backend must have forced before its heap is at its working size. */
const WARM_COLLECTIONS = 2;

/**
 * Where warm-up ends: the first sample at or after `warmupSteps` by which the backend (when it
 * reports collections: wasm) has forced WARM_COLLECTIONS full collections. Its heap grows until
 * the first collection, whose timing depends on how much garbage a step leaves (a leaner step
 * collects later); a leak keeps growing after that, a working set does not.
 */
function warmUpEnd(samples: readonly Sample[], warmupSteps: number): Sample {
  const late = samples.filter((s) => s.step >= warmupSteps);
  return late.find((s) => s.backend?.['collections'] === undefined || s.backend['collections'] >= WARM_COLLECTIONS) ?? late[0] ?? samples[0]!;
}

const MODELS = ['mlp', 'cnn', 'lstm', 'transformer'] as const;
type ModelName = (typeof MODELS)[number];
interface Options { steps: number; every: number; warmupSteps: number; backends: string[]; child: string | null; model: ModelName }

function parse(argv: readonly string[]): Options {
  const o: Options = { steps: 10_000, every: 250, warmupSteps: -1, backends: [], child: null, model: 'mlp' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    const num = (): number => {
      i++;
      const n = Number(v);
      if (!(n > 0) || !Number.isInteger(n)) throw new Error(`${a} needs a positive integer, got ${String(v)}`);
      return n;
    };
    if (a === '--steps') o.steps = num();
    else if (a === '--every') o.every = num();
    else if (a === '--warmup-steps') o.warmupSteps = num();
    else if (a === '--backends') { o.backends = (v ?? '').split(',').filter((s) => s); i++; }
    else if (a === '--child') { o.child = v ?? ''; i++; }
    else if (a === '--model') {
      if (!(MODELS as readonly string[]).includes(v ?? '')) throw new Error(`--model must be one of ${MODELS.join(', ')}, got ${String(v)}`);
      o.model = v as ModelName;
      i++;
    } else throw new Error(`unknown option ${a}; options: --steps N --every N --warmup-steps N --backends a,b --model ${MODELS.join('|')}`);
  }
  // Warm-up: allocator pools, JIT code and the optimizer's state all grow at first; growth is
  // measured from the first sample after it. Default: a tenth of the run.
  if (o.warmupSteps < 0) o.warmupSteps = Math.max(o.every, Math.round(o.steps / 5));
  return o;
}

const MiB = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;

/**
 * The backend's allocator statistics, where tsorch exposes them: `wasmMemoryStats()` (the wasm
 * backend's heap counters; looked up by name so this file compiles whether or not tsorch exports
 * it yet), or a `memoryStats()` method on the backend object. The cpu backend has none.
 */
function backendStats(): Record<string, number> | undefined {
  const ns = torch as unknown as Record<string, unknown>;
  const b = torch.getBackend() as unknown as Record<string, unknown>;
  const candidates: [unknown, unknown][] = [[b['memoryStats'], b]];
  if (torch.getBackend().name === 'wasm') candidates.unshift([ns['wasmMemoryStats'], undefined]);
  for (const [f, self] of candidates) {
    if (typeof f !== 'function') continue;
    const r: unknown = (f as () => unknown).call(self);
    if (r && typeof r === 'object') {
      const nums = Object.entries(r).filter((e): e is [string, number] => typeof e[1] === 'number');
      if (nums.length) return Object.fromEntries(nums);
    }
  }
  return undefined;
}

function sample(step: number, t0: number): Sample {
  const m = process.memoryUsage();
  const s: Sample = { step, seconds: Math.round((performance.now() - t0) / 100) / 10, rssMiB: MiB(m.rss), heapUsedMiB: MiB(m.heapUsed), externalMiB: MiB(m.external), arrayBuffersMiB: MiB(m.arrayBuffers) };
  const stats = backendStats();
  if (stats) s.backend = stats;
  return s;
}

/** The training loop under test: fresh tensors every step, nothing disposed, as a PyTorch user writes it. */
/** A model, its input shape, and how its logits come out of a batch. */
interface Case { modules: nn.Module[]; shape: number[]; logits(x: Tensor): Tensor }

function buildCase(name: ModelName): Case {
  switch (name) {
    case 'cnn': {
      const model = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Conv2d(8, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU(),
        new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(16, 4),
      );
      return { modules: [model], shape: [32, 1, 12, 12], logits: (x) => model.forward(x) };
    }
    case 'lstm': {
      const lstm = new nn.LSTM(16, 32, { batchFirst: true });
      const head = new nn.Linear(32, 4);
      return { modules: [lstm, head], shape: [16, 10, 16], logits: (x) => head.forward(lstm.forward(x).output.select(1, 9)) };
    }
    case 'transformer': {
      const layer = new nn.TransformerEncoderLayer({ dModel: 32, nhead: 4, dimFeedforward: 64, dropout: 0.1, batchFirst: true });
      const head = new nn.Linear(32, 4);
      return { modules: [layer, head], shape: [16, 12, 32], logits: (x) => head.forward(layer.forward(x).mean(1)) };
    }
    default: {
      const model = new nn.Sequential(new nn.Linear(32, 128), new nn.ReLU(), new nn.Linear(128, 128), new nn.ReLU(), new nn.Linear(128, 4));
      return { modules: [model], shape: [64, 32], logits: (x) => model.forward(x) };
    }
  }
}

function train(backend: string, o: Options): BackendRun {
  torch.setBackend(backend);
  torch.manualSeed(0);
  const c = buildCase(o.model);
  const opt = new optim.Adam(c.modules.flatMap((m) => [...m.parameters()]), { lr: 1e-3 });
  const lossFn = new nn.CrossEntropyLoss();
  const features = c.shape.slice(1).reduce((a, b) => a * b, 1);
  const teacher = torch.randn([features, 4]); // labels come from a fixed linear rule, so the loss has something to learn
  const samples: Sample[] = [];
  const t0 = performance.now();
  let loss: Tensor | null = null;
  for (let step = 1; step <= o.steps; step++) {
    const x = torch.randn(c.shape);
    const y = x.reshape([c.shape[0]!, features]).matmul(teacher).argmax(1);
    opt.zeroGrad();
    loss = lossFn.forward(c.logits(x), y);
    loss.backward();
    opt.step();
    if (step % o.every === 0 || step === o.steps) {
      const s = sample(step, t0);
      samples.push(s);
      process.stderr.write(`  [${backend}] step ${step}: rss ${s.rssMiB} MiB, heap ${s.heapUsedMiB} MiB, loss ${loss.item().toFixed(4)}\n`);
    }
  }
  const base = warmUpEnd(samples, o.warmupSteps);
  const after = samples.filter((s) => s.step >= base.step);
  const last = samples[samples.length - 1]!;
  const pct = (v: number): number => Math.round(((v - base.rssMiB) / base.rssMiB) * 1000) / 10;
  return {
    backend, steps: o.steps, warmupSteps: o.warmupSteps, warmupEndStep: base.step, samples,
    growthPct: pct(last.rssMiB), maxGrowthPct: pct(Math.max(...after.map((s) => s.rssMiB))),
    finalLoss: loss!.item(), stepsPerSecond: Math.round(o.steps / ((performance.now() - t0) / 1000)),
  };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const registered = await tsorchReady();
  if (o.child !== null) {
    process.stdout.write(`${MARK}${JSON.stringify(train(o.child, o))}\n`);
    exitWatch();
    return;
  }
  const backends = (o.backends.length ? o.backends : registered).filter((b) => {
    if (registered.includes(b)) return true;
    console.error(`warning: backend '${b}' is not registered (registered: ${registered.join(', ')}); skipped`);
    return false;
  });
  console.error(`memory (${o.model}): ${o.steps} steps per backend (${backends.join(', ')}), sample every ${o.every}, growth measured after step ${o.warmupSteps}`);
  const runs: BackendRun[] = [];
  for (const b of backends) {
    const args = [fileURLToPath(import.meta.url), '--child', b, '--steps', `${o.steps}`, '--every', `${o.every}`, '--warmup-steps', `${o.warmupSteps}`, '--model', o.model];
    const p = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    const lines = (p.stdout ?? '').split('\n');
    for (const l of lines) if (l.trim() && !l.startsWith(MARK)) console.error(`  [${b}] ${l}`);
    const line = lines.find((l) => l.startsWith(MARK));
    if (!line) { console.error(`  [${b}] failed (exit ${p.status ?? p.signal})`); continue; }
    runs.push(JSON.parse(line.slice(MARK.length)) as BackendRun);
  }
  console.log('\nbackend  steps  steps/s  warm-up ends  rss after warm-up  rss final  growth  max growth  verdict (< 5%)');
  for (const r of runs) {
    const base = r.samples.find((s) => s.step === r.warmupEndStep) ?? r.samples[0]!;
    const last = r.samples[r.samples.length - 1]!;
    console.log(`${r.backend.padEnd(7)}  ${`${r.steps}`.padStart(5)}  ${`${r.stepsPerSecond}`.padStart(7)}  ${`step ${r.warmupEndStep}`.padStart(12)}  ${`${base.rssMiB} MiB`.padStart(17)}  ${`${last.rssMiB} MiB`.padStart(9)}  ${`${r.growthPct}%`.padStart(6)}  ${`${r.maxGrowthPct}%`.padStart(10)}  ${r.maxGrowthPct < TARGET_PCT ? 'flat' : 'GROWS'}`);
  }
  console.log(`(warm-up: at least ${runs[0]?.warmupSteps ?? o.warmupSteps} steps and, where the backend reports them, ${WARM_COLLECTIONS} forced collections)`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const date = new Date().toISOString();
  const json = `${JSON.stringify({ date, machine: machineInfo(), options: { model: o.model, steps: o.steps, every: o.every, warmupSteps: o.warmupSteps }, targetPct: TARGET_PCT, runs }, null, 1)}\n`;
  const tag = o.model === 'mlp' ? 'memory' : `memory-${o.model}`;
  const paths = [join(RESULTS_DIR, `${tag}-latest.json`), join(RESULTS_DIR, `${tag}-${date.replace(/[:.]/g, '-')}.json`)];
  for (const p of paths) writeFileSync(p, json);
  console.log(`\nwritten: ${paths.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
