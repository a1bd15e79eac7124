/** A small generated Fashion-MNIST-format folder (IDX files) with learnable classes, for tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '../../src/vision/index.js';

/**
 * Writes `{train,t10k}-{images-idx3,labels-idx1}-ubyte` into `root`: image i has class i % 10,
 * drawn as a bright horizontal band at rows 2c+2 … 2c+5 over seeded noise, so a small CNN
 * learns it in a few steps.
 */
export function writeFakeFashionMNIST(root: string, counts: { train: number; test: number }): string {
  mkdirSync(root, { recursive: true });
  let s = 7;
  const rng = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [split, n] of [['train', counts.train], ['t10k', counts.test]] as const) {
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) {
      const c = i % 10;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) images[i * 784 + y * 28 + x] = y >= 2 * c + 2 && y < 2 * c + 6 ? 180 + Math.floor(rng() * 70) : Math.floor(rng() * 60);
      }
    }
    writeFileSync(join(root, `${split}-images-idx3-ubyte`), encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: images }));
    writeFileSync(join(root, `${split}-labels-idx1-ubyte`), encodeIdx({ dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) }));
  }
  return root;
}
