/**
 * Vector e^x shared by the float32 kernels that exponentiate rows shifted by their max
 * (attention's softmax, cross-entropy's log-sum-exp).
 */

/**
 * e^x of four float32 lanes to about one float32 ulp (Cephes' expf: x = n·ln2 + r, |r| ≤ ln2/2,
 * e^r = 1 + r + r²·P(r) with a degree-5 P, times 2^n from the exponent bits). Float32 accuracy
 * is all a float32 row needs here: the sum's terms and the probabilities are float32-sized, and
 * four lanes per polynomial instead of two make the passes about twice as fast. x is clamped to
 * [−87, 88] (2^n stays a normal float32), so e^x below e^−87 reads as ~1.6e−38, not 0; NaN
 * passes through the clamp.
 */
@inline export function expf4(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(1.44269504088896341)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/**
 * expf4 with fused multiply-adds where the build has relaxed SIMD (the same reduction and
 * polynomial; FMA rounds once per step, so the result is as accurate or better, and about a
 * third fewer instructions). Without relaxed SIMD it is expf4's arithmetic exactly. Used by the
 * attention softmax, whose results are compared with a tolerance, not bit for bit across builds.
 */
@inline export function expf4fma(x: v128): v128 {
  if (!ASC_FEATURE_RELAXED_SIMD) return expf4(x);
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(88.0)), f32x4.splat(-87.0));
  // n = round-to-nearest-even(x·log2 e) by adding 1.5·2^23 (the sum's low mantissa bits are n,
  // |n| ≤ 127): the same n as f32x4.nearest, and its integer for 2^n without trunc_sat (which
  // V8 lowers to a long sequence on x64).
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(12582912.0));
  const n = f32x4.sub(t, f32x4.splat(12582912.0));
  let r = f32x4.relaxed_madd(n, f32x4.splat(-0.693359375), x);
  r = f32x4.relaxed_madd(n, f32x4.splat(2.12194440e-4), r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.relaxed_madd(p, r, f32x4.splat(1.3981999507e-3));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(8.3334519073e-3));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(4.1665795894e-2));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(1.6666665459e-1));
  p = f32x4.relaxed_madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.relaxed_madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127 - 0x4b400000)), 23);
  return f32x4.mul(p, scale);
}
