/**
 * Seeded randomness. One global generator (like PyTorch's default CPU generator) drives every
 * random op: rand, randn, randint, dropout masks, weight initialisation and DataLoader shuffling.
 *
 * The generator is MT19937 (the 32-bit Mersenne Twister, the same algorithm and seeding as
 * PyTorch's CPU generator and C++'s std::mt19937). Uniform floats follow PyTorch's recipe
 * (24 random bits for float32, 53 for float64), so `manualSeed(s); rand([n])` gives the same
 * numbers as `torch.manual_seed(s); torch.rand(n)` for float32 and float64. Normal samples
 * follow PyTorch's CPU recipe too (Box–Muller over blocks of 16 uniforms for 16 or more values,
 * per-pair double Box–Muller below that), so `randn` matches `torch.randn` to float rounding.
 */
import { ValueError } from '../errors.js';

/** A generator's full state, for checkpoints (JSON-serialisable). */
export interface GeneratorState {
  mt: number[];
  mti: number;
  seed: number;
  cachedNormal: number | null;
}

const N = 624;
const M = 397;

export class Generator {
  private mt = new Uint32Array(N);
  private mti = N;
  private seedValue = 0;
  private cachedNormal: number | null = null;

  constructor(seed = 5489) {
    this.manualSeed(seed);
  }

  /** Re-seeds the generator; the same seed always gives the same stream. */
  manualSeed(seed: number): this {
    const s = Math.trunc(seed);
    this.seedValue = s;
    // PyTorch seeds mt19937 with the low 32 bits of the 64-bit seed.
    this.mt[0] = Number(BigInt.asUintN(32, BigInt(s)));
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    this.cachedNormal = null;
    return this;
  }

  /** The seed last set. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    if (this.mti >= N) this.twist();
    let y = this.mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits (PyTorch's float32 recipe). */
  nextFloat32(): number {
    return (this.nextUint32() & 0xffffff) * 2 ** -24;
  }

  /** Uniform in [0, 1) with 53 random bits from two draws (PyTorch's float64 recipe). */
  nextFloat64(): number {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    // random64() = (hi << 32) | lo, then masked to 53 bits.
    const r = (hi % 2 ** 21) * 2 ** 32 + lo;
    return r * 2 ** -53;
  }

  /** A standard normal sample (Box–Muller on two float64 uniforms, the second value cached). */
  nextNormal(): number {
    if (this.cachedNormal !== null) {
      const v = this.cachedNormal;
      this.cachedNormal = null;
      return v;
    }
    const u1 = this.nextFloat64();
    const u2 = this.nextFloat64();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * `n` standard normal samples the way PyTorch's CPU `normal_` fills a contiguous tensor:
   * for n ≥ 16, uniforms in the tensor's precision transformed in blocks of 16 (the last
   * block recomputed from fresh uniforms when n is not a multiple of 16); else one by one.
   */
  normalArray(n: number, dtype: 'float32' | 'float64'): Float64Array {
    const out = new Float64Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.nextNormal();
      return out;
    }
    const uniform = dtype === 'float32' ? () => this.nextFloat32() : () => this.nextFloat64();
    for (let i = 0; i < n; i++) out[i] = uniform();
    // PyTorch computes this block in the tensor's precision; rounding each step to float32
    // reproduces its float32 results (theta's rounding matters most where cos or sin is small).
    const r = dtype === 'float32' ? Math.fround : (v: number) => v;
    // float32 uses PyTorch's AVX2 kernel constants: 2π rounded to float first.
    const twoPi = r(2 * Math.PI);
    const fill16 = (base: number): void => {
      for (let j = 0; j < 8; j++) {
        const radius = r(Math.sqrt(r(-2 * r(Math.log(r(1 - out[base + j]!))))));
        const theta = r(twoPi * out[base + j + 8]!);
        out[base + j] = r(radius * r(Math.cos(theta)));
        out[base + j + 8] = r(radius * r(Math.sin(theta)));
      }
    };
    for (let i = 0; i + 16 <= n; i += 16) fill16(i);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = uniform();
      fill16(n - 16);
    }
    return out;
  }

  /** Integer uniform in [low, high). */
  nextInt(low: number, high: number): number {
    const range = high - low;
    if (range <= 2 ** 32) return low + (this.nextUint32() % range);
    return low + Math.floor(this.nextFloat64() * range);
  }

  /**
   * A random permutation of 0 … n-1 drawn as torch's CPU randperm does (a forward
   * Fisher–Yates: position i swaps with i + next() mod (n − i)), so the order matches
   * `torch.randperm(n)` under the same seed.
   */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new ValueError('randperm', `n must be a non-negative integer, got ${n}`);
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n - 1; i++) {
      const z = i + (this.nextUint32() % (n - i));
      const t = p[i]!;
      p[i] = p[z]!;
      p[z] = t;
    }
    return p;
  }

  /**
   * @internal Lends the live MT19937 state to `draw` (a kernel that draws words in the same
   * order as nextUint32 would), then stores the index it returns. Used by fused kernels (the
   * wasm dropout) so that they consume exactly the stream the JavaScript path would.
   */
  drawRaw(draw: (state: { readonly mt: Uint32Array; readonly mti: number }) => number): void {
    const mti = draw({ mt: this.mt, mti: this.mti });
    if (!(Number.isInteger(mti) && mti >= 0 && mti <= N)) throw new ValueError('Generator.drawRaw', `a kernel returned an invalid state index ${mti}`);
    this.mti = mti;
  }

  /** The full state, for checkpoints. */
  getState(): GeneratorState {
    return { mt: Array.from(this.mt), mti: this.mti, seed: this.seedValue, cachedNormal: this.cachedNormal };
  }

  setState(state: GeneratorState): void {
    if (state.mt.length !== N || !(state.mti >= 0 && state.mti <= N)) {
      throw new ValueError('Generator.setState', `expected ${N} state words and 0 <= mti <= ${N}, got ${state.mt.length} words and mti ${state.mti}`);
    }
    this.mt = Uint32Array.from(state.mt);
    this.mti = state.mti;
    this.seedValue = state.seed;
    this.cachedNormal = state.cachedNormal;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      let v = mt[(i + M) % N]! ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    this.mti = 0;
  }
}

/** The default generator used by every random op. */
export const defaultGenerator = new Generator();

/**
 * Seeds the default generator, making every later random op reproducible.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const a = rand([3]);
 * manualSeed(0);
 * const b = rand([3]); // identical to a, and to torch.rand(3) after torch.manual_seed(0)
 * ```
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
