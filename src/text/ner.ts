/**
 * Named-entity recognition helpers: splitting raw text into words the way CoNLL/WNUT corpora
 * are tokenised (keeping character offsets), and reading entity spans out of BIO tags.
 */
import { extractEntities } from '../train/entities.js';

/** Words of a text with their character offsets ([start, end), UTF-16 units). */
export interface SplitText {
  tokens: string[];
  offsets: [number, number][];
}

// URLs, @mentions and #hashtags stay whole (as in WNUT-17); English clitics ('s, n't, 're …)
// are split off (as in the Penn Treebank and WNUT); words keep inner hyphens and dots (e-mail,
// U.S); any other non-space character is a word of its own.
const WORD = /https?:\/\/\S+|www\.\S+|[@#][\p{L}\p{M}\p{N}_]+|\p{L}+(?=n['’]t\b)|n['’]t\b|['’](?:s|re|ve|ll|d|m|t)\b|[\p{L}\p{M}\p{N}_]+(?:[-.][\p{L}\p{M}\p{N}_]+)*|\S/giu;

/**
 * Splits text into words with their offsets.
 *
 * @example
 * ```ts
 * splitWords("It's the Empire State Building @paulwalk http://t.co/x").tokens;
 * // ['It', "'s", 'the', 'Empire', 'State', 'Building', '@paulwalk', 'http://t.co/x']
 * ```
 */
export function splitWords(text: string): SplitText {
  const tokens: string[] = [];
  const offsets: [number, number][] = [];
  for (const m of text.matchAll(WORD)) {
    tokens.push(m[0]);
    offsets.push([m.index!, m.index! + m[0].length]);
  }
  return { tokens, offsets };
}

/** An entity found in a sentence. */
export interface EntitySpan {
  type: string;
  /** The entity's words joined by spaces (or the original text between its offsets, when known). */
  text: string;
  /** Word span [tokenStart, tokenEnd). */
  tokenStart: number;
  tokenEnd: number;
  /** Character span [start, end) in the original text, when offsets were given. */
  start?: number;
  end?: number;
}

/**
 * The entities of a tagged sentence (strict IOB2 rules, as the scores), with word spans and,
 * given the offsets of `splitWords`, character spans in the original text.
 *
 * @example
 * ```ts
 * const s = splitWords('I love New York');
 * entitySpans(s.tokens, ['O', 'O', 'B-LOC', 'I-LOC'], s.offsets, 'I love New York');
 * // [{ type: 'LOC', text: 'New York', tokenStart: 2, tokenEnd: 4, start: 7, end: 15 }]
 * ```
 */
export function entitySpans(tokens: readonly string[], tags: readonly string[], offsets?: readonly (readonly [number, number])[], text?: string): EntitySpan[] {
  return extractEntities(tags).map((e) => {
    const span: EntitySpan = { type: e.type, text: tokens.slice(e.start, e.end).join(' '), tokenStart: e.start, tokenEnd: e.end };
    if (offsets) {
      span.start = offsets[e.start]![0];
      span.end = offsets[e.end - 1]![1];
      if (text !== undefined) span.text = text.slice(span.start, span.end);
    }
    return span;
  });
}
