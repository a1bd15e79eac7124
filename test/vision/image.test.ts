/**
 * PNG and JPEG decoding and PIL's colour conversions. JPEG decoders differ in their inverse DCT
 * and chroma upsampling, so jpeg-js is held to PIL (libjpeg) within measured bounds: grey within
 * 1 level; colour (4:2:0 chroma) max 11 and mean 3 levels measured, bounded by 16 and 4.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { convertImage, decodeImage, encodeJpeg, encodePng, ImageDecodeError, readImage, type RawImage } from '../../src/vision/index.js';
import { get, loadVisionFixture } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-image-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const { tensors } = loadVisionFixture('transforms');

const img = (channels: number, height: number, width: number, f: (i: number) => number): RawImage =>
  ({ data: Uint8Array.from({ length: height * width * channels }, (_, i) => f(i)), height, width, channels });

test('PNG encode/decode keeps grey, RGB and RGBA images exactly, in their own mode', () => {
  for (const channels of [1, 3, 4]) {
    const original = img(channels, 3, 5, (i) => (i * 37) % 256);
    const back = decodeImage(encodePng(original));
    assert.equal(back.channels, channels);
    assert.deepEqual([back.height, back.width], [3, 5]);
    assert.deepEqual([...back.data], [...original.data]);
  }
});

test('decoding to a mode converts as PIL: grey to RGB repeats the value, RGBA to RGB drops alpha', () => {
  const grey = img(1, 1, 2, (i) => [10, 200][i]!);
  assert.deepEqual([...decodeImage(encodePng(grey), { mode: 'RGB' }).data], [10, 10, 10, 200, 200, 200]);
  const rgba = img(4, 1, 1, (i) => [1, 2, 3, 4][i]!);
  assert.deepEqual([...decodeImage(encodePng(rgba), { mode: 'RGB' }).data], [1, 2, 3]);
  assert.deepEqual([...convertImage(img(3, 1, 1, (i) => [1, 2, 3][i]!), 'RGBA').data], [1, 2, 3, 255]);
});

test('RGB to grey (L) matches PIL exactly', () => {
  const rgb = get(tensors, 'pil.rgb');
  const [h, w] = rgb.shape as [number, number, number];
  const ours = convertImage({ data: Uint8Array.from(rgb.dataSync()), height: h, width: w, channels: 3 }, 'L');
  assert.deepEqual([...ours.data], [...get(tensors, 'pil.rgb.L').dataSync()]);
  assert.equal(convertImage(img(3, 1, 1, (i) => [255, 0, 0][i]!), 'L').data[0], 76);
});

function jpegDiff(key: string, channels: number): { max: number; mean: number } {
  const ours = decodeImage(Uint8Array.from(get(tensors, `${key}.bytes`).dataSync()));
  assert.equal(ours.channels, channels, 'a grey JPEG decodes to one channel, a colour one to three');
  const ref = get(tensors, `${key}.decoded`).dataSync();
  assert.equal(ours.data.length, ref.length);
  let max = 0;
  let sum = 0;
  ref.forEach((v, i) => {
    const d = Math.abs(v - ours.data[i]!);
    max = Math.max(max, d);
    sum += d;
  });
  return { max, mean: sum / ref.length };
}

test('JPEG decoding agrees with PIL within 1 level for grey and a few levels for colour', () => {
  const grey = jpegDiff('jpeg.grey', 1);
  assert.ok(grey.max <= 1, `grey max difference ${grey.max}`);
  const rgb = jpegDiff('jpeg.rgb', 3);
  assert.ok(rgb.max <= 16 && rgb.mean <= 4, `colour max ${rgb.max}, mean ${rgb.mean.toFixed(2)}`);
});

test('a JPEG written by encodeJpeg decodes close to the original', () => {
  const smooth = img(3, 8, 8, (i) => 100 + (i % 24));
  const back = decodeImage(encodeJpeg(smooth, 95));
  assert.equal(back.channels, 3);
  assert.ok(back.data.every((v, i) => Math.abs(v - smooth.data[i]!) <= 8));
});

test('readImage names the file of a truncated PNG, a corrupt JPEG, a non-image and a missing file', () => {
  const png = encodePng(img(3, 4, 4, (i) => i));
  const cases: [string, Uint8Array, RegExp][] = [
    ['cut.png', png.subarray(0, png.length - 20), /not a readable PNG/],
    ['bad.jpg', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3), /not a readable JPEG/],
    ['text.png', new TextEncoder().encode('hello'), /not a PNG or JPEG file \(it starts with bytes 68 65 6c 6c\)/],
    ['empty.png', new Uint8Array(0), /the file is empty/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    assert.throws(() => readImage(path), (e: unknown) => {
      assert.ok(e instanceof ImageDecodeError, `${name}: ${String(e)}`);
      assert.ok(e.message.startsWith(`decodeImage: ${path}: `), e.message);
      assert.match(e.message, pattern);
      return true;
    });
  }
  assert.throws(() => readImage(join(dir, 'absent.png')), /absent\.png: cannot read the file \(ENOENT\)/);
});
