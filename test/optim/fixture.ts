/** Shared by the optim tests: the PyTorch fixture (scripts/fixtures/optim.py) and the problem it optimizes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '../../src/index.js';
import { nn, optim, type Tensor } from '../../src/index.js';
import { repoRoot } from '../helpers/fixtures.js';

export interface Flat { shape: number[]; data: number[] }

export interface OptimizerCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: Record<string, unknown>;
  group1: Record<string, unknown>;
  problem: Record<'weight' | 'bias' | 'v' | 'X' | 'Y' | 'a' | 't', Flat>;
  steps: { loss: number; params: number[][] }[];
  state: Record<string, Record<string, number | number[]>>;
}

export interface SchedulerCase {
  name: string;
  scheduler: 'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LinearLR' | 'OneCycleLR';
  optimizer: 'SGD' | 'Adam';
  groupLrs: number[];
  options: Record<string, unknown>;
  lrs: number[][];
  momentum: number[][];
}

export interface PlateauCase { name: string; groupLrs: number[]; options: Record<string, unknown>; metrics: number[]; lrs: number[][] }

export interface ClipCase {
  name: string;
  fn: 'norm' | 'value';
  grads: Flat[];
  maxNorm?: number;
  normType?: number | 'inf';
  clipValue?: number;
  totalNorm?: number;
  clipped: number[][];
}

export const fixture = JSON.parse(readFileSync(join(repoRoot(), 'fixtures', 'optim.json'), 'utf8')) as {
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  plateau: PlateauCase[];
  clip: ClipCase[];
};

// requiresGrad_ after creation: tensor(data, { shape, requiresGrad }) currently returns a non-leaf.
export const f64 = (e: Flat, requiresGrad = false): Tensor => torch.tensor(e.data, { dtype: 'float64', shape: e.shape }).requiresGrad_(requiresGrad);

/** Any optimizer, seen through the base class (stateDict/loadStateDict of any of them). */
export type AnyOpt = optim.Optimizer<optim.BaseOptions, object>;

/** The optimizer a case names, over groups [[weight, bias], [v]] with the case's options. */
export function makeOptimizer(kind: OptimizerCase['optimizer'], groups: [Tensor[], Tensor[]], options: Record<string, unknown>, group1: Record<string, unknown>): AnyOpt {
  const spec = <H>() => [{ params: groups[0] }, { params: groups[1], options: group1 as Partial<H> }];
  switch (kind) {
    case 'SGD': return new optim.SGD(spec<optim.SGDOptions>(), options as unknown as optim.SGDOptions);
    case 'Adam': return new optim.Adam(spec<optim.AdamOptions>(), options as Partial<optim.AdamOptions>);
    case 'AdamW': return new optim.AdamW(spec<optim.AdamOptions>(), options as Partial<optim.AdamOptions>);
    case 'RMSprop': return new optim.RMSprop(spec<optim.RMSpropOptions>(), options as Partial<optim.RMSpropOptions>);
  }
}

/** The fixture's problem in tsorch: a float64 Linear(4, 3), the free tensor v and the loss. */
export class Problem {
  readonly lin = new nn.Linear(4, 3).double();
  readonly v: Tensor;
  private readonly X: Tensor;
  private readonly Y: Tensor;
  private readonly a: Tensor;
  private readonly t: Tensor;

  constructor(p: OptimizerCase['problem'], start?: number[][]) {
    this.lin.loadStateDict({ weight: f64(p.weight), bias: f64(p.bias) });
    this.v = f64(p.v, true);
    [this.X, this.Y, this.a, this.t] = [f64(p.X), f64(p.Y), f64(p.a), f64(p.t)];
    if (start) torch.noGrad(() => this.params().forEach((q, i) => q.copy_(torch.tensor(start[i]!, { dtype: 'float64' }).reshape(q.shape))));
  }

  params(): [Tensor, Tensor, Tensor] {
    return [this.lin.weight, this.lin.bias!, this.v];
  }

  /** mse_loss(linear(X), Y) + sum(a·(v − t)²) + 0.05·sum(v⁴), as the fixture script. */
  loss(): Tensor {
    const d = this.lin.forward(this.X).sub(this.Y);
    return d.mul(d).mean().add(this.a.mul(this.v.sub(this.t).pow(2)).sum()).add(this.v.pow(4).sum().mul(0.05));
  }

  /** One training step; returns the loss. */
  step(opt: AnyOpt): number {
    opt.zeroGrad();
    const loss = this.loss();
    loss.backward();
    opt.step();
    return loss.item();
  }

  values(): number[][] {
    return this.params().map((q) => Array.from(q.dataSync()));
  }
}
