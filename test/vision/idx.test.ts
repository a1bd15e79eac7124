import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataFileError, encodeIdx, IdxFormatError, parseIdx, readIdx } from '../../src/vision/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-idx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Asserts `fn` throws an IdxFormatError whose message names `path` and matches `pattern`. */
function throwsNaming(fn: () => unknown, path: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof IdxFormatError, `expected IdxFormatError, got ${String(e)}`);
    assert.ok(e.message.includes(path), `message should name ${path}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('encodeIdx writes the MNIST image header: magic 2051, big-endian dims, then the bytes', () => {
  const bytes = encodeIdx({ dtype: 'uint8', shape: [2, 2, 3], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) });
  assert.deepEqual([...bytes.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
  assert.equal(new DataView(bytes.buffer).getUint32(0, false), 2051);
  assert.deepEqual([...bytes.subarray(16)], [0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]);
});

test('readIdx reads plain and gzipped files to the same shape and values', () => {
  const images = encodeIdx({ dtype: 'uint8', shape: [3, 2, 2], data: Uint8Array.from({ length: 12 }, (_, i) => 255 - i) });
  const plain = readIdx(write('images-idx3-ubyte', images), { expect: { dtype: 'uint8', rank: 3 } });
  const gz = readIdx(write('images-idx3-ubyte.gz', gzipSync(images)));
  for (const r of [plain, gz]) {
    assert.equal(r.dtype, 'uint8');
    assert.deepEqual(r.shape, [3, 2, 2]);
    assert.deepEqual([...r.data], [255, 254, 253, 252, 251, 250, 249, 248, 247, 246, 245, 244]);
  }
  const labels = readIdx(write('labels.gz', encodeIdx({ dtype: 'uint8', shape: [4], data: Uint8Array.of(9, 0, 3, 7) }, { gzip: true })));
  assert.deepEqual(labels.shape, [4]);
  assert.deepEqual([...labels.data], [9, 0, 3, 7]);
});

test('parseIdx decodes big-endian int32 values from a hand-written file', () => {
  const bytes = Uint8Array.of(0, 0, 0x0c, 1, 0, 0, 0, 2, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xfe);
  const r = parseIdx(bytes);
  assert.equal(r.dtype, 'int32');
  assert.deepEqual([...r.data], [0x01020304, -2]);
});

test('every IDX element type survives an encode/decode round trip', () => {
  const values = [-3, 0, 1.5, 100];
  for (const [dtype, expected] of [['int8', [-3, 0, 1, 100]], ['int16', [-3, 0, 1, 100]], ['int32', [-3, 0, 1, 100]], ['float32', values], ['float64', values]] as const) {
    const data = dtype === 'float32' ? Float32Array.from(values) : dtype === 'float64' ? Float64Array.from(values) : dtype === 'int8' ? Int8Array.from(values) : dtype === 'int16' ? Int16Array.from(values) : Int32Array.from(values);
    const r = parseIdx(encodeIdx({ dtype, shape: [2, 2], data }));
    assert.equal(r.dtype, dtype);
    assert.deepEqual(r.shape, [2, 2]);
    assert.deepEqual([...r.data], expected, dtype);
  }
});

test('a file with a bad magic number fails with an error naming the file', () => {
  const path = write('bad-magic', Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 1, 5));
  throwsNaming(() => readIdx(path), path, /bad magic number 0x01020801/);
  const png = write('not-idx.png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0));
  throwsNaming(() => readIdx(png), png, /bad magic number/);
});

test('truncated data, trailing bytes and a short header each fail naming the file', () => {
  const full = encodeIdx({ dtype: 'uint8', shape: [2, 3, 3], data: new Uint8Array(18) });
  const cut = write('cut', full.subarray(0, full.length - 5));
  throwsNaming(() => readIdx(cut), cut, /truncated data: the header declares \[2,3,3\] uint8 = 18 bytes of data, the file has 13/);
  const long = write('long', Uint8Array.from([...full, 1, 2]));
  throwsNaming(() => readIdx(long), long, /size mismatch: .* the file has 20 \(2 extra bytes\)/);
  const header = write('header', full.subarray(0, 10));
  throwsNaming(() => readIdx(header), header, /truncated header: rank 3 needs 16 header bytes, the file has 10/);
  const tiny = write('tiny', Uint8Array.of(0, 0));
  throwsNaming(() => readIdx(tiny), tiny, /too short/);
});

test('a labels file where images are expected fails with both magic numbers described', () => {
  const path = write('train-labels-idx1-ubyte', encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(1, 2) }));
  throwsNaming(() => readIdx(path, { expect: { dtype: 'uint8', rank: 3 } }), path, /magic number 2049 \(0x00000801: uint8, rank 1\) where uint8, rank 3 was expected/);
});

test('a corrupt gzip file and a missing file fail naming the file', () => {
  const gz = gzipSync(encodeIdx({ dtype: 'uint8', shape: [4], data: new Uint8Array(4) }));
  const path = write('corrupt.gz', gz.subarray(0, gz.length - 6));
  throwsNaming(() => readIdx(path), path, /not a valid gzip file/);
  const missing = join(dir, 'nope-idx1-ubyte');
  assert.throws(() => readIdx(missing), (e: unknown) => e instanceof DataFileError && e.message === `readIdx: ${missing}: cannot read the file (ENOENT)`);
});
