/**
 * The random draws behind shuffling and splitting, done the way PyTorch 1.13 does them so that
 * `manualSeed(s)` gives the same orders as `torch.manual_seed(s)`:
 *
 * - `torch.randperm(n, generator)` on the CPU is a forward Fisher–Yates swap using one 32-bit
 *   draw per position (`p[i] ↔ p[i + random() % (n − i)]` for i < n − 1). This differs from the
 *   backward shuffle of tsorch's `randperm` in `tensor/create.ts`, so the data module keeps its
 *   own copy rather than changing the order that function already promises.
 * - `torch.empty((), dtype=torch.int64).random_()` draws one 64-bit value (two 32-bit draws,
 *   high word first) reduced modulo 2^63; the DataLoader and RandomSampler use it as a seed.
 */
import type { Generator } from '../tensor/random.js';

/**
 * A permutation of 0 … n−1 drawn exactly as PyTorch 1.13's CPU `torch.randperm(n, generator=g)`.
 * (PyTorch may switch algorithms for n ≥ 2^32/20; datasets that large are out of scope.)
 *
 * @example
 * ```ts
 * torchRandperm(10, new Generator(7)); // [5, 0, 3, 4, 1, 7, 9, 6, 8, 2], as torch.randperm(10, generator=torch.Generator().manual_seed(7))
 * ```
 */
export function torchRandperm(n: number, g: Generator): number[] {
  return g.permutation(n);
}

/**
 * The low 32 bits of `torch.empty((), dtype=torch.int64).random_(generator=g)`: the value
 * consumes two draws, and a generator seeded with it only uses its low 32 bits (MT19937 seeding),
 * so the second draw is all a derived generator needs.
 */
export function drawSeed64Low(g: Generator): number {
  g.nextUint32();
  return g.nextUint32();
}
