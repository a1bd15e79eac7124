/**
 * WordPiece tokenizer (BERT's sub-word scheme): each word is split greedily into the longest
 * vocabulary tokens from the left, pieces after the first carrying the `##` prefix
 * ("unaffable" → un ##aff ##able); a word that cannot be spelt is [UNK].
 */
import { ValueError } from '../errors.js';
import { PipelineTokenizer, pipelineConfig, pipelineConfigFromJSON, type PipelineConfig, type PipelineOptions, type TokenizerJSON } from './pipeline.js';
import { trainWordPiece, type WordPieceTrainerOptions } from './wordpiece-trainer.js';
import { specialList, Vocabulary } from './vocab.js';

/** Options of `WordPieceTokenizer.train`. */
export interface WordPieceOptions extends PipelineOptions, WordPieceTrainerOptions {
  /** Words longer than this many characters are [UNK]. Default 100 (BERT's). */
  maxInputCharsPerWord?: number;
}

/**
 * Hugging Face's clean-up of decoded text (transformers' `clean_up_tokenization`, also applied by
 * `@huggingface/tokenizers`): no space before . ? ! , and English contractions rejoined.
 */
function cleanup(s: string): string {
  return s.replace(/ \./g, '.').replace(/ \?/g, '?').replace(/ !/g, '!').replace(/ ,/g, ',').replace(/ ' /g, "'")
    .replace(/ n't/g, "n't").replace(/ 'm/g, "'m").replace(/ 's/g, "'s").replace(/ 've/g, "'ve").replace(/ 're/g, "'re");
}

/**
 * A WordPiece tokenizer, trained on a corpus (Hugging Face's WordPieceTrainer algorithm, see
 * `trainWordPiece`) or read from a BERT-style tokenizer.json. Saved as tokenizer.json, it loads
 * unchanged in Python's `tokenizers` and in `@huggingface/tokenizers`.
 *
 * @example
 * ```ts
 * const tok = WordPieceTokenizer.train(corpus, { vocabSize: 2000 });
 * tok.tokenize('unbelievable'); // e.g. ['un', '##bel', '##ievable']
 * const { inputIds, paddingMask } = tok.encodeBatch(['first text', 'second, longer text'], { maxLength: 64 });
 * ```
 */
export class WordPieceTokenizer extends PipelineTokenizer {
  readonly kind = 'wordpiece' as const;
  readonly prefix: string;
  readonly maxInputCharsPerWord: number;

  /** Learns a vocabulary from a corpus (an iterable of texts). */
  static train(corpus: Iterable<string>, opts: WordPieceOptions = {}): WordPieceTokenizer {
    const config = pipelineConfig(opts);
    const specials = specialList(config.specials);
    const probe = new WordPieceTokenizer(new Vocabulary(specials), config);
    const taken = new Set(specials);
    const counts = new Map<string, number>();
    for (const text of corpus) {
      for (const w of probe.words(text)) if (!taken.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
    const tokens = trainWordPiece(counts, specials, opts);
    return new WordPieceTokenizer(new Vocabulary(tokens), config, { prefix: opts.prefix ?? '##', maxInputCharsPerWord: opts.maxInputCharsPerWord ?? 100 });
  }

  /** A tokenizer from a tokenizer.json object with a WordPiece model (BERT's, or as `toJSON` writes). */
  static fromJSON(json: object, op = 'WordPieceTokenizer.fromJSON'): WordPieceTokenizer {
    const j = json as TokenizerJSON;
    const m = j.model;
    if (m?.type !== 'WordPiece') throw new ValueError(op, `expected a WordPiece model, got '${String(m?.type)}'`);
    const prefix = typeof m.continuing_subword_prefix === 'string' ? m.continuing_subword_prefix : '##';
    const maxChars = typeof m.max_input_chars_per_word === 'number' ? m.max_input_chars_per_word : 100;
    return new WordPieceTokenizer(Vocabulary.fromObject(m.vocab as Record<string, number>, op), pipelineConfigFromJSON(j, op), { prefix, maxInputCharsPerWord: maxChars });
  }

  constructor(vocab: Vocabulary, config: PipelineConfig, opts: { prefix?: string; maxInputCharsPerWord?: number } = {}) {
    super(vocab, config);
    this.prefix = opts.prefix ?? '##';
    this.maxInputCharsPerWord = opts.maxInputCharsPerWord ?? 100;
  }

  protected modelTokens(word: string): string[] {
    const chars = Array.from(word);
    const unk = [this.config.specials.unk];
    if (chars.length > this.maxInputCharsPerWord) return unk;
    const out: string[] = [];
    for (let start = 0; start < chars.length;) {
      let end = chars.length;
      let found: string | null = null;
      for (; end > start; end--) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        if (this.vocab.has(sub)) { found = sub; break; }
      }
      if (found === null) return unk;
      out.push(found);
      start = end;
    }
    return out;
  }

  protected modelJSON(): object {
    return {
      type: 'WordPiece', unk_token: this.config.specials.unk, continuing_subword_prefix: this.prefix,
      max_input_chars_per_word: this.maxInputCharsPerWord, vocab: this.vocab.toObject(),
    };
  }

  protected decoderJSON(): object {
    return { type: 'WordPiece', prefix: this.prefix, cleanup: true };
  }

  /**
   * Hugging Face's WordPiece decoder (pieces after the first join their word, other tokens get a
   * space, each cleaned up), then the clean-up over the whole text, as transformers' decode.
   */
  protected joinTokens(tokens: string[]): string {
    const joined = tokens.map((t, i) => cleanup(i === 0 ? t : t.startsWith(this.prefix) ? t.slice(this.prefix.length) : ` ${t}`)).join('');
    return cleanup(joined);
  }
}
