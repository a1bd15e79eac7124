/** Errors of the text module: each names the file (or source) and what is wrong with it. */
import { TsorchError } from '../errors.js';

/**
 * A tokenizer file that cannot be read or written. The message reads `op: source: problem`, e.g.
 * `loadTokenizer: tok.json: the vocab has no token with id 7`.
 *
 * @example
 * ```ts
 * await loadTokenizer('x.json').catch((e) => { if (e instanceof TokenizerFormatError) console.error(e.source, e.problem); });
 * ```
 */
export class TokenizerFormatError extends TsorchError {
  constructor(op: string, readonly source: string, readonly problem: string, options?: { cause?: unknown }) {
    super(op, `${source}: ${problem}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A malformed row in a data file. The message reads `op: file:line: problem`, e.g.
 * `readConll: train.conll:12: expected at least 2 columns, found 1`, so an editor can jump there.
 *
 * @example
 * ```ts
 * try { await readConll('train.conll'); } catch (e) { if (e instanceof DataFormatError) console.error(e.file, e.line); }
 * ```
 */
export class DataFormatError extends TsorchError {
  /** `line` is 1-based; 0 for problems with the whole file (it cannot be read, it is not gzip). */
  constructor(op: string, readonly file: string, readonly line: number, readonly problem: string) {
    super(op, `${file}${line > 0 ? `:${line}` : ''}: ${problem}`);
  }
}
