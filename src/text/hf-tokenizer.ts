/**
 * Any Hugging Face `tokenizer.json` (byte-level BPE as GPT-2 and RoBERTa, SentencePiece Unigram
 * as T5 and XLM-R, WordPiece as BERT, …), through `@huggingface/tokenizers`: Hugging Face's own
 * pure-JavaScript implementation of every normaliser, pre-tokeniser, model, post-processor and
 * decoder of the Rust library, with no dependencies and no native code. Writing those here
 * would mean re-implementing thousands of lines (Oniguruma regex translation, byte-level
 * alphabets, Unigram lattices) that this library already keeps in step with the Hub.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer as HFLibTokenizer } from '@huggingface/tokenizers';
import { ValueError } from '../errors.js';
import { TokenizerFormatError } from './errors.js';
import { Tokenizer, type Piece } from './tokenizer.js';

/** Options of `HFTokenizer`. */
export interface HFTokenizerOptions {
  /** The model's `tokenizer_config.json` contents (special token names, clean-up flags). Default {}. */
  config?: object;
  /** The padding token, when neither tokenizer.json nor the config names one. */
  padToken?: string;
  /** Default `maxLength` of the encode methods. Default: tokenizer.json's truncation.max_length, else null. */
  maxLength?: number | null;
}

/** What the library's encode returns (its published types do not resolve under NodeNext). */
interface LibEncoding { ids: number[]; tokens: string[] }

interface HFJson {
  padding?: { pad_token?: string; pad_id?: number } | null;
  truncation?: { max_length?: number } | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

/**
 * A tokenizer read from a Hugging Face `tokenizer.json`, with tsorch's encode/batch/padding API.
 * Special tokens are the ones the file's post-processor adds (found by encoding a probe text with
 * and without them). `wordIds` are known for `encodeWords` input (each word is encoded on its
 * own, as `is_split_into_words`), and null for raw text.
 *
 * @example
 * ```ts
 * const tok = await HFTokenizer.fromFile('bert-base-uncased/tokenizer.json');
 * const { inputIds, attentionMask } = tok.encodeBatch(['Hello world', 'Hi'], { maxLength: 128 });
 * ```
 */
export class HFTokenizer extends Tokenizer {
  readonly kind = 'huggingface' as const;
  private readonly lib: HFLibTokenizer;
  private readonly json: object;
  private readonly special: Set<number>;
  private readonly padIdValue: number | null;
  private readonly size: number;
  private readonly framing: { prefix: number[]; suffix: number[] };

  /** Reads `path` and, when present beside it, `tokenizer_config.json`. */
  static async fromFile(path: string, opts: HFTokenizerOptions = {}): Promise<HFTokenizer> {
    const op = 'HFTokenizer.fromFile';
    const json = await readJson(path, op);
    let config = opts.config;
    if (config === undefined) {
      const side = join(dirname(path), 'tokenizer_config.json');
      config = await readJson(side, op).catch(() => ({}));
    }
    try {
      return new HFTokenizer(json, { ...opts, config });
    } catch (e) {
      throw new TokenizerFormatError(op, path, (e as Error).message, { cause: e });
    }
  }

  constructor(json: object, opts: HFTokenizerOptions = {}) {
    super();
    this.json = json;
    const config = (opts.config ?? {}) as { pad_token?: unknown };
    this.lib = new HFLibTokenizer(json, config);
    const j = json as HFJson;
    const vocab = this.lib.get_vocab(true);
    this.size = Math.max(-1, ...vocab.values()) + 1;
    this.special = new Set([...this.lib.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
    const configPad = typeof config.pad_token === 'string' ? config.pad_token
      : (config.pad_token as { content?: string } | null)?.content;
    const padName = opts.padToken ?? j.padding?.pad_token ?? configPad
      ?? ['[PAD]', '<pad>', '<|padding|>'].find((t) => vocab.has(t));
    this.padIdValue = padName === undefined ? null : vocab.get(padName) ?? null;
    if (padName !== undefined && this.padIdValue === null) throw new ValueError('HFTokenizer', `padding token '${padName}' is not in the vocabulary`);
    this.maxLength = opts.maxLength === undefined ? j.truncation?.max_length ?? null : opts.maxLength;
    this.framing = this.findFrame();
  }

  get vocabSize(): number { return this.size; }
  get padId(): number | null { return this.padIdValue; }
  tokenToId(token: string): number | undefined { return this.lib.token_to_id(token); }
  idToToken(id: number): string | undefined { return this.lib.id_to_token(id); }
  isSpecialId(id: number): boolean { return this.special.has(id); }
  toJSON(): object { return this.json; }

  protected frame(): { prefix: number[]; suffix: number[] } { return this.framing; }

  protected textPieces(text: string): Piece[] {
    const e: LibEncoding = this.lib.encode(text, { add_special_tokens: false });
    return e.ids.map((id, i) => ({ id, token: e.tokens[i]!, word: null }));
  }

  protected wordPieces(word: string): Piece[] {
    return this.textPieces(word);
  }

  protected joinTokens(tokens: string[]): string {
    if (tokens.length === 0) return '';
    return this.lib.decode(tokens.map((t) => this.lib.token_to_id(t)!), { skip_special_tokens: false });
  }

  /** The special ids the post-processor puts around a sequence: encode a probe with and without them. */
  private findFrame(): { prefix: number[]; suffix: number[] } {
    const probe = 'a';
    const full = (this.lib.encode(probe) as LibEncoding).ids;
    const bare = (this.lib.encode(probe, { add_special_tokens: false }) as LibEncoding).ids;
    for (let at = 0; at + bare.length <= full.length; at++) {
      if (bare.every((id, i) => full[at + i] === id)) return { prefix: full.slice(0, at), suffix: full.slice(at + bare.length) };
    }
    throw new ValueError('HFTokenizer', 'cannot find the content inside an encoding with special tokens');
  }
}

async function readJson(path: string, op: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TokenizerFormatError(op, path, `cannot read the file (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text) as object;
  } catch (e) {
    throw new TokenizerFormatError(op, path, `not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

export { readJson as readTokenizerJson };
