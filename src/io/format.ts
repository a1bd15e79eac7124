/**
 * The safetensors layout: an 8-byte little-endian header length N, N bytes of JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {str: str}}`, padded
 * with spaces), then the data buffer, which the tensors must tile exactly (no holes, no overlaps).
 *
 * Writing follows the reference implementation (safetensors 0.4, Rust) byte for byte: tensors
 * sorted by dtype in descending enum order (so 8-byte types come first and every tensor stays
 * aligned), then by name; `__metadata__` first in the header; compact JSON; the header padded
 * to a multiple of 8 bytes. The reference's metadata is a hash map with no fixed order; tsorch
 * sorts its keys so output is deterministic.
 */
import type { DType } from '../tensor/dtype.js';
import { numel } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { SafetensorsError } from './errors.js';

/** The reference's Dtype enum, in declaration order (the order writing sorts by). */
export const DTYPE_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'] as const;
export type StDType = (typeof DTYPE_ORDER)[number];

/** Bytes per element of every reference dtype. */
export const DTYPE_SIZE: Record<StDType, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The safetensors dtype each tsorch dtype is written as. */
export const WRITE_CODE: Record<DType, StDType> = { float32: 'F32', float64: 'F64', int32: 'I32', int64: 'I64', bool: 'BOOL' };

/** The reference refuses headers above 100 MB; so does tsorch (a corrupt length is caught early). */
export const MAX_HEADER = 100_000_000;
const METADATA_KEY = '__metadata__';

/** One tensor's place in the data buffer. */
export interface TensorEntry {
  name: string;
  dtype: StDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A header ready to write (length prefix included) and where each tensor goes. */
export interface Layout {
  header: Uint8Array;
  entries: (TensorEntry & { tensor: Tensor })[];
  dataLength: number;
}

const utf8 = new TextEncoder();

function compareUtf8(a: string, b: string): number {
  // Rust compares Strings by their UTF-8 bytes, which differs from JS (UTF-16) order for some characters.
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Plans a file: checks names, tensors and metadata, orders tensors as the reference does and
 * builds the padded header. Nothing is read from the tensors' storage.
 */
export function planLayout(op: string, source: string, tensors: Iterable<[string, Tensor]>, metadata?: Readonly<Record<string, string>>): Layout {
  const fail: (problem: string) => never = (problem) => { throw new SafetensorsError(op, source, problem); };
  const items: { name: string; tensor: Tensor; dtype: StDType }[] = [];
  const seen = new Set<string>();
  for (const [name, tensor] of tensors) {
    if (name === METADATA_KEY) fail(`'${METADATA_KEY}' is reserved for metadata and cannot name a tensor`);
    if (seen.has(name)) fail(`tensor name '${name}' appears twice`);
    if (!(tensor instanceof Tensor)) fail(`'${name}' is not a Tensor`);
    seen.add(name);
    items.push({ name, tensor, dtype: WRITE_CODE[tensor.dtype] });
  }
  items.sort((a, b) => DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype) || compareUtf8(a.name, b.name));
  // The header is written by hand: JSON.stringify would move integer-like keys ("0", "1") to the
  // front of an object, and the reference keeps layout order.
  const parts: string[] = [];
  if (metadata !== undefined) {
    const meta = Object.keys(metadata).sort(compareUtf8).map((k) => {
      const v = metadata[k];
      if (typeof v !== 'string') fail(`metadata value of '${k}' must be a string, got ${typeof v}`);
      return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    });
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  }
  let offset = 0;
  const entries = items.map(({ name, tensor, dtype }) => {
    const shape = [...tensor.shape];
    const begin = offset;
    offset += numel(shape) * DTYPE_SIZE[dtype];
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: [begin, offset] })}`);
    return { name, tensor, dtype, shape, begin, end: offset };
  });
  const json = `{${parts.join(',')}}`;
  const text = utf8.encode(json);
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(text, 8);
  return { header: out, entries, dataLength: offset };
}

/** A parsed and fully validated header. */
export interface ParsedHeader {
  /** Entries in data-buffer order. */
  entries: TensorEntry[];
  metadata: Record<string, string> | undefined;
  /** Where the data buffer starts in the file. */
  dataStart: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const fmt = (xs: readonly number[]): string => `[${xs.join(',')}]`;

/** Reads and checks the header of `bytes` with the reference implementation's rules. */
export function parseHeader(op: string, source: string, bytes: Uint8Array): ParsedHeader {
  const fail: (problem: string) => never = (problem) => { throw new SafetensorsError(op, source, problem); };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} byte(s), too short for the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) fail(`header length ${n} is larger than the ${MAX_HEADER}-byte limit (a corrupt or foreign file?)`);
  const dataStart = 8 + Number(n);
  if (dataStart > bytes.length) fail(`header length ${n} goes beyond the end of the file (${bytes.length} bytes): truncated?`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    fail('header is not valid UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) fail(`header must be a JSON object, got ${Array.isArray(raw) ? 'an array' : raw === null ? 'null' : typeof raw}`);
  const header = raw as Record<string, unknown>;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | undefined;
  const entries: TensorEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) {
      if (!isObject(info) || Object.values(info).some((v) => typeof v !== 'string')) fail(`'${METADATA_KEY}' must map strings to strings`);
      metadata = { ...(info as Record<string, string>) };
      continue;
    }
    const at = `tensor '${name}'`;
    if (!isObject(info)) fail(`${at}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(info)}`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(DTYPE_ORDER as readonly string[]).includes(dtype)) {
      fail(`${at}: unknown dtype ${JSON.stringify(dtype)} (known: ${DTYPE_ORDER.join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isCount)) fail(`${at}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
      fail(`${at}: data_offsets must be two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`${at}: data_offsets ${fmt([begin, end])} end before they begin`);
    if (end > dataLength) fail(`${at}: data_offsets ${fmt([begin, end])} are out of range: the data buffer has ${dataLength} bytes (truncated file?)`);
    const st = dtype as StDType;
    const need = numel(shape as number[]) * DTYPE_SIZE[st];
    if (need !== end - begin) fail(`${at}: shape ${fmt(shape as number[])} of ${st} needs ${need} bytes but data_offsets ${fmt([begin, end])} span ${end - begin}`);
    entries.push({ name, dtype: st, shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const e of entries) {
    if (e.begin < covered) fail(`tensor '${e.name}' (data_offsets ${fmt([e.begin, e.end])}) overlaps tensor '${previous}' (which ends at ${covered})`);
    if (e.begin > covered) fail(`bytes ${covered}..${e.begin} of the data buffer belong to no tensor (a hole before tensor '${e.name}')`);
    covered = e.end;
    previous = e.name;
  }
  if (covered !== dataLength) fail(`the data buffer has ${dataLength} bytes but the tensors cover only ${covered}: ${dataLength - covered} trailing byte(s)`);
  return { entries, metadata, dataStart };
}
