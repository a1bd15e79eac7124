import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DataLoader } from '../../src/data/index.js';
import { DataFileError, encodeIdx, FashionMNIST, MNIST, transforms as T, type RawImage } from '../../src/vision/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-mnist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Pixel (y, x) of image i in the fake sets: distinct and known. */
const pixel = (i: number, y: number, x: number): number => (i * 31 + y * 7 + x) % 256;

/** Writes a fake MNIST-format folder: `train` images gzipped, `t10k` plain. */
function fakeFolder(name: string, counts: { train: number; t10k: number }, labels: (i: number) => number = (i) => i % 10): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  for (const split of ['train', 't10k'] as const) {
    const n = counts[split];
    const images = Uint8Array.from({ length: n * 784 }, (_, k) => pixel(Math.floor(k / 784), Math.floor((k % 784) / 28), k % 28));
    const gzip = split === 'train';
    const ext = gzip ? '.gz' : '';
    writeFileSync(join(root, `${split}-images-idx3-ubyte${ext}`), encodeIdx({ dtype: 'uint8', shape: [n, 28, 28], data: images }, { gzip }));
    writeFileSync(join(root, `${split}-labels-idx1-ubyte${ext}`), encodeIdx({ dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => labels(i)) }, { gzip }));
  }
  return root;
}

const root = fakeFolder('fashion', { train: 5, t10k: 3 });

test('FashionMNIST items are (1×28×28 float32 tensor in [0, 1], class index), from gzipped and plain files', () => {
  const train = new FashionMNIST({ root });
  assert.equal(train.length, 5);
  const [x, y] = train.get(3);
  assert.deepEqual(x.shape, [1, 28, 28]);
  assert.equal(x.dtype, 'float32');
  const v = x.dataSync();
  assert.equal(v[0], Math.fround(pixel(3, 0, 0) / 255));
  assert.equal(v[2 * 28 + 5], Math.fround(pixel(3, 2, 5) / 255));
  assert.equal(y, 3);
  const test_ = new FashionMNIST({ root, train: false });
  assert.equal(test_.length, 3);
  assert.equal(test_.get(2)[1], 2);
  assert.equal(test_.classes[9], 'Ankle boot');
  assert.equal(train.classes.length, 10);
});

test('a DataLoader batches FashionMNIST into (N, 1, 28, 28) float32 images and int64 labels', () => {
  const loader = new DataLoader(new FashionMNIST({ root }), { batchSize: 2 });
  const batches = [...loader];
  assert.equal(batches.length, 3);
  const [x, y] = batches[0]!;
  assert.deepEqual(x.shape, [2, 1, 28, 28]);
  assert.equal(y.dtype, 'int64');
  assert.deepEqual(y.toArray(), [0, 1]);
});

test('the transform receives the raw 28×28 grey image and decides the item', () => {
  const seen: RawImage[] = [];
  const ds = new FashionMNIST({ root, transform: (img) => { seen.push(img); return img.data[1]!; } });
  assert.deepEqual(ds.get(1), [pixel(1, 0, 1), 1]);
  assert.deepEqual([seen[0]!.height, seen[0]!.width, seen[0]!.channels], [28, 28, 1]);
  const normalized = new FashionMNIST({ root, transform: T.compose(T.centerCrop(24), T.toTensor(), T.normalize([0.5], [0.5])) });
  const [x] = normalized.get(0);
  assert.deepEqual(x.shape, [1, 24, 24]);
  assert.ok(Math.abs(x.dataSync()[0]! - (pixel(0, 2, 2) / 255 - 0.5) / 0.5) < 1e-6);
});

test('MNIST reads the same format with digit class names', () => {
  const ds = new MNIST({ root, train: false });
  assert.equal(ds.classes[7], '7 - seven');
  assert.equal(ds.get(0)[0].shape.length, 3);
});

test('a missing folder tells how to install Fashion-MNIST or pass a folder', () => {
  const missing = join(dir, 'absent');
  assert.throws(() => new FashionMNIST({ root: missing }), (e: unknown) => {
    assert.ok(e instanceof DataFileError);
    assert.ok(e.message.includes(missing));
    assert.match(e.message, /no such folder/);
    assert.match(e.message, /apt-get install dataset-fashion-mnist/);
    assert.match(e.message, /pass \{ root \}/);
    return true;
  });
  assert.throws(() => new MNIST(), /pass the folder holding the MNIST files/);
});

test('a folder without the labels file names the missing file', () => {
  const partial = join(dir, 'partial');
  mkdirSync(partial);
  writeFileSync(join(partial, 't10k-images-idx3-ubyte'), encodeIdx({ dtype: 'uint8', shape: [1, 28, 28], data: new Uint8Array(784) }));
  assert.throws(() => new FashionMNIST({ root: partial, train: false }), /partial: missing t10k-labels-idx1-ubyte\[\.gz\]; install/);
});

test('as many labels as images are required, and labels must be class indices', () => {
  const uneven = fakeFolder('uneven', { train: 2, t10k: 2 });
  writeFileSync(join(uneven, 't10k-labels-idx1-ubyte'), encodeIdx({ dtype: 'uint8', shape: [3], data: Uint8Array.of(0, 1, 2) }));
  assert.throws(() => new FashionMNIST({ root: uneven, train: false }), /t10k-labels-idx1-ubyte: 3 labels for 2 images in .*t10k-images-idx3-ubyte/);
  const badLabel = fakeFolder('bad-label', { train: 2, t10k: 2 }, (i) => 10 + i);
  assert.throws(() => new FashionMNIST({ root: badLabel, train: false }), /label 10 at index 0 is not a class index 0–9/);
});

test('swapped image and label files fail with the magic numbers explained', () => {
  const swapped = fakeFolder('swapped', { train: 2, t10k: 2 });
  writeFileSync(join(swapped, 't10k-images-idx3-ubyte'), encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(0, 1) }));
  assert.throws(() => new FashionMNIST({ root: swapped, train: false }), /t10k-images-idx3-ubyte: magic number 2049 .* where uint8, rank 3 was expected/);
});
