/**
 * Batched matrix product C = A·B for float32 and float64 (the TypeScript side converts integer
 * operands to float64 first), over strided A [M,K] and B [K,N], writing a contiguous C [M,N].
 *
 * Blocking (Goto/BLIS): for each batch, column block jc (NC columns), depth block pc (KC):
 *   pack B[pc:pc+KC, jc:jc+NC] into panels of NR columns, laid out [panel][k][NR];
 *   for each row block ic (MC rows): pack A[ic:ic+MC, pc:pc+KC] into panels of MR rows,
 *   [panel][k][MR]; then for every (NR panel, MR panel) pair run the micro-kernel, which keeps
 *   an MR×NR tile of C in registers for the whole KC loop and adds it to C once.
 * Sizes: MR=4 rows × NR=8 float32 columns (two f32x4 per row) = 8 accumulator registers, plus
 * 2 for the B vectors and 1 for the broadcast A value: 11 of the 16 xmm registers V8 has on x64,
 * so nothing spills (6×8 would need 15, leaving V8 no scratch register). Per k step the kernel
 * issues 2 B loads + 4 A broadcasts and 8 multiply-adds (64 flops). float64 uses the same shape
 * with NR=4 (two f64x2). KC=256 keeps the A micro-panel (4 KB) and B micro-panel (8 KB) in a
 * 32-48 KB L1; MC=128 makes the packed A block 128 KB (L2: 1 MB per core); NC=2048 makes the
 * packed B block 2 MB (L3). Partial edge tiles are packed with zeros, computed whole, and only
 * their valid part is written.
 * (Measured: MR=5 and MR=6 ran at half the speed of MR=4 under V8, and unrolling k by two was
 * slower too; both spill.)
 * Epilogue (a Linear layer's bias, the Transformer feed-forward's ReLU): applied to each tile
 * as it is written after its last depth block, so each rounds exactly as a separate op would.
 * Threaded row-split products get B packed whole in advance (packBPanels, split over the
 * threads) instead of every row chunk packing all of B again.
 * With relaxed SIMD (detected at load) the multiply-add is f32x4.relaxed_madd (an FMA on this
 * CPU); otherwise f32x4.mul + f32x4.add.
 *
 * Ceiling on the development machine (AMD EPYC, Zen 5, ~3.3 GHz measured with a dependent add
 * chain): two FP pipes take a 128-bit mul or FMA each per cycle and two more take the adds, so
 * f32x4 mul+add pairs and f32x4 FMAs both peak at 2 × 4 lanes × 2 flops = 16 flops/cycle ≈
 * 53 GFLOPS per core (a synthetic loop of independent ops measured 52 with mul+add, 55 with FMA).
 * On a core without separate add pipes, mul+add would halve that to 8 flops/cycle. This kernel
 * reaches 44-47 GFLOPS (mul+add) and 48-49 (FMA) single-threaded at 512-1024 (best runs).
 */
import { ld, shiftOf } from './common';

export const MR: i32 = 4;
export const KC: i32 = 256;
export const MC: i32 = 128;
export const NC: i32 = 2048;
/** Bytes of scratch the kernel needs for packed A (+ one edge tile) and for packed B. */
export const PACK_A_BYTES: i32 = MC * KC * 8 + 256;
export const PACK_B_BYTES: i32 = KC * NC * 8;

@inline function madd(wide: bool, a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return wide ? f64x2.relaxed_madd(a, b, c) : f32x4.relaxed_madd(a, b, c);
  }
  return wide ? f64x2.add(c, f64x2.mul(a, b)) : f32x4.add(c, f32x4.mul(a, b));
}

@inline function vadd(wide: bool, a: v128, b: v128): v128 {
  return wide ? f64x2.add(a, b) : f32x4.add(a, b);
}

@inline function splat(wide: bool, p: usize): v128 {
  return wide ? v128.load64_splat(p) : v128.load32_splat(p);
}

@inline function vrelu(wide: bool, a: v128): v128 {
  return wide ? f64x2.max(a, f64x2.splat(0)) : f32x4.max(a, f32x4.splat(0));
}

/**
 * Writes (or adds, when acc) a 16-byte row pair of the tile into C row c; then, when this is the
 * last depth block, the epilogue: + bias (the tile's NR bias values at `bias`, when nonzero) and
 * ReLU (max with 0, which keeps NaN, as the relu kernel). Each is one more rounding of the full
 * sum, exactly as a separate add and relu after the product.
 */
@inline function put(c: usize, x0: v128, x1: v128, acc: bool, wide: bool, bias: usize, relu: bool): void {
  if (acc) {
    x0 = vadd(wide, v128.load(c), x0);
    x1 = vadd(wide, v128.load(c, 16), x1);
  }
  if (bias != 0) {
    x0 = vadd(wide, x0, v128.load(bias));
    x1 = vadd(wide, x1, v128.load(bias, 16));
  }
  if (relu) {
    x0 = vrelu(wide, x0);
    x1 = vrelu(wide, x1);
  }
  v128.store(c, x0);
  v128.store(c, x1, 16);
}

/** The epilogue of one element (edge tiles and K = 0): v + bias[j] when bias is nonzero, then ReLU. */
@inline function epi1(wide: bool, v: f64, bias: usize, j: i32, relu: bool): f64 {
  if (wide) {
    if (bias != 0) v += load<f64>(bias + (<usize>j << 3));
    return relu ? max<f64>(v, 0) : v;
  }
  let w = <f32>v;
  if (bias != 0) w += load<f32>(bias + (<usize>j << 2));
  return <f64>(relu ? max<f32>(w, 0) : w);
}

/**
 * The register-blocked kernel: tile (MR×NR) = Ap panel · Bp panel over kc, then C (+)= tile.
 * Full tiles go straight to C (row stride ldcBytes); edge tiles go through `tile` and only the
 * valid mr×nr corner is copied.
 */
@inline function micro(wide: bool, ap: usize, bp: usize, kc: i32, c: usize, ldcBytes: usize, acc: bool, mr: i32, nr: i32, tile: usize, bias: usize, relu: bool): void {
  const aStep: usize = wide ? 32 : 16;
  const es: usize = wide ? 8 : 4;
  let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = splat(wide, ap);
    c00 = madd(wide, a, b0, c00); c01 = madd(wide, a, b1, c01);
    a = splat(wide, ap + es);
    c10 = madd(wide, a, b0, c10); c11 = madd(wide, a, b1, c11);
    a = splat(wide, ap + 2 * es);
    c20 = madd(wide, a, b0, c20); c21 = madd(wide, a, b1, c21);
    a = splat(wide, ap + 3 * es);
    c30 = madd(wide, a, b0, c30); c31 = madd(wide, a, b1, c31);
    ap += aStep;
    bp += 32;
  }
  const nrMax = wide ? 4 : 8;
  if (mr == MR && nr == nrMax) {
    put(c, c00, c01, acc, wide, bias, relu);
    put(c + ldcBytes, c10, c11, acc, wide, bias, relu);
    put(c + 2 * ldcBytes, c20, c21, acc, wide, bias, relu);
    put(c + 3 * ldcBytes, c30, c31, acc, wide, bias, relu);
    return;
  }
  v128.store(tile, c00); v128.store(tile, c01, 16);
  v128.store(tile, c10, 32); v128.store(tile, c11, 48);
  v128.store(tile, c20, 64); v128.store(tile, c21, 80);
  v128.store(tile, c30, 96); v128.store(tile, c31, 112);
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) {
      const src = tile + <usize>i * 32 + <usize>j * es;
      const dst = c + <usize>i * ldcBytes + <usize>j * es;
      if (wide) store<f64>(dst, epi1(true, (acc ? load<f64>(dst) : 0) + load<f64>(src), bias, j, relu));
      else store<f32>(dst, <f32>epi1(false, <f64>((acc ? load<f32>(dst) : 0) + load<f32>(src)), bias, j, relu));
    }
  }
}

/**
 * 4×4 float32 transpose: given rows r0..r3 (4 lanes each), returns column `c` (lane c of each
 * row). Two shuffle stages; V8 lowers each to one or two x64 shuffles.
 */
@inline function tcol(r0: v128, r1: v128, r2: v128, r3: v128, c: i32): v128 {
  if (c == 0) {
    return i8x16.shuffle(i8x16.shuffle(r0, r1, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23),
      i8x16.shuffle(r2, r3, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  }
  if (c == 1) {
    return i8x16.shuffle(i8x16.shuffle(r0, r1, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23),
      i8x16.shuffle(r2, r3, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23), 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  }
  if (c == 2) {
    return i8x16.shuffle(i8x16.shuffle(r0, r1, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31),
      i8x16.shuffle(r2, r3, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  }
  return i8x16.shuffle(i8x16.shuffle(r0, r1, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31),
    i8x16.shuffle(r2, r3, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
}

/**
 * Four float32 vectors r0..r3, each 4 consecutive depth values of one of 4 rows/columns, stored
 * transposed: depth step t goes to dst + t·stride (the 4 values of that step side by side).
 */
@inline function put4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  v128.store(dst, tcol(r0, r1, r2, r3, 0));
  v128.store(dst + stride, tcol(r0, r1, r2, r3, 1));
  v128.store(dst + 2 * stride, tcol(r0, r1, r2, r3, 2));
  v128.store(dst + 3 * stride, tcol(r0, r1, r2, r3, 3));
}

/**
 * float32 packing of one full MR-row A panel with SIMD, for the two layouts products meet:
 * row-major A (sak = 1: 4×4 blocks transposed in registers) and transposed A (sam = 1, e.g.
 * dYᵀ·X in a Linear backward: each depth step's 4 values are adjacent, one load and one store).
 * Returns false for other layouts.
 */
@inline function packAPanelF32(a: usize, sam: isize, sak: isize, ip: i32, kc: i32, panel: usize): bool {
  if (sam == 1) {
    const src = a + (<usize>ip << 2);
    const step = <usize>sak << 2;
    for (let k = 0; k < kc; k++) v128.store(panel + (<usize>k << 4), v128.load(src + <usize>k * step));
    return true;
  }
  if (sak != 1) return false;
  const r0p = a + (<usize>(<isize>ip * sam) << 2);
  const rs = <usize>sam << 2;
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const q = <usize>k << 2;
    put4x4(v128.load(r0p + q), v128.load(r0p + rs + q), v128.load(r0p + 2 * rs + q), v128.load(r0p + 3 * rs + q), panel + (<usize>k << 4), 16);
  }
  for (; k < kc; k++) {
    for (let i = 0; i < MR; i++) store<f32>(panel + (<usize>k << 4) + (<usize>i << 2), load<f32>(r0p + <usize>i * rs + (<usize>k << 2)));
  }
  return true;
}

/**
 * float32 packing of one full 8-column B panel when B is a transposed view (sbk = 1: x·Wᵀ with
 * W stored [out, in]): each column is contiguous in depth, so 4×4 blocks are transposed in
 * registers instead of gathering one element at a time.
 */
@inline function packBPanelTransF32(b: usize, sbn: isize, jp: i32, kc: i32, panel: usize): void {
  const c0 = b + (<usize>(<isize>jp * sbn) << 2);
  const cs = <usize>sbn << 2;
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const q = <usize>k << 2;
    const d = panel + <usize>k * 32;
    put4x4(v128.load(c0 + q), v128.load(c0 + cs + q), v128.load(c0 + 2 * cs + q), v128.load(c0 + 3 * cs + q), d, 32);
    put4x4(v128.load(c0 + 4 * cs + q), v128.load(c0 + 5 * cs + q), v128.load(c0 + 6 * cs + q), v128.load(c0 + 7 * cs + q), d + 16, 32);
  }
  for (; k < kc; k++) {
    for (let j = 0; j < 8; j++) store<f32>(panel + <usize>k * 32 + (<usize>j << 2), load<f32>(c0 + <usize>j * cs + (<usize>k << 2)));
  }
}

/** Packs rows [0,mc) × depth [0,kc) of A (element strides sam, sak) into MR-row panels. */
@inline function packA(wide: bool, a: usize, sam: isize, sak: isize, mc: i32, kc: i32, dst: usize): void {
  const sh: usize = wide ? 3 : 2;
  for (let ip = 0; ip < mc; ip += MR) {
    const panel = dst + ((<usize>ip * kc) << sh);
    if (!wide && ip + MR <= mc && packAPanelF32(a, sam, sak, ip, kc, panel)) continue;
    for (let i = 0; i < MR; i++) {
      const row = ip + i;
      let d = panel + (<usize>i << sh);
      const stepD = <usize>MR << sh;
      if (row >= mc) {
        for (let k = 0; k < kc; k++, d += stepD) {
          if (wide) store<u64>(d, 0); else store<u32>(d, 0);
        }
        continue;
      }
      let s = a + (<usize>(<isize>row * sam) << sh);
      const stepS = <usize>sak << sh;
      for (let k = 0; k < kc; k++, d += stepD, s += stepS) {
        if (wide) store<u64>(d, load<u64>(s)); else store<u32>(d, load<u32>(s));
      }
    }
  }
}

/** Packs the NR-column panel at column jp (w ≤ NR valid columns) of a kc-deep block of B into `panel` ([k][NR]). */
@inline function packBPanel(wide: bool, b: usize, sbk: isize, sbn: isize, jp: i32, w: i32, kc: i32, panel: usize): void {
  const sh: usize = wide ? 3 : 2;
  const NR = wide ? 4 : 8;
  if (sbn == 1 && w == NR) {
    for (let k = 0; k < kc; k++) {
      const s = b + (<usize>(<isize>k * sbk + jp) << sh);
      const d = panel + <usize>k * 32;
      v128.store(d, v128.load(s));
      v128.store(d, v128.load(s, 16), 16);
    }
    return;
  }
  if (!wide && sbk == 1 && w == NR) {
    packBPanelTransF32(b, sbn, jp, kc, panel);
    return;
  }
  for (let j = 0; j < NR; j++) {
    let d = panel + (<usize>j << sh);
    if (j >= w) {
      for (let k = 0; k < kc; k++, d += 32) {
        if (wide) store<u64>(d, 0); else store<u32>(d, 0);
      }
      continue;
    }
    let s = b + (<usize>(<isize>(jp + j) * sbn) << sh);
    const stepS = <usize>sbk << sh;
    for (let k = 0; k < kc; k++, d += 32, s += stepS) {
      if (wide) store<u64>(d, load<u64>(s)); else store<u32>(d, load<u32>(s));
    }
  }
}

/** Packs depth [0,kc) × columns [0,nc) of B (element strides sbk, sbn) into NR-column panels. */
@inline function packB(wide: bool, b: usize, sbk: isize, sbn: isize, kc: i32, nc: i32, dst: usize): void {
  const sh: usize = wide ? 3 : 2;
  const NR = wide ? 4 : 8;
  for (let jp = 0; jp < nc; jp += NR) {
    packBPanel(wide, b, sbk, sbn, jp, nc - jp < NR ? nc - jp : NR, kc, dst + ((<usize>jp * kc) << sh));
  }
}

/**
 * Element offset of the packed (jc, pc) block of a whole prepacked B (see packBPanels): the
 * column blocks before it are NC wide and K deep; within its column block, the depth blocks
 * before it are KC deep and ncPad (its width rounded up to NR) wide.
 */
@inline function packedBlock(jc: i32, pc: i32, K: i32, ncPad: i32): usize {
  return <usize>jc * K + <usize>pc * ncPad;
}

/**
 * Packs NR-column panels [p0, p1) of the whole B [K, N] (every depth block) into dst, in the
 * layout gemm reads with a prepacked B: threaded products pack B once, split over the
 * participants, instead of once per row chunk (for a weight gradient, K = rows of the batch
 * and B the layer input, that repacking cost as much as the product).
 */
export function packBPanels(dt: i32, K: i32, N: i32, pb: usize, sbk: i32, sbn: i32, dst: usize, p0: i32, p1: i32): void {
  const wide = dt != 0;
  const sh: usize = wide ? 3 : 2;
  const NR = wide ? 4 : 8;
  for (let p = p0; p < p1; p++) {
    const col = p * NR;
    const jc = col / NC * NC;
    const nc = N - jc < NC ? N - jc : NC;
    const ncPad = (nc + NR - 1) / NR * NR;
    const w = N - col < NR ? N - col : NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = K - pc < KC ? K - pc : KC;
      const b = pb + (<usize>(<isize>pc * sbk + <isize>jc * sbn) << sh);
      const panel = dst + ((packedBlock(jc, pc, K, ncPad) + <usize>(col - jc) * kc) << sh);
      if (wide) packBPanel(true, b, sbk, sbn, col - jc, w, kc, panel);
      else packBPanel(false, b, sbk, sbn, col - jc, w, kc, panel);
    }
  }
}

/**
 * One product: rows [m0, m1) of C = A·B, or C += A·B when `accumulate` (A, B at their batch's
 * element 0; C at row 0); then C = relu(C + bias) per the epilogue (bias: N values, or 0).
 */
@inline function gemm(wide: bool, m0: i32, m1: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize, c: usize, packAp: usize, packBp: usize, accumulate: bool,
  bias: usize, relu: bool, prepacked: usize): void {
  const sh: usize = wide ? 3 : 2;
  const NR = wide ? 4 : 8;
  const ldc = <usize>N << sh;
  const tile = packAp + <usize>MC * KC * 8;
  if (K == 0) {
    if (!accumulate) memory.fill(c + <usize>m0 * ldc, 0, <usize>(m1 - m0) * ldc);
    if (bias != 0 || relu) {
      for (let i = m0; i < m1; i++) {
        for (let j = 0; j < N; j++) {
          const p = c + <usize>i * ldc + (<usize>j << sh);
          if (wide) store<f64>(p, epi1(true, load<f64>(p), bias, j, relu));
          else store<f32>(p, <f32>epi1(false, <f64>load<f32>(p), bias, j, relu));
        }
      }
    }
    return;
  }
  for (let jc = 0; jc < N; jc += NC) {
    const nc = N - jc < NC ? N - jc : NC;
    const ncPad = (nc + NR - 1) / NR * NR;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = K - pc < KC ? K - pc : KC;
      const last = pc + kc >= K;
      // B's block: packed here, or already packed whole by packBPanels.
      let bBlock = packBp;
      if (prepacked != 0) bBlock = prepacked + (packedBlock(jc, pc, K, ncPad) << sh);
      else packB(wide, b + (<usize>(<isize>pc * sbk + <isize>jc * sbn) << sh), sbk, sbn, kc, nc, packBp);
      for (let ic = m0; ic < m1; ic += MC) {
        const mc = m1 - ic < MC ? m1 - ic : MC;
        packA(wide, a + (<usize>(<isize>ic * sam + <isize>pc * sak) << sh), sam, sak, mc, kc, packAp);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = nc - jr < NR ? nc - jr : NR;
          const bp = bBlock + ((<usize>jr * kc) << sh);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = mc - ir < MR ? mc - ir : MR;
            const cp = c + <usize>(ic + ir) * ldc + (<usize>(jc + jr) << sh);
            micro(wide, packAp + ((<usize>ir * kc) << sh), bp, kc, cp, ldc, accumulate || pc > 0, mr, nr, tile,
              last && bias != 0 ? bias + (<usize>(jc + jr) << sh) : 0, last && relu);
          }
        }
      }
    }
  }
}

/**
 * One product with direct pointers, for other kernels (the fused convolution): rows [m0, m1) of
 * C (row stride N) = A·B, or += when `accumulate`; sh is log2 of the element size (3: float64).
 */
export function gemmAt(sh: usize, m0: i32, m1: i32, N: i32, K: i32, a: usize, sam: isize, sak: isize, b: usize, sbk: isize, sbn: isize,
  c: usize, packAp: usize, packBp: usize, accumulate: bool): void {
  if (sh == 3) gemm(true, m0, m1, N, K, a, sam, sak, b, sbk, sbn, c, packAp, packBp, accumulate, 0, false, 0);
  else gemm(false, m0, m1, N, K, a, sam, sak, b, sbk, sbn, c, packAp, packBp, accumulate, 0, false, 0);
}

/**
 * Batched product over rows [m0, m1) of every batch. boff holds [aOffset, bOffset] element
 * offsets per batch (int32 pairs); a/b are the storages' base pointers; C batch i starts at
 * po + i·M·N elements. Epilogue (a Linear layer's): pbias (0: none) points at N bias values
 * added to every row after the full sum, then `relu` (nonzero) clamps at 0. prepacked (one
 * batch only; 0: none) holds B packed whole by packBPanels, read instead of packing B here.
 */
export function matmul(dt: i32, nb: i32, M: i32, N: i32, K: i32, boff: usize, pa: usize, sam: i32, sak: i32, pb: usize, sbk: i32, sbn: i32, po: usize, m0: i32, m1: i32, packAp: usize, packBp: usize,
  pbias: usize, relu: i32, prepacked: usize): void {
  const sh = shiftOf(dt);
  for (let i = 0; i < nb; i++) {
    const a = pa + (<usize>ld(boff, 2 * i) << sh);
    const b = pb + (<usize>ld(boff, 2 * i + 1) << sh);
    const c = po + ((<usize>i * M * N) << sh);
    if (sh == 3) gemm(true, m0, m1, N, K, a, sam, sak, b, sbk, sbn, c, packAp, packBp, false, pbias, relu != 0, prepacked);
    else gemm(false, m0, m1, N, K, a, sam, sak, b, sbk, sbn, c, packAp, packBp, false, pbias, relu != 0, prepacked);
  }
}
