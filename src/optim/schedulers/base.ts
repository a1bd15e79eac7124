/**
 * The LR scheduler base (torch.optim.lr_scheduler._LRScheduler). As in PyTorch, constructing a
 * scheduler performs an initial step (lastEpoch −1 → 0) that sets each group's lr, and every
 * `step()` (called after `optimizer.step()`) advances one epoch and writes the new lrs into
 * `optimizer.paramGroups[i].options.lr`. The values use PyTorch's recursive (chainable) forms.
 */
import { ValueError } from '../../errors.js';
import type { BaseOptions, Optimizer } from '../optimizer.js';

/** Any optimizer (schedulers only read and write `lr`, momentum and schedule values). */
export type AnyOptimizer = Optimizer<BaseOptions, object>;

/** A JSON value: what scheduler state dicts are made of. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A scheduler's state: its counters and hyper-parameters by name (plain JSON). */
export type SchedulerStateDict = Record<string, JsonValue>;

function copyJson(v: JsonValue): JsonValue {
  return v === null || typeof v !== 'object' ? v : JSON.parse(JSON.stringify(v)) as JsonValue;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * Snapshot and restore of named fields: PyTorch's schedulers save their whole `__dict__`; here
 * each class lists the fields that make up its state, and loading checks names and kinds.
 */
export function saveFields(self: object, name: string, keys: readonly string[]): SchedulerStateDict {
  const fields = self as Record<string, JsonValue>;
  const out: SchedulerStateDict = {};
  for (const k of keys) {
    const v = fields[k];
    if (v === undefined) throw new ValueError(`${name}.stateDict`, `field ${k} is not set`);
    out[k] = copyJson(v);
  }
  return out;
}

export function loadFields(self: object, name: string, keys: readonly string[], dict: SchedulerStateDict): void {
  const op = `${name}.loadStateDict`;
  const fields = self as Record<string, JsonValue>;
  const missing = keys.filter((k) => !(k in dict));
  const unexpected = Object.keys(dict).filter((k) => !keys.includes(k));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new ValueError(op, [missing.length ? `missing keys: ${missing.join(', ')}` : '', unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : ''].filter(Boolean).join('; '));
  }
  for (const k of keys) {
    if (kind(dict[k]) !== kind(fields[k])) throw new ValueError(op, `${k} should be a ${kind(fields[k])}, got a ${kind(dict[k])}`);
  }
  for (const k of keys) fields[k] = copyJson(dict[k]!);
}

/** Throws `${name}: ${what} must be …, got ${value}` unless `ok`. */
export function ensure(name: string, ok: boolean, what: string, value: unknown): void {
  if (!ok) throw new ValueError(name, `${what}, got ${Array.isArray(value) ? `[${value.join(', ')}]` : String(value)}`);
}

/**
 * Base of the epoch-indexed schedulers. A subclass sets its fields, calls `start(lastEpoch)`,
 * and computes the next lrs in `getLr()` from `lastEpoch` and the groups' current lrs.
 *
 * @example
 * ```ts
 * const sched = new optim.StepLR(opt, { stepSize: 10 });
 * for (let epoch = 0; epoch < 30; epoch++) { trainOneEpoch(); sched.step(); }
 * sched.getLastLr(); // [lr · 0.1³]
 * ```
 */
export abstract class LRScheduler {
  /** The lr of each group at epoch 0 (the groups' `schedule.initialLr`). */
  baseLrs: number[] = [];
  /** The index of the last epoch: 0 after construction, +1 per `step()`. */
  lastEpoch = -1;
  /** Calls of `step()`, the initial one included (PyTorch's `_step_count`). */
  protected stepCount = 0;
  protected lastLr: number[] = [];

  protected constructor(readonly optimizer: AnyOptimizer, readonly name: string) {}

  /**
   * Finishes construction once the subclass has set its fields (a base constructor cannot call
   * `getLr()`: subclass fields do not exist yet). With lastEpoch −1 each group's initialLr is
   * set from its lr unless already set; a resumed scheduler (lastEpoch ≥ 0) needs it present,
   * e.g. from the optimizer's loaded state dict.
   */
  protected start(lastEpoch = -1): void {
    ensure(this.name, Number.isInteger(lastEpoch) && lastEpoch >= -1, 'lastEpoch must be an integer ≥ -1', lastEpoch);
    this.optimizer.paramGroups.forEach((g, i) => {
      if (lastEpoch === -1) g.schedule.initialLr ??= g.options.lr;
      else if (g.schedule.initialLr === undefined) {
        throw new ValueError(this.name, `param group ${i} has no initialLr; load the optimizer's state dict before resuming with lastEpoch ${lastEpoch}`);
      }
    });
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.schedule.initialLr!);
    this.lastEpoch = lastEpoch;
    this.stepCount = 0;
    this.step();
  }

  /** Advances one epoch and sets every group's lr. Call it after `optimizer.step()`. */
  step(): void {
    this.stepCount += 1;
    this.lastEpoch += 1;
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => { g.options.lr = values[i]!; });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The lrs set by the last `step()` (or by construction), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The lrs for the epoch `lastEpoch` (already advanced), computed from the current ones. */
  protected abstract getLr(): number[];

  /** Names of the fields that make up the state (the subclass's, after the base's). */
  protected stateKeys(): string[] {
    return ['baseLrs', 'lastEpoch', 'stepCount', 'lastLr'];
  }

  /** Counters and hyper-parameters as plain JSON (the optimizer is not included). */
  stateDict(): SchedulerStateDict {
    return saveFields(this, this.name, this.stateKeys());
  }

  /** Restores a `stateDict()`; the keys and their kinds must match this scheduler's. */
  loadStateDict(dict: SchedulerStateDict): void {
    const n = this.optimizer.paramGroups.length;
    for (const k of ['baseLrs', 'lastLr']) {
      const v = dict[k];
      if (Array.isArray(v) && v.length !== n) throw new ValueError(`${this.name}.loadStateDict`, `${k} has ${v.length} value(s), the optimizer has ${n} parameter group(s)`);
    }
    loadFields(this, this.name, this.stateKeys(), dict);
  }

  /** The current lr of each group. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.options.lr);
  }
}
