/**
 * The optimizer base (torch.optim.Optimizer): parameter groups with their own hyper-parameters,
 * per-parameter state, zeroGrad, step with an optional closure, and state dicts shaped like
 * PyTorch's (`state` keyed by parameter index, `paramGroups` holding options and indices).
 */
import { enableGrad, noGrad } from '../autograd/mode.js';
import { fmtShape, ValueError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Options every optimizer has; schedulers only rely on these. */
export interface BaseOptions {
  lr: number;
}

/** A hyper-parameter value: what option objects may hold (and what survives JSON). */
export type OptionValue = number | boolean | string | readonly number[];

/**
 * Values LR schedulers keep per group. PyTorch stores them as extra param_group keys
 * (`initial_lr`, `max_lr`, …); keeping them here means they travel with the optimizer's state
 * dict, so a scheduler re-created with `lastEpoch` finds them, as in PyTorch.
 */
export interface ScheduleValues {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

/** A group of parameters sharing hyper-parameters (PyTorch's param_groups entry). */
export interface ParamGroup<H> {
  params: Tensor[];
  /** The group's hyper-parameters; mutable (schedulers change `lr` and momentum). */
  options: H;
  schedule: ScheduleValues;
}

/** Either a list of tensors, or groups each with their own option overrides. */
export type Params<H> = Iterable<Tensor> | readonly ParamGroupSpec<H>[];

/** One group for the constructor or `addParamGroup`: its tensors and the options it overrides. */
export interface ParamGroupSpec<H> {
  params: Iterable<Tensor>;
  options?: Partial<H>;
}

/** Per-parameter state: buffers as tensors, counters as numbers (PyTorch's key names). */
export type ParamState = Record<string, Tensor | number>;

/**
 * An optimizer's state dict. Parameters are numbered in group order, as PyTorch does; `state`
 * holds a snapshot (cloned tensors) for every parameter that has been stepped. Plain objects
 * and arrays only, so it serialises with `optimizerStateToJSON`.
 */
export interface OptimizerStateDict<H = Record<string, OptionValue>> {
  state: Record<string, ParamState>;
  paramGroups: { params: number[]; options: H; schedule: ScheduleValues }[];
}

/** Copies an options object, arrays included, so groups never share a mutable `betas`. */
function copyOptions<H extends object>(o: H): H {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  return out as H;
}

/**
 * Base of every optimizer. Subclasses give their option checks, the state a parameter starts
 * with, and the in-place update; the base runs `step()` under noGrad over every parameter with
 * a gradient and handles groups, zeroGrad and state dicts.
 *
 * @example
 * ```ts
 * class SignSGD extends Optimizer<{ lr: number }> {
 *   constructor(params: Params<{ lr: number }>, lr = 0.01) { super('SignSGD', params, { lr }); }
 *   protected validate(o: { lr: number }): void { if (!(o.lr >= 0)) throw new ValueError('SignSGD', `invalid lr ${o.lr}`); }
 *   protected initState(): ParamState { return {}; }
 *   protected requiredState(): string[] { return []; }
 *   protected update(p: Tensor, g: Tensor, o: { lr: number }): void { p.sub_(g.sign(), o.lr); }
 * }
 * ```
 */
export abstract class Optimizer<H extends BaseOptions, S extends object = ParamState> {
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created on a parameter's first step. */
  protected readonly state = new Map<Tensor, S>();

  /** @param name used in error messages ("Adam: invalid …"). */
  protected constructor(readonly name: string, params: Params<H>, readonly defaults: H) {
    this.validate(defaults);
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ValueError(name, 'optimizer got an empty parameter list');
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list as ParamGroupSpec<H>[]) this.addParamGroup(g);
  }

  /** Adds a group (e.g. layers unfrozen during fine-tuning); unset options take the defaults. */
  addParamGroup(group: ParamGroupSpec<H>): void {
    const params = [...group.params];
    const options = copyOptions({ ...this.defaults, ...group.options });
    this.validate(options);
    const seen = new Set<Tensor>(this.paramGroups.flatMap((g) => g.params));
    for (const p of params) {
      if (!(p instanceof Tensor)) throw new ValueError(this.name, 'parameter groups must hold tensors');
      if (!p.isLeaf) throw new ValueError(this.name, `can't optimize a non-leaf tensor (shape ${fmtShape(p.shape)}); use detach().requiresGrad_()`);
      if (seen.has(p)) throw new ValueError(this.name, 'some parameters appear in more than one parameter group');
      seen.add(p);
    }
    this.paramGroups.push({ params, options, schedule: {} });
  }

  /**
   * Clears gradients. By default sets `.grad` to null (PyTorch 2's default, which saves memory);
   * `setToNone: false` zeroes them in place instead.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else p.grad.zero_();
      }
    }
  }

  /**
   * Performs one update from the current gradients. A `closure` that recomputes the loss is run
   * first with grad enabled, and its result returned (as PyTorch's `step(closure)`).
   */
  step<L>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (p.grad === null) continue;
          const s = this.state.get(p) ?? this.initState(p, g.options);
          this.state.set(p, s);
          this.update(p, p.grad, g.options, s);
        }
      }
    });
    return loss;
  }

  /**
   * Throws a ValueError naming the optimizer and the bad value; run on the defaults and on every
   * group's merged options. (Called from the base constructor: it must not use subclass fields.)
   */
  protected abstract validate(o: H): void;

  /** A fresh state for `p` (PyTorch's lazy state initialisation on the first step). */
  protected abstract initState(p: Tensor, o: H): S;

  /** Updates `p` in place (grad mode is off) and its state. */
  protected abstract update(p: Tensor, grad: Tensor, o: H, s: S): void;

  /** State keys a loaded state must hold for a group with options `o` (`step`, `exp_avg`, …). */
  protected abstract requiredState(o: H): readonly string[];

  /** The state as a PyTorch-shaped snapshot: tensors are cloned, so later steps leave it unchanged. */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => ({
      params: g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      }),
      options: copyOptions(g.options),
      schedule: { ...g.schedule },
    }));
    const state: Record<string, ParamState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: ParamState = {};
      for (const [k, v] of Object.entries(s) as [string, Tensor | number | undefined][]) {
        if (v !== undefined) entry[k] = v instanceof Tensor ? v.clone() : v;
      }
      state[String(i)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state dict from `stateDict()` (or `optimizerStateFromJSON`): group options and
   * schedule values are replaced, state tensors copied (cast to each parameter's dtype).
   * Everything is checked before anything changes; a mismatch throws a ValueError saying what.
   */
  loadStateDict(dict: OptimizerStateDict<H>): void {
    const op = `${this.name}.loadStateDict`;
    const saved = dict.paramGroups;
    if (!Array.isArray(saved) || typeof dict.state !== 'object' || dict.state === null) {
      throw new ValueError(op, 'expected an object with `state` and `paramGroups`');
    }
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(op, `the state dict has ${saved.length} parameter group(s), the optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<string, { p: Tensor; o: H }>();
    const keys = Object.keys(this.defaults).sort().join(',');
    const options = saved.map((sg, gi) => {
      const g = this.paramGroups[gi]!;
      if (typeof sg.options !== 'object' || sg.options === null || !Array.isArray(sg.params)) {
        throw new ValueError(op, `parameter group ${gi} needs \`params\` (indices) and \`options\``);
      }
      if (sg.params.length !== g.params.length) {
        throw new ValueError(op, `parameter group ${gi} has ${sg.params.length} parameter(s) in the state dict, ${g.params.length} in the optimizer`);
      }
      const savedKeys = Object.keys(sg.options).sort().join(',');
      if (savedKeys !== keys) throw new ValueError(op, `parameter group ${gi} has options {${savedKeys}}, expected {${keys}}`);
      const o = copyOptions(sg.options);
      this.validate(o);
      sg.params.forEach((id, j) => byIndex.set(String(id), { p: g.params[j]!, o }));
      return o;
    });
    const newState = new Map<Tensor, S>();
    for (const [id, entry] of Object.entries(dict.state)) {
      const target = byIndex.get(id);
      if (target === undefined) throw new ValueError(op, `state for parameter ${id}, which no parameter group lists`);
      const { p, o } = target;
      for (const k of this.requiredState(o)) {
        if (!(k in entry)) throw new ValueError(op, `state of parameter ${id} lacks '${k}'`);
      }
      const s: Record<string, Tensor | number> = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') { s[k] = v; continue; }
        if (!(v instanceof Tensor)) throw new ValueError(op, `state '${k}' of parameter ${id} is neither a tensor nor a number`);
        if (!shapesEqual(v.shape, p.shape)) {
          throw new ValueError(op, `state '${k}' of parameter ${id} has shape ${fmtShape(v.shape)}, the parameter ${fmtShape(p.shape)}`);
        }
        s[k] = isFloat(p.dtype) && v.dtype !== p.dtype ? v.to(p.dtype) : v.clone();
      }
      newState.set(p, s as S);
    }
    this.paramGroups.forEach((g, gi) => {
      g.options = options[gi]!;
      g.schedule = { ...saved[gi]!.schedule };
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

/** Throws `${name}: invalid ${what} ${value}` unless `ok`; shared by the optimizers' validators. */
export function check(name: string, ok: boolean, what: string, value: OptionValue): void {
  if (!ok) throw new ValueError(name, `invalid ${what}: ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
}
