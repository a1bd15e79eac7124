/**
 * `npm run bench`: tsorch's speed against its references, measured in one run.
 *
 * For every registered tsorch backend (`listBackends()`: 'cpu' the reference, 'wasm' once it
 * registers), @tensorflow/tfjs-backend-wasm (matmul and conv) and PyTorch (Debian's
 * /usr/bin/python3, OpenBLAS core SkylakeX, 2 threads), runs the cases of bench/lib/cases.ts and
 * prints a table of medians with ratios, then writes bench/results/latest.json and a timestamped
 * copy. Options: see USAGE in bench/lib/args.ts (`npm run bench -- --help`).
 *
 * Each (engine, case) runs in its own process, one at a time (the machine has 2 cores and every
 * engine may use both), so a case that overruns its budget is killed and reported as
 * "skipped (budget)" while the rest of the run goes on. Engines take turns case by case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, selectCases, type BenchOptions } from './lib/args.js';
import type { BenchCase } from './lib/cases.js';
import { machineInfo, packageVersion } from './lib/machine.js';
import { computeRatios, formatHeader, formatNotes, formatTable, writeReport, type BenchReport, type TfjsInfo, type TorchInfo } from './lib/report.js';
import { RESULT_MARK, type CaseResult, type Engine } from './lib/results.js';
import { tfjsSkipReason } from './tfjs-cases.js';
import { tsorchBackendInfo, tsorchReady } from './tsorch-cases.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const MEMORY = fileURLToPath(new URL('./memory.js', import.meta.url));
// Compiled to build/bench/; the Python script and the results stay in the source tree.
const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/torch_bench.py', import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, the one that sees PyTorch 1.13 (the first python3 on PATH does not)
const INFO_MARK = '@@bench-info ';

/** Marked JSON lines of a child's stdout; the rest is passed through (a worker's own logging). */
function markedLines(stdout: string, mark: string): unknown[] {
  const out: unknown[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(mark)) out.push(JSON.parse(line.slice(mark.length)));
    else if (line.trim() && !line.startsWith('@@')) process.stderr.write(`    | ${line}\n`);
  }
  return out;
}

function describe(r: CaseResult, c: BenchCase): string {
  if (r.status === 'ok') return `${r.value!.toPrecision(3)} ${c.unit} (median of ${r.samplesMs!.length}${r.inner! > 1 ? ` × ${r.inner} calls` : ''})`;
  return `${r.status}: ${r.note ?? ''}`;
}

function progress(engine: Engine, c: BenchCase, r: CaseResult): void {
  const others = r.othersCpu === undefined ? '' : `  [others used ${Math.round(r.othersCpu * 100)}% of the CPU]`;
  process.stderr.write(`  ${engine.padEnd(12)} ${c.id.padEnd(14)} ${describe(r, c)}${others}\n`);
}

function runWorker(engine: Engine, c: BenchCase, o: BenchOptions): CaseResult {
  const t = o.timing;
  const args = [WORKER, '--engine', engine, '--case', c.id, '--warmup', `${t.warmup}`, '--warmup-ms', `${t.warmupMs}`, '--min-reps', `${t.minReps}`,
    '--max-reps', `${t.maxReps}`, '--budget-ms', `${t.budgetMs}`, '--min-rep-ms', `${t.minRepMs}`];
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: o.killAfterMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  if (p.error && (p.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    return { caseId: c.id, engine, status: 'skipped', note: `budget: killed after ${o.killAfterMs / 1000} s` };
  }
  const found = markedLines(p.stdout ?? '', RESULT_MARK) as CaseResult[];
  if (found.length === 1) return found[0]!;
  const why = p.signal ? `killed by ${p.signal}` : `exit code ${p.status}`;
  const stderr = (p.stderr ?? '').trim().split('\n').slice(-3).join(' / ');
  return { caseId: c.id, engine, status: 'error', note: `worker ${why}: ${stderr.slice(0, 300)}` };
}

/** PyTorch's environment as issue 4 fixes it: OpenBLAS told its core type, no L2 override. */
function torchEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_CORETYPE: 'SkylakeX' };
  delete env['OPENBLAS_L2_SIZE'];
  return env;
}

function torchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const p = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', env: torchEnv(), timeout: 60_000 });
  return p.status === 0 ? null : `import torch failed in ${PYTHON}: ${(p.stderr ?? '').trim().split('\n').pop() ?? ''}`;
}

/** Runs `cases` in one bench/torch_bench.py process (the driver passes one case at a time). */
function runTorch(cases: BenchCase[], o: BenchOptions): { info: TorchInfo | null; results: CaseResult[]; failure?: string } {
  const input = JSON.stringify({ cases, timing: o.timing });
  const p = spawnSync(PYTHON, [TORCH_SCRIPT], {
    input, encoding: 'utf8', env: torchEnv(), timeout: o.killAfterMs * cases.length, killSignal: 'SIGKILL',
    stdio: ['pipe', 'pipe', 'inherit'], maxBuffer: 64 << 20,
  });
  const info = (markedLines(p.stdout ?? '', INFO_MARK)[0] as TorchInfo | undefined) ?? null;
  const results = markedLines(p.stdout ?? '', RESULT_MARK) as CaseResult[];
  // Cases the script never reached (it was killed at its limit, or crashed) are reported, not dropped.
  const killed = p.error !== undefined || p.signal !== null;
  const failure = p.status === 0 && !killed ? undefined : killed ? `torch_bench.py killed after ${(o.killAfterMs * cases.length) / 1000} s` : `torch_bench.py exited with ${p.status}`;
  for (const c of cases) {
    if (results.some((r) => r.caseId === c.id)) continue;
    results.push({ caseId: c.id, engine: 'torch', status: killed ? 'skipped' : 'error', note: killed ? `budget: ${failure}` : failure ?? 'no result' });
  }
  return failure === undefined ? { info, results } : { info, results, failure };
}

function tfjsInfo(): TfjsInfo | { unavailable: string } {
  if (packageVersion('@tensorflow/tfjs-backend-wasm') === null) return { unavailable: '@tensorflow/tfjs-backend-wasm is not installed' };
  const p = spawnSync(process.execPath, [WORKER, '--engine', 'tfjs-wasm', '--info'], { encoding: 'utf8', timeout: 60_000 });
  const info = markedLines(p.stdout ?? '', RESULT_MARK)[0] as TfjsInfo | undefined;
  return info ?? { unavailable: `it did not load: ${(p.stderr ?? '').trim().split('\n')[0] ?? `exit ${p.status}`}` };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.memory) {
    const p = spawnSync(process.execPath, [MEMORY, ...o.rest], { stdio: 'inherit' });
    process.exit(p.status ?? 1);
  }
  const registered = await tsorchReady();
  const backends = o.backends.length ? o.backends : registered;
  const missing = backends.filter((b) => !registered.includes(b));
  if (missing.length) console.error(`warning: backend(s) ${missing.join(', ')} not registered (registered: ${registered.join(', ')}); skipped`);
  const cases = selectCases(o.only);
  const machine = machineInfo();

  const torchWhyNot = o.torch ? torchUnavailable() : 'disabled by --no-torch';
  const tfjs = o.tfjs ? tfjsInfo() : { unavailable: 'disabled by --no-tfjs' };
  const engines: Engine[] = [...backends.filter((b) => registered.includes(b)).map((b) => `tsorch:${b}`)];
  if (torchWhyNot === null) engines.push('torch');
  if ('version' in tfjs) engines.push('tfjs-wasm');

  const results: CaseResult[] = [];
  let torch: BenchReport['torch'] = torchWhyNot === null ? null : { unavailable: torchWhyNot };
  const started = Date.now();
  console.error(`bench: ${cases.length} case(s) on ${engines.join(', ')}${o.quick ? ' (quick)' : ''}; budget ${o.timing.budgetMs / 1000} s per case`);
  // Case by case, every engine back to back: a ratio then compares numbers taken a minute apart,
  // not ten, so a burst of other work on the machine skews both sides of it alike.
  for (const c of cases) {
    for (const e of engines) {
      const load1 = Math.round(os.loadavg()[0]! * 100) / 100;
      let r: CaseResult;
      if (e === 'torch') {
        const t = runTorch([c], o);
        if (t.info && (torch === null || !('version' in torch))) torch = t.info;
        r = t.results[0]!;
      } else if (e === 'tfjs-wasm' && tfjsSkipReason(c.spec) !== null) {
        results.push({ caseId: c.id, engine: e, status: 'skipped', note: tfjsSkipReason(c.spec)! });
        continue;
      } else {
        r = runWorker(e, c, o);
      }
      r.load1 = load1;
      progress(e, c, r);
      results.push(r);
    }
  }
  if (engines.includes('torch') && torch === null) torch = { unavailable: 'torch_bench.py printed no info line' };
  machine.loadAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);

  const report: BenchReport = {
    date: new Date().toISOString(), quick: o.quick, machine, timing: o.timing, killAfterMs: o.killAfterMs,
    engines, tsorch: { backends: registered, ...tsorchBackendInfo() }, torch, tfjs, cases, results, ratios: computeRatios(cases, engines, results),
  };
  const paths = writeReport(report, RESULTS_DIR);
  console.log(`\n${formatHeader(report)}\n\n${formatTable(report)}\n`);
  const notes = formatNotes(report);
  if (notes) console.log(`${notes}\n`);
  console.log(`${((Date.now() - started) / 1000).toFixed(0)} s; written: ${paths.join(', ')}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
