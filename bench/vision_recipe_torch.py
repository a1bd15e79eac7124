"""PyTorch reference for the Fashion-MNIST ResNet recipe of examples/fashion-mnist.ts.

Trains the same ResNet-14 (16/32/64 channels; the fixture definition of scripts/fixtures/vision.py)
with the same data pipeline (random crop with 2 pixels of padding, horizontal flip, normalise
0.286/0.353), batch 128 and OneCycleLR, on one thread, and prints the test accuracy per epoch.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/vision_recipe_torch.py EPOCHS MAX_LR WEIGHT_DECAY adam|sgd
    e.g. 8 0.1 5e-4 sgd (Nesterov, momentum 0.9) or 6 2e-3 0 adam

Results of the runs made: bench/vision-results/resnet-fashion-mnist/pytorch-*.log.
"""
import gzip, sys, time, os
import numpy as np
import torch, torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts', 'fixtures'))
from vision import ResNet
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
maxlr = float(sys.argv[2]) if len(sys.argv) > 2 else 2e-3
wd = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
torch.set_num_threads(1); torch.manual_seed(0); np.random.seed(0)
R = '/usr/share/datasets/fashion-mnist/'
def imgs(f):
    with gzip.open(R + f) as fh: d = fh.read()
    return torch.tensor(np.frombuffer(d, np.uint8, offset=16).reshape(-1, 1, 28, 28).astype(np.float32) / 255)
def labs(f):
    with gzip.open(R + f) as fh: d = fh.read()
    return torch.tensor(np.frombuffer(d, np.uint8, offset=8).astype(np.int64))
xtr, ytr = (imgs('train-images-idx3-ubyte.gz') - 0.286) / 0.353, labs('train-labels-idx1-ubyte.gz')
xte, yte = (imgs('t10k-images-idx3-ubyte.gz') - 0.286) / 0.353, labs('t10k-labels-idx1-ubyte.gz')
pad_value = (0 - 0.286) / 0.353  # torchvision pads the PIL image with 0 before normalising
model = ResNet(blocks=(2, 2, 2), widths=(16, 32, 64))
kind = sys.argv[4] if len(sys.argv) > 4 else 'adam'
if kind == 'sgd':
    opt = torch.optim.SGD(model.parameters(), lr=maxlr, momentum=0.9, nesterov=True, weight_decay=wd)
else:
    opt = torch.optim.AdamW(model.parameters(), lr=maxlr, weight_decay=wd) if wd > 0 else torch.optim.Adam(model.parameters(), lr=maxlr)
steps = (len(xtr) + 127) // 128
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=maxlr, epochs=epochs, steps_per_epoch=steps)
for ep in range(epochs):
    t0 = time.time(); model.train(); perm = torch.randperm(len(xtr)); tl = 0
    for i in range(steps):
        idx = perm[i * 128:(i + 1) * 128]
        xb = F.pad(xtr[idx], (2, 2, 2, 2), value=pad_value)
        ox, oy = np.random.randint(0, 5, len(idx)), np.random.randint(0, 5, len(idx))
        xb = torch.stack([xb[j, :, oy[j]:oy[j] + 28, ox[j]:ox[j] + 28] for j in range(len(idx))])
        flip = torch.rand(len(idx)) < 0.5
        xb[flip] = xb[flip].flip(3)
        loss = F.cross_entropy(model(xb), ytr[idx])
        opt.zero_grad(); loss.backward(); opt.step(); sched.step(); tl += loss.item()
    model.eval(); correct = 0
    with torch.no_grad():
        for i in range(0, len(xte), 500): correct += (model(xte[i:i + 500]).argmax(1) == yte[i:i + 500]).sum().item()
    print(f'epoch {ep + 1}: loss {tl / steps:.4f} test acc {100 * correct / len(xte):.2f}% {time.time() - t0:.0f}s', flush=True)
