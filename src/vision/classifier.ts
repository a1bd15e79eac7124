/**
 * A saved image classifier: a folder with `model.safetensors` (the weights, PyTorch's names) and
 * `manifest.json` (task "image", the model and its options, class names, input size and
 * channels, preprocessing and normalisation). `loadImageClassifier` rebuilds the model from the
 * manifest and predicts the top-k classes of image files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noGrad, stack, ValueError, type Tensor } from '../index.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';
import { DataFileError } from './errors.js';
import { readImage, type RawImage } from './image.js';
import { preprocessor, type Preprocessing } from './image-data.js';
import { buildImageModel, IMAGE_MODEL_NAMES, type ImageModel, type ImageModelSpec } from './models/registry.js';

/** `manifest.json` of a saved image classifier. */
export interface ImageClassifierManifest {
  task: 'image';
  version: 1;
  model: ImageModelSpec;
  /** Class names in label order. */
  classes: string[];
  /** What the model takes: [channels, height, width]. */
  input: { channels: number; height: number; width: number };
  preprocessing: Preprocessing;
  /** The weights file, relative to the folder. */
  weights: string;
  /** Free-form facts about training (data, epochs, metrics). */
  training?: Record<string, unknown>;
}

/** One image's top-k classes, most probable first. */
export interface ImagePrediction {
  source: string;
  top: { label: number; className: string; probability: number }[];
}

/**
 * Saves `model`'s weights and the manifest into `dir` (created if needed).
 *
 * @example
 * ```ts
 * await saveImageClassifier('runs/fmnist', model, manifest); // runs/fmnist/model.safetensors + manifest.json
 * ```
 */
export async function saveImageClassifier(dir: string, model: ImageModel, manifest: ImageClassifierManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, manifest.weights), model.stateDict(), { format: 'pt', task: 'image', model: manifest.model.name });
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function checkManifest(file: string, m: Record<string, unknown>): ImageClassifierManifest {
  const bad = (what: string): never => {
    throw new DataFileError('loadImageClassifier', file, what);
  };
  if (m.task !== 'image') bad(`'task' is ${JSON.stringify(m.task)}, not "image"`);
  if (m.version !== 1) bad(`unsupported manifest version ${JSON.stringify(m.version)} (this tsorch reads version 1)`);
  const model = m.model as { name?: unknown; options?: unknown } | undefined;
  if (!model || !(IMAGE_MODEL_NAMES as readonly unknown[]).includes(model.name) || typeof model.options !== 'object') {
    bad(`'model' must be { name: ${IMAGE_MODEL_NAMES.join('|')}, options: {…} }, got ${JSON.stringify(m.model)}`);
  }
  if (!Array.isArray(m.classes) || m.classes.length === 0 || !m.classes.every((c) => typeof c === 'string')) bad(`'classes' must be a non-empty list of names`);
  const p = m.preprocessing as Partial<Preprocessing> | undefined;
  if (!p || (p.mode !== 'L' && p.mode !== 'RGB') || typeof p.size !== 'number' || !Array.isArray(p.mean) || !Array.isArray(p.std)) {
    bad(`'preprocessing' must give mode ('L' or 'RGB'), size, mean and std`);
  }
  if (typeof m.weights !== 'string') bad(`'weights' must name the weights file`);
  return m as unknown as ImageClassifierManifest;
}

/** A loaded image classifier: the model (in eval mode), its manifest, and prediction helpers. */
export class ImageClassifier {
  private readonly pre: (img: RawImage, source: string) => Tensor;

  constructor(readonly model: ImageModel, readonly manifest: ImageClassifierManifest) {
    this.pre = preprocessor(manifest.preprocessing);
    model.eval();
  }

  get classes(): readonly string[] {
    return this.manifest.classes;
  }

  /** A raw image as the model's input (C, H, W): converted, resized if the manifest says so, normalised. */
  preprocess(img: RawImage, source = 'image'): Tensor {
    return this.pre(img, source);
  }

  /** Class probabilities (N, classes) of a batch of preprocessed images (N, C, H, W). */
  probabilities(x: Tensor): Tensor {
    return noGrad(() => this.model.forward(x).softmax(-1));
  }

  /**
   * The top-k classes with probabilities of each image (decoded images with their names, or
   * file paths). Errors name the file: unreadable, not an image, or the wrong size.
   *
   * @example
   * ```ts
   * const clf = await loadImageClassifier('runs/fmnist');
   * clf.predict(['boot.png'], 3)[0].top[0]; // { label: 9, className: 'Ankle boot', probability: 0.97 }
   * ```
   */
  predict(images: readonly (string | { image: RawImage; source: string })[], k = 5, batchSize = 64): ImagePrediction[] {
    if (!Number.isInteger(k) || k <= 0) throw new ValueError('predict', `k must be a positive integer, got ${k}`);
    const kk = Math.min(k, this.classes.length);
    const out: ImagePrediction[] = [];
    for (let start = 0; start < images.length; start += batchSize) {
      const chunk = images.slice(start, start + batchSize).map((x) => (typeof x === 'string' ? { image: readImage(x), source: x } : x));
      const probs = this.probabilities(stack(chunk.map((c) => this.pre(c.image, c.source)))).toArray() as number[][];
      probs.forEach((row, i) => {
        const order = row.map((p, label) => ({ label, p })).sort((a, b) => b.p - a.p).slice(0, kk);
        out.push({ source: chunk[i]!.source, top: order.map(({ label, p }) => ({ label, className: this.classes[label]!, probability: p })) });
      });
    }
    return out;
  }
}

/**
 * Loads a classifier saved by `saveImageClassifier` (or `tsorch train image`): reads and checks
 * the manifest, rebuilds the model and loads its weights. Errors name the file.
 *
 * @example
 * ```ts
 * const clf = await loadImageClassifier('runs/fmnist');
 * clf.classes; // ['T-shirt/top', 'Trouser', …]
 * ```
 */
export async function loadImageClassifier(dir: string): Promise<ImageClassifier> {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new DataFileError('loadImageClassifier', file, `no manifest — is '${dir}' a folder written by 'tsorch train image'?`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataFileError('loadImageClassifier', file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null) throw new DataFileError('loadImageClassifier', file, 'expected a JSON object');
  const manifest = checkManifest(file, raw as Record<string, unknown>);
  const model = buildImageModel(manifest.model);
  const weights = join(dir, manifest.weights);
  const { tensors } = await loadSafetensors(weights);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new DataFileError('loadImageClassifier', weights, `does not fit the ${manifest.model.name} model of ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return new ImageClassifier(model, manifest);
}
