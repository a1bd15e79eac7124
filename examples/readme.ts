import * as torch from 'tsorch';

torch.manualSeed(0);
const x = torch.linspace(-3, 3, 128).unsqueeze(1); // inputs, shape (128, 1)
const y = x.sin(); // targets: sin(x)

// A tiny MLP 1 → 32 → 1: its parameters are leaf tensors that require grad.
const w1 = torch.randn([1, 32]).requiresGrad_();
const b1 = torch.zeros([32], { requiresGrad: true });
const w2 = torch.randn([32, 1]).mul(0.1).requiresGrad_();
const b2 = torch.zeros([1], { requiresGrad: true });
const opt = new torch.optim.SGD([w1, b1, w2, b2], { lr: 0.05, momentum: 0.9 });

for (let step = 0; step <= 500; step++) {
  const pred = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
  const loss = pred.sub(y).pow(2).mean(); // mean squared error
  opt.zeroGrad();
  loss.backward(); // fills w1.grad, b1.grad, w2.grad, b2.grad
  opt.step();
  if (step % 100 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(5)}`);
}
