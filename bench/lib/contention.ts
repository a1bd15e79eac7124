/**
 * How much of the machine other processes used while a case was timed. The load average cannot
 * tell: it lags by a minute and counts the benchmark's own threads. Instead: machine-wide busy
 * CPU time (/proc/stat) minus this process's own CPU time (all its threads), over the wall time
 * × cores. bench/torch_bench.py computes the same for PyTorch.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

interface Snapshot { busyS: number | null; ownS: number; wallS: number }

const USER_HZ = 100; // /proc/stat's unit: USER_HZ, 100 on every Linux ABI Node supports

/** Busy CPU seconds of the whole machine since boot, or null where /proc/stat is unreadable. */
function machineBusySeconds(): number | null {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0); // idle + iowait
    return (total - idle) / USER_HZ;
  } catch {
    return null;
  }
}

export function snapshot(): Snapshot {
  const u = process.cpuUsage();
  return { busyS: machineBusySeconds(), ownS: (u.user + u.system) / 1e6, wallS: performance.now() / 1000 };
}

/** Share of the machine's CPU (0–1) that other processes used between two snapshots, or undefined if unknown. */
export function othersShare(a: Snapshot, b: Snapshot): number | undefined {
  if (a.busyS === null || b.busyS === null) return undefined;
  const wall = b.wallS - a.wallS;
  if (wall <= 0) return undefined;
  const others = b.busyS - a.busyS - (b.ownS - a.ownS);
  return Math.round(Math.min(1, Math.max(0, others / (wall * os.cpus().length))) * 100) / 100;
}
