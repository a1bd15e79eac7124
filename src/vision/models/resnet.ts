/** A small ResNet (He et al., 2015) for small images, with torchvision's names. */
import { nn, type Tensor } from '../../index.js';
import { checkImageBatch, initTorchvision, positiveInt, type ImageShape } from './common.js';

/**
 * torchvision's BasicBlock: conv1 (3×3, stride) → bn1 → ReLU → conv2 (3×3) → bn2, plus the
 * shortcut (the input, or `downsample` = 1×1 conv with the stride → batch norm when the shape
 * changes), then ReLU. Convs have no bias (batch norm follows each).
 *
 * input (N, inPlanes, H, W) → (N, planes, ⌈H / stride⌉, ⌈W / stride⌉).
 *
 * @example
 * ```ts
 * new BasicBlock(16, 32, 2).forward(torch.randn([1, 16, 28, 28])).shape; // [1, 32, 14, 14]
 * ```
 */
export class BasicBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  downsample: nn.Sequential | null;

  constructor(readonly inPlanes: number, readonly planes: number, readonly stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    this.downsample = stride !== 1 || inPlanes !== planes
      ? new nn.Sequential(new nn.Conv2d(inPlanes, planes, 1, { stride, bias: false }), new nn.BatchNorm2d(planes))
      : null;
  }

  forward(x: Tensor): Tensor {
    const out = this.bn2.forward(this.conv2.forward(this.bn1.forward(this.conv1.forward(x)).relu()));
    return out.add(this.downsample ? this.downsample.forward(x) : x).relu();
  }
}

/** Options of ResNet. */
export interface ResNetOptions {
  /** BasicBlocks in layer1, layer2, layer3. Default [2, 2, 2] (a ResNet-14). */
  blocks?: readonly [number, number, number];
  /** Channels of layer1, layer2, layer3 (the stem has the first). Default [16, 32, 64]. */
  widths?: readonly [number, number, number];
  /** Image channels. Default 1. */
  inChannels?: number;
  /** Image height and width. Default 28. */
  inputSize?: number;
  /** Output classes. Default 10. */
  numClasses?: number;
}

/**
 * A ResNet for small images in torchvision's layout: conv1 (3×3, stride 1, no bias) → bn1 → ReLU
 * → layer1 → layer2 (stride 2) → layer3 (stride 2) → global average pool → fc. Unlike
 * torchvision's ImageNet stem (7×7 stride-2 conv and a max pool) the stem keeps the full
 * resolution, as the CIFAR ResNets of the paper do, since a 28×28 image has no pixels to spare;
 * and there are three stages, not four. Names: `conv1.weight`, `bn1.running_mean`,
 * `layer2.0.downsample.0.weight`, `layer3.1.bn2.bias`, `fc.weight`. Initialised as
 * torchvision's ResNet (He-normal convs, batch norm 1 and 0, default fc).
 *
 * input (N, inChannels, inputSize, inputSize) → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const net = new ResNet(); // 1×28×28 → 10 classes, 16/32/64 channels, two blocks per stage
 * net.forward(torch.randn([2, 1, 28, 28])).shape; // [2, 10]
 * ```
 */
export class ResNet extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  avgpool: nn.AdaptiveAvgPool2d;
  fc: nn.Linear;
  /** The image shape the model takes: [channels, height, width]. */
  readonly inputShape: ImageShape;

  constructor(opts: ResNetOptions = {}) {
    super();
    const blocks = (opts.blocks ?? [2, 2, 2]).map((b) => positiveInt('ResNet', 'blocks', b));
    const widths = (opts.widths ?? [16, 32, 64]).map((w) => positiveInt('ResNet', 'widths', w));
    const c = positiveInt('ResNet', 'inChannels', opts.inChannels ?? 1);
    const size = positiveInt('ResNet', 'inputSize', opts.inputSize ?? 28);
    this.inputShape = [c, size, size];
    this.conv1 = new nn.Conv2d(c, widths[0]!, 3, { padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(widths[0]!);
    let inPlanes = widths[0]!;
    const stage = (i: number): nn.Sequential => {
      const layer = new nn.Sequential();
      for (let b = 0; b < blocks[i]!; b++) {
        layer.append(new BasicBlock(inPlanes, widths[i]!, b === 0 && i > 0 ? 2 : 1));
        inPlanes = widths[i]!;
      }
      return layer;
    };
    this.layer1 = stage(0);
    this.layer2 = stage(1);
    this.layer3 = stage(2);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.fc = new nn.Linear(inPlanes, positiveInt('ResNet', 'numClasses', opts.numClasses ?? 10));
    initTorchvision(this, { linear: 'default' });
  }

  forward(x: Tensor): Tensor {
    checkImageBatch('ResNet', x, this.inputShape);
    let h = this.bn1.forward(this.conv1.forward(x)).relu();
    h = this.layer3.forward(this.layer2.forward(this.layer1.forward(h)));
    return this.fc.forward(this.avgpool.forward(h).flatten(1));
  }
}
