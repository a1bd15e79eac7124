/** A small VGG-style network (Simonyan & Zisserman, 2014), laid out as torchvision's VGG. */
import { nn, ValueError, type Tensor } from '../../index.js';
import { checkImageBatch, initTorchvision, positiveInt, type ImageShape } from './common.js';

/** torchvision's VGG configuration: output channels of each 3×3 conv, 'M' for a 2×2 max pool. */
export type VGGConfig = readonly (number | 'M')[];

/** Options of VGG. */
export interface VGGOptions {
  /** Layers of `features`. Default [32, 'M', 64, 'M', 128, 128, 'M'] (28 → 14 → 7 → 3). */
  config?: VGGConfig;
  /** Batch norm after each conv (torchvision's vgg*_bn). Default true. */
  batchNorm?: boolean;
  /** Width of the classifier's two hidden layers (4096 in torchvision). Default 256. */
  hidden?: number;
  /** Dropout probability in the classifier. Default 0.5. */
  dropout?: number;
  /** Image channels. Default 1. */
  inChannels?: number;
  /** Image height and width. Default 28. */
  inputSize?: number;
  /** Output classes. Default 10. */
  numClasses?: number;
}

/**
 * VGG-style CNN with torchvision's structure and parameter names: `features` (Sequential of
 * Conv2d(3×3, padding 1) [→ BatchNorm2d] → ReLU, and MaxPool2d(2) for each 'M') then
 * `classifier` (Linear → ReLU → Dropout → Linear → ReLU → Dropout → Linear), so the keys read
 * `features.0.weight`, `features.1.running_mean`, `classifier.0.weight`, `classifier.6.bias`.
 * Convs keep their bias even before batch norm, as torchvision's. Smaller than torchvision's
 * VGGs (channels from 32, `hidden` 256) and without the adaptive 7×7 average pool, which is the
 * identity for the image size the model is built for. Initialised as torchvision's VGG.
 *
 * input (N, inChannels, inputSize, inputSize) → logits (N, numClasses).
 *
 * @example
 * ```ts
 * const net = new VGG({ config: [32, 32, 'M', 64, 64, 'M'] });
 * net.forward(torch.randn([4, 1, 28, 28])).shape; // [4, 10]
 * ```
 */
export class VGG extends nn.Module {
  features: nn.Sequential;
  classifier: nn.Sequential;
  /** The image shape the model takes: [channels, height, width]. */
  readonly inputShape: ImageShape;

  constructor(opts: VGGOptions = {}) {
    super();
    const config = opts.config ?? [32, 'M', 64, 'M', 128, 128, 'M'];
    let channels = positiveInt('VGG', 'inChannels', opts.inChannels ?? 1);
    let size = positiveInt('VGG', 'inputSize', opts.inputSize ?? 28);
    const hidden = positiveInt('VGG', 'hidden', opts.hidden ?? 256);
    const classes = positiveInt('VGG', 'numClasses', opts.numClasses ?? 10);
    this.inputShape = [channels, size, size];
    const layers: nn.TensorModule[] = [];
    for (const v of config) {
      if (v === 'M') {
        layers.push(new nn.MaxPool2d(2));
        size = Math.floor(size / 2);
        if (size < 1) throw new ValueError('VGG', `config [${config.join(', ')}] pools a ${this.inputShape[1]}×${this.inputShape[2]} image below 1×1`);
        continue;
      }
      const out = positiveInt('VGG', 'config channel count', v);
      layers.push(new nn.Conv2d(channels, out, 3, { padding: 1 }));
      if (opts.batchNorm ?? true) layers.push(new nn.BatchNorm2d(out));
      layers.push(new nn.ReLU());
      channels = out;
    }
    const p = opts.dropout ?? 0.5;
    this.features = new nn.Sequential(...layers);
    this.classifier = new nn.Sequential(
      new nn.Linear(channels * size * size, hidden), new nn.ReLU(), new nn.Dropout(p),
      new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Dropout(p),
      new nn.Linear(hidden, classes),
    );
    initTorchvision(this, { linear: 'normal' });
  }

  forward(x: Tensor): Tensor {
    checkImageBatch('VGG', x, this.inputShape);
    return this.classifier.forward(this.features.forward(x).flatten(1));
  }
}
