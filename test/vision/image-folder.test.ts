import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { DataLoader } from '../../src/data/index.js';
import { DataFileError, encodeJpeg, encodePng, ImageDecodeError, ImageFolder, transforms as T, type RawImage } from '../../src/vision/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-folder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const grey = (value: number, size = 4): RawImage => ({ data: new Uint8Array(size * size).fill(value), height: size, width: size, channels: 1 });

function put(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** root/{dog,cat,bird}: PNGs and a JPEG, a nested folder, and a non-image file to skip. */
function makeFolder(name: string): string {
  const root = join(dir, name);
  put(join(root, 'dog', 'b.png'), encodePng(grey(20)));
  put(join(root, 'dog', 'a.PNG'), encodePng(grey(10)));
  put(join(root, 'dog', 'notes.txt'), new TextEncoder().encode('not an image'));
  put(join(root, 'cat', 'x.jpg'), encodeJpeg(grey(128), 100));
  put(join(root, 'cat', 'more', 'y.png'), encodePng(grey(30)));
  put(join(root, 'bird', 'z.png'), encodePng({ data: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9), height: 2, width: 2, channels: 3 }));
  return root;
}

const root = makeFolder('animals');

test('classes are the sorted sub-folder names and samples follow torchvision order', () => {
  const ds = new ImageFolder(root);
  assert.deepEqual(ds.classes, ['bird', 'cat', 'dog']);
  assert.equal(ds.classToIdx.get('dog'), 2);
  assert.deepEqual(ds.samples.map(([p, l]) => [p.slice(root.length + 1), l]), [
    ['bird/z.png', 0], ['cat/x.jpg', 1], ['cat/more/y.png', 1], ['dog/a.PNG', 2], ['dog/b.png', 2],
  ]);
  assert.deepEqual(ds.targets, [0, 1, 1, 2, 2]);
  assert.equal(ds.length, 5);
});

test('items decode to RGB (C, H, W) float tensors by default, or grey with mode L', () => {
  const rgb = new ImageFolder(root);
  const [x, y] = rgb.get(0);
  assert.equal(y, 0);
  assert.deepEqual(x.shape, [3, 2, 2]);
  assert.deepEqual(Array.from(x.dataSync(), (v) => Math.round(v * 255)), [255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9]);
  const l = new ImageFolder(root, { mode: 'L' });
  const [g] = l.get(3);
  assert.deepEqual(g.shape, [1, 4, 4]);
  assert.ok(g.dataSync().every((v) => v === Math.fround(10 / 255)));
  const jpeg = l.get(1)[0].dataSync();
  assert.ok(jpeg.every((v) => Math.abs(v * 255 - 128) <= 1), 'a flat JPEG decodes to its value');
});

test('a DataLoader batches an ImageFolder through resize transforms', () => {
  const ds = new ImageFolder(root, { mode: 'L', transform: T.compose(T.resize([6, 6]), T.toTensor()) });
  const [x, y] = [...new DataLoader(ds, { batchSize: 5 })][0]!;
  assert.deepEqual(x.shape, [5, 1, 6, 6]);
  assert.deepEqual(y.toArray(), [0, 1, 1, 2, 2]);
});

test('an empty class folder fails with an error naming it', () => {
  const r = makeFolder('with-empty');
  mkdirSync(join(r, 'empty-class'));
  put(join(r, 'fish', 'readme.md'), new TextEncoder().encode('#'));
  assert.throws(() => new ImageFolder(r), (e: unknown) => {
    assert.ok(e instanceof DataFileError);
    assert.ok(e.message.startsWith(`ImageFolder: ${join(r, 'empty-class')}: no image files (.png, .jpg, .jpeg) in these class folders: `), e.message);
    assert.ok(e.message.includes(join(r, 'fish')));
    return true;
  });
});

test('a missing root or a root without class folders fails clearly', () => {
  assert.throws(() => new ImageFolder(join(dir, 'absent')), /absent: no such folder \(expected root\/<class>\/<image files>\)/);
  const flat = join(dir, 'flat');
  put(join(flat, 'a.png'), encodePng(grey(1)));
  assert.throws(() => new ImageFolder(flat), /flat: no class folders inside/);
});

test('a corrupt image fails when read, with an error naming the file', () => {
  const r = join(dir, 'corrupt');
  put(join(r, 'a', 'ok.png'), encodePng(grey(1)));
  put(join(r, 'a', 'broken.png'), encodePng(grey(2)).subarray(0, 30));
  const ds = new ImageFolder(r);
  assert.equal(ds.get(1)[1], 0);
  assert.throws(() => ds.get(0), (e: unknown) => e instanceof ImageDecodeError && e.message.includes(join(r, 'a', 'broken.png')));
  assert.throws(() => ds.get(2), /index 2 is out of range for 2 images/);
});
