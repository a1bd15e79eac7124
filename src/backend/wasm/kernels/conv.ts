/**
 * Fused 2-D convolution (groups = 1), forward and backward, one sample at a time.
 *
 * Why per sample: im2col of a whole batch (e.g. 128 × 144 × 784 float32 = 58 MB for a 16-channel
 * 3×3 layer at 28×28) is written once, read back by the product and kept for backward, so every
 * pass streams it through main memory. One sample's columns (C·kh·kw × Ho·Wo, 450 KB there) fit
 * in L2, are consumed by the packed GEMM (matmul.ts, gemmAt) right after they are written, and
 * backward recomputes them instead of keeping them. Samples are the unit of work the thread pool
 * splits (threads.ts): each participant has its own column scratch and packing buffers.
 *
 * Per sample n (x_n: C×H×W, W: Co × CK with CK = C·kh·kw, L = Ho·Wo):
 *   forward   y_n = W · cols_n                                       (Co×CK · CK×L)
 *   backward  dW_chunk (+)= dY_n · cols_nᵀ                           (Co×L · L×CK)
 *             dcols = Wᵀ · dY_n, dx_n = fold(dcols)                  (CK×Co · Co×L)
 * A 1×1 kernel with stride 1 and no padding needs no im2col: cols_n is x_n itself and dcols is
 * dx_n. The weight gradient is summed per chunk of samples into its own slot (chunk boundaries
 * depend only on the batch size), and the slots are added in chunk order at the end (convReduce),
 * so results do not depend on the thread count or on which thread ran which chunk.
 *
 * Descriptor (int32 words at desc): 0 dt, 1 mode (0 forward, 1 backward), 2 N, 3 C, 4 H, 5 W,
 * 6 Co, 7 kh, 8 kw, 9 sh, 10 sw, 11 ph, 12 pw, 13 dh, 14 dw, 15 Ho, 16 Wo, 17 px, 18 pweight,
 * 19 py (forward) or pdy (backward), 20 pdx (0: not wanted), 21 pdw slots (0: not wanted),
 * 22 scratch table: per participant [cols, dcols, packA, packB].
 */
import { F64, ld } from './common';
import { gemmAt } from './matmul';
import { fold2d, unfold2d } from './window';

/** im2col of sample planes px (C planes) into cols, in dtype sh (2: float32, 3: float64). */
@inline function im2col(sh: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, s0: i32, s1: i32, p0: i32, p1: i32, d0: i32, d1: i32, Ho: i32, Wo: i32, px: usize, cols: usize): void {
  if (sh == 3) unfold2d<f64>(C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, px, cols, 0);
  else unfold2d<f32>(C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, px, cols, 0);
}

/** Runs samples [n0, n1) of the job at desc: chunk `chunk`, on participant `id`'s scratch. */
export function convChunk(desc: usize, n0: i32, n1: i32, chunk: i32, id: i32): void {
  const sh: usize = ld(desc, 0) == F64 ? 3 : 2;
  const mode = ld(desc, 1);
  const C = ld(desc, 3); const H = ld(desc, 4); const W = ld(desc, 5);
  const Co = ld(desc, 6); const kh = ld(desc, 7); const kw = ld(desc, 8);
  const s0 = ld(desc, 9); const s1 = ld(desc, 10);
  const p0 = ld(desc, 11); const p1 = ld(desc, 12);
  const d0 = ld(desc, 13); const d1 = ld(desc, 14);
  const Ho = ld(desc, 15); const Wo = ld(desc, 16);
  const px = <usize>ld(desc, 17);
  const pw = <usize>ld(desc, 18);
  const py = <usize>ld(desc, 19);
  const pdx = <usize>ld(desc, 20);
  const pdw = <usize>ld(desc, 21);
  const table = <usize>ld(desc, 22) + (<usize>id << 4);
  const cols = <usize>load<u32>(table);
  const dcols = <usize>load<u32>(table, 4);
  const packA = <usize>load<u32>(table, 8);
  const packB = <usize>load<u32>(table, 12);
  const CK = C * kh * kw;
  const L = Ho * Wo;
  const xStride = (<usize>C * H * W) << sh;
  const yStride = (<usize>Co * L) << sh;
  const direct = kh == 1 && kw == 1 && s0 == 1 && s1 == 1 && p0 == 0 && p1 == 0;
  for (let n = n0; n < n1; n++) {
    const xn = px + <usize>n * xStride;
    const yn = py + <usize>n * yStride;
    if (mode == 0) {
      let b = xn;
      if (!direct) {
        im2col(sh, C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, xn, cols);
        b = cols;
      }
      gemmAt(sh, 0, Co, L, CK, pw, CK, 1, b, L, 1, yn, packA, packB, false);
      continue;
    }
    if (pdw != 0) {
      let b = xn;
      if (!direct) {
        im2col(sh, C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, xn, cols);
        b = cols;
      }
      // dW_chunk (+)= dY_n [Co, L] · cols_nᵀ [L, CK]
      gemmAt(sh, 0, Co, CK, L, yn, L, 1, b, 1, L, pdw + ((<usize>chunk * Co * CK) << sh), packA, packB, n > n0);
    }
    if (pdx != 0) {
      const dxn = pdx + <usize>n * xStride;
      // dcols [CK, L] = Wᵀ [CK, Co] · dY_n [Co, L]
      gemmAt(sh, 0, CK, L, Co, pw, 1, CK, yn, L, 1, direct ? dxn : dcols, packA, packB, false);
      if (!direct) {
        memory.fill(dxn, 0, xStride);
        if (sh == 3) fold2d<f64>(C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, dcols, dxn);
        else fold2d<f32>(C, H, W, kh, kw, s0, s1, p0, p1, d0, d1, Ho, Wo, dcols, dxn);
      }
    }
  }
}

/** dst[i] = Σ_p src[p·n + i] over `parts` slots of n elements, in slot order. */
export function convReduce(dt: i32, parts: i32, n: i32, src: usize, dst: usize): void {
  const sh: usize = dt == F64 ? 3 : 2;
  const bytes = <usize>n << sh;
  memory.copy(dst, src, bytes);
  for (let p = 1; p < parts; p++) {
    const s = src + <usize>p * bytes;
    if (sh == 3) {
      for (let i: usize = 0; i < bytes; i += 8) store<f64>(dst + i, load<f64>(dst + i) + load<f64>(s + i));
    } else {
      for (let i: usize = 0; i < bytes; i += 4) store<f32>(dst + i, load<f32>(dst + i) + load<f32>(s + i));
    }
  }
}
