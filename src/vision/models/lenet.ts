/** LeNet-5 (LeCun et al., 1998) in its common modern form: ReLU and max pooling. */
import { nn, ValueError, type Tensor } from '../../index.js';
import { checkImageBatch, positiveInt, type ImageShape } from './common.js';

const F = nn.functional;

/** Options of LeNet5. */
export interface LeNet5Options {
  /** Image channels. Default 1. */
  inChannels?: number;
  /** Image height and width. Default 28 (MNIST, Fashion-MNIST). */
  inputSize?: number;
  /** Output classes. Default 10. */
  numClasses?: number;
}

/**
 * LeNet-5: conv1 (5×5, 6 maps, padding 2) → ReLU → 2×2 max pool → conv2 (5×5, 16 maps) → ReLU →
 * 2×2 max pool → fc1 (120) → ReLU → fc2 (84) → ReLU → fc3 (classes). The padding of 2 lets a
 * 28×28 image take the place of the original 32×32 one, so fc1 sees 16×5×5 = 400 features as in
 * the paper (other sizes change that count). The original's tanh, average pooling and partial
 * conv2 connections are replaced by ReLU, max pooling and full connections, as in most PyTorch
 * versions. Parameter names: conv1, conv2, fc1, fc2, fc3 (.weight/.bias), 61,706 for the defaults.
 *
 * input (N, inChannels, inputSize, inputSize) → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const net = new LeNet5();
 * net.forward(torch.randn([8, 1, 28, 28])).shape; // [8, 10]
 * ```
 */
export class LeNet5 extends nn.Module {
  conv1: nn.Conv2d;
  conv2: nn.Conv2d;
  fc1: nn.Linear;
  fc2: nn.Linear;
  fc3: nn.Linear;
  /** The image shape the model takes: [channels, height, width]. */
  readonly inputShape: ImageShape;

  constructor(opts: LeNet5Options = {}) {
    super();
    const c = positiveInt('LeNet5', 'inChannels', opts.inChannels ?? 1);
    const size = positiveInt('LeNet5', 'inputSize', opts.inputSize ?? 28);
    const classes = positiveInt('LeNet5', 'numClasses', opts.numClasses ?? 10);
    // 5×5 conv with padding 2 keeps the size, pool halves; 5×5 conv without padding takes 4, pool halves.
    const after = Math.floor((Math.floor(size / 2) - 4) / 2);
    if (after < 1) throw new ValueError('LeNet5', `inputSize ${size} is too small: the two conv + pool stages need at least 12×12 images`);
    this.inputShape = [c, size, size];
    this.conv1 = new nn.Conv2d(c, 6, 5, { padding: 2 });
    this.conv2 = new nn.Conv2d(6, 16, 5);
    this.fc1 = new nn.Linear(16 * after * after, 120);
    this.fc2 = new nn.Linear(120, 84);
    this.fc3 = new nn.Linear(84, classes);
  }

  forward(x: Tensor): Tensor {
    checkImageBatch('LeNet5', x, this.inputShape);
    let h = F.maxPool2d(this.conv1.forward(x).relu(), 2);
    h = F.maxPool2d(this.conv2.forward(h).relu(), 2);
    h = h.flatten(1);
    return this.fc3.forward(this.fc2.forward(this.fc1.forward(h).relu()).relu());
  }
}
