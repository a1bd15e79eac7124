/** ReduceLROnPlateau (torch.optim.lr_scheduler.ReduceLROnPlateau). */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type AnyOptimizer, ensure, loadFields, saveFields, type SchedulerStateDict } from './base.js';

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): reduce when the metric stops decreasing; 'max': when it stops increasing. */
  mode?: 'min' | 'max';
  /** New lr = lr · factor. Default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. Default 10. */
  patience?: number;
  /** Least change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** 'rel' (default): relative to the best value; 'abs': absolute. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Lower bound on the lr, for all groups or one per group. Default 0. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/**
 * Reduces each group's lr by `factor` once the metric passed to `step(metric)` has not improved
 * for more than `patience` epochs. Unlike the other schedulers it does not step on construction.
 *
 * @example
 * ```ts
 * const sched = new optim.ReduceLROnPlateau(opt, { mode: 'min', patience: 5 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(validate()); }
 * ```
 */
export class ReduceLROnPlateau {
  readonly name = 'ReduceLROnPlateau';
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(readonly optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    const n = optimizer.paramGroups.length;
    this.mode = opts.mode ?? 'min';
    this.factor = opts.factor ?? 0.1;
    this.patience = opts.patience ?? 10;
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = opts.thresholdMode ?? 'rel';
    this.cooldown = opts.cooldown ?? 0;
    this.eps = opts.eps ?? 1e-8;
    const minLr = opts.minLr ?? 0;
    if (Array.isArray(minLr) && minLr.length !== n) throw new ValueError(this.name, `expected ${n} minLr values, got ${minLr.length}`);
    this.minLrs = Array.isArray(minLr) ? [...minLr] : new Array<number>(n).fill(minLr);
    ensure(this.name, this.factor < 1, 'factor should be < 1.0', this.factor);
    ensure(this.name, this.factor >= 0, 'factor should be ≥ 0', this.factor);
    ensure(this.name, this.mode === 'min' || this.mode === 'max', "mode must be 'min' or 'max'", this.mode);
    ensure(this.name, this.thresholdMode === 'rel' || this.thresholdMode === 'abs', "thresholdMode must be 'rel' or 'abs'", this.thresholdMode);
    ensure(this.name, Number.isInteger(this.patience) && this.patience >= 0, 'patience must be a non-negative integer', this.patience);
    ensure(this.name, Number.isInteger(this.cooldown) && this.cooldown >= 0, 'cooldown must be a non-negative integer', this.cooldown);
    this.best = this.modeWorse();
    this.lastLr = optimizer.paramGroups.map((g) => g.options.lr);
  }

  private modeWorse(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  private isBetter(a: number, best: number): boolean {
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === 'rel' ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Records one epoch's metric (a number, or a one-element tensor's `item()`), reducing lrs if it has plateaued. */
  step(metric: number | Tensor): void {
    const current = typeof metric === 'number' ? metric : metric.item();
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const oldLr = g.options.lr;
        const newLr = Math.max(oldLr * this.factor, this.minLrs[i]!);
        if (oldLr - newLr > this.eps) g.options.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.options.lr);
  }

  /** The lrs after the last `step()` (the optimizer's lrs before the first). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The saved fields besides `best`, which needs care: JSON has no infinities. */
  private static readonly KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLrs', 'eps', 'numBadEpochs', 'cooldownCounter', 'lastEpoch', 'lastLr'];

  /** Counters and hyper-parameters as plain JSON. `best` is null while still ±Infinity. */
  stateDict(): SchedulerStateDict {
    return { ...saveFields(this, this.name, ReduceLROnPlateau.KEYS), best: Number.isFinite(this.best) ? this.best : null };
  }

  /** Restores a `stateDict()` (a null `best` means no metric seen yet). */
  loadStateDict(dict: SchedulerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const n = this.optimizer.paramGroups.length;
    const { best, ...rest } = dict;
    if (best === undefined) throw new ValueError(op, 'missing keys: best');
    if (best !== null && typeof best !== 'number') throw new ValueError(op, `best should be a number or null, got a ${typeof best}`);
    for (const k of ['minLrs', 'lastLr']) {
      const v = rest[k];
      if (Array.isArray(v) && v.length !== n) throw new ValueError(op, `${k} has ${v.length} value(s), the optimizer has ${n} parameter group(s)`);
    }
    loadFields(this, this.name, ReduceLROnPlateau.KEYS, rest);
    this.best = best ?? this.modeWorse();
  }
}
