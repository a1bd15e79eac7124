/**
 * The fused kernels the thread pool splits (threads.ts, generic fused job): each case timed with
 * its chunks run on the pool ("threaded") and with the same chunks run one after another on the
 * calling thread ("serial", the pre-threading behaviour; a bench-only switch that patches
 * MatmulRunner.runFused, the library has none), alternating A/B rep by rep so both see the same
 * load from the rest of the machine. Matmul threading is the same in both modes.
 *
 * Cases (float32, the seed Transformer's shapes, dropout 0.1 in training):
 * - `attn-fwd`: selfAttention forward only (no grad) on packed qkv (32, 64, 384), 8 heads;
 * - `attn-fwdbwd`: forward with dropout + backward of the same;
 * - `bn-fwdbwd`: batchNorm training forward + backward on (128, 16, 28, 28) (the small ResNet).
 *
 * Run: `npx tsc -p tsconfig.test.json && node build/bench/fused-threads.js [--reps 15]`.
 * Prints wall-clock and CPU-time medians in ms (CPU: all threads of the process). Under
 * contention the numbers are provisional; compare the two modes of one run.
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as torch from '../src/index.js';
import { batchNorm } from '../src/ops/index.js';
import { selfAttention } from '../src/ops/attention.js';
import { MatmulRunner } from '../src/backend/wasm/matmul.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '15' } } });
const reps = Number(values.reps);

const threadedRun = MatmulRunner.prototype.runFused;
function setMode(threaded: boolean): void {
  MatmulRunner.prototype.runFused = threaded ? threadedRun : function (this: MatmulRunner, kind, desc, n, per, chunks) {
    threadedRun.call(this, kind, desc, n, per, chunks, 1);
  };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

torch.setBackend('wasm');
torch.manualSeed(0);
const qkv = torch.randn([32, 64, 384]).requiresGrad_();
const gAtt = torch.randn([32, 64, 128]);
const x = torch.randn([128, 16, 28, 28]).requiresGrad_();
const w = torch.ones([16]).requiresGrad_();
const b = torch.zeros([16]).requiresGrad_();
const gBn = torch.randn([128, 16, 28, 28]);

const cases: Record<string, () => void> = {
  'attn-fwd': () => torch.noGrad(() => selfAttention(qkv, 8, { batchFirst: true, dropout: 0.1, training: false })),
  'attn-fwdbwd': () => {
    qkv.grad = null;
    selfAttention(qkv, 8, { batchFirst: true, dropout: 0.1, training: true }).backward(gAtt);
  },
  'bn-fwdbwd': () => {
    x.grad = null;
    batchNorm(x, null, null, w, b, true, 0.1, 1e-5).backward(gBn);
  },
};

console.log(`bench:fused-threads: wasm, float32, ${os.availableParallelism()} cores, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (const [name, fn] of Object.entries(cases)) {
  const t: Record<string, { wall: number[]; cpu: number[] }> = { serial: { wall: [], cpu: [] }, threaded: { wall: [], cpu: [] } };
  for (let r = -1; r < reps; r++) {
    for (const mode of ['serial', 'threaded'] as const) {
      setMode(mode === 'threaded');
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      const wall = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (r >= 0) {
        t[mode]!.wall.push(wall);
        t[mode]!.cpu.push((c.user + c.system) / 1000);
      }
    }
  }
  setMode(true);
  const f = (v: number): string => v.toFixed(2).padStart(7);
  console.log(`${name.padEnd(12)} wall serial ${f(median(t.serial!.wall))} ms  threaded ${f(median(t.threaded!.wall))} ms  ×${(median(t.serial!.wall) / median(t.threaded!.wall)).toFixed(2)}   `
    + `cpu serial ${f(median(t.serial!.cpu))} ms  threaded ${f(median(t.threaded!.cpu))} ms`);
}
