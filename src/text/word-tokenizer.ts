/**
 * Word-level tokenizer: each normalised word is one token, unknown words map to [UNK].
 * Saved as a Hugging Face tokenizer.json with a `WordLevel` model.
 */
import { ValueError } from '../errors.js';
import { PipelineTokenizer, pipelineConfig, pipelineConfigFromJSON, type PipelineConfig, type PipelineOptions, type TokenizerJSON } from './pipeline.js';
import { specialList, Vocabulary } from './vocab.js';

/** Options of `WordTokenizer.train`. */
export interface WordTokenizerOptions extends PipelineOptions {
  /** Words seen fewer times are left out (they encode as [UNK]). Default 1. */
  minFreq?: number;
  /** Largest vocabulary, special tokens included. Default unlimited. */
  maxSize?: number;
}

/**
 * A word-level tokenizer: NFKC, lower-casing and punctuation splitting by default, a vocabulary
 * of the most frequent words of a corpus, special tokens [PAD] (id 0), [UNK], [CLS], [SEP],
 * [MASK], and `[CLS] … [SEP]` around every sequence.
 *
 * @example
 * ```ts
 * const tok = WordTokenizer.train(['Hello, world!', 'Hello again.'], { minFreq: 1 });
 * tok.vocab.tokens; // ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', '!', ',', '.', 'again', 'world']
 * tok.tokenize('HELLO world?'); // ['hello', 'world', '[UNK]']  ('?' was never seen)
 * tok.encode('hello world').ids; // [2, 5, 10, 3]: [CLS] hello world [SEP]
 * await tok.save('tokenizer.json');
 * ```
 */
export class WordTokenizer extends PipelineTokenizer {
  readonly kind = 'word' as const;

  /** Builds the vocabulary from a corpus: specials first, then words by decreasing frequency. */
  static train(corpus: Iterable<string>, opts: WordTokenizerOptions = {}): WordTokenizer {
    const config = pipelineConfig(opts);
    const probe = new WordTokenizer(new Vocabulary(specialList(config.specials)), config);
    const counts = new Map<string, number>();
    const specials = new Set(specialList(config.specials));
    for (const text of corpus) {
      for (const w of probe.words(text)) if (!specials.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const vocab = Vocabulary.fromCounts(counts, { minFreq: opts.minFreq ?? 1, maxSize: opts.maxSize ?? Infinity, specials: specialList(config.specials) });
    return new WordTokenizer(vocab, config);
  }

  /** A tokenizer from a tokenizer.json object with a WordLevel model (as `toJSON` writes). */
  static fromJSON(json: object, op = 'WordTokenizer.fromJSON'): WordTokenizer {
    const j = json as TokenizerJSON;
    if (j.model?.type !== 'WordLevel') throw new ValueError(op, `expected a WordLevel model, got '${String(j.model?.type)}'`);
    return new WordTokenizer(Vocabulary.fromObject(j.model.vocab as Record<string, number>, op), pipelineConfigFromJSON(j, op));
  }

  constructor(vocab: Vocabulary, config: PipelineConfig) {
    super(vocab, config);
  }

  protected modelTokens(word: string): string[] {
    return [this.vocab.has(word) ? word : this.config.specials.unk];
  }

  protected modelJSON(): object {
    return { type: 'WordLevel', vocab: this.vocab.toObject(), unk_token: this.config.specials.unk };
  }

  protected decoderJSON(): object | null {
    return null;
  }

  protected joinTokens(tokens: string[]): string {
    return tokens.join(' ');
  }
}
