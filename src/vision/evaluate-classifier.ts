/** Evaluating a saved image classifier on labelled images (`tsorch eval` for images). */
import { DataLoader } from '../data/index.js';
import type { Tensor } from '../index.js';
import { argmaxList, evaluate, namedClassificationReport, writeClassificationReport, type NamedClassificationReport, type ReportFiles } from '../train/index.js';
import type { ImageClassifier } from './classifier.js';
import { DataFileError } from './errors.js';
import { openImageData, PreprocessedImages } from './image-data.js';

/** Options of {@link evaluateImageClassifier}. */
export interface EvaluateImageOptions {
  /** For 'fashion-mnist' / 'mnist': the IDX folder and the split (default 'test'). */
  root?: string;
  split?: 'train' | 'test';
  /** Only the first `limit` images. */
  limit?: number;
  /** Default 256. */
  batchSize?: number;
  /** Write report.json and confusion.svg here. */
  outDir?: string;
}

/**
 * Accuracy, per-class scores and the confusion matrix of `clf` on labelled images
 * ('fashion-mnist', 'mnist' or an ImageFolder whose class folders are the model's classes).
 * A folder with other class names fails naming it and both lists; an image of the wrong size
 * fails naming the file.
 *
 * @example
 * ```ts
 * const clf = await loadImageClassifier('runs/fmnist');
 * const { report } = await evaluateImageClassifier(clf, 'fashion-mnist');
 * report.accuracy; // e.g. 0.91
 * ```
 */
export async function evaluateImageClassifier(clf: ImageClassifier, data: string, opts: EvaluateImageOptions = {}): Promise<{ report: NamedClassificationReport; files?: ReportFiles }> {
  const src = openImageData(data, { ...(opts.root !== undefined ? { root: opts.root } : {}), split: opts.split ?? 'test' });
  const same = src.classes.length === clf.classes.length && src.classes.every((c, i) => c === clf.classes[i]);
  if (!same) {
    throw new DataFileError('evaluateImageClassifier', src.name, `its classes [${src.classes.join(', ')}] are not the model's [${clf.classes.join(', ')}]`);
  }
  const n = Math.min(src.length, opts.limit ?? Infinity);
  const ds = new PreprocessedImages(src, Array.from({ length: n }, (_, i) => i), (img, source) => clf.preprocess(img, source));
  const predictions: number[] = [];
  const targets: number[] = [];
  evaluate(clf.model, new DataLoader(ds, { batchSize: opts.batchSize ?? 256 }), ([x, y]: Tensor[]) => {
    const p = argmaxList(clf.model.forward(x!));
    const t = Array.from(y!.dataSync(), Number);
    predictions.push(...p);
    targets.push(...t);
    return { predictions: p, targets: t };
  });
  if (opts.outDir === undefined) return { report: namedClassificationReport(predictions, targets, clf.classes) };
  const { report, files } = await writeClassificationReport(opts.outDir, predictions, targets, clf.classes, { extra: { data: src.name, split: opts.split ?? 'test', model: clf.manifest.model } });
  return { report, files };
}
