/**
 * The fused layer norm (wasm backend, kernels/norm.ts): forward and backward, float32, on the seed
 * Transformer's shape x [2048, 128] (batch 32 × sequence 64, d_model 128) and one bigger shape
 * [8192, 512], with weight and bias, at 1 thread and at the default thread count.
 *
 * `fwd` is one layerNorm call without grad; `bwd` is the backward of one recorded call (forward
 * run outside the timer), which is the fused backward plus autograd's bookkeeping for x, weight
 * and bias; `add+ln fwd` is `layerNorm(x.add(r))` and `addLN fwd` the fused `addLayerNorm(x, r)`
 * (the post-norm residual), both without grad. Medians of wall-clock and CPU time (all threads of the process) over `--reps` runs of
 * `--inner` calls each, reported per call.
 *
 * Run: `npx tsc -p tsconfig.test.json && nice -n 10 node build/bench/layernorm.js [--reps 15] [--inner 20]`.
 * Under contention from other processes the numbers are provisional.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as torch from '../src/index.js';
import { addLayerNorm, layerNorm } from '../src/ops/index.js';
import { getNumThreads, readyWorkerThreads, setNumThreads } from '../src/backend/wasm/index.js';
import type { WasmStorage } from '../src/backend/wasm/storage.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '15' }, inner: { type: 'string', default: '20' } } });
const reps = Number(values.reps);
const inner = Number(values.inner);
/** Frees tensors' wasm memory now, so every call reuses the same blocks instead of waiting for GC (as training's engine recycles). */
const free = (...ts: (torch.Tensor | null)[]): void => ts.forEach((t) => { if (t) (t.storage as WasmStorage).dispose(); });
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

torch.setBackend('wasm');
torch.manualSeed(0);
const defaultThreads = getNumThreads();
// Start the pool and wait for its workers, so the threaded runs are not timed on the caller alone.
torch.randn([256, 256]).matmul(torch.randn([256, 256]));
for (let i = 0; i < 300 && readyWorkerThreads() < defaultThreads - 1; i++) await new Promise((r) => setTimeout(r, 10));

function time(fn: () => void, before: () => void = () => undefined): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = -2; r < reps; r++) {
    let w = 0;
    let c = 0;
    for (let i = 0; i < inner; i++) {
      before();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      fn();
      const dc = process.cpuUsage(c0);
      w += performance.now() - t0;
      c += (dc.user + dc.system) / 1000;
    }
    if (r >= 0) {
      wall.push(w / inner);
      cpu.push(c / inner);
    }
  }
  return { wall: median(wall), cpu: median(cpu) };
}

console.log(`bench:layernorm: wasm, float32, ${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
console.log('case                       threads   wall ms    cpu ms');
for (const [R, D] of [[2048, 128], [8192, 512]] as const) {
  const x = torch.randn([R, D]).requiresGrad_();
  const w = torch.randn([D]).requiresGrad_();
  const b = torch.randn([D]).requiresGrad_();
  const g = torch.randn([R, D]);
  for (const threads of [...new Set([1, defaultThreads])]) {
    setNumThreads(threads);
    const fwd = time(() => free(torch.noGrad(() => layerNorm(x, [D], w, b))));
    let y: torch.Tensor | null = null;
    const bwd = time(() => y!.backward(g), () => {
      free(x.grad, w.grad, b.grad, y);
      x.grad = null;
      w.grad = null;
      b.grad = null;
      y = layerNorm(x, [D], w, b);
    });
    // The post-norm residual: add then layerNorm, against the fused addLayerNorm (forward, no grad).
    const a2 = torch.randn([R, D]);
    const addThenNorm = time(() => torch.noGrad(() => {
      const sum = x.add(a2);
      free(layerNorm(sum, [D], w, b), sum);
    }));
    const fusedAdd = time(() => free(torch.noGrad(() => addLayerNorm(x, a2, [D], w, b))));
    for (const [k, t] of [['fwd', fwd], ['bwd', bwd], ['add+ln fwd', addThenNorm], ['addLN fwd', fusedAdd]] as const) {
      const name = `${k} [${R},${D}]`;
      console.log(`${name.padEnd(26)} ${String(threads).padStart(7)} ${t.wall.toFixed(3).padStart(9)} ${t.cpu.toFixed(3).padStart(9)}`);
    }
  }
}
setNumThreads(defaultThreads);
