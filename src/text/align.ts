/**
 * Word ↔ sub-word label alignment for token classification (NER, semantic roles): a word split
 * into several pieces is labelled on its first piece, and predictions are read back there.
 */
import { ValueError } from '../errors.js';

/** Options of `alignLabels`. */
export interface AlignLabelsOptions {
  /** Label of tokens that carry no label (special tokens, padding, later pieces). Default -100 (CrossEntropyLoss's ignoreIndex). */
  ignoreIndex?: number;
  /** Give every piece of a word the word's label, not only the first. Default false. */
  labelAllPieces?: boolean;
}

/**
 * Token labels from word labels, using an encoding's `wordIds`.
 *
 * @example
 * ```ts
 * // "Paris Hilton" → [CLS] paris hil ##ton [SEP], tags B-PER I-PER (ids 1, 2)
 * alignLabels([null, 0, 1, 1, null], [1, 2]); // [-100, 1, 2, -100, -100]
 * ```
 */
export function alignLabels(wordIds: readonly (number | null)[], wordLabels: readonly number[], opts: AlignLabelsOptions = {}): number[] {
  const ignore = opts.ignoreIndex ?? -100;
  let prev: number | null = null;
  return wordIds.map((w) => {
    const first = w !== prev;
    prev = w;
    if (w === null) return ignore;
    if (w >= wordLabels.length) throw new ValueError('alignLabels', `word index ${w} has no label (${wordLabels.length} labels given)`);
    return first || opts.labelAllPieces ? wordLabels[w]! : ignore;
  });
}

/**
 * Word predictions from token predictions: each word takes the prediction of its first piece.
 * Words whose pieces were all truncated away get `fill`.
 *
 * @example
 * ```ts
 * wordPredictions([null, 0, 1, 1, null], [0, 3, 4, 4, 0], 2); // [3, 4]
 * ```
 */
export function wordPredictions<T>(wordIds: readonly (number | null)[], tokenPredictions: readonly T[], numWords: number, fill?: T): (T | undefined)[] {
  const out: (T | undefined)[] = new Array<T | undefined>(numWords).fill(fill);
  const seen = new Set<number>();
  wordIds.forEach((w, i) => {
    if (w === null || seen.has(w) || w >= numWords) return;
    seen.add(w);
    out[w] = tokenPredictions[i];
  });
  return out;
}
