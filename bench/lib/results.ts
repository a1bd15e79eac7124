/** What one engine measured for one case, as workers print it and latest.json stores it. */
import type { Timing, WarmupSummary } from './timing.js';

/** Engines: `tsorch:<backend>` for each registered tsorch backend, `torch`, `tfjs-wasm`. */
export type Engine = string;

export interface CaseResult {
  caseId: string;
  engine: Engine;
  /** ok; skipped (budget, or a case the engine cannot run); error (it threw: see note). */
  status: 'ok' | 'skipped' | 'error';
  medianMs?: number;
  samplesMs?: number[];
  warmup?: WarmupSummary;
  /** Calls per timed rep (short runs are batched; times are per call). */
  inner?: number;
  /** GFLOPS or samples/s (the case's unit), from the median time. */
  value?: number;
  note?: string;
  /** Share of the machine's CPU (0–1) that other processes used during the timed runs (see contention.ts). */
  othersCpu?: number;
  /** The machine's 1-minute load average when the case started (lagging, and it counts the case itself). */
  load1?: number;
}

/** Prefix of the one line a worker prints with its JSON result; anything else it prints is passed through. */
export const RESULT_MARK = '@@bench-result ';

export function fromTiming(caseId: string, engine: Engine, work: number, unit: 'GFLOPS' | 'samples/s', t: Timing, note?: string): CaseResult {
  if (t.status === 'skipped') return { caseId, engine, status: 'skipped', warmup: t.warmup, note: t.reason };
  const perSecond = work / (t.medianMs / 1000);
  const r: CaseResult = {
    caseId, engine, status: 'ok', medianMs: t.medianMs, samplesMs: t.samplesMs, warmup: t.warmup, inner: t.inner,
    value: unit === 'GFLOPS' ? perSecond / 1e9 : perSecond,
  };
  if (t.othersCpu !== undefined) r.othersCpu = t.othersCpu;
  if (note !== undefined) r.note = note;
  return r;
}
