/**
 * `tsorch demo`: the built-in default job. Trains a two-layer MLP on a seeded two-spirals
 * problem with autograd and SGD with momentum, printing the loss as it falls and the held-out
 * accuracy at the end. It exercises tensors, broadcasting, matmul, activations, the
 * log-softmax loss, backward and an optimizer step, in a few seconds on one core.
 */
import * as torch from '../index.js';

export interface DemoOptions {
  steps: number;
  hidden: number;
  lr: number;
  seed: number;
  log: (line: string) => void;
}

export interface DemoResult {
  firstLoss: number;
  finalLoss: number;
  testAccuracy: number;
  seconds: number;
}

/** Two interleaved spirals, `n` points per class, with a little noise. x: (2n, 2), y: (2n) int64. */
export function spirals(n: number, gen: torch.Generator): { x: torch.Tensor; y: torch.Tensor } {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < n; i++) {
      const r = (i / n) * 5 + 0.3;
      const theta = (i / n) * 3.5 * Math.PI + c * Math.PI;
      const noise = () => (gen.nextFloat32() - 0.5) * 0.3;
      xs.push([r * Math.cos(theta) + noise(), r * Math.sin(theta) + noise()]);
      ys.push(c);
    }
  }
  return { x: torch.tensor(xs).div(5), y: torch.tensor(ys, { dtype: 'int64' }) };
}

function mlp(hidden: number): { params: torch.Tensor[]; forward: (x: torch.Tensor) => torch.Tensor } {
  // PyTorch's nn.Linear default init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  const uniform = (shape: number[], fanIn: number) =>
    torch.rand(shape).mul(2).sub(1).mul(1 / Math.sqrt(fanIn)).requiresGrad_();
  const w1 = uniform([2, hidden], 2);
  const b1 = uniform([hidden], 2);
  const w2 = uniform([hidden, hidden], hidden);
  const b2 = uniform([hidden], hidden);
  const w3 = uniform([hidden, 2], hidden);
  const b3 = uniform([2], hidden);
  return {
    params: [w1, b1, w2, b2, w3, b3],
    forward: (x) => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).relu().matmul(w3).add(b3),
  };
}

/** Mean negative log-likelihood of int64 class labels under logits (N, C). */
function crossEntropy(logits: torch.Tensor, y: torch.Tensor): torch.Tensor {
  return logits.logSoftmax(1).gather(1, y.unsqueeze(1)).mean().neg();
}

export function runDemo(opts: Partial<DemoOptions> = {}): DemoResult {
  const o: DemoOptions = { steps: 600, hidden: 64, lr: 0.1, seed: 0, log: console.log, ...opts };
  const start = performance.now();
  torch.manualSeed(o.seed);
  const gen = new torch.Generator(o.seed + 1);
  const train = spirals(200, gen);
  const test = spirals(100, gen);
  const model = mlp(o.hidden);
  const opt = new torch.optim.SGD(model.params, { lr: o.lr, momentum: 0.9 });
  o.log(`tsorch demo: two spirals, MLP 2→${o.hidden}→${o.hidden}→2, SGD(lr=${o.lr}, momentum=0.9), ${o.steps} steps, seed ${o.seed}`);
  let firstLoss = NaN;
  let loss = NaN;
  for (let step = 1; step <= o.steps; step++) {
    const l = crossEntropy(model.forward(train.x), train.y);
    opt.zeroGrad();
    l.backward();
    opt.step();
    loss = l.item();
    if (step === 1) firstLoss = loss;
    if (step === 1 || step % Math.max(1, Math.floor(o.steps / 10)) === 0) o.log(`  step ${String(step).padStart(4)}  loss ${loss.toFixed(4)}`);
  }
  const pred = torch.noGrad(() => model.forward(test.x).argmax(1));
  const testAccuracy = pred.eq(test.y).float().mean().item();
  const seconds = (performance.now() - start) / 1000;
  o.log(`test accuracy ${(testAccuracy * 100).toFixed(1)}% on ${test.y.numel()} held-out points (loss ${firstLoss.toFixed(3)} → ${loss.toFixed(3)}, ${seconds.toFixed(1)} s)`);
  return { firstLoss, finalLoss: loss, testAccuracy, seconds };
}
