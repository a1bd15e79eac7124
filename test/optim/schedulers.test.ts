import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim, ValueError } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { fixture, type AnyOpt, type PlateauCase, type SchedulerCase } from './fixture.js';

const LR_TOL = { rtol: 1e-12, atol: 0 };

/** The fixture's scheduler optimizer: one single-parameter group per lr (SGD with momentum 0.9, or Adam). */
function groupsOptimizer(kind: 'SGD' | 'Adam', lrs: number[]): AnyOpt {
  const groups = lrs.map((lr) => ({ params: [torch.zeros([1], { requiresGrad: true })], options: { lr } }));
  return kind === 'Adam' ? new optim.Adam(groups, { lr: lrs[0]! }) : new optim.SGD(groups, { lr: lrs[0]!, momentum: 0.9 });
}

function makeScheduler(c: SchedulerCase, opt: AnyOpt): optim.LRScheduler {
  const o = c.options;
  switch (c.scheduler) {
    case 'StepLR': return new optim.StepLR(opt, o as unknown as optim.StepLROptions);
    case 'MultiStepLR': return new optim.MultiStepLR(opt, o as unknown as optim.MultiStepLROptions);
    case 'ExponentialLR': return new optim.ExponentialLR(opt, o as unknown as optim.ExponentialLROptions);
    case 'CosineAnnealingLR': return new optim.CosineAnnealingLR(opt, o as unknown as optim.CosineAnnealingLROptions);
    case 'LinearLR': return new optim.LinearLR(opt, o as optim.LinearLROptions);
    case 'OneCycleLR': return new optim.OneCycleLR(opt, o as unknown as optim.OneCycleLROptions);
  }
}

function momentumOf(opt: AnyOpt): number[] {
  return opt.paramGroups.map((g) => {
    const o = g.options as { momentum?: number; betas?: [number, number] };
    return o.betas ? o.betas[0] : o.momentum!;
  });
}

function assertRow(actual: number[], expected: number[], what: string): void {
  assertClose(actual, expected, LR_TOL, what);
}

describe('LR schedulers reproduce torch.optim.lr_scheduler (rtol 1e-12)', () => {
  for (const c of fixture.schedulers) {
    test(`${c.name}: getLastLr() after construction and after each of ${c.lrs.length - 1} steps equals torch's`, () => {
      const opt = groupsOptimizer(c.optimizer, c.groupLrs);
      const sched = makeScheduler(c, opt);
      c.lrs.forEach((expected, k) => {
        if (k > 0) { opt.step(); sched.step(); }
        assertRow(sched.getLastLr(), expected, `${c.name} lr after ${k} step(s)`);
        assert.deepEqual(opt.paramGroups.map((g) => g.options.lr), sched.getLastLr(), 'the groups hold the scheduled lr');
        if (c.scheduler === 'OneCycleLR') assertRow(momentumOf(opt), c.momentum[k]!, `${c.name} momentum after ${k} step(s)`);
      });
    });

    test(`${c.name}: a scheduler and optimizer restored from JSON state dicts after 11 steps continue exactly`, () => {
      const opt = groupsOptimizer(c.optimizer, c.groupLrs);
      const sched = makeScheduler(c, opt);
      for (let k = 0; k < 11; k++) { opt.step(); sched.step(); }
      const savedOpt = optim.optimizerStateToJSON(opt.stateDict());
      const savedSched = JSON.stringify(sched.stateDict());
      // PyTorch's order: build both, then load the optimizer (lrs, schedule values) and the scheduler.
      const opt2 = groupsOptimizer(c.optimizer, c.groupLrs);
      const sched2 = makeScheduler(c, opt2);
      opt2.loadStateDict(optim.optimizerStateFromJSON(savedOpt));
      sched2.loadStateDict(JSON.parse(savedSched) as optim.SchedulerStateDict);
      assert.deepEqual(sched2.getLastLr(), sched.getLastLr());
      for (let k = 12; k < c.lrs.length; k++) {
        opt2.step(); sched2.step();
        sched.step();
        assert.deepEqual(sched2.getLastLr(), sched.getLastLr(), `${c.name} step ${k}`);
        assertRow(sched2.getLastLr(), c.lrs[k]!, `${c.name} resumed lr after ${k} steps`);
        if (c.scheduler === 'OneCycleLR') assertRow(momentumOf(opt2), c.momentum[k]!, `${c.name} resumed momentum after ${k} steps`);
      }
    });
  }
});

function plateau(c: PlateauCase): { opt: AnyOpt; sched: optim.ReduceLROnPlateau } {
  const opt = groupsOptimizer('SGD', c.groupLrs);
  return { opt, sched: new optim.ReduceLROnPlateau(opt, c.options as optim.ReduceLROnPlateauOptions) };
}

describe('ReduceLROnPlateau reproduces torch on fixed metric sequences', () => {
  for (const c of fixture.plateau) {
    test(`${c.name}: the lrs after each of ${c.metrics.length} metrics equal torch's`, () => {
      const { sched } = plateau(c);
      c.metrics.forEach((m, k) => {
        sched.step(m);
        assertRow(sched.getLastLr(), c.lrs[k]!, `${c.name} after metric ${k}`);
      });
    });

    test(`${c.name}: restoring the state dict mid-way, or before any metric, continues exactly`, () => {
      const fresh = plateau(c);
      const beforeAny = JSON.stringify(fresh.sched.stateDict());
      const { sched } = plateau(c);
      c.metrics.slice(0, 9).forEach((m) => sched.step(m));
      const saved = JSON.stringify(sched.stateDict());
      for (const [text, from] of [[saved, 9], [beforeAny, 0]] as const) {
        const { opt, sched: s2 } = plateau(c);
        opt.paramGroups.forEach((g, i) => { g.options.lr = from === 0 ? c.groupLrs[i]! : c.lrs[from - 1]![i]!; });
        s2.loadStateDict(JSON.parse(text) as optim.SchedulerStateDict);
        c.metrics.slice(from).forEach((m, k) => {
          s2.step(m);
          assertRow(s2.getLastLr(), c.lrs[from + k]!, `${c.name} resumed at ${from}, metric ${from + k}`);
        });
      }
    });
  }

  test('a one-element tensor is accepted as the metric', () => {
    const opt = groupsOptimizer('SGD', [0.1]);
    const sched = new optim.ReduceLROnPlateau(opt, { patience: 0 });
    sched.step(torch.tensor([1]));
    sched.step(torch.tensor([2]));
    assert.ok(Math.abs(sched.getLastLr()[0]! - 0.01) < 1e-17);
  });
});

describe('scheduler conventions', () => {
  test('construction performs the initial step: lastEpoch is 0 and the lr is the epoch-0 value', () => {
    const opt = groupsOptimizer('SGD', [0.2]);
    const sched = new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 4 });
    assert.equal(sched.lastEpoch, 0);
    assert.deepEqual(sched.getLastLr(), [0.1]);
    assert.equal(opt.paramGroups[0]!.schedule.initialLr, 0.2);
  });

  test('a scheduler resumed with lastEpoch needs initialLr from the optimizer state, then uses the closed form', () => {
    const opt = groupsOptimizer('SGD', [0.1]);
    assert.throws(() => new optim.CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 }), /CosineAnnealingLR: param group 0 has no initialLr/);
    opt.paramGroups[0]!.schedule.initialLr = 0.1;
    const sched = new optim.CosineAnnealingLR(opt, { tMax: 10, lastEpoch: 4 });
    assert.equal(sched.lastEpoch, 5);
    assert.ok(Math.abs(sched.getLastLr()[0]! - 0.05) < 1e-15);
  });

  test('OneCycleLR throws when stepped past totalSteps', () => {
    const opt = groupsOptimizer('SGD', [0.1]);
    const sched = new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 3 });
    for (let k = 0; k < 3; k++) sched.step();
    assert.throws(() => sched.step(), /OneCycleLR: tried to step 5 times; the specified number of total steps is 3/);
  });

  test('loading a scheduler state dict with missing keys, other kinds or another group count fails', () => {
    const opt = groupsOptimizer('SGD', [0.1, 0.05]);
    const sched = new optim.StepLR(opt, { stepSize: 2 });
    const sd = sched.stateDict();
    const { gamma: _g, ...noGamma } = sd;
    assert.throws(() => sched.loadStateDict(noGamma), /StepLR\.loadStateDict: missing keys: gamma/);
    assert.throws(() => sched.loadStateDict({ ...sd, gamma: 'big' }), /gamma should be a number, got a string/);
    assert.throws(() => sched.loadStateDict({ ...sd, baseLrs: [0.1] }), /baseLrs has 1 value\(s\), the optimizer has 2 parameter group\(s\)/);
    assert.throws(() => new optim.ExponentialLR(opt, { gamma: 0.9 }).loadStateDict(sd), /ExponentialLR\.loadStateDict: unexpected keys: stepSize/);
  });
});

describe('invalid scheduler options throw a ValueError naming the scheduler and the value', () => {
  const opt = (): AnyOpt => groupsOptimizer('SGD', [0.1]);
  const cases: [string, () => unknown, RegExp][] = [
    ['StepLR with stepSize 0', () => new optim.StepLR(opt(), { stepSize: 0 }), /^StepLR: stepSize must be a positive integer, got 0$/],
    ['MultiStepLR with a fractional milestone', () => new optim.MultiStepLR(opt(), { milestones: [2.5] }), /^MultiStepLR: milestones must be integers, got \[2\.5\]$/],
    ['LinearLR with startFactor 0', () => new optim.LinearLR(opt(), { startFactor: 0 }), /^LinearLR: startFactor must be in \(0, 1\], got 0$/],
    ['LinearLR with endFactor 2', () => new optim.LinearLR(opt(), { endFactor: 2 }), /^LinearLR: endFactor must be in \[0, 1\], got 2$/],
    ['CosineAnnealingLR with tMax 0', () => new optim.CosineAnnealingLR(opt(), { tMax: 0 }), /^CosineAnnealingLR: tMax must be positive, got 0$/],
    ['OneCycleLR without a length', () => new optim.OneCycleLR(opt(), { maxLr: 1 }), /^OneCycleLR: you must define either totalSteps or \(epochs and stepsPerEpoch\)$/],
    ['OneCycleLR with pctStart 1.5', () => new optim.OneCycleLR(opt(), { maxLr: 1, totalSteps: 10, pctStart: 1.5 }), /^OneCycleLR: expected pctStart between 0 and 1, got 1\.5$/],
    ['OneCycleLR with two maxLr values for one group', () => new optim.OneCycleLR(opt(), { maxLr: [1, 2], totalSteps: 10 }), /^OneCycleLR: expected 1 values for maxLr, got 2$/],
    ['ReduceLROnPlateau with factor 1', () => new optim.ReduceLROnPlateau(opt(), { factor: 1 }), /^ReduceLROnPlateau: factor should be < 1\.0, got 1$/],
    ['ReduceLROnPlateau with an unknown mode', () => new optim.ReduceLROnPlateau(opt(), { mode: 'mean' as 'min' }), /^ReduceLROnPlateau: mode must be 'min' or 'max', got mean$/],
  ];
  for (const [what, make, message] of cases) {
    test(`${what} is rejected`, () => {
      assert.throws(make, (e: unknown) => e instanceof ValueError && message.test(e.message));
    });
  }

  test('OneCycleLR with cycleMomentum on an optimizer without momentum says so', () => {
    class Plain extends optim.Optimizer<{ lr: number }> {
      constructor() { super('Plain', [torch.zeros([1], { requiresGrad: true })], { lr: 0.1 }); }
      protected validate(): void {}
      protected initState(): optim.ParamState { return {}; }
      protected requiredState(): string[] { return []; }
      protected update(): void {}
    }
    assert.throws(() => new optim.OneCycleLR(new Plain(), { maxLr: 1, totalSteps: 5 }), /OneCycleLR: optimizer Plain has no momentum or betas to cycle; pass cycleMomentum: false/);
    assert.doesNotThrow(() => new optim.OneCycleLR(new Plain(), { maxLr: 1, totalSteps: 5, cycleMomentum: false }));
  });
});
