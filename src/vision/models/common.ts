/** What the vision models share: the input check and torchvision's weight initialisation. */
import { nn, ShapeError, ValueError, type Tensor } from '../../index.js';

/** The image shape a model was built for: [channels, height, width]. */
export type ImageShape = readonly [number, number, number];

/**
 * Throws a ShapeError naming `model` and both shapes unless `x` is a batch (N, C, H, W) of
 * `expected` images: a model's layer sizes are fixed by the image size it was built for.
 */
export function checkImageBatch(model: string, x: Tensor, expected: ImageShape): void {
  const [c, h, w] = expected;
  const ok = x.ndim === 4 && x.shape[1] === c && x.shape[2] === h && x.shape[3] === w;
  if (ok) return;
  const hint = x.ndim === 3 && x.shape[0] === c && x.shape[1] === h && x.shape[2] === w
    ? ' (a single image: add the batch dimension with x.unsqueeze(0))'
    : ` (build the model with the options for your images, e.g. { inChannels: ${x.ndim === 4 ? x.shape[1] : c}, inputSize: ${x.shape[x.ndim - 1] ?? w} })`;
  throw new ShapeError(model, `expected input of shape (N, ${c}, ${h}, ${w}), a batch of ${c}×${h}×${w} images${hint}; got`, [x.shape]);
}

/**
 * torchvision's initialisation of its ResNets and VGGs, walking `model.modules()` in order:
 * convolutions He-normal with fan_out for ReLU (bias 0), batch norms weight 1 and bias 0, and —
 * with `linear: 'normal'` (VGG) — linear layers N(0, 0.01²) with bias 0. Under the same seed as
 * a PyTorch script building the same model, the weights are PyTorch's.
 */
export function initTorchvision(model: nn.Module, opts: { linear: 'default' | 'normal' }): void {
  for (const m of model.modules()) {
    if (m instanceof nn.Conv2d) {
      nn.init.kaimingNormal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      if (m.bias) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.BatchNorm2d) {
      if (m.weight) nn.init.ones_(m.weight);
      if (m.bias) nn.init.zeros_(m.bias);
    } else if (m instanceof nn.Linear && opts.linear === 'normal') {
      nn.init.normal_(m.weight, 0, 0.01);
      if (m.bias) nn.init.zeros_(m.bias);
    }
  }
}

/** Checks that a model option is a positive integer. */
export function positiveInt(model: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(model, `${name} must be a positive integer, got ${v}`);
  return v;
}
