/**
 * What every reader shares: reading a file (gunzipped when it ends in .gz), and the error policy —
 * throw a DataFormatError naming file and line, or skip and count.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DataFormatError } from '../errors.js';

/** What to do with a malformed row: throw a DataFormatError (default) or skip it and count it. */
export type OnError = 'throw' | 'skip';

/** How many rows (or sentences) were skipped and why (the first 20 reasons). */
export interface SkipReport {
  skipped: number;
  problems: string[];
}

/**
 * Reads a text file; `.gz` files are decompressed.
 *
 * @example
 * ```ts
 * const text = await readTextFile('data.csv.gz', 'readTextClassification');
 * ```
 */
export async function readTextFile(path: string, op: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new DataFormatError(op, path, 0, `cannot read the file (${(e as Error).message})`);
  }
  return decodeText(bytes, path, op);
}

/** The error class a reader throws: `DataFormatError` or a subclass of it. */
export type DataFormatErrorClass = new (op: string, file: string, line: number, problem: string) => DataFormatError;

/**
 * `readTextFile` for synchronous callers: the same decoding and the same messages, thrown as
 * `Err` (a subclass of DataFormatError, so an application's readers keep their own error class).
 */
export function readTextFileSync(path: string, op: string, Err: DataFormatErrorClass = DataFormatError): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Err(op, path, 0, `cannot read the file (${(e as Error).message})`);
  }
  return decodeText(bytes, path, op, Err);
}

/** A file's bytes as UTF-8 text, gunzipped first when its name ends in `.gz`. */
function decodeText(bytes: Buffer, path: string, op: string, Err: DataFormatErrorClass = DataFormatError): string {
  if (path.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Err(op, path, 0, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  return bytes.toString('utf8');
}

/**
 * Collects problems under an error policy.
 *
 * @example
 * ```ts
 * const log = new ProblemLog('readConll', path, 'skip'); log.report(12, 'bad row'); log.skipped; // 1
 * ```
 */
export class ProblemLog implements SkipReport {
  skipped = 0;
  problems: string[] = [];

  constructor(private readonly op: string, private readonly source: string, private readonly onError: OnError) {}

  /** Throws, or records a skip, for a problem at `line`. */
  report(line: number, problem: string): void {
    const err = new DataFormatError(this.op, this.source, line, problem);
    if (this.onError === 'throw') throw err;
    this.skipped++;
    if (this.problems.length < 20) this.problems.push(err.message);
  }
}
