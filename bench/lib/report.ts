/** The printed table and the JSON file of a bench run. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchCase } from './cases.js';
import type { MachineInfo } from './machine.js';
import type { CaseResult, Engine } from './results.js';
import type { TimingOptions } from './timing.js';

export interface TorchInfo {
  version: string;
  threads: number;
  cpuCapability: string | null;
  openblas: { coreType: string; config: string; library: string } | null;
}

export interface TfjsInfo { version: string; simd: boolean; threads: number; multithreadSupport: boolean }

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: MachineInfo;
  timing: TimingOptions;
  killAfterMs: number;
  engines: Engine[];
  /** Registered backends and what optional hooks report (relaxed SIMD, threads). */
  tsorch: { backends: string[] } & Record<string, unknown>;
  torch: TorchInfo | { unavailable: string } | null;
  tfjs: TfjsInfo | { unavailable: string } | null;
  cases: BenchCase[];
  results: CaseResult[];
  /** value(engine) / value(reference) per case: `${engine}/${reference}` → case id → ratio. */
  ratios: Record<string, Record<string, number>>;
}

/** Short column names: tsorch backends by name, then the references. */
export function columnName(e: Engine): string {
  return e.startsWith('tsorch:') ? e.slice('tsorch:'.length) : e;
}

/**
 * Ratio columns: every tsorch backend against PyTorch, against the reference backend (cpu), and
 * against tfjs; > 1 means the tsorch backend is faster (every unit is higher-is-better).
 */
export function ratioPairs(engines: readonly Engine[]): [Engine, Engine][] {
  const ts = engines.filter((e) => e.startsWith('tsorch:'));
  const pairs: [Engine, Engine][] = [];
  if (engines.includes('torch')) for (const e of ts) pairs.push([e, 'torch']);
  if (engines.includes('tsorch:cpu')) for (const e of ts) if (e !== 'tsorch:cpu') pairs.push([e, 'tsorch:cpu']);
  // The reference backend against tfjs says nothing the other columns don't; keep it only when it is alone.
  const fast = ts.filter((e) => e !== 'tsorch:cpu');
  if (engines.includes('tfjs-wasm')) for (const e of fast.length ? fast : ts) pairs.push([e, 'tfjs-wasm']);
  return pairs;
}

export function computeRatios(cases: readonly BenchCase[], engines: readonly Engine[], results: readonly CaseResult[]): BenchReport['ratios'] {
  const value = (id: string, e: Engine): number | undefined => results.find((r) => r.caseId === id && r.engine === e && r.status === 'ok')?.value;
  const out: BenchReport['ratios'] = {};
  for (const [a, b] of ratioPairs(engines)) {
    const col: Record<string, number> = {};
    for (const c of cases) {
      const va = value(c.id, a);
      const vb = value(c.id, b);
      if (va !== undefined && vb !== undefined && vb > 0) col[c.id] = va / vb;
    }
    out[`${columnName(a)}/${columnName(b)}`] = col;
  }
  return out;
}

/** Other processes took more than this share of the machine's CPU while the case was timed. */
export const BUSY_SHARE = 0.2;

/** Whether a measurement shared the machine with other work (see contention.ts); marked * in the table. */
function busy(r: CaseResult): boolean {
  return r.othersCpu !== undefined && r.othersCpu > BUSY_SHARE;
}

/** Three significant digits, without exponent notation for the magnitudes seen here. */
function fmt(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function cell(r: CaseResult | undefined): string {
  if (!r) return '—';
  if (r.status === 'ok') return `${fmt(r.value!)}${busy(r) ? '*' : ''}`;
  if (r.status === 'skipped') return r.note?.startsWith('budget') ? 'skipped (budget)' : 'n/a';
  return 'error';
}

export function formatTable(rep: BenchReport): string {
  const header = ['case', 'unit', ...rep.engines.map(columnName), ...Object.keys(rep.ratios).map((k) => k.replace('tfjs-wasm', 'tfjs'))];
  const rows: string[][] = rep.cases.map((c) => [
    c.label,
    c.unit,
    ...rep.engines.map((e) => cell(rep.results.find((r) => r.caseId === c.id && r.engine === e))),
    ...Object.values(rep.ratios).map((col) => (col[c.id] === undefined ? '—' : `${fmt(col[c.id]!)}×`)),
  ]);
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const pad = (s: string, i: number): string => (i === 0 ? s.padEnd(widths[i]! + s.length - [...s].length) : s.padStart(widths[i]!));
  const line = (r: string[]): string => r.map(pad).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatHeader(rep: BenchReport): string {
  const m = rep.machine;
  const t = rep.timing;
  const lines = [
    `tsorch bench ${rep.date}${rep.quick ? ' (--quick)' : ''}`,
    `machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; node ${m.node}; load ${m.loadAtStart.join(' ')} at start${m.loadAtEnd ? `, ${m.loadAtEnd.join(' ')} at end` : ''}`,
  ];
  const extra = Object.entries(rep.tsorch).filter(([k]) => k !== 'backends').map(([k, v]) => `${k}() = ${String(v)}`);
  lines.push(`tsorch backends: ${rep.tsorch.backends.join(', ')}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  if (rep.torch && 'version' in rep.torch) {
    const ob = rep.torch.openblas;
    lines.push(`torch ${rep.torch.version}, ${rep.torch.threads} threads, CPU capability ${rep.torch.cpuCapability ?? '?'}, ${ob ? `OpenBLAS core ${ob.coreType} (${ob.config})` : 'OpenBLAS core not found'}`);
  } else if (rep.torch) lines.push(`torch: not run (${rep.torch.unavailable})`);
  if (rep.tfjs && 'version' in rep.tfjs) {
    lines.push(`tfjs-wasm ${rep.tfjs.version}: SIMD ${rep.tfjs.simd ? 'on' : 'off'}, ${rep.tfjs.threads} thread(s) (multithreaded build ${rep.tfjs.multithreadSupport ? 'available' : 'unavailable in Node'})`);
  } else if (rep.tfjs) lines.push(`tfjs-wasm: not run (${rep.tfjs.unavailable})`);
  lines.push(
    `each cell: median of ${t.minReps === t.maxReps ? t.minReps : `${t.minReps}–${t.maxReps}`} timed runs after ≥ ${t.warmup} warm-up run(s) and ≥ ${t.warmupMs / 1000} s of warm-up (never timed); ` +
      `runs under ${t.minRepMs} ms are batched; ${t.budgetMs / 1000} s of timed runs per case at most. Ratios > 1: tsorch faster.`,
  );
  const nBusy = rep.results.filter((r) => r.status === 'ok' && busy(r)).length;
  if (nBusy > 0) {
    lines.push(`warning: other processes used over ${BUSY_SHARE * 100}% of the machine's CPU while ${nBusy} cell(s) marked * were timed: those numbers are low and noisy`);
  }
  return lines.join('\n');
}

/** Skips, errors and engine notes, one line each, below the table. */
export function formatNotes(rep: BenchReport): string {
  const lines: string[] = [];
  for (const r of rep.results) {
    if (r.status === 'ok') continue;
    lines.push(`${columnName(r.engine)} ${r.caseId}: ${r.status}${r.note ? `: ${r.note}` : ''}`);
  }
  return lines.length ? `notes:\n  ${lines.join('\n  ')}` : '';
}

/** Writes latest.json and a timestamped copy under `dir`; returns their paths. */
export function writeReport(rep: BenchReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(rep, null, 1)}\n`;
  const stamp = rep.date.replace(/[:.]/g, '-');
  const paths = [join(dir, 'latest.json'), join(dir, `${stamp}${rep.quick ? '-quick' : ''}.json`)];
  for (const p of paths) writeFileSync(p, json);
  return paths;
}
