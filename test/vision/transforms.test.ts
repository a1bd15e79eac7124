/**
 * Transforms on hand-checked tiny images, and against PyTorch/PIL fixtures: resize of float
 * tensors against F.interpolate (absolute error ≤ 1e-6: float64 here, float32 there, on values
 * in [0, 1]), of uint8 images against PIL bit for bit, and the random crops and flips against
 * the draws torchvision makes under the same seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as torch from '../../src/index.js';
import { Generator, manualSeed, type Tensor } from '../../src/index.js';
import { transforms as T, type RawImage } from '../../src/vision/index.js';
import { get, loadVisionFixture } from './fixture.js';

const F = T.functional;
const { tensors } = loadVisionFixture('transforms');

const raw = (channels: number, height: number, width: number, values: readonly number[]): RawImage =>
  ({ data: Uint8Array.from(values), height, width, channels });

test('toTensor turns an 8-bit HWC image into a float32 CHW tensor divided by 255', () => {
  const x = T.toTensor()(raw(3, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  assert.deepEqual(x.shape, [3, 2, 2]);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(Array.from(x.dataSync(), (v) => Math.round(v * 255)), [1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12]);
  const all = F.toTensor(raw(1, 1, 256, Array.from({ length: 256 }, (_, i) => i)));
  assert.deepEqual([...all.dataSync()], [...get(tensors, 'totensor.table').dataSync()], 'every byte value as torch computes v / 255 in float32');
  assert.equal(F.toTensor(all), all, 'a tensor passes through');
});

test('normalize subtracts the mean and divides by the std of each channel', () => {
  const x = torch.tensor([[[0, 0.5], [1, 0.25]], [[0, 0.5], [1, 0.25]]]);
  const y = T.normalize([0.5, 0], [0.25, 0.5])(x);
  assert.deepEqual(y.toArray(), [[[-2, 0], [2, -1]], [[0, 1], [2, 0.5]]]);
  assert.deepEqual(F.normalize(x.unsqueeze(0), [0.5], [0.25]).shape, [1, 2, 2, 2], 'batches normalise too');
  assert.throws(() => F.normalize(x, [0.5, 0.5, 0.5], [1]), /mean has 3 values for 2 channels/);
  assert.throws(() => F.normalize(x, [0], [0]), /std evaluated to zero/);
});

test('crop takes a window and fills outside the image; pad adds a border of the fill', () => {
  const x = torch.arange(1, 10, 1, { dtype: 'float32' }).reshape(1, 3, 3);
  assert.deepEqual(F.crop(x, 1, 1, 2, 2).toArray(), [[[5, 6], [8, 9]]]);
  assert.deepEqual(F.crop(x, -1, -1, 3, 3, 7).toArray(), [[[7, 7, 7], [7, 1, 2], [7, 4, 5]]]);
  const px = raw(3, 1, 1, [9, 8, 7]);
  assert.deepEqual([...F.pad(px, [1, 0], [1, 2, 3]).data], [1, 2, 3, 9, 8, 7, 1, 2, 3]);
  const padded = F.pad(px, [0, 1, 2, 0]);
  assert.deepEqual([padded.height, padded.width], [2, 3]);
  assert.deepEqual([...padded.data], [0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 8, 7, 0, 0, 0, 0, 0, 0]);
});

test('hflip mirrors rows of RawImages and of batched tensors', () => {
  assert.deepEqual([...F.hflip(raw(3, 1, 2, [1, 2, 3, 4, 5, 6])).data], [4, 5, 6, 1, 2, 3]);
  const x = torch.tensor([[[[1, 2, 3]]], [[[4, 5, 6]]]]);
  assert.deepEqual(F.hflip(x).toArray(), [[[[3, 2, 1]]], [[[6, 5, 4]]]]);
});

test('centerCrop rounds the offset as Python does and zero-pads a small image', () => {
  const row = (w: number): Tensor => torch.arange(0, w, 1, { dtype: 'float32' }).reshape(1, 1, w);
  assert.deepEqual(F.centerCrop(row(7), [1, 2]).toArray(), [[[2, 3]]], 'round(2.5) = 2');
  assert.deepEqual(F.centerCrop(row(6), [1, 3]).toArray(), [[[2, 3, 4]]], 'round(1.5) = 2');
  assert.deepEqual(F.centerCrop(row(9), [1, 2]).toArray(), [[[4, 5]]], 'round(3.5) = 4');
  const two = torch.tensor([[[1, 2], [3, 4]]]);
  assert.deepEqual(T.centerCrop(4)(two), F.crop(two, -1, -1, 4, 4));
  assert.deepEqual((T.centerCrop(4)(two) as Tensor).toArray(), [[[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]]);
  assert.deepEqual((T.centerCrop(3)(two) as Tensor).toArray(), [[[1, 2, 0], [3, 4, 0], [0, 0, 0]]]);
});

test('randomCrop and randomHorizontalFlip draw what torchvision draws under the same seed', () => {
  const img = torch.arange(0, 28 * 28, 1, { dtype: 'float32' }).reshape(1, 28, 28);
  const augment = T.compose(T.randomCrop(28, { padding: 4 }), T.randomHorizontalFlip(0.5));
  manualSeed(7);
  const draws = get(tensors, 'random.crop_flip').toArray() as number[][];
  for (const [i, j, flip] of draws) {
    const expected = F.crop(img, i! - 4, j! - 4, 28, 28);
    assert.deepEqual(augment(img), flip ? F.hflip(expected) : expected, `crop at (${i}, ${j}), flip ${flip}`);
  }
  assert.deepEqual([...torch.rand([3]).dataSync()], [...get(tensors, 'random.after').dataSync()], 'the global generator stays in step');
});

test('a given Generator drives the random transforms and leaves the global one alone', () => {
  const img = torch.arange(0, 36, 1, { dtype: 'float32' }).reshape(1, 6, 6);
  const crop = (g: Generator): Tensor => T.randomCrop(3, { generator: g })(img) as Tensor;
  manualSeed(3);
  const before = torch.rand([1]).item();
  manualSeed(3);
  const a = crop(new Generator(11));
  assert.equal(torch.rand([1]).item(), before);
  assert.deepEqual(crop(new Generator(11)), a);
  const g = new Generator(11);
  const [i, j] = [g.nextInt(0, 4), g.nextInt(0, 4)];
  assert.deepEqual(a, F.crop(img, i, j, 3, 3));
  manualSeed(5);
  const r1 = torch.rand([1]).item();
  manualSeed(5);
  T.randomCrop(6)(img);
  assert.equal(torch.rand([1]).item(), r1, 'a crop of the full image draws nothing');
  const never = T.randomHorizontalFlip(0, { generator: new Generator(0) });
  assert.equal(never(img), img);
});

test('randomCrop pads when asked, and refuses a crop larger than the image', () => {
  const two = raw(1, 2, 2, [1, 2, 3, 4]);
  const out = T.randomCrop(4, { padIfNeeded: true, fill: 9, generator: new Generator(0) })(two) as RawImage;
  assert.deepEqual([out.height, out.width], [4, 4]);
  assert.equal(out.data.filter((v) => v === 9).length, 12);
  assert.throws(() => T.randomCrop(4)(two), /required crop size 4×4 is larger than the \(padded\) input image size 2×2/);
});

test('resizing a float tensor matches F.interpolate(bilinear, align_corners=False), with and without antialias', () => {
  const x = get(tensors, 'resize.x');
  for (const [h, w] of [[4, 6], [20, 27], [5, 30]] as const) {
    for (const aa of [true, false]) {
      const ref = get(tensors, `resize.${h}x${w}.${aa ? 'aa' : 'plain'}`);
      const ours = T.resize([h, w], { antialias: aa })(x) as Tensor;
      assert.deepEqual(ours.shape, ref.shape);
      const r = ref.dataSync();
      const diff = Array.from(ours.dataSync()).reduce((m, v, i) => Math.max(m, Math.abs(v - r[i]!)), 0);
      assert.ok(diff <= 1e-6, `${h}×${w} antialias=${aa}: max difference ${diff}`);
    }
  }
});

test('resizing an 8-bit image matches PIL bilinear bit for bit', () => {
  for (const kind of ['grey', 'rgb'] as const) {
    const src = get(tensors, `pil.${kind}`);
    const channels = kind === 'grey' ? 1 : 3;
    const img = raw(channels, src.shape[0]!, src.shape[1]!, Array.from(src.dataSync()));
    for (const [h, w] of [[4, 6], [20, 27], [5, 30]] as const) {
      const ours = F.resize(img, [h, w]);
      assert.deepEqual([ours.height, ours.width, ours.channels], [h, w, channels]);
      assert.deepEqual([...ours.data], [...get(tensors, `pil.${kind}.${h}x${w}`).dataSync()], `${kind} ${h}×${w}`);
    }
  }
});

test('resize with one number sets the shorter edge and keeps the aspect ratio', () => {
  assert.deepEqual(F.resizedSize(480, 640, 256), [256, 341]);
  assert.deepEqual(F.resizedSize(640, 480, 256), [341, 256]);
  assert.deepEqual(F.resizedSize(100, 400, 50, 150), [37, 150], 'the longer edge is capped at maxSize');
  assert.deepEqual((T.resize(5)(torch.rand([2, 10, 20])) as Tensor).shape, [2, 5, 10]);
  const same = torch.rand([1, 4, 4]);
  assert.equal(F.resize(same, 4), same, 'the same size returns the image');
  const up = F.resize(raw(1, 1, 2, [0, 200]), [1, 4]);
  assert.deepEqual([...up.data], [0, 50, 150, 200], 'hand-checked: centres at 0.25, 0.75, 1.25, 1.75 source pixels');
});

test('compose chains transforms left to right into a typed pipeline', () => {
  const pipeline = T.compose(T.randomCrop(24, { generator: new Generator(0) }), T.randomHorizontalFlip(1), T.toTensor(), T.normalize([0.5], [0.5]));
  const x: Tensor = pipeline(raw(1, 28, 28, new Array<number>(784).fill(255)));
  assert.deepEqual(x.shape, [1, 24, 24]);
  assert.ok(x.dataSync().every((v) => v === 1));
  const twice = T.compose((n: number) => n + 1, (n: number) => n * 10);
  assert.equal(twice(2), 30);
});
