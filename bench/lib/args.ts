/** Command-line options of `npm run bench` (bench/run.ts). */
import { CASES, GROUPS, type BenchCase } from './cases.js';
import type { TimingOptions } from './timing.js';

export interface BenchOptions {
  quick: boolean;
  /** Case groups or case ids to run (all when empty). */
  only: string[];
  /** tsorch backends to run (every registered one when empty). */
  backends: string[];
  torch: boolean;
  tfjs: boolean;
  memory: boolean;
  timing: TimingOptions;
  /** A worker still running after this is killed and its case reported as skipped (budget). */
  killAfterMs: number;
  /** Arguments passed through to bench/memory.ts with --memory. */
  rest: string[];
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              smoke run: 1 warm-up, 3 timed runs, 20 s budget per case
  --only a,b           case groups (${GROUPS.join(', ')}) or case ids (e.g. matmul-1024, seed-train)
  --backends cpu,wasm  tsorch backends to measure (default: every registered backend)
  --no-torch           skip the PyTorch reference
  --no-tfjs            skip the @tensorflow/tfjs-backend-wasm reference
  --budget S           seconds of timed runs allowed per case (default 60, quick 20)
  --reps N             most timed runs per case (default 15, quick 3; at least 3 always)
  --memory [...]       run the memory test instead (bench/memory.ts; its options follow)`;

function list(v: string | undefined, flag: string): string[] {
  if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a comma-separated list\n${USAGE}`);
  return v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function positive(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!(n > 0)) throw new Error(`${flag} needs a positive number, got ${String(v)}\n${USAGE}`);
  return n;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const o = { quick: false, only: [] as string[], backends: [] as string[], torch: true, tfjs: true, memory: false, rest: [] as string[] };
  let budgetS: number | undefined;
  let reps: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (o.memory) { o.rest.push(a); continue; }
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--only': o.only = list(argv[++i], a); break;
      case '--backends': o.backends = list(argv[++i], a); break;
      case '--no-torch': o.torch = false; break;
      case '--no-tfjs': o.tfjs = false; break;
      case '--budget': budgetS = positive(argv[++i], a); break;
      case '--reps': reps = Math.max(3, Math.floor(positive(argv[++i], a))); break;
      case '--memory': o.memory = true; break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  for (const s of o.only) {
    if (!GROUPS.includes(s as BenchCase['group']) && !CASES.some((c) => c.id === s)) {
      throw new Error(`--only: '${s}' is neither a group (${GROUPS.join(', ')}) nor a case id (${CASES.map((c) => c.id).join(', ')})`);
    }
  }
  const budgetMs = (budgetS ?? (o.quick ? 20 : 60)) * 1000;
  const timing: TimingOptions = o.quick
    ? { warmup: 1, warmupMs: 300, minReps: 3, maxReps: reps ?? 3, budgetMs, minRepMs: 20 }
    : { warmup: 2, warmupMs: 1000, minReps: 3, maxReps: reps ?? 15, budgetMs, minRepMs: 100 };
  // Warm-up is outside the budget but not unbounded: a case gets its budget twice over, plus
  // process start-up, before it is killed.
  return { ...o, timing, killAfterMs: 2 * budgetMs + 10_000 };
}

export function selectCases(only: readonly string[]): BenchCase[] {
  if (only.length === 0) return CASES;
  return CASES.filter((c) => only.includes(c.group) || only.includes(c.id));
}
