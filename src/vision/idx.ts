/**
 * The IDX format of MNIST and Fashion-MNIST (plain or gzipped): a 4-byte magic number (two zero
 * bytes, a type code, the rank), the rank's big-endian uint32 dimensions, then the values in
 * row-major order, big-endian. Labels are `0x00000801` (2049: uint8, rank 1) and images
 * `0x00000803` (2051: uint8, rank 3).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { IdxFormatError, readDataFile } from './errors.js';

/** The element types an IDX file can hold. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** The typed array holding an IDX file's values, by element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An IDX file's contents: element type, dimensions and the values in row-major order. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

/** What a reader expects of a file; a mismatch is an IdxFormatError naming the file. */
export interface IdxExpectation {
  dtype?: IdxDType;
  rank?: number;
}

const TYPES: Readonly<Record<number, { dtype: IdxDType; bytes: number }>> = {
  0x08: { dtype: 'uint8', bytes: 1 },
  0x09: { dtype: 'int8', bytes: 1 },
  0x0b: { dtype: 'int16', bytes: 2 },
  0x0c: { dtype: 'int32', bytes: 4 },
  0x0d: { dtype: 'float32', bytes: 4 },
  0x0e: { dtype: 'float64', bytes: 8 },
};

const CODE_OF: Readonly<Record<IdxDType, number>> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

function hex(n: number): string {
  return `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
}

function describeMagic(dtype: IdxDType | undefined, rank: number | undefined): string {
  return `${dtype ?? 'any type'}, rank ${rank ?? 'any'}`;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses IDX bytes (gunzipping them first when they start with gzip's magic bytes). `source`
 * names the data in errors. Throws IdxFormatError on a bad magic number, a truncated header or
 * data, bytes after the data, or a type or rank other than `expect`'s.
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, { source: 'labels', expect: { dtype: 'uint8', rank: 1 } });
 * labels.shape; // [60000]
 * ```
 */
export function parseIdx(input: Uint8Array, opts: { source?: string; expect?: IdxExpectation } = {}): IdxArray {
  const source = opts.source ?? '<buffer>';
  const fail = (problem: string, cause?: unknown): IdxFormatError => new IdxFormatError('readIdx', source, problem, { cause });
  let bytes = input;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw fail(`not a valid gzip file (${(e as Error).message})`, e);
    }
  }
  if (bytes.length < 4) throw fail(`${bytes.length} bytes is too short for an IDX header (4 bytes of magic number at least)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = TYPES[bytes[2]!];
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || type === undefined || rank === 0) {
    throw fail(`bad magic number ${hex(magic)} (${magic}): an IDX file starts with two zero bytes, a type code 0x08–0x0e and a rank ≥ 1, e.g. 2049 (0x00000801) for labels, 2051 (0x00000803) for images`);
  }
  const want = opts.expect ?? {};
  if ((want.dtype !== undefined && want.dtype !== type.dtype) || (want.rank !== undefined && want.rank !== rank)) {
    throw fail(`magic number ${magic} (${hex(magic)}: ${describeMagic(type.dtype, rank)}) where ${describeMagic(want.dtype, want.rank)} was expected`);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw fail(`truncated header: rank ${rank} needs ${headerBytes} header bytes, the file has ${bytes.length}`);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * type.bytes;
  const have = bytes.length - headerBytes;
  const declared = `the header declares [${shape.join(',')}] ${type.dtype} = ${dataBytes} bytes of data`;
  if (have < dataBytes) throw fail(`truncated data: ${declared}, the file has ${have}`);
  if (have > dataBytes) throw fail(`size mismatch: ${declared}, the file has ${have} (${have - dataBytes} extra bytes)`);
  return { dtype: type.dtype, shape, data: decodeValues(bytes, headerBytes, count, type.dtype) };
}

function decodeValues(bytes: Uint8Array, offset: number, count: number, dtype: IdxDType): IdxData {
  if (dtype === 'uint8') return bytes.subarray(offset, offset + count);
  if (dtype === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset + offset, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const read = {
    int16: (i: number) => view.getInt16(2 * i, false),
    int32: (i: number) => view.getInt32(4 * i, false),
    float32: (i: number) => view.getFloat32(4 * i, false),
    float64: (i: number) => view.getFloat64(8 * i, false),
  }[dtype];
  const out = dtype === 'int16' ? new Int16Array(count) : dtype === 'int32' ? new Int32Array(count) : dtype === 'float32' ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = read(i);
  return out;
}

/**
 * Reads an IDX file, plain or gzipped (detected from its first bytes, whatever its name). Errors
 * name the file: IdxFormatError for bad contents, DataFileError for a missing file.
 *
 * @example
 * ```ts
 * const images = readIdx('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz', { expect: { dtype: 'uint8', rank: 3 } });
 * images.shape; // [10000, 28, 28]
 * ```
 */
export function readIdx(path: string, opts: { expect?: IdxExpectation } = {}): IdxArray {
  return parseIdx(readDataFile('readIdx', path), { source: path, ...opts });
}

/**
 * Encodes an array as IDX bytes (gzipped with `gzip: true`), the inverse of `parseIdx`: handy for
 * writing small slices of a dataset, and for tests.
 *
 * @example
 * ```ts
 * const bytes = encodeIdx({ dtype: 'uint8', shape: [2], data: Uint8Array.of(3, 7) }); // magic 2049
 * ```
 */
export function encodeIdx(array: IdxArray, opts: { gzip?: boolean } = {}): Uint8Array {
  const { dtype, shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.length === 0 || shape.length > 255 || data.length !== count) {
    throw new IdxFormatError('encodeIdx', '<buffer>', `shape [${shape.join(',')}] needs rank 1–255 and ${count} values, got rank ${shape.length} and ${data.length} values`);
  }
  const size = TYPES[CODE_OF[dtype]]!.bytes;
  const out = new Uint8Array(4 + 4 * shape.length + count * size);
  const view = new DataView(out.buffer);
  out[2] = CODE_OF[dtype];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const base = 4 + 4 * shape.length;
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = base + i * size;
    if (dtype === 'uint8') view.setUint8(at, v);
    else if (dtype === 'int8') view.setInt8(at, v);
    else if (dtype === 'int16') view.setInt16(at, v, false);
    else if (dtype === 'int32') view.setInt32(at, v, false);
    else if (dtype === 'float32') view.setFloat32(at, v, false);
    else view.setFloat64(at, v, false);
  }
  return opts.gzip ? new Uint8Array(gzipSync(out)) : out;
}
