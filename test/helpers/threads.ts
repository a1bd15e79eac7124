/** The wasm backend's thread pool in tests: starting its worker, and seeing which calls used it. */
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { readyWorkerThreads, setNumThreads } from '../../src/backend/wasm/index.js';
import { MatmulRunner } from '../../src/backend/wasm/matmul.js';

/** Two threads, with the worker started and waiting (a product large enough to start the pool). */
export async function startWorkers(): Promise<void> {
  setNumThreads(2);
  torch.withBackend('wasm', () => torch.randn([256, 256]).matmul(torch.randn([256, 256])));
  for (let i = 0; i < 300 && readyWorkerThreads() < 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(readyWorkerThreads(), 1, 'the worker started');
}

/** Runs fn and lists the participants of every fused chunked call it made (MatmulRunner.runFused's last argument). */
export function participantsOf<T>(fn: () => T): { result: T; participants: number[] } {
  const original = MatmulRunner.prototype.runFused;
  const participants: number[] = [];
  MatmulRunner.prototype.runFused = function (this: MatmulRunner, ...a: Parameters<typeof original>): void {
    participants.push(a[5]);
    original.apply(this, a);
  };
  try {
    return { result: fn(), participants };
  } finally {
    MatmulRunner.prototype.runFused = original;
  }
}
