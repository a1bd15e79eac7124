/**
 * Errors of the vision module. Each names the file (or folder) and what is wrong with it; the
 * message reads `op: source: problem`, e.g.
 * `readIdx: /data/train-labels-idx1-ubyte.gz: bad magic number 0x00000901 (expected 0x000008XX)`.
 */
import { readFileSync } from 'node:fs';
import { TsorchError } from '../index.js';

/**
 * A data file or folder that cannot be used: missing, truncated, not in the expected format, or
 * laid out in a way the dataset cannot read. `source` is the path, `problem` the reason.
 *
 * @example
 * ```ts
 * try { new FashionMNIST({ root }); } catch (e) { if (e instanceof DataFileError) console.error(e.source, e.problem); }
 * ```
 */
export class DataFileError extends TsorchError {
  constructor(op: string, readonly source: string, readonly problem: string, options?: { cause?: unknown }) {
    super(op, `${source}: ${problem}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * An IDX file (MNIST's format) with a bad header, truncated data or trailing bytes.
 *
 * @example
 * ```ts
 * assert.throws(() => readIdx('notes.txt'), IdxFormatError); // readIdx: notes.txt: bad magic number …
 * ```
 */
export class IdxFormatError extends DataFileError {}

/**
 * An image file that is not a readable PNG or JPEG.
 *
 * @example
 * ```ts
 * assert.throws(() => readImage('broken.png'), ImageDecodeError); // decodeImage: broken.png: not a readable PNG (…)
 * ```
 */
export class ImageDecodeError extends DataFileError {}

/** The bytes of a file; a missing or unreadable one is a DataFileError naming it and the reason. */
export function readDataFile(op: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DataFileError(op, path, `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
}
