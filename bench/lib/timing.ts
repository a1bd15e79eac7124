/**
 * The measuring loop shared by every JavaScript engine (tsorch backends, tfjs). bench/torch_bench.py
 * implements the same rules in Python; keep the two in step.
 *
 * Rules, and why:
 * - Warm-up runs are never timed: the first runs pay for JIT compilation, WebAssembly tier-up
 *   and allocator growth that a training loop amortises. At least `warmup` runs, and more until
 *   `warmupMs` have passed: some engines need many calls, not one (PyTorch's first convolutions
 *   run ~10× slower than its steady state while oneDNN builds its primitives).
 * - A run shorter than `minRepMs` is repeated `inner` times per timed rep, so timer resolution and
 *   per-call noise stay small; a rep's time is divided by `inner`.
 * - At least `minReps` timed reps (a median of fewer is not a median) and at most `maxReps`; stop
 *   early when the next rep would overrun `budgetMs`. A case whose warm-up says even `minReps`
 *   cannot fit is reported as skipped (budget) instead of running for minutes.
 */

import { othersShare, snapshot } from './contention.js';

export interface TimingOptions {
  warmup: number;
  /** Keep warming up until this much time has passed (slow cases stop after one run anyway). */
  warmupMs: number;
  minReps: number;
  maxReps: number;
  /** Time allowed for the timed reps (warm-up excluded). */
  budgetMs: number;
  /** Target duration of one timed rep; shorter runs are batched `inner` times. */
  minRepMs: number;
}

/** The warm-up, summarised (a fast case warms up with thousands of calls: not worth storing each). */
export interface WarmupSummary { runs: number; totalMs: number; firstMs: number; lastMs: number }

export type Timing =
  | { status: 'ok'; medianMs: number; samplesMs: number[]; inner: number; warmup: WarmupSummary; othersCpu?: number }
  | { status: 'skipped'; reason: string; warmup: WarmupSummary };

function summarise(ms: readonly number[]): WarmupSummary {
  return { runs: ms.length, totalMs: ms.reduce((a, b) => a + b, 0), firstMs: ms[0]!, lastMs: ms[ms.length - 1]! };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Wall and CPU milliseconds of one call (CPU: this process, all its threads). On a shared machine
 * CPU time is the steadier of the two; a wall time far above it means the process waited for a core.
 */
export function wallAndCpu(fn: () => void): { wall: number; cpu: number } {
  const u = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const d = process.cpuUsage(u);
  return { wall, cpu: (d.user + d.system) / 1000 };
}

/**
 * Warm-ups whose predicted cost exceeds the budget by this factor mean skip. Warm-up runs are
 * slower than steady state (compilation, first allocations), so the prediction errs high: the
 * slack keeps a case that just fits from being skipped on that bias.
 */
const WARMUP_SLACK = 1.25;

export function measure(run: () => void, o: TimingOptions): Timing {
  const warmupMs: number[] = [];
  const w0 = performance.now();
  for (let i = 0; i < Math.max(1, o.warmup) || performance.now() - w0 < o.warmupMs; i++) {
    const t0 = performance.now();
    run();
    warmupMs.push(performance.now() - t0);
    // A slow case is warm after one run; more warm-ups would only eat its budget.
    if (warmupMs[i]! * o.minReps > o.budgetMs / 2) break;
  }
  const one = warmupMs[warmupMs.length - 1]!;
  if (one * o.minReps > o.budgetMs * WARMUP_SLACK) {
    return { status: 'skipped', reason: `budget: one run took ${(one / 1000).toFixed(1)} s, ${o.minReps} runs exceed ${(o.budgetMs / 1000).toFixed(0)} s`, warmup: summarise(warmupMs) };
  }
  const inner = Math.max(1, Math.ceil(o.minRepMs / Math.max(one, 1e-3)));
  const samplesMs: number[] = [];
  const cpu0 = snapshot();
  const start = performance.now();
  while (samplesMs.length < o.maxReps) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) run();
    samplesMs.push((performance.now() - t0) / inner);
    const elapsed = performance.now() - start;
    if (samplesMs.length >= o.minReps && elapsed + median(samplesMs) * inner > o.budgetMs) break;
  }
  const othersCpu = othersShare(cpu0, snapshot());
  const t: Timing = { status: 'ok', medianMs: median(samplesMs), samplesMs, inner, warmup: summarise(warmupMs) };
  if (othersCpu !== undefined) t.othersCpu = othersCpu;
  return t;
}
