/** OneCycleLR (torch.optim.lr_scheduler.OneCycleLR), with momentum cycling. */
import { ValueError } from '../../errors.js';
import type { BaseOptions, ParamGroup, ScheduleValues } from '../optimizer.js';
import { type AnyOptimizer, ensure, LRScheduler } from './base.js';

type Key = keyof ScheduleValues;

interface Phase {
  endStep: number;
  startLr: Key;
  endLr: Key;
  startMomentum: Key;
  endMomentum: Key;
}

export interface OneCycleLROptions {
  /** Peak lr, for all groups or one per group. */
  maxLr: number | number[];
  /** Length of the cycle in steps; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the lr. Default 0.3. */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (SGD's momentum, Adam's beta1) inversely to the lr. Default true. */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak lr. Default 0.85. */
  baseMomentum?: number | number[];
  /** Highest momentum, at the start and end. Default 0.95. */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to initialLr, then to minLr) instead of two. Default false. */
  threePhase?: boolean;
  lastEpoch?: number;
}

function hasBetas(o: BaseOptions): o is BaseOptions & { betas: [number, number] } {
  return Array.isArray((o as { betas?: unknown }).betas);
}

function setMomentum(g: ParamGroup<BaseOptions>, m: number, useBeta1: boolean): void {
  if (useBeta1 && hasBetas(g.options)) g.options.betas = [m, g.options.betas[1]];
  else (g.options as BaseOptions & { momentum: number }).momentum = m;
}

/**
 * The 1cycle policy (Smith & Topin): the lr rises from maxLr/divFactor to maxLr over
 * pctStart of the steps, then anneals to initialLr/finalDivFactor; momentum moves the opposite
 * way between maxMomentum and baseMomentum. Call `step()` after every batch; stepping past
 * totalSteps throws, as in PyTorch.
 *
 * @example
 * ```ts
 * const sched = new optim.OneCycleLR(opt, { maxLr: 0.01, epochs: 10, stepsPerEpoch: loader.length });
 * for (const batch of loader) { train(batch); opt.step(); sched.step(); }
 * ```
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;
  phases: Phase[];

  constructor(optimizer: AnyOptimizer, opts: OneCycleLROptions) {
    super(optimizer, 'OneCycleLR');
    const { totalSteps, epochs, stepsPerEpoch } = opts;
    if (totalSteps !== undefined) {
      ensure(this.name, Number.isInteger(totalSteps) && totalSteps > 0, 'expected a positive integer totalSteps', totalSteps);
      this.totalSteps = totalSteps;
    } else if (epochs !== undefined && stepsPerEpoch !== undefined) {
      ensure(this.name, Number.isInteger(epochs) && epochs > 0, 'expected a positive integer epochs', epochs);
      ensure(this.name, Number.isInteger(stepsPerEpoch) && stepsPerEpoch > 0, 'expected a positive integer stepsPerEpoch', stepsPerEpoch);
      this.totalSteps = epochs * stepsPerEpoch;
    } else {
      throw new ValueError(this.name, 'you must define either totalSteps or (epochs and stepsPerEpoch)');
    }
    const pct = opts.pctStart ?? 0.3;
    ensure(this.name, pct >= 0 && pct <= 1, 'expected pctStart between 0 and 1', pct);
    this.annealStrategy = opts.annealStrategy ?? 'cos';
    ensure(this.name, this.annealStrategy === 'cos' || this.annealStrategy === 'linear', "annealStrategy must be 'cos' or 'linear'", this.annealStrategy);
    const n = this.totalSteps;
    this.phases = opts.threePhase
      ? [
          { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pct * n - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: n - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pct * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: n - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    const groups = optimizer.paramGroups;
    const lastEpoch = opts.lastEpoch ?? -1;
    const divFactor = opts.divFactor ?? 25;
    const finalDivFactor = opts.finalDivFactor ?? 1e4;
    const maxLrs = this.perGroup('maxLr', opts.maxLr);
    if (lastEpoch === -1) {
      // Overwritten, not defaulted: the cycle defines its own starting lr (PyTorch does the same).
      groups.forEach((g, i) => {
        g.schedule.initialLr = maxLrs[i]! / divFactor;
        g.schedule.maxLr = maxLrs[i]!;
        g.schedule.minLr = g.schedule.initialLr / finalDivFactor;
      });
    }
    this.cycleMomentum = opts.cycleMomentum ?? true;
    this.useBeta1 = 'betas' in optimizer.defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !this.useBeta1) {
        throw new ValueError(this.name, `optimizer ${optimizer.name} has no momentum or betas to cycle; pass cycleMomentum: false`);
      }
      const maxM = this.perGroup('maxMomentum', opts.maxMomentum ?? 0.95);
      const baseM = this.perGroup('baseMomentum', opts.baseMomentum ?? 0.85);
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          setMomentum(g, maxM[i]!, this.useBeta1);
          g.schedule.maxMomentum = maxM[i]!;
          g.schedule.baseMomentum = baseM[i]!;
        });
      }
    }
    this.start(lastEpoch);
  }

  private perGroup(what: string, v: number | number[]): number[] {
    const n = this.optimizer.paramGroups.length;
    if (!Array.isArray(v)) return new Array<number>(n).fill(v);
    if (v.length !== n) throw new ValueError(this.name, `expected ${n} values for ${what}, got ${v.length}`);
    return [...v];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + ((start - end) / 2.0) * cosOut;
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(this.name, `tried to step ${stepNum + 1} times; the specified number of total steps is ${this.totalSteps}`);
    }
    return this.optimizer.paramGroups.map((g) => {
      const value = (k: Key): number => {
        const v = g.schedule[k];
        if (v === undefined) throw new ValueError(this.name, `param group has no ${k}; load the optimizer's state dict before resuming`);
        return v;
      };
      let startStep = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const phase = this.phases[i]!;
        if (stepNum <= phase.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (phase.endStep - startStep);
          if (this.cycleMomentum) setMomentum(g, this.anneal(value(phase.startMomentum), value(phase.endMomentum), pct), this.useBeta1);
          return this.anneal(value(phase.startLr), value(phase.endLr), pct);
        }
        startStep = phase.endStep;
      }
      throw new Error('unreachable: the last phase always matches');
    });
  }

  protected override stateKeys(): string[] {
    return [...super.stateKeys(), 'totalSteps', 'annealStrategy', 'cycleMomentum', 'useBeta1', 'phases'];
  }
}
