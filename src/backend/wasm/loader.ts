/**
 * Finds, compiles and instantiates the WebAssembly kernels, synchronously at import time.
 *
 * The .wasm files are built by scripts/build-wasm.mjs into dist/backend/wasm/. The loader looks
 * next to itself first (the published layout: dist/backend/wasm/loader.js), then walks up to the
 * package root and looks in dist/backend/wasm/ (the test layout: build/src/backend/wasm/loader.js).
 * Relaxed SIMD is detected with WebAssembly.validate on a tiny module using f32x4.relaxed_madd;
 * when the runtime has it the build with FMA is used, else the plain v128 build. Node 20's V8
 * (11.3) has relaxed SIMD finished but behind --experimental-wasm-relaxed-simd (it is on by
 * default from V8 11.4, Node 22), so where it does not validate the loader turns that V8 flag on
 * and probes again: FMA makes the products ~10-20% faster here. TSORCH_RELAXED_SIMD=0 in the
 * environment keeps the plain build (and leaves V8's flags alone).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { WA, type WasmGlobal, type WasmMemory, type WasmModule } from './wasm-api.js';

/** The kernel module's exports (all pointers are byte addresses in the shared memory). */
export interface KernelExports {
  heapBase(): number;
  unary(op: number, dt: number, odt: number, desc: number, px: number, po: number): void;
  binary(op: number, dt: number, odt: number, desc: number, pa: number, pb: number, po: number): number;
  where(cdt: number, dt: number, odt: number, desc: number, pc: number, pa: number, pb: number, po: number): void;
  copy(sdt: number, ddt: number, desc: number, ps: number, pd: number): void;
  reduce(op: number, dt: number, odt: number, desc: number, px: number, po: number, acc: number): void;
  matmul(dt: number, nb: number, M: number, N: number, K: number, boff: number, pa: number, sam: number, sak: number,
    pb: number, sbk: number, sbn: number, po: number, m0: number, m1: number, packA: number, packB: number, pbias: number, relu: number, prepacked: number): void;
  packBPanels(dt: number, K: number, N: number, pb: number, sbk: number, sbn: number, dst: number, p0: number, p1: number): void;
  gather(dt: number, idt: number, r: number, desc: number, px: number, pidx: number, po: number, xsDim: number, size: number, errp: number): number;
  indexSelectRows?(dt: number, idt: number, n: number, D: number, rows: number, px: number, pidx: number, po: number, errp: number): number;
  indexAddRows?(dt: number, idt: number, n: number, D: number, rows: number, psrc: number, pidx: number, po: number, errp: number): number;
  scatterAdd(dt: number, idt: number, sdt: number, r: number, desc: number, pout: number, pidx: number, psrc: number,
    osDim: number, size: number, errp: number): number;
  unfold(dt: number, k: number, lead: number, g: number, px: number, po: number, pad: number): void;
  fold(dt: number, k: number, lead: number, g: number, pcols: number, po: number): void;
  convReduce(dt: number, parts: number, n: number, src: number, dst: number): void;
  dropout(dt: number, n: number, px: number, po: number, pm: number, state: number, mti: number, thresh: number, scale: number): number;
  softmax(dt: number, log: number, R: number, D: number, px: number, po: number): void;
  softmaxBackward(dt: number, log: number, R: number, D: number, py: number, pg: number, po: number): void;
  layerNorm(dt: number, R: number, D: number, px: number, pw: number, pb: number, eps: number, py: number, pmean: number, prstd: number): void;
  layerNormBackward(dt: number, R: number, D: number, px: number, pmean: number, prstd: number, pw: number, pg: number,
    pdx: number, pdw: number, pdb: number, acc: number): void;
  batchNorm(dt: number, training: number, N: number, C: number, S: number, px: number, pw: number, pb: number, eps: number,
    pmean: number, pvar: number, prstd: number, py: number): void;
  batchNormBackward(dt: number, training: number, N: number, C: number, S: number, px: number, pmean: number, prstd: number,
    pw: number, pg: number, pdx: number, pdw: number, pdb: number): void;
  adam(dt: number, n: number, pp: number, pg: number, pm: number, pv: number, pvmax: number, flags: number,
    decay: number, b1: number, c1: number, b2: number, c2: number, sqrtBc2: number, eps: number, negStep: number): void;
  lstmCell(dt: number, N: number, H: number, pgates: number, pc: number, phc: number, pact: number): void;
  lstmCellBackward(dt: number, N: number, H: number, pact: number, pc: number, pd: number, pdg: number, pdc: number): void;
  lstmSeq(dt: number, L: number, N: number, H: number, rev: number, pgi: number, ph0: number, pc0: number, pwhh: number, pbhh: number,
    plen: number, py: number, psaved: number, pg: number, packA: number, packB: number): void;
  lstmSeqBackward(dt: number, L: number, N: number, H: number, rev: number, psaved: number, pwhh: number, plen: number, pdy: number,
    pdg: number, pdh0: number, pdc0: number, pdhr: number, packA: number, packB: number): void;
  rnnSeq(mode: number, dt: number, L: number, N: number, H: number, rev: number, pgi: number, ph0: number, pwhh: number, pbhh: number,
    plen: number, py: number, psaved: number, pg: number, packA: number, packB: number): void;
  rnnSeqBackward(mode: number, dt: number, L: number, N: number, H: number, rev: number, psaved: number, pwhh: number, plen: number,
    pdy: number, pdgi: number, pdgh: number, pdh0: number, pdhr: number, pdhz: number, packA: number, packB: number): void;
  attention(dt: number, N: number, L: number, H: number, hd: number, pqkv: number, sN: number, sL: number,
    po: number, oN: number, oL: number, pp: number, pm: number, state: number, mti: number, keepT: number, scale: number, scratch: number): number;
  attentionBackward(dt: number, N: number, L: number, H: number, hd: number, pqkv: number, sN: number, sL: number,
    pp: number, pm: number, scale: number, pg: number, gN: number, gL: number, pd: number, dN: number, dL: number, scratch: number): void;
  /** Items [i0, i1) of a threaded fused call (kernels/chunked.ts; kinds in threads.ts). */
  fusedChunk(kind: number, desc: number, i0: number, i1: number, chunk: number, id: number): void;
  drawUniform24(state: number, mti: number, n: number, dst: number): number;
  /** MT19937 output as a flat recurrence (kernels/dropout.ts): raw words to dst[mti .. mti + n), state updated; returns the new mti. */
  mtFlat?(state: number, mti: number, n: number, dst: number): number;
  /** dropout() that also writes the keep pattern as bits (kernels/dropout.ts); returns the new mti. */
  dropoutBits?(dt: number, n: number, px: number, po: number, pbits: number, state: number, mti: number, thresh: number, scale: number): number;
  /** g times a dropoutBits mask (kernels/dropout.ts). */
  dropoutApplyBits?(dt: number, n: number, pg: number, pbits: number, po: number, scale: number): void;
  gelu?(dt: number, approx: number, n: number, px: number, py: number): void;
  geluBackward?(dt: number, approx: number, n: number, px: number, py: number, pg: number, pdx: number): void;
  reluBackward?(dt: number, n: number, py: number, pg: number, pdx: number): void;
  crossEntropy?(dt: number, tdt: number, N: number, C: number, S: number, px: number, pt: number, pw: number, ignore: number, eps: number,
    ploss: number, plse: number, pacc: number): void;
  crossEntropyBackward?(dt: number, tdt: number, N: number, C: number, S: number, px: number, pt: number, pw: number, ignore: number, eps: number,
    plse: number, pg: number, scale: number, pdx: number): void;
  PACK_A_BYTES: WasmGlobal;
  PACK_B_BYTES: WasmGlobal;
}

/** An instantiated kernel module and what it was built from. */
export interface LoadedKernels {
  readonly exports: KernelExports;
  readonly memory: WasmMemory;
  readonly module: WasmModule;
  /** True when the relaxed-SIMD (FMA) build is in use. */
  readonly relaxedSimd: boolean;
  /** Path of the .wasm file loaded. */
  readonly file: string;
}

/** (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd)) */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00,
  0x0a, 0x3d, 0x01, 0x3b, 0x00,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]),
  0xfd, 0x85, 0x02, 0x0b,
]);

/** Whether this runtime validates relaxed-SIMD instructions (f32x4.relaxed_madd). */
export function relaxedSimdSupported(): boolean {
  try {
    return WA !== undefined && WA.validate(RELAXED_PROBE);
  } catch {
    return false;
  }
}

/**
 * Whether relaxed SIMD can be used, turning on V8's flag for it first where the runtime has the
 * feature behind one (Node 20); false when TSORCH_RELAXED_SIMD=0 asks for the plain build.
 */
export function enableRelaxedSimd(): boolean {
  if (process.env['TSORCH_RELAXED_SIMD'] === '0') return false;
  if (relaxedSimdSupported()) return true;
  try {
    setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false; // a runtime without V8 flags
  }
  return relaxedSimdSupported();
}

/** Locates a built kernel file, or returns null when the build has not been run. */
export function findKernelFile(name: string): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, name);
  if (existsSync(sibling)) return sibling;
  let dir = here;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'dist', 'backend', 'wasm', name);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** Instantiates an already compiled kernel module over `memory` (a worker joining the main thread's memory). */
export function instantiate(module: WasmModule, memory: WasmMemory): KernelExports {
  if (WA === undefined) throw new Error('this runtime has no WebAssembly');
  return new WA.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
}

/** Memory pages (64 KiB) to start with and the most the memory may grow to (4 GiB, wasm32's limit). */
export const INITIAL_PAGES = 64;
export const MAXIMUM_PAGES = 65536;

/**
 * Compiles and instantiates the kernels with a fresh shared memory (or `memory`, for a worker
 * joining the main thread's). Throws when no build is found or the runtime lacks SIMD.
 */
export function loadKernels(memory?: WasmMemory, preferRelaxed = enableRelaxedSimd()): LoadedKernels {
  const names = preferRelaxed ? ['kernels-relaxed.wasm', 'kernels.wasm'] : ['kernels.wasm'];
  let lastError: unknown = new Error('kernels.wasm not found: run `npm run build:wasm`');
  for (const name of names) {
    const file = findKernelFile(name);
    if (file === null) continue;
    try {
      if (WA === undefined) throw new Error('this runtime has no WebAssembly');
      const module = new WA.Module(readFileSync(file));
      const mem = memory ?? new WA.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
      const instance = new WA.Instance(module, { env: { memory: mem } });
      return { exports: instance.exports as unknown as KernelExports, memory: mem, module, relaxedSimd: name !== 'kernels.wasm', file };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}
