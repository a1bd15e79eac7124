/**
 * Reading and writing safetensors (https://github.com/huggingface/safetensors), the format
 * PyTorch and Hugging Face checkpoints are shared in.
 *
 * Writes F32, F64, I64, I32 and BOOL (one per tsorch dtype), byte for byte as the reference
 * implementation would. Reads those plus F16 and BF16 (widened to float32), U8, I8, I16, U16
 * (as int32) and U32, U64 (as int64). I64/U64 values beyond ±2^53 are refused: tsorch's int64
 * holds integers exactly only up to there. F8 types are recognised but not supported.
 */
import { readFile } from 'node:fs/promises';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeAtomic } from './atomic.js';
import { SafetensorsError } from './errors.js';
import { parseHeader, planLayout, type StDType, type TensorEntry } from './format.js';

/** Tensors by name, as `saveSafetensors` and `serialize` accept them. */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** The content of a safetensors file. */
export interface SafetensorsContent {
  /** Tensors by name, in the order their data is stored. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` string map, or undefined when the file has none. */
  metadata: Record<string, string> | undefined;
}

// Typed arrays share the host's byte order, and the format is little-endian.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function entriesOf(tensors: NamedTensors): Iterable<[string, Tensor]> {
  return tensors instanceof Map ? tensors.entries() : Object.entries(tensors as Record<string, Tensor>);
}

function checkHost(op: string, source: string): void {
  if (!LITTLE_ENDIAN) throw new SafetensorsError(op, source, 'big-endian hosts are not supported');
}

/** The bytes of one tensor's values in its safetensors dtype. */
function encodeValues(dtype: StDType, values: TypedArray): Uint8Array {
  switch (dtype) {
    case 'F32': return bytesOf(values instanceof Float32Array ? values : Float32Array.from(values));
    case 'F64': return bytesOf(values instanceof Float64Array ? values : Float64Array.from(values));
    case 'I32': return bytesOf(values instanceof Int32Array ? values : Int32Array.from(values));
    // int64 lives in a Float64Array of exact integers.
    case 'I64': return bytesOf(BigInt64Array.from(values, (v) => BigInt(v)));
    case 'BOOL': return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
    default: throw new Error(`unreachable: tsorch never writes ${dtype}`);
  }
}

function bytesOf(a: Float32Array | Float64Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A tensor from one entry's bytes (an aligned private copy, so typed arrays can view it). */
function decodeEntry(op: string, source: string, e: TensorEntry, raw: Uint8Array): Tensor {
  // A fresh copy: `raw` may be a Node Buffer, whose slice() shares memory and whose offset may be unaligned.
  const buf = new Uint8Array(raw).buffer;
  const shape = e.shape;
  const make = (data: Float32Array | Float64Array | Int32Array | Uint8Array, dtype: DType): Tensor => tensor(data, { shape, dtype });
  const exactInts = (values: BigInt64Array | BigUint64Array): Float64Array => Float64Array.from(values, (v) => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new SafetensorsError(op, source, `tensor '${e.name}' holds the ${e.dtype} value ${v}, beyond ±2^53: tsorch's int64 cannot hold it exactly`);
    }
    return Number(v);
  });
  switch (e.dtype) {
    case 'F32': return make(new Float32Array(buf), 'float32');
    case 'F64': return make(new Float64Array(buf), 'float64');
    case 'I32': return make(new Int32Array(buf), 'int32');
    case 'I64': return make(exactInts(new BigInt64Array(buf)), 'int64');
    case 'U64': return make(exactInts(new BigUint64Array(buf)), 'int64');
    case 'U32': return make(Float64Array.from(new Uint32Array(buf)), 'int64');
    case 'BOOL': return make(Uint8Array.from(new Uint8Array(buf), (v) => (v !== 0 ? 1 : 0)), 'bool');
    case 'U8': return make(Int32Array.from(new Uint8Array(buf)), 'int32');
    case 'I8': return make(Int32Array.from(new Int8Array(buf)), 'int32');
    case 'I16': return make(Int32Array.from(new Int16Array(buf)), 'int32');
    case 'U16': return make(Int32Array.from(new Uint16Array(buf)), 'int32');
    case 'F16': return make(Float32Array.from(new Uint16Array(buf), halfToFloat), 'float32');
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const bits = Uint32Array.from(new Uint16Array(buf), (h) => h << 16);
      return make(new Float32Array(bits.buffer), 'float32');
    }
    default: throw new SafetensorsError(op, source, `tensor '${e.name}' has dtype ${e.dtype}, which tsorch does not support`);
  }
}

/**
 * The safetensors bytes for `tensors` (and optional string metadata), laid out exactly as the
 * reference implementation does.
 *
 * @example
 * ```ts
 * const bytes = serialize(model.stateDict(), { format: 'pt' });
 * const { tensors } = deserialize(bytes);
 * ```
 */
export function serialize(tensors: NamedTensors, metadata?: Readonly<Record<string, string>>): Uint8Array {
  checkHost('serialize', '<buffer>');
  const layout = planLayout('serialize', '<buffer>', entriesOf(tensors), metadata);
  const out = new Uint8Array(layout.header.length + layout.dataLength);
  out.set(layout.header);
  for (const e of layout.entries) out.set(encodeValues(e.dtype, e.tensor.dataSync()), layout.header.length + e.begin);
  return out;
}

/**
 * Tensors and metadata from safetensors bytes, after checking the whole header (see
 * `SafetensorsError` for what is refused). `source` names the bytes in error messages.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = deserialize(readFileSync('model.safetensors'), { source: 'model.safetensors' });
 * ```
 */
export function deserialize(bytes: Uint8Array, opts: { source?: string } = {}): SafetensorsContent {
  return decodeFile('deserialize', opts.source ?? '<buffer>', bytes);
}

function decodeFile(op: string, source: string, bytes: Uint8Array): SafetensorsContent {
  checkHost(op, source);
  const { entries, metadata, dataStart } = parseHeader(op, source, bytes);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) tensors.set(e.name, decodeEntry(op, source, e, bytes.subarray(dataStart + e.begin, dataStart + e.end)));
  return { tensors, metadata };
}

/**
 * Writes tensors (a state dict, a Map or a plain object) to a safetensors file, atomically: the
 * data goes to a temporary file in the same directory, which then replaces `path`. If anything
 * fails, an existing file at `path` is left as it was. Tensor values are read with the async
 * `data()`, so every backend can save.
 *
 * @example
 * ```ts
 * await saveSafetensors('model.safetensors', model.stateDict(), { format: 'pt' });
 * ```
 */
export async function saveSafetensors(path: string, tensors: NamedTensors, metadata?: Readonly<Record<string, string>>): Promise<void> {
  await writeFileAtomic('saveSafetensors', path, tensors, metadata);
}

/** @internal `saveSafetensors` with the op its errors name (checkpoints reuse it). */
export async function writeFileAtomic(op: string, path: string, tensors: NamedTensors, metadata?: Readonly<Record<string, string>>): Promise<void> {
  checkHost(op, path);
  // Everything that can be checked without the values is checked before the disk is touched.
  const layout = planLayout(op, path, entriesOf(tensors), metadata);
  await writeAtomic(path, async (write) => {
    await write(layout.header);
    for (const e of layout.entries) await write(encodeValues(e.dtype, await e.tensor.data()));
  }, (problem, cause) => new SafetensorsError(op, path, problem, { cause }));
}

/**
 * Reads a safetensors file written by tsorch, PyTorch (`safetensors.torch.save_file`) or any
 * other conforming writer.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = await loadSafetensors('model.safetensors');
 * model.loadStateDict(tensors);
 * ```
 */
export async function loadSafetensors(path: string): Promise<SafetensorsContent> {
  return readFileChecked('loadSafetensors', path);
}

/** @internal `loadSafetensors` with the op its errors name. */
export async function readFileChecked(op: string, path: string): Promise<SafetensorsContent> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SafetensorsError(op, path, `cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return decodeFile(op, path, bytes);
}
