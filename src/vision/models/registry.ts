/**
 * The vision models by name, with JSON-serialisable options: what a saved model's manifest
 * records so that `loadImageClassifier` can rebuild the same network before loading its weights.
 */
import { ValueError, type nn, type Tensor } from '../../index.js';
import type { ImageShape } from './common.js';
import { LeNet5, type LeNet5Options } from './lenet.js';
import { ResNet, type ResNetOptions } from './resnet.js';
import { VGG, type VGGOptions } from './vgg.js';

/** The model names the CLI and manifests use. */
export type ImageModelName = 'lenet' | 'vgg' | 'resnet';

/** A model and its constructor options (plain JSON). */
export type ImageModelSpec =
  | { name: 'lenet'; options: LeNet5Options }
  | { name: 'vgg'; options: VGGOptions }
  | { name: 'resnet'; options: ResNetOptions };

/** A vision model: a module that maps (N, C, H, W) images to (N, classes) logits. */
export type ImageModel = nn.Module & { readonly inputShape: ImageShape; forward(x: Tensor): Tensor };

/** The names accepted by {@link buildImageModel}. */
export const IMAGE_MODEL_NAMES: readonly ImageModelName[] = ['lenet', 'vgg', 'resnet'];

/**
 * Builds the model a spec names (LeNet5, VGG or ResNet with the given options).
 *
 * @example
 * ```ts
 * const net = buildImageModel({ name: 'vgg', options: { config: [32, 'M', 64, 'M'], numClasses: 10 } });
 * net.inputShape; // [1, 28, 28]
 * ```
 */
export function buildImageModel(spec: ImageModelSpec): ImageModel {
  switch (spec.name) {
    case 'lenet':
      return new LeNet5(spec.options);
    case 'vgg':
      return new VGG(spec.options);
    case 'resnet':
      return new ResNet(spec.options);
    default:
      throw new ValueError('buildImageModel', `unknown model '${(spec as { name: unknown }).name}': expected one of ${IMAGE_MODEL_NAMES.join(', ')}`);
  }
}
