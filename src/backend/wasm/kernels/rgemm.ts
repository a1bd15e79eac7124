/**
 * The recurrent product of the sequence kernels (lstm.ts, rnn.ts): C [M, Nc] = A [M, K] · B with
 * the same B (W_hhᵀ forward, W_hh backward) at every one of the L time steps, float32.
 *
 * The general matmul (matmul.ts) packs B on every call; at the recurrent shapes (M = batch, e.g.
 * 32 rows, against a 128×512 weight) packing B costs as much as a third of the product, since
 * each packed element is used only M times. Here B is packed once per sequence into 8-column
 * panels [Nc/8][K][8] (the whole depth in one panel: ≤ 16 KB at K = 512, in L1 beside the four
 * A rows), and the micro-kernel is matmul.ts's: a 4×8 tile in eight f32x4 accumulators, A read
 * straight from its rows (splat loads; 4·K values, no packing needed). The depth is summed in
 * one pass in ascending order, so for K ≤ 256 (matmul.ts's depth block) every element is the
 * same float32 as the general kernel's.
 */

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Whether the packed path applies: Nc a multiple of the 8-column panel, packed B within `cap` bytes. */
@inline export function packedFits(Nc: i32, K: i32, cap: i32): bool {
  return Nc % 8 == 0 && <i64>Nc * K * 4 <= <i64>cap;
}

/** Packs B (element strides sbk, sbn; K × Nc, float32) into panels [Nc/8][K][8] at dst. */
export function packPanels(b: usize, sbk: i32, sbn: i32, K: i32, Nc: i32, dst: usize): void {
  for (let p = 0; p < Nc; p += 8) {
    const panel = dst + ((<usize>p * K) << 2);
    for (let k = 0; k < K; k++) {
      const row = panel + (<usize>k << 5);
      const src = b + ((<usize>k * sbk + <usize>p * sbn) << 2);
      if (sbn == 1) {
        v128.store(row, v128.load(src));
        v128.store(row, v128.load(src, 16), 16);
      } else {
        for (let j = 0; j < 8; j++) store<f32>(row + (<usize>j << 2), load<f32>(src + ((<usize>j * sbn) << 2)));
      }
    }
  }
}

/** C [M, Nc] (row stride Nc) = A [M, K] (row stride K) · packed B. */
export function gemmPacked(M: i32, Nc: i32, K: i32, a: usize, bp: usize, c: usize): void {
  const lda: usize = <usize>K << 2;
  const ldc: usize = <usize>Nc << 2;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * lda;
    const crow = c + <usize>i * ldc;
    for (let p = 0; p < Nc; p += 8) {
      let bq = bp + ((<usize>p * K) << 2);
      let c00 = f32x4.splat(0); let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0); let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0); let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0); let c31 = f32x4.splat(0);
      let ap = a0;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(bq);
        const b1 = v128.load(bq, 16);
        let x = v128.load32_splat(ap);
        c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
        x = v128.load32_splat(ap + lda);
        c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
        x = v128.load32_splat(ap + 2 * lda);
        c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
        x = v128.load32_splat(ap + 3 * lda);
        c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
        ap += 4;
        bq += 32;
      }
      const cp = crow + (<usize>p << 2);
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + ldc, c10); v128.store(cp + ldc, c11, 16);
      v128.store(cp + 2 * ldc, c20); v128.store(cp + 2 * ldc, c21, 16);
      v128.store(cp + 3 * ldc, c30); v128.store(cp + 3 * ldc, c31, 16);
    }
  }
  for (; i < M; i++) {
    const ar = a + <usize>i * lda;
    const crow = c + <usize>i * ldc;
    for (let p = 0; p < Nc; p += 8) {
      let bq = bp + ((<usize>p * K) << 2);
      let c0 = f32x4.splat(0); let c1 = f32x4.splat(0);
      for (let k = 0; k < K; k++) {
        const x = v128.load32_splat(ar + (<usize>k << 2));
        c0 = madd(x, v128.load(bq), c0);
        c1 = madd(x, v128.load(bq, 16), c1);
        bq += 32;
      }
      v128.store(crow + (<usize>p << 2), c0);
      v128.store(crow + (<usize>p << 2), c1, 16);
    }
  }
}
