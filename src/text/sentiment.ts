/**
 * Sentiment analysis: the text-classification machinery trained on labelled sentences, wrapped
 * as a ready function `sentiment(text) → { label, score }`.
 */
import { ValueError } from '../errors.js';
import { TextClassificationPipeline } from './classifier.js';
import { trainTextClassifier, type TrainTextClassifierOptions } from './classifier-train.js';
import type { FitResult } from '../train/fit.js';

/** The sentiment of one text: the most probable label and its probability. */
export interface SentimentResult {
  label: string;
  score: number;
}

/** A callable sentiment model: `sentiment(text)`, plus batch use and the pipeline behind it. */
export interface Sentiment {
  (text: string): SentimentResult;
  /** Many texts at once (batched through the model). */
  batch(texts: readonly string[]): SentimentResult[];
  /** The classifier behind it (evaluate, save, …). */
  readonly pipeline: TextClassificationPipeline;
}

/**
 * Wraps a trained single-label text classifier as a sentiment function.
 *
 * @example
 * ```ts
 * const sentiment = sentimentFrom(pipeline);
 * sentiment('Delicious, my kids love it'); // { label: 'great', score: 0.93 }
 * ```
 */
export function sentimentFrom(pipeline: TextClassificationPipeline): Sentiment {
  if (pipeline.multiLabel) throw new ValueError('sentimentFrom', 'a sentiment model predicts one label per text; this pipeline is multi-label');
  const batch = (texts: readonly string[]): SentimentResult[] => pipeline.predict(texts).map((p) => ({ label: p.label, score: p.score }));
  const fn = ((text: string): SentimentResult => {
    if (typeof text !== 'string') throw new ValueError('sentiment', `expected a string, got ${typeof text}`);
    return batch([text])[0]!;
  }) as Sentiment;
  Object.defineProperty(fn, 'batch', { value: batch });
  Object.defineProperty(fn, 'pipeline', { value: pipeline });
  return fn;
}

/**
 * Loads a sentiment function from a model folder written by `tsorch train text` or
 * `pipeline.save(dir)`.
 *
 * @example
 * ```ts
 * const sentiment = await loadSentiment('runs/sentiment');
 * sentiment('Stale and overpriced.').label; // 'other'
 * ```
 */
export async function loadSentiment(dir: string): Promise<Sentiment> {
  return sentimentFrom(await TextClassificationPipeline.load(dir));
}

/**
 * Trains a sentiment model on labelled texts and returns the ready function. Defaults suit short
 * reviews: a TextCNN over a word vocabulary, 128 tokens, 4 epochs.
 *
 * @example
 * ```ts
 * const { sentiment } = await trainSentiment(reviews, scores, { valTexts, valLabels });
 * sentiment('Tastes great!'); // { label: 'great', score: … }
 * ```
 */
export async function trainSentiment(
  texts: readonly string[],
  labels: readonly string[],
  opts: TrainTextClassifierOptions = {},
): Promise<{ sentiment: Sentiment; fit: FitResult }> {
  const { pipeline, fit } = await trainTextClassifier(texts, labels, { model: 'textcnn', maxLength: 128, epochs: 4, ...opts, multiLabel: false });
  return { sentiment: sentimentFrom(pipeline), fit };
}
