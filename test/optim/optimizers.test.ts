import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as torch from '../../src/index.js';
import { optim, ValueError, type Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { fixture, makeOptimizer, Problem, type AnyOpt, type OptimizerCase } from './fixture.js';

const PARAM_TOL = { rtol: 1e-10, atol: 1e-14 };
const NAMES = ['weight', 'bias', 'v'];

function setup(c: OptimizerCase, start?: number[][]): { prob: Problem; opt: AnyOpt } {
  const prob = new Problem(c.problem, start);
  const [w, b, v] = prob.params();
  return { prob, opt: makeOptimizer(c.optimizer, [[w, b], [v]], c.options, c.group1) };
}

function assertStep(actual: number[][], expected: number[][], what: string): void {
  expected.forEach((e, i) => assertClose(actual[i]!, e, PARAM_TOL, `${what} ${NAMES[i]}`));
}

describe('optimizers follow PyTorch 1.13 step for step (float64, rtol 1e-10)', () => {
  for (const c of fixture.optimizers) {
    test(`${c.name}: every parameter after each of ${c.steps.length} steps equals torch's`, () => {
      const { prob, opt } = setup(c);
      c.steps.forEach((s, k) => {
        const loss = prob.step(opt);
        assertClose([loss], [s.loss], PARAM_TOL, `${c.name} loss before step ${k + 1}`);
        assertStep(prob.values(), s.params, `${c.name} step ${k + 1}`);
      });
    });

    test(`${c.name}: the state dict holds torch's state keys and values after the last step`, () => {
      const { prob, opt } = setup(c);
      for (let k = 0; k < c.steps.length; k++) prob.step(opt);
      const { state } = opt.stateDict();
      assert.deepEqual(Object.keys(state).sort(), Object.keys(c.state).sort());
      for (const [id, entry] of Object.entries(c.state)) {
        assert.deepEqual(Object.keys(state[id]!).sort(), Object.keys(entry).sort(), `keys of parameter ${id}`);
        for (const [k, v] of Object.entries(entry)) {
          const mine = state[id]![k]!;
          if (typeof v === 'number') assert.equal(mine, v, `${id}.${k}`);
          else assertClose(Array.from((mine as Tensor).dataSync()), v, PARAM_TOL, `${c.name} state ${id}.${k}`);
        }
      }
    });

    test(`${c.name}: resuming from a JSON state dict after 2 steps gives exactly the uninterrupted steps`, () => {
      const straight = setup(c);
      const first = setup(c);
      const straightValues: number[][][] = [];
      for (let k = 0; k < c.steps.length; k++) {
        straight.prob.step(straight.opt);
        straightValues.push(straight.prob.values());
      }
      first.prob.step(first.opt);
      first.prob.step(first.opt);
      const saved = optim.optimizerStateToJSON(first.opt.stateDict());
      const resumed = setup(c, first.prob.values());
      resumed.opt.loadStateDict(optim.optimizerStateFromJSON(saved));
      for (let k = 2; k < c.steps.length; k++) {
        resumed.prob.step(resumed.opt);
        assert.deepEqual(resumed.prob.values(), straightValues[k], `${c.name}: step ${k + 1} after resuming`);
        assertStep(resumed.prob.values(), c.steps[k]!.params, `${c.name} resumed step ${k + 1}`);
      }
    });
  }
});

describe('optimizer state dicts', () => {
  const adamCase = fixture.optimizers.find((c) => c.name === 'adam_amsgrad')!;

  test('stateDict is a snapshot: later steps do not change it', () => {
    const { prob, opt } = setup(adamCase);
    prob.step(opt);
    const sd = opt.stateDict();
    const before = Array.from((sd.state['0']!['exp_avg'] as Tensor).dataSync());
    prob.step(opt);
    assert.deepEqual(Array.from((sd.state['0']!['exp_avg'] as Tensor).dataSync()), before);
    assert.equal(sd.state['0']!['step'], 1);
  });

  test('stateDict numbers parameters in group order and keeps each group\'s options', () => {
    const { prob, opt } = setup(fixture.optimizers.find((c) => c.name === 'sgd_maximize_groups')!);
    prob.step(opt);
    const sd = opt.stateDict();
    assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0, 1], [2]]);
    assert.deepEqual(sd.paramGroups[1]!.options, { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 0.2, nesterov: false, maximize: true });
  });

  test('loading restores group options, so a changed lr is undone', () => {
    const { prob, opt } = setup(adamCase);
    prob.step(opt);
    const sd = opt.stateDict();
    opt.paramGroups[0]!.options.lr = 123;
    opt.loadStateDict(sd);
    assert.equal(opt.paramGroups[0]!.options.lr, 0.05);
  });

  test('loading a state dict with a different number of groups or parameters fails and changes nothing', () => {
    const { prob, opt } = setup(adamCase);
    prob.step(opt);
    const sd = opt.stateDict() as optim.OptimizerStateDict<optim.AdamOptions>;
    const [w, b, v] = prob.params();
    const oneGroup = new optim.Adam([w, b, v]);
    assert.throws(() => oneGroup.loadStateDict(sd), /Adam\.loadStateDict: the state dict has 2 parameter group\(s\), the optimizer has 1/);
    const fewer = new optim.Adam([{ params: [w] }, { params: [v] }]);
    assert.throws(() => fewer.loadStateDict(sd), /parameter group 0 has 2 parameter\(s\) in the state dict, 1 in the optimizer/);
    const lr = opt.paramGroups[0]!.options.lr;
    const bad = { ...sd, state: { ...sd.state, '0': { ...sd.state['0']!, exp_avg: torch.zeros([2], { dtype: 'float64' }) } } };
    assert.throws(() => opt.loadStateDict(bad), /state 'exp_avg' of parameter 0 has shape \[2\], the parameter \[3,4\]/);
    assert.equal(opt.paramGroups[0]!.options.lr, lr);
  });

  test('loading state that lacks a required buffer, or another optimizer\'s options, fails with a clear error', () => {
    const { prob, opt } = setup(adamCase);
    prob.step(opt);
    const sd = opt.stateDict();
    const { max_exp_avg_sq: _dropped, ...rest } = sd.state['1']!;
    assert.throws(() => opt.loadStateDict({ ...sd, state: { ...sd.state, '1': rest } }), /state of parameter 1 lacks 'max_exp_avg_sq'/);
    const [w, b, v] = prob.params();
    const sgd = new optim.SGD([{ params: [w, b] }, { params: [v] }], { lr: 0.1 });
    assert.throws(() => sgd.loadStateDict(sd as unknown as optim.OptimizerStateDict<optim.SGDOptions>), /SGD\.loadStateDict: parameter group 0 has options \{amsgrad,betas,eps,lr,maximize,weightDecay\}/);
  });
});

describe('optimizer behaviour', () => {
  const sgdCase = fixture.optimizers.find((c) => c.name === 'sgd_momentum')!;

  test('a group lr changed between steps is used by the next step (schedulers rely on it)', () => {
    const { prob, opt } = setup(sgdCase);
    opt.paramGroups[1]!.options.lr = 0;
    const before = prob.values()[2];
    prob.step(opt);
    assert.deepEqual(prob.values()[2], before);
  });

  test('parameters without a gradient are skipped and get no state', () => {
    const w = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const unused = torch.tensor([5], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.Adam([w, unused], { lr: 0.1 });
    w.mul(w).sum().backward();
    opt.step();
    assert.deepEqual(unused.toArray(), [5]);
    assert.deepEqual(Object.keys(opt.stateDict().state), ['0']);
  });

  test('step(closure) evaluates the closure with grad enabled and returns its loss', () => {
    const w = torch.tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.25 });
    const loss = torch.noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l.item();
    }));
    assert.equal(loss, 9);
    assert.deepEqual(w.toArray(), [1.5]);
  });

  test('float32 parameters keep their dtype and their state is float32 too', () => {
    const w = torch.tensor([1, -2, 3], { requiresGrad: true });
    const opt = new optim.AdamW([w], { lr: 0.1 });
    w.mul(w).sum().backward();
    opt.step();
    assert.equal(w.dtype, 'float32');
    assert.equal((opt.stateDict().state['0']!['exp_avg'] as Tensor).dtype, 'float32');
  });

  test('addParamGroup adds a group with its own options and rejects a parameter already present', () => {
    const a = torch.tensor([1], { dtype: 'float64', requiresGrad: true });
    const b = torch.tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.RMSprop([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], options: { lr: 0.5, centered: true } });
    assert.equal(opt.paramGroups[1]!.options.lr, 0.5);
    assert.equal(opt.paramGroups[1]!.options.alpha, 0.99);
    assert.throws(() => opt.addParamGroup({ params: [a] }), /RMSprop: some parameters appear in more than one parameter group/);
  });

  test('zeroGrad sets gradients to null, or zeroes them with setToNone false', () => {
    const w = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.sum().backward();
    opt.zeroGrad(false);
    assert.deepEqual(w.grad!.toArray(), [0, 0]);
    opt.zeroGrad();
    assert.equal(w.grad, null);
  });
});

describe('invalid options throw a ValueError naming the optimizer and the value', () => {
  const p = (): Tensor[] => [torch.zeros([2], { requiresGrad: true })];
  const cases: [string, () => unknown, RegExp][] = [
    ['SGD with a negative lr', () => new optim.SGD(p(), { lr: -0.1 }), /^SGD: invalid learning rate: -0\.1$/],
    ['SGD with a negative momentum', () => new optim.SGD(p(), { lr: 0.1, momentum: -1 }), /^SGD: invalid momentum value: -1$/],
    ['SGD with Nesterov and no momentum', () => new optim.SGD(p(), { lr: 0.1, nesterov: true }), /^SGD: Nesterov momentum requires a momentum and zero dampening/],
    ['SGD with a negative weightDecay in one group', () => new optim.SGD([{ params: p(), options: { weightDecay: -0.5 } }], { lr: 0.1 }), /^SGD: invalid weightDecay value: -0\.5$/],
    ['Adam with beta1 = 1', () => new optim.Adam(p(), { betas: [1, 0.999] }), /^Adam: invalid beta parameter at index 0: 1$/],
    ['Adam with a negative beta2', () => new optim.Adam(p(), { betas: [0.9, -0.1] }), /^Adam: invalid beta parameter at index 1: -0\.1$/],
    ['Adam with a NaN lr', () => new optim.Adam(p(), { lr: NaN }), /^Adam: invalid learning rate: NaN$/],
    ['AdamW with a negative eps', () => new optim.AdamW(p(), { eps: -1e-8 }), /^AdamW: invalid epsilon value: -1e-8$/],
    ['AdamW with a negative weightDecay', () => new optim.AdamW(p(), { weightDecay: -0.01 }), /^AdamW: invalid weightDecay value: -0\.01$/],
    ['RMSprop with a negative alpha', () => new optim.RMSprop(p(), { alpha: -0.9 }), /^RMSprop: invalid alpha value: -0\.9$/],
    ['RMSprop with a negative momentum', () => new optim.RMSprop(p(), { momentum: -0.9 }), /^RMSprop: invalid momentum value: -0\.9$/],
    ['an empty parameter list', () => new optim.Adam([]), /^Adam: optimizer got an empty parameter list$/],
    ['a non-leaf parameter', () => new optim.SGD([torch.zeros([2], { requiresGrad: true }).mul(2)], { lr: 1 }), /^SGD: can't optimize a non-leaf tensor \(shape \[2\]\)/],
  ];
  for (const [what, make, message] of cases) {
    test(`${what} is rejected`, () => {
      assert.throws(make, (e: unknown) => e instanceof ValueError && message.test(e.message));
    });
  }
});
