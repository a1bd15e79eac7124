"""PyTorch reference for `npm run bench:vision` (bench/vision.ts starts it; not meant to be run by hand).

Reads one case as JSON from argv[1]: {"model": "lenet"|"vgg"|"resnet", "options": {...},
"batchSize": N, "batches": N, "warmup": N}. Builds the same model as tsorch's src/vision/models
(the plain-torch.nn definitions of scripts/fixtures/vision.py, which the parity tests check),
then times Adam training steps (forward, cross-entropy, backward, step) on one seeded random
batch of (N, 1, 28, 28) images, and evaluation forwards under no_grad. Prints one JSON line.

Run by the driver with /usr/bin/python3 (Debian's PyTorch 1.13), OPENBLAS_CORETYPE=SkylakeX,
torch.set_num_threads(2).
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'scripts', 'fixtures'))
from torch_bench import machine_busy_seconds  # noqa: E402  (the same contention measure as npm run bench)
from vision import VGG, LeNet5, ResNet  # noqa: E402  (the fixture definitions, checked against tsorch)


def build(name, o):
    if name == 'lenet':
        return LeNet5()
    if name == 'vgg':
        return VGG(o.get('config', [32, 'M', 64, 'M', 128, 128, 'M']), hidden=o.get('hidden', 256))
    if name == 'resnet':
        return ResNet(blocks=tuple(o.get('blocks', (2, 2, 2))), widths=tuple(o.get('widths', (16, 32, 64))))
    raise SystemExit(f'vision_torch.py: unknown model {name}')


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def main():
    case = json.loads(sys.argv[1])
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = build(case['model'], case.get('options', {}))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = case['batchSize']
    x = torch.randn(n, 1, 28, 28)
    y = torch.randint(0, 10, (n,))

    def train_step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()

    def eval_step():
        with torch.no_grad():
            model(x).argmax(1)

    busy0, own0, wall0 = machine_busy_seconds(), time.process_time(), time.perf_counter()
    model.train()
    train_ms = timed(train_step, case['warmup'], case['batches'])
    model.eval()
    eval_ms = timed(eval_step, 1, max(3, case['batches'] // 2))
    busy1, own1, wall1 = machine_busy_seconds(), time.process_time(), time.perf_counter()
    others = None
    if busy0 is not None and busy1 is not None:
        others = round(min(1.0, max(0.0, ((busy1 - busy0) - (own1 - own0)) / ((wall1 - wall0) * os.cpu_count()))), 2)
    print(json.dumps({
        'engine': 'pytorch', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
        'trainMs': train_ms, 'evalMs': eval_ms, 'othersCpu': others,
    }))


if __name__ == '__main__':
    main()
