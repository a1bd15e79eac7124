/**
 * A worker thread of the pool (matmul, convolution and fused-kernel chunks): instantiates the kernel module over the main thread's shared memory,
 * then waits on the control block (threads.ts) for jobs and claims chunks of them until none
 * are left. It never posts messages and holds no handles, so an unref'd worker never keeps the
 * process alive; it is terminated with the process.
 */
import { workerData } from 'node:worker_threads';
import { instantiate } from './loader.js';
import { runChunks, type WorkerInit } from './threads.js';
import type { WasmMemory } from './wasm-api.js';

const init = workerData as WorkerInit;
const k = instantiate(init.module, init.memory as WasmMemory);
const ctrl = new Int32Array((init.memory as WasmMemory).buffer, init.ctrlPtr, init.ctrlInts);
runChunks(k, ctrl, init.id);
