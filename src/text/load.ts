/**
 * Reading any tokenizer.json: the ones tsorch writes (and BERT-style WordPiece files) load as
 * tsorch's own tokenizers; everything else goes through `HFTokenizer`.
 */
import { TsorchError, ValueError } from '../errors.js';
import { TokenizerFormatError } from './errors.js';
import { HFTokenizer, readTokenizerJson, type HFTokenizerOptions } from './hf-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';
import { WordPieceTokenizer } from './wordpiece-tokenizer.js';
import { WordTokenizer } from './word-tokenizer.js';

/** Options of `loadTokenizer` and `tokenizerFromJSON`. */
export interface LoadTokenizerOptions extends HFTokenizerOptions {
  /**
   * 'auto' (default): WordLevel files as WordTokenizer, WordPiece files with BERT's normaliser
   * and pre-tokeniser as WordPieceTokenizer, anything else as HFTokenizer. 'huggingface': always
   * HFTokenizer.
   */
  engine?: 'auto' | 'huggingface';
}

/**
 * A tokenizer from a parsed tokenizer.json object.
 *
 * @example
 * ```ts
 * const tok = tokenizerFromJSON(JSON.parse(text));
 * ```
 */
export function tokenizerFromJSON(json: object, opts: LoadTokenizerOptions = {}, op = 'tokenizerFromJSON'): Tokenizer {
  const type = (json as { model?: { type?: string } }).model?.type;
  if ((opts.engine ?? 'auto') === 'auto') {
    if (type === 'WordLevel') return WordTokenizer.fromJSON(json, op);
    if (type === 'WordPiece') {
      try {
        return WordPieceTokenizer.fromJSON(json, op);
      } catch (e) {
        // A WordPiece file with a normaliser or template tsorch does not implement: the library does.
        if (!(e instanceof ValueError)) throw e;
      }
    }
  }
  return new HFTokenizer(json, opts);
}

/**
 * Reads a tokenizer saved with `tokenizer.save(path)`, or any Hugging Face tokenizer.json.
 *
 * @example
 * ```ts
 * await tok.save('run/tokenizer.json');
 * const again = await loadTokenizer('run/tokenizer.json');
 * again.encode('same ids').ids; // as tok's
 * ```
 */
export async function loadTokenizer(path: string, opts: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const op = 'loadTokenizer';
  const json = await readTokenizerJson(path, op);
  if ((json as { model?: unknown }).model === undefined) throw new TokenizerFormatError(op, path, 'not a tokenizer.json (no model)');
  if ((opts.engine ?? 'auto') === 'huggingface' || !['WordLevel', 'WordPiece'].includes(String((json as { model: { type?: string } }).model.type))) {
    return HFTokenizer.fromFile(path, opts);
  }
  try {
    return tokenizerFromJSON(json, opts, op);
  } catch (e) {
    const problem = e instanceof TsorchError ? e.message.slice(e.op.length + 2) : (e as Error).message;
    throw new TokenizerFormatError(op, path, problem, { cause: e });
  }
}
