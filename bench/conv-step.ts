/**
 * Focused convolution timings (the conv helper's before/after numbers for issues 4 and 6):
 * - `conv`: bench/run.ts's case "conv 1→32→64 3×3, 32×28×28, fwd+bwd" (two Conv2d + ReLU, sum,
 *   backward), in samples/s;
 * - `resnet`: one training step of the vision ResNet (16/32/64 channels, 28×28, batch 128,
 *   Adam, cross-entropy), in ms per step.
 * Prints the median wall time and every run, and the median CPU time of this process per run
 * (user + system, all its threads): steadier than wall time when other processes share the
 * cores, and with --threads 1 a measure of the work done. Usage:
 *   node build/bench/conv-step.js [conv|resnet|all] [--runs N] [--threads T] [--backend wasm|cpu]
 */
import { parseArgs } from 'node:util';
import * as torch from 'tsorch';
import { nn, optim, type Tensor } from 'tsorch';
import { buildImageModel } from 'tsorch/vision';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '5' }, threads: { type: 'string' }, backend: { type: 'string', default: 'wasm' } },
});
const which = positionals[0] ?? 'all';
const runs = Number(values.runs);
torch.setBackend(values.backend as 'wasm' | 'cpu');
if (values.threads !== undefined) torch.setNumThreads(Number(values.threads));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Wall and CPU milliseconds of n timed runs after `warmup` untimed ones. */
function timed(fn: () => void, warmup: number, n: number): { ms: number[]; cpu: number[] } {
  for (let i = 0; i < warmup; i++) fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const c = cpuMs();
    fn();
    ms.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  return { ms, cpu };
}

if (which === 'conv' || which === 'all') {
  torch.manualSeed(0);
  const l1 = new nn.Conv2d(1, 32, 3);
  const l2 = new nn.Conv2d(32, 64, 3);
  const x = torch.randn([32, 1, 28, 28]);
  const { ms, cpu } = timed(() => {
    l1.zeroGrad();
    l2.zeroGrad();
    torch.relu(l2.forward(torch.relu(l1.forward(x)))).sum().backward();
    l1.weight.grad!.reshape([-1]).narrow(0, 0, 1).item();
  }, 2, runs * 2);
  const m = median(ms);
  console.log(`conv 1→32→64 3×3, 32×28×28, fwd+bwd: median ${m.toFixed(1)} ms = ${(32000 / m).toFixed(0)} samples/s (cpu ${median(cpu).toFixed(1)} ms)  runs [${ms.map((v) => v.toFixed(0)).join(', ')}]`);
}

if (which === 'resnet' || which === 'all') {
  torch.manualSeed(0);
  const model = buildImageModel({ name: 'resnet', options: {} });
  const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const x = torch.randn([128, 1, 28, 28]);
  const y = torch.randint(0, 10, [128]);
  model.train();
  const { ms, cpu } = timed(() => {
    opt.zeroGrad();
    const loss: Tensor = nn.functional.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    loss.item();
  }, 1, runs);
  console.log(`resnet train step, batch 128: median ${median(ms).toFixed(0)} ms (cpu ${median(cpu).toFixed(0)} ms)  runs [${ms.map((v) => v.toFixed(0)).join(', ')}]`);
}
