/**
 * Module: the base of every layer and model, as torch.nn.Module.
 *
 * Registration follows PyTorch, adapted to TypeScript: a property holding a `Parameter` is a
 * parameter, a property holding a `Module` is a child, and `registerBuffer(name, tensor)` marks
 * a tensor property as a buffer (running statistics, masks). Names in `stateDict()` are the
 * property names joined by dots, in definition order, exactly as PyTorch builds them; built-in
 * layers use PyTorch's attribute names (`weight_ih_l0`, `running_mean`, `self_attn`) so a
 * PyTorch state dict loads without renaming.
 *
 * @example
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(784, 128);
 *   fc2 = new nn.Linear(128, 10);
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * const net = new Net();
 * net.stateDict(); // Map { 'fc1.weight' => …, 'fc1.bias' => …, 'fc2.weight' => …, 'fc2.bias' => … }
 * ```
 */
import { noGrad } from '../autograd/mode.js';
import { fmtShape, ShapeError, TsorchError } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import { isFloat, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { Parameter } from './parameter.js';

/** A state dict: parameter and persistent buffer names mapped to tensors. */
export type StateDict = Map<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
  /** Keys present on both sides with different shapes: `key: [model shape] vs [given shape]`. */
  shapeMismatches: string[];
}

export class StateDictError extends TsorchError {
  constructor(readonly result: LoadResult) {
    const parts: string[] = [];
    if (result.missingKeys.length) parts.push(`missing keys: ${result.missingKeys.join(', ')}`);
    if (result.unexpectedKeys.length) parts.push(`unexpected keys: ${result.unexpectedKeys.join(', ')}`);
    if (result.shapeMismatches.length) parts.push(`shape mismatches: ${result.shapeMismatches.join('; ')}`);
    super('loadStateDict', parts.join('; '));
  }
}

const BUFFERS: unique symbol = Symbol('buffers');

export abstract class Module {
  /** Training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  // Symbols keep bookkeeping out of the enumerable properties that define registration.
  private readonly [BUFFERS] = new Map<string, boolean>();

  /** Runs the module. Subclasses define their own signature. */
  abstract forward(...args: never[]): unknown;

  /**
   * Registers `tensor` as a buffer stored under `name` (also set as a property).
   * Non-persistent buffers are left out of `stateDict()`.
   */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    this[BUFFERS].set(name, persistent);
    (this as unknown as Record<string, Tensor | null>)[name] = tensor;
  }

  /** Direct children with their names, in definition order. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Module) yield [k, v];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, depth first, with dotted names ('' for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    const seen = new Set<Module>();
    const walk = function* (m: Module, p: string): Generator<[string, Module]> {
      if (seen.has(m)) return;
      seen.add(m);
      yield [p, m];
      for (const [k, c] of m.namedChildren()) yield* walk(c, p ? `${p}.${k}` : k);
    };
    yield* walk(this, prefix);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters directly owned by this module. */
  protected *ownParameters(): Generator<[string, Parameter]> {
    for (const [k, v] of Object.entries(this)) if (v instanceof Parameter) yield [k, v];
  }

  /** Every parameter with its dotted name; shared parameters appear once. */
  *namedParameters(): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    for (const [p, m] of this.namedModules()) {
      for (const [k, v] of m.ownParameters()) {
        if (seen.has(v)) continue;
        seen.add(v);
        yield [p ? `${p}.${k}` : k, v];
      }
    }
  }

  *parameters(): Generator<Parameter> {
    for (const [, p] of this.namedParameters()) yield p;
  }

  /** Every buffer with its dotted name (persistent or not). */
  *namedBuffers(): Generator<[string, Tensor]> {
    for (const [p, m] of this.namedModules()) {
      for (const [k] of m[BUFFERS]) {
        const t = (m as unknown as Record<string, Tensor | null>)[k];
        if (t) yield [p ? `${p}.${k}` : k, t];
      }
    }
  }

  *buffers(): Generator<Tensor> {
    for (const [, b] of this.namedBuffers()) yield b;
  }

  /**
   * Parameters and persistent buffers by name, in PyTorch's order (each module's parameters,
   * then its buffers, then its children). The tensors share storage with the module's.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    const walk = (m: Module, p: string): void => {
      for (const [k, v] of m.ownParameters()) out.set(p + k, v.detach());
      for (const [k, persistent] of m[BUFFERS]) {
        const t = (m as unknown as Record<string, Tensor | null>)[k];
        if (t && persistent) out.set(p + k, t.detach());
      }
      for (const [k, c] of m.namedChildren()) walk(c, `${p}${k}.`);
    };
    walk(this, '');
    return out;
  }

  /**
   * Copies values from `dict` into this module's parameters and buffers (in place, so optimizers
   * keep working). With `strict` (default) any missing key, unexpected key or shape mismatch
   * throws a StateDictError listing every offender, and nothing is modified; with
   * `strict: false` matching keys are loaded and the rest reported. Shape mismatches always throw.
   */
  loadStateDict(dict: ReadonlyMap<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean } = {}): LoadResult {
    const strict = opts.strict ?? true;
    const given = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    const result: LoadResult = { missingKeys: [], unexpectedKeys: [], shapeMismatches: [] };
    for (const k of own.keys()) if (!given.has(k)) result.missingKeys.push(k);
    for (const k of given.keys()) if (!own.has(k)) result.unexpectedKeys.push(k);
    for (const [k, t] of own) {
      const g = given.get(k);
      if (g && !shapesEqual(g.shape, t.shape)) result.shapeMismatches.push(`${k}: ${fmtShape(t.shape)} vs ${fmtShape(g.shape)}`);
    }
    if (result.shapeMismatches.length > 0 || (strict && (result.missingKeys.length > 0 || result.unexpectedKeys.length > 0))) {
      throw new StateDictError(result);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const g = given.get(k);
        if (g) t.copy_(g.dtype === t.dtype ? g : g.to(t.dtype));
      }
    });
    return result;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (to null by default, as PyTorch 2). */
  zeroGrad(setToNone = true): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else p.grad.zero_();
    }
  }

  /** Calls `fn` on every descendant, children first, then on this module (as torch's apply). */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Freezes (false) or unfreezes every parameter. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /**
   * Converts every floating parameter and buffer to `dtype` (like `module.double()` in
   * PyTorch). Parameters are replaced by new ones, so create optimizers after converting.
   */
  to(dtype: DType): this {
    noGrad(() => {
      for (const m of this.modules()) {
        const props = m as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(m)) {
          if (v instanceof Parameter && isFloat(v.dtype) && v.dtype !== dtype) props[k] = new Parameter(v.to(dtype), v.requiresGrad);
        }
        for (const [k] of m[BUFFERS]) {
          const t = props[k];
          if (t instanceof Tensor && isFloat(t.dtype) && t.dtype !== dtype) props[k] = t.to(dtype);
        }
      }
    });
    return this;
  }

  double(): this { return this.to('float64'); }
  float(): this { return this.to('float32'); }

  /** Total number of parameter elements. */
  numParameters(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.numel();
    return n;
  }
}

/** Throws a ShapeError when `x` does not have the expected last-dimension size. */
export function checkLastDim(op: string, x: Tensor, size: number, what: string): void {
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== size) {
    throw new ShapeError(op, `expected the last dimension of the input to be ${what} = ${size}`, [x.shape]);
  }
}
