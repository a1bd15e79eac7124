import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { Tensor, type DType } from '../../src/index.js';
import { deserialize, loadSafetensors, SafetensorsError, saveSafetensors, serialize } from '../../src/io/index.js';
import { repoRoot } from '../helpers/fixtures.js';

type Value = number | 'nan' | 'inf' | '-inf';
interface Expected { dtype: string; shape: number[]; values: Value[] }
const dir = join(repoRoot(), 'fixtures', 'io');
const fixture = JSON.parse(readFileSync(join(dir, 'safetensors.json'), 'utf8')) as {
  metadata: Record<string, string>;
  writtenMetadata: Record<string, string>;
  written: string[];
  tensors: Record<string, Expected>;
};
const READ_AS: Record<string, DType> = { F32: 'float32', F64: 'float64', I64: 'int64', I32: 'int32', BOOL: 'bool', F16: 'float32', BF16: 'float32', U8: 'int32', I8: 'int32', I16: 'int32' };
const decode = (v: Value): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const flat = (t: Tensor): number[] => Array.from(t.dataSync());
const tmp = (): string => mkdtempSync(join(tmpdir(), 'tsorch-io-'));

/** An independent reading of the format's rules (what the reference parser accepts). */
function referenceCheck(bytes: Uint8Array): { keys: string[]; header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } {
  const n = Number(Buffer.from(bytes).readBigUInt64LE(0));
  assert.equal(n % 8, 0, 'header padded to a multiple of 8');
  const text = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  assert.match(text, /^\{.*\} *$/s);
  const header = JSON.parse(text) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const size: Record<string, number> = { F64: 8, I64: 8, F32: 4, I32: 4, BOOL: 1 };
  const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)":\{/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  let end = 0;
  for (const k of keys.filter((k) => k !== '__metadata__')) {
    const { dtype, shape, data_offsets: [b, e] } = header[k]!;
    assert.equal(b, end, `${k} starts where the previous tensor ended`);
    assert.equal(e - b, shape.reduce((a, s) => a * s, 1) * size[dtype]!, `${k} spans its size`);
    assert.equal((8 + n + b) % size[dtype]!, 0, `${k} is aligned in the file`);
    end = e;
  }
  assert.equal(8 + n + end, bytes.length, 'the tensors cover the whole buffer');
  return { keys, header };
}

describe('reading files written by PyTorch', () => {
  test('every dtype reads with torch\'s values (F16/BF16 widened to float32), plus metadata', async () => {
    const { tensors, metadata } = await loadSafetensors(join(dir, 'dtypes.safetensors'));
    assert.deepEqual(metadata, fixture.metadata);
    assert.deepEqual([...tensors.keys()].sort(), Object.keys(fixture.tensors).sort());
    for (const [name, e] of Object.entries(fixture.tensors)) {
      const t = tensors.get(name)!;
      assert.equal(t.dtype, READ_AS[e.dtype], `${name} dtype`);
      assert.deepEqual(t.shape, e.shape, `${name} shape`);
      assert.deepEqual(flat(t), e.values.map(decode), `${name} values`);
    }
    assert.equal(Object.is(flat(tensors.get('half')!)[4], -0), true, 'F16 -0 keeps its sign');
  });

  test('our writer produces the reference layout byte for byte (ordering, alignment, padding)', async () => {
    const tensors = new Map(fixture.written.map((name) => {
      const e = fixture.tensors[name]!;
      return [name, torch.tensor(e.values.map(decode), { dtype: READ_AS[e.dtype]!, shape: e.shape })];
    }));
    const expected = readFileSync(join(dir, 'written.safetensors'));
    const bytes = serialize(tensors, fixture.writtenMetadata);
    assert.deepEqual(Buffer.from(bytes), expected);
    const d = tmp();
    await saveSafetensors(join(d, 'w.safetensors'), Object.fromEntries(tensors), fixture.writtenMetadata);
    assert.deepEqual(readFileSync(join(d, 'w.safetensors')), expected);
  });
});

describe('round trips', () => {
  test('every written dtype, views, scalars, empty tensors and special values survive', () => {
    torch.manualSeed(0);
    const base = torch.randn([3, 4]);
    const tensors: Record<string, Tensor> = {
      f32: base,
      transposed: base.t(),
      f64: torch.tensor([NaN, -0, Infinity, -Infinity, 1e-310, Math.PI], { dtype: 'float64' }),
      i64: torch.tensor([2 ** 53 - 1, -(2 ** 53 - 1), 0, 42], { dtype: 'int64', shape: [2, 2] }),
      i32: torch.tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' }),
      bool: torch.tensor([true, false, true]),
      scalar: torch.tensor(7.25),
      empty: torch.zeros([0, 5], { dtype: 'int64' }),
    };
    const bytes = serialize(tensors, { note: 'x', format: 'pt' });
    referenceCheck(bytes);
    const { tensors: back, metadata } = deserialize(bytes);
    assert.deepEqual(metadata, { format: 'pt', note: 'x' });
    for (const [k, t] of Object.entries(tensors)) {
      const b = back.get(k)!;
      assert.equal(b.dtype, t.dtype, k);
      assert.deepEqual(b.shape, t.shape, k);
      assert.deepEqual(flat(b), flat(t), k);
    }
    assert.equal(deserialize(serialize({})).tensors.size, 0);
    assert.equal(deserialize(serialize({ a: base })).metadata, undefined, 'no metadata written when none is given');
  });

  test('header order: __metadata__ first, then dtype (wide first) and name in UTF-8 byte order', () => {
    const t = (dtype: DType): Tensor => torch.zeros([1], { dtype });
    const bytes = serialize({ b: t('float32'), '10': t('float32'), '9': t('float32'), z: t('bool'), a: t('int64'), m: t('float64'), '\u{1F600}': t('float32'), '\uFF21': t('float32') }, { k: 'v' });
    const { keys } = referenceCheck(bytes);
    assert.deepEqual(keys, ['__metadata__', 'a', 'm', '10', '9', 'b', '\uFF21', '\u{1F600}', 'z']);
  });

  test('bad inputs to the writer are refused before anything is written', () => {
    assert.throws(() => serialize({ __metadata__: torch.zeros([1]) }), /reserved for metadata/);
    assert.throws(() => serialize({ a: torch.zeros([1]) }, { n: 1 as unknown as string }), /metadata value of 'n' must be a string/);
    assert.throws(() => serialize({ a: [1, 2] as unknown as Tensor }), /'a' is not a Tensor/);
  });
});

/** A buffer with the given header object and data bytes (header padded as the reference does). */
function craft(header: unknown, data: Uint8Array | number = 0, rawHeader?: string): Uint8Array {
  let text = Buffer.from(rawHeader ?? JSON.stringify(header));
  text = Buffer.concat([text, Buffer.alloc((8 - (text.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([len, text, typeof data === 'number' ? Buffer.alloc(data) : data]);
}

describe('malformed files raise SafetensorsError naming the problem', () => {
  const f32 = (offsets: [number, number], shape = [2]) => ({ dtype: 'F32', shape, data_offsets: offsets });
  const i64 = (v: bigint): Uint8Array => { const b = Buffer.alloc(8); b.writeBigInt64LE(v); return b; };
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /truncated: 0 byte\(s\)/],
    ['shorter than the length prefix', new Uint8Array(5), /truncated: 5 byte/],
    ['header length beyond the file', craft({}).subarray(0, 10), /header length 8 goes beyond the end of the file \(10 bytes\)/],
    ['absurd header length', Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 0x7b]), /larger than the 100000000-byte limit/],
    ['malformed JSON', craft(null, 0, '{"a": {"dtype": '), /header is not valid JSON/],
    ['header not an object', craft([1, 2]), /header must be a JSON object, got an array/],
    ['invalid UTF-8', craft(null, 0, '{"\xff"}').map((b, i) => (i === 10 ? 0xff : b)), /not valid UTF-8/],
    ['unknown dtype', craft({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, 16), /tensor 'a': unknown dtype "F128"/],
    ['unsupported dtype', craft({ a: { dtype: 'F8_E4M3', shape: [2], data_offsets: [0, 2] } }, 2), /tensor 'a' has dtype F8_E4M3, which tsorch does not support/],
    ['shape × dtype size ≠ span', craft({ a: f32([0, 20], [2, 3]) }, 20), /tensor 'a': shape \[2,3\] of F32 needs 24 bytes but data_offsets \[0,20\] span 20/],
    ['offsets beyond the buffer', craft({ a: f32([0, 8]) }, 4), /data_offsets \[0,8\] are out of range: the data buffer has 4 bytes/],
    ['offsets end before they begin', craft({ a: f32([8, 0]) }, 8), /end before they begin/],
    ['overlapping tensors', craft({ a: f32([0, 8]), b: f32([4, 12]) }, 12), /tensor 'b' \(data_offsets \[4,12\]\) overlaps tensor 'a'/],
    ['a hole between tensors', craft({ a: f32([0, 8]), b: f32([12, 20]) }, 20), /bytes 8\.\.12 of the data buffer belong to no tensor/],
    ['trailing bytes', craft({ a: f32([0, 8]) }, 12), /the tensors cover only 8: 4 trailing byte/],
    ['a hole at the start', craft({ a: f32([4, 12]) }, 12), /bytes 0\.\.4 .* belong to no tensor/],
    ['I64 beyond 2^53', craft({ big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, i64(2n ** 53n + 1n)), /tensor 'big' holds the I64 value 9007199254740993, beyond ±2\^53/],
    ['I64 below -2^53', craft({ big: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, i64(-(2n ** 60n))), /I64 value -1152921504606846976/],
    ['bad metadata', craft({ __metadata__: { a: 1 } }), /'__metadata__' must map strings to strings/],
    ['negative shape', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }), /shape must be a list of non-negative integers/],
    ['missing offsets', craft({ a: { dtype: 'F32', shape: [1] } }), /data_offsets must be two non-negative integers/],
  ];
  for (const [what, bytes, message] of cases) {
    test(what, () => {
      assert.throws(() => deserialize(bytes, { source: 'bad.safetensors' }), (e: unknown) => {
        assert.ok(e instanceof SafetensorsError, `${what}: ${String(e)}`);
        assert.match(e.message, /^deserialize: bad\.safetensors: /);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  test('loadSafetensors names the file; a missing file is a SafetensorsError too', async () => {
    const d = tmp();
    const path = join(d, 'broken.safetensors');
    writeFileSync(path, craft({ a: f32([0, 8]) }, 4));
    await assert.rejects(loadSafetensors(path), (e: unknown) => e instanceof SafetensorsError && e.message.startsWith(`loadSafetensors: ${path}: `) && /out of range/.test(e.message));
    await assert.rejects(loadSafetensors(join(d, 'nope.safetensors')), /loadSafetensors: .*nope\.safetensors: cannot read the file: ENOENT/);
  });
});

describe('atomic writes', () => {
  class Exploding extends Tensor {
    override async data(): Promise<never> { throw new Error('device lost mid-save'); }
    override dataSync(): never { throw new Error('device lost mid-save'); }
  }

  test('a failure after part of the file is written leaves the old file and no temporary file', async () => {
    const d = tmp();
    const path = join(d, 'model.safetensors');
    await saveSafetensors(path, { w: torch.ones([4]) });
    const before = readFileSync(path);
    const ok = torch.randn([64]);
    const bad = new Exploding(ok.storage, ok.shape);
    // 'a' (F64) is written first, then 'b' (F32) fails: the temporary file already holds data.
    await assert.rejects(saveSafetensors(path, { a: torch.zeros([1000], { dtype: 'float64' }), b: bad }), /device lost mid-save/);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(readdirSync(d), ['model.safetensors']);
  });

  test('an unwritable location fails with a SafetensorsError and creates nothing', async () => {
    const d = tmp();
    await assert.rejects(saveSafetensors(join(d, 'missing-dir', 'm.safetensors'), { w: torch.ones([1]) }), (e: unknown) => e instanceof SafetensorsError && /cannot create a temporary file/.test(e.message));
    assert.deepEqual(readdirSync(d), []);
  });

  test('a successful save replaces the old file', async () => {
    const path = join(tmp(), 'm.safetensors');
    await saveSafetensors(path, { w: torch.ones([1]) });
    await saveSafetensors(path, { w: torch.full([2], 3) });
    assert.deepEqual(flat((await loadSafetensors(path)).tensors.get('w')!), [3, 3]);
  });
});
