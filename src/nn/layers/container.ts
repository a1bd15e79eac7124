/** Containers: Sequential, ModuleList, ModuleDict. Children are named as in PyTorch ('0', '1', … or the dict keys). */
import { IndexError, TsorchError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

/** A module with a one-tensor forward, the kind Sequential chains. */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

abstract class IndexedContainer<M extends Module> extends Module {
  protected readonly items: M[] = [];

  override *namedChildren(): Generator<[string, Module]> {
    yield* this.items.map((m, i): [string, Module] => [String(i), m]);
  }

  get length(): number { return this.items.length; }

  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const j = i < 0 ? i + this.items.length : i;
    const m = this.items[j];
    if (m === undefined) throw new IndexError(this.constructor.name, `index ${i} is out of range for ${this.items.length} modules`);
    return m;
  }

  [Symbol.iterator](): Iterator<M> { return this.items[Symbol.iterator](); }
}

/**
 * Chains modules: forward(x) = mₙ(…m₁(x)).
 *
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * model.stateDict().keys(); // '0.weight', '0.bias', '2.weight', '2.bias'
 * ```
 */
export class Sequential extends IndexedContainer<TensorModule> {
  constructor(...modules: TensorModule[]) {
    super();
    this.items.push(...modules);
  }
  append(m: TensorModule): this { this.items.push(m); return this; }
  forward(x: Tensor): Tensor {
    return this.items.reduce((h, m) => m.forward(h), x);
  }
}

/** A list of modules whose parameters are registered ('0', '1', …). It has no forward. */
export class ModuleList<M extends Module = Module> extends IndexedContainer<M> {
  constructor(modules: Iterable<M> = []) {
    super();
    this.items.push(...modules);
  }
  append(m: M): this { this.items.push(m); return this; }
  forward(): never {
    throw new TsorchError('ModuleList', 'a ModuleList has no forward(); iterate over it instead');
  }
}

/** Modules by name, registered under their keys in insertion order. It has no forward. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly entries = new Map<string, M>();
  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    const it = Symbol.iterator in Object(modules) ? (modules as Iterable<[string, M]>) : Object.entries(modules);
    for (const [k, m] of it) this.set(k, m);
  }
  override *namedChildren(): Generator<[string, Module]> { yield* this.entries; }
  get(key: string): M {
    const m = this.entries.get(key);
    if (m === undefined) throw new IndexError('ModuleDict', `no module named '${key}' (have: ${[...this.entries.keys()].join(', ')})`);
    return m;
  }
  set(key: string, m: M): this {
    if (key.includes('.') || key === '') throw new TsorchError('ModuleDict', `module name '${key}' must be non-empty and contain no '.'`);
    this.entries.set(key, m);
    return this;
  }
  has(key: string): boolean { return this.entries.has(key); }
  keys(): IterableIterator<string> { return this.entries.keys(); }
  get size(): number { return this.entries.size; }
  forward(): never {
    throw new TsorchError('ModuleDict', 'a ModuleDict has no forward(); look modules up with get()');
  }
}
