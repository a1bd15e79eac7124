/**
 * Computer vision (torchvision's role): image datasets (MNIST, Fashion-MNIST, ImageFolder), the
 * IDX reader, PNG/JPEG decoding, composable seeded transforms and CNN models (LeNet-5, a small
 * VGG, a small ResNet) with PyTorch-compatible parameter names; and the classifier pipeline behind
 * `tsorch train image` / `eval` / `predict`: `trainImageClassifier`, `loadImageClassifier`,
 * `evaluateImageClassifier` (a saved model is model.safetensors + manifest.json).
 *
 * @example
 * ```ts
 * import { DataLoader } from 'tsorch/data';
 * import { FashionMNIST, ResNet, transforms as T } from 'tsorch/vision';
 * const train = new FashionMNIST({ transform: T.compose(T.randomCrop(28, { padding: 2 }), T.randomHorizontalFlip(), T.toTensor()) });
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true });
 * const model = new ResNet();
 * for (const [x, y] of loader) { const loss = nn.functional.crossEntropy(model.forward(x), y); … }
 * ```
 */
export { DataFileError, IdxFormatError, ImageDecodeError } from './errors.js';
export { parseIdx, readIdx, encodeIdx, type IdxArray, type IdxData, type IdxDType, type IdxExpectation } from './idx.js';
export { decodeImage, readImage, encodePng, encodeJpeg, convertImage, modeOf, type RawImage, type ImageMode } from './image.js';
export { MNIST, FashionMNIST, FASHION_MNIST_DEFAULT_ROOT, type MNISTOptions } from './mnist.js';
export { ImageFolder, type ImageFolderOptions } from './image-folder.js';
export * as transforms from './transforms.js';
export type { Transform, ImageLike } from './transforms.js';
export { LeNet5, type LeNet5Options } from './models/lenet.js';
export { VGG, type VGGConfig, type VGGOptions } from './models/vgg.js';
export { ResNet, BasicBlock, type ResNetOptions } from './models/resnet.js';
export type { ImageShape } from './models/common.js';
export { buildImageModel, IMAGE_MODEL_NAMES, type ImageModel, type ImageModelName, type ImageModelSpec } from './models/registry.js';
export {
  openImageData, preprocessor, channelStats, PreprocessedImages,
  type LabelledImages, type OpenImageDataOptions, type Preprocessing, type Augmentation,
} from './image-data.js';
export {
  ImageClassifier, loadImageClassifier, saveImageClassifier, type ImageClassifierManifest, type ImagePrediction,
} from './classifier.js';
export { evaluateImageClassifier, type EvaluateImageOptions } from './evaluate-classifier.js';
export { trainImageClassifier, type TrainImageOptions, type TrainImageResult } from './train-classifier.js';
