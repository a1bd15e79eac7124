/**
 * Optimizer state dicts to and from JSON text: tensors become { shape, dtype, data } (with
 * 'nan', 'inf', '-inf' for non-finite values, which JSON lacks), everything else is kept as is.
 */
import { ValueError } from '../errors.js';
import { tensor } from '../tensor/create.js';
import type { DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import type { OptimizerStateDict, ParamState } from './optimizer.js';

interface EncodedTensor { shape: number[]; dtype: DType; data: (number | string)[] }

const encodeNumber = (v: number): number | string => (Number.isFinite(v) ? v : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
const decodeNumber = (v: number | string): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);

/**
 * JSON text for an optimizer's state dict.
 *
 * @example
 * ```ts
 * writeFileSync('opt.json', optim.optimizerStateToJSON(opt.stateDict()));
 * opt.loadStateDict(optim.optimizerStateFromJSON(readFileSync('opt.json', 'utf8')));
 * ```
 */
export function optimizerStateToJSON<H>(dict: OptimizerStateDict<H>): string {
  const state: Record<string, Record<string, number | string | EncodedTensor>> = {};
  for (const [id, entry] of Object.entries(dict.state)) {
    state[id] = Object.fromEntries(Object.entries(entry).map(([k, v]) => [
      k,
      v instanceof Tensor ? { shape: [...v.shape], dtype: v.dtype, data: Array.from(v.dataSync(), encodeNumber) } : encodeNumber(v),
    ]));
  }
  return JSON.stringify({ state, paramGroups: dict.paramGroups });
}

/** Parses `optimizerStateToJSON` output back into a state dict for `loadStateDict`. */
export function optimizerStateFromJSON<H>(text: string): OptimizerStateDict<H> {
  const raw = JSON.parse(text) as { state?: Record<string, Record<string, number | string | EncodedTensor>>; paramGroups?: OptimizerStateDict<H>['paramGroups'] };
  if (raw.state === undefined || !Array.isArray(raw.paramGroups)) throw new ValueError('optimizerStateFromJSON', 'expected an object with `state` and `paramGroups`');
  const state: Record<string, ParamState> = {};
  for (const [id, entry] of Object.entries(raw.state)) {
    state[id] = Object.fromEntries(Object.entries(entry).map(([k, v]) => [
      k,
      typeof v === 'object' ? tensor(v.data.map(decodeNumber), { dtype: v.dtype, shape: v.shape }) : decodeNumber(v),
    ]));
  }
  return { state, paramGroups: raw.paramGroups };
}
