/**
 * Runs ONE case on ONE engine and prints its result as a marked JSON line. The driver starts a
 * fresh process per case so a slow case can be killed at its budget without losing the others,
 * and so no case inherits another's heap, JIT state or allocator growth.
 *
 *   node build/bench/worker.js --engine tsorch:cpu --case matmul-1024 --warmup 2 --warmup-ms 1000 --min-reps 3 \
 *     --max-reps 10 --budget-ms 60000 --min-rep-ms 50
 *   node build/bench/worker.js --engine tfjs-wasm --info      (prints what tfjs runs with)
 */
import { findCase } from './lib/cases.js';
import { fromTiming, RESULT_MARK, type CaseResult } from './lib/results.js';
import { exitWatch } from './lib/exit.js';
import { measure, type TimingOptions } from './lib/timing.js';

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`worker: missing --${name}`);
  return v;
}

async function main(): Promise<void> {
  const engine = arg('engine');
  if (process.argv.includes('--info')) {
    // What the tfjs reference actually runs with (SIMD, threads), for the report's header.
    const { loadTfjs } = await import('./tfjs-cases.js');
    const { info } = await loadTfjs();
    process.stdout.write(`${RESULT_MARK}${JSON.stringify(info)}\n`);
    return;
  }
  const c = findCase(arg('case'));
  const opts: TimingOptions = {
    warmup: Number(arg('warmup')), warmupMs: Number(arg('warmup-ms')), minReps: Number(arg('min-reps')), maxReps: Number(arg('max-reps')),
    budgetMs: Number(arg('budget-ms')), minRepMs: Number(arg('min-rep-ms')),
  };
  let result: CaseResult;
  try {
    let run: () => void;
    let note: string | undefined;
    if (engine === 'tfjs-wasm') {
      const { loadTfjs, buildTfjsCase } = await import('./tfjs-cases.js');
      const { tf, info } = await loadTfjs();
      run = buildTfjsCase(tf, c.spec);
      note = `simd=${info.simd} threads=${info.threads}`;
    } else if (engine.startsWith('tsorch:')) {
      const { buildTsorchCase, tsorchReady } = await import('./tsorch-cases.js');
      const torch = await import('tsorch');
      await tsorchReady();
      torch.setBackend(engine.slice('tsorch:'.length));
      run = buildTsorchCase(c.spec);
    } else {
      throw new Error(`unknown engine '${engine}'`);
    }
    result = fromTiming(c.id, engine, c.work, c.unit, measure(run, opts), note);
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    result = { caseId: c.id, engine, status: 'error', note: msg.split('\n')[0]!.slice(0, 300) };
  }
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
  exitWatch();
}

await main();
