/** What the numbers were measured on: printed above the table and stored in latest.json. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  /** 1/5/15-minute load averages at the start and end of the run: other work on the machine skews every number. */
  loadAtStart: number[];
  loadAtEnd?: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Installed version of an npm package, or null when it is not installed. */
export function packageVersion(name: string): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = require.resolve(`${name}/package.json`);
    const pkg = JSON.parse(readFileSync(dir, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : null;
  } catch {
    return null;
  }
}
