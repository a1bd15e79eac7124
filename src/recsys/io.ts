/**
 * Reading interactions (MovieLens-style `user item rating timestamp` rows) and item metadata
 * from delimited text files: any separator (`,` `;` `|` tab `::` or runs of whitespace), with or
 * without a header, columns chosen by name or index, `.gz` decompressed. Comma and semicolon files
 * with quotes are parsed by csv-parse (RFC 4180 quoting, so titles may contain the separator);
 * everything else is split line by line (fields trimmed). Malformed rows throw a `RecsysFormatError` naming file and line, or are
 * skipped and counted on request. Repeated (user, item) pairs follow a stated policy.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { ValueError } from '../errors.js';
import { DataFormatError } from '../text/errors.js';
import { readTextFileSync } from '../text/readers/source.js';
import { interactionsFrom, type InteractionRow } from './interactions.js';
import type { Interactions, ItemContent } from './types.js';

/**
 * A malformed input file: the message names the op, the file and the 1-based line.
 *
 * @example
 * ```ts
 * try { readInteractions('ratings.csv'); } catch (e) { if (e instanceof RecsysFormatError) console.error(e.file, e.line); }
 * ```
 */
export class RecsysFormatError extends DataFormatError {}

/** A column by header name or 0-based index. */
export type ColumnRef = string | number;

/** What to do with a repeated (user, item) pair: keep the last row (default) or the first, average or sum the ratings, or throw. */
export type DuplicatePolicy = 'last' | 'first' | 'mean' | 'sum' | 'error';

/** Options shared by the readers. */
export interface DelimitedOptions {
  /** `,` `;` `|` `\t` `::`, any other string, or 'whitespace' (runs of spaces and tabs). Default: guessed from the first line. */
  separator?: string;
  /** First row names the columns. Default 'auto': a header when the first row's columns that must be numbers are not. */
  header?: boolean | 'auto';
  /** Malformed rows: throw (default) or skip and count them. */
  onError?: 'throw' | 'skip';
}

/** Options of `readInteractions` / `parseInteractions`. */
export interface ReadInteractionsOptions extends DelimitedOptions {
  /**
   * Columns. Defaults with a header: the first of `user, userId, user_id, userid` for users, of
   * `item, itemId, item_id, movieId, movie_id` for items, `rating` and `timestamp` when present;
   * without a header: 0, 1, 2 and 3 (the latter two when the rows have them). `null` drops a column.
   */
  columns?: { user?: ColumnRef; item?: ColumnRef; rating?: ColumnRef | null; timestamp?: ColumnRef | null };
  /** Implicit feedback: the rating column (if any) is a weight; without one every row weighs 1. Default false. */
  implicit?: boolean;
  /** Repeated (user, item) pairs. Default 'last' (the later row wins, as a re-rating replaces the old one). */
  duplicates?: DuplicatePolicy;
}

/** Interactions read from a file, with what was skipped or merged. */
export interface ReadInteractionsResult {
  data: Interactions;
  /** Rows skipped as malformed (onError 'skip'). */
  skipped: number;
  /** The first 20 problems, each with file and line. */
  problems: string[];
  /** Rows merged into an earlier row of the same (user, item) pair. */
  duplicates: number;
}

interface Table {
  names: string[] | null;
  rows: { fields: string[]; line: number }[];
}

/** Guesses the separator from the first non-empty line. */
function guessSeparator(content: string): string {
  const nl = content.indexOf('\n');
  const first = nl < 0 ? content : content.slice(0, nl);
  for (const s of ['::', '\t', ',', '|', ';']) if (first.includes(s)) return s;
  return 'whitespace';
}

/** Splits a file into rows of fields with their 1-based line numbers. */
function splitTable(content: string, separator: string, op: string, file: string, problems: (line: number, msg: string) => void): string[][] & { lines: number[] } {
  const out = [] as unknown as string[][] & { lines: number[] };
  out.lines = [];
  // csv-parse handles quoting; a file without a quote character splits the same way, ~10× faster by hand.
  if ((separator === ',' || separator === ';') && content.includes('"')) {
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(content, {
        delimiter: separator, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true,
        skip_records_with_error: true,
        on_skip: (e: CsvError | undefined) => { if (e) problems(typeof e.lines === 'number' ? e.lines : 0, e.message); return undefined; },
      }) as unknown as { record: string[]; info: { lines: number } }[];
    } catch (e) {
      if (e instanceof CsvError) throw new RecsysFormatError(op, file, typeof e.lines === 'number' ? e.lines : 0, e.message);
      throw e;
    }
    for (const r of records) {
      out.push(r.record);
      out.lines.push(r.info.lines);
    }
    return out;
  }
  const lines = content.split(/\r?\n/);
  const ws = separator === 'whitespace';
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n]!;
    if (n === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.trim() === '') continue;
    out.push(ws ? line.trim().split(/\s+/) : line.split(separator).map((f) => f.trim()));
    out.lines.push(n + 1);
  }
  return out;
}

function isNumber(s: string | undefined): boolean {
  return s !== undefined && s !== '' && Number.isFinite(Number(s));
}

/** Resolves a column reference to an index (or -1 when absent and optional). */
function columnIndex(ref: ColumnRef | undefined, names: string[] | null, candidates: readonly string[], fallback: number, op: string, file: string, what: string): number {
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0) throw new ValueError(op, `${what} column index must be a non-negative integer, got ${ref}`);
    return ref;
  }
  if (typeof ref === 'string') {
    if (names === null) {
      if (/^\d+$/.test(ref)) return Number(ref);
      throw new ValueError(op, `${file}: ${what} column '${ref}' given by name but the file has no header (pass an index or header: true)`);
    }
    const i = names.indexOf(ref);
    if (i < 0) throw new RecsysFormatError(op, file, 1, `no ${what} column named '${ref}' (columns: ${names.join(', ')})`);
    return i;
  }
  if (names !== null) {
    const lower = names.map((n) => n.toLowerCase());
    for (const c of candidates) {
      const i = lower.indexOf(c.toLowerCase());
      if (i >= 0) return i;
    }
    if (fallback >= 0 && candidates.length > 0 && (what === 'user' || what === 'item')) {
      throw new RecsysFormatError(op, file, 1, `no ${what} column among ${names.join(', ')} (expected one of ${candidates.join(', ')}; pass columns.${what})`);
    }
    return -1;
  }
  return fallback;
}

/**
 * Reads interactions from a delimited file (see the module comment).
 *
 * @example
 * ```ts
 * // MovieLens 100k: tab-separated, no header.
 * const { data } = readInteractions('ml-100k/u.data');
 * // MovieLens 1M: '::', no header.
 * const ml1m = readInteractions('ml-1m/ratings.dat').data;
 * // A CSV with named columns and implicit plays, repeated pairs summed.
 * readInteractions('plays.csv', { implicit: true, columns: { user: 'listener', item: 'track', rating: 'plays' }, duplicates: 'sum' });
 * ```
 */
export function readInteractions(path: string, opts: ReadInteractionsOptions = {}): ReadInteractionsResult {
  return parseInteractions(readTextFileSync(path, 'readInteractions', RecsysFormatError), opts, path);
}

/**
 * As `readInteractions`, from the file's contents; `source` names it in errors.
 *
 * @example
 * ```ts
 * parseInteractions('1::10::4::978300760\n2::10::5::978300761\n').data.userIds; // ['1', '2']
 * ```
 */
export function parseInteractions(content: string, opts: ReadInteractionsOptions = {}, source = '<input>'): ReadInteractionsResult {
  const op = 'readInteractions';
  const onError = opts.onError ?? 'throw';
  let skipped = 0;
  const problems: string[] = [];
  const report = (line: number, msg: string): void => {
    const err = new RecsysFormatError(op, source, line, msg);
    if (onError === 'throw') throw err;
    skipped++;
    if (problems.length < 20) problems.push(err.message);
  };
  const sep = opts.separator ?? guessSeparator(content);
  const table = splitTable(content, sep, op, source, report);
  if (table.length === 0) throw new RecsysFormatError(op, source, 0, 'no rows');
  const cols = opts.columns ?? {};
  // Header: explicit, or 'auto' — the first row is a header when its user/rating/timestamp fields (by index) are not numeric
  // while the second row's are, or when the first row names a known column.
  let header: boolean;
  if (opts.header === true || opts.header === false) header = opts.header;
  else {
    const first = table[0]!;
    const known = ['user', 'userid', 'user_id', 'item', 'itemid', 'item_id', 'movieid', 'movie_id', 'rating', 'timestamp'];
    header = first.some((f) => known.includes(f.toLowerCase())) || (first.length > 2 && !isNumber(first[2]) && table.length > 1 && isNumber(table[1]![2]));
  }
  const names = header ? table[0]! : null;
  const start = header ? 1 : 0;
  const width = table[start]?.length ?? 0;
  const userCol = columnIndex(cols.user, names, ['user', 'userId', 'user_id', 'userid'], 0, op, source, 'user');
  const itemCol = columnIndex(cols.item, names, ['item', 'itemId', 'item_id', 'movieId', 'movie_id'], 1, op, source, 'item');
  const ratingCol = cols.rating === null ? -1 : columnIndex(cols.rating, names, ['rating', 'score'], width > 2 ? 2 : -1, op, source, 'rating');
  const timeCol = cols.timestamp === null ? -1 : columnIndex(cols.timestamp, names, ['timestamp', 'time', 'ts'], width > 3 ? 3 : -1, op, source, 'timestamp');
  if (ratingCol < 0 && !opts.implicit) throw new RecsysFormatError(op, source, 0, 'no rating column: pass columns.rating, or implicit: true for unweighted interactions');
  const need = Math.max(userCol, itemCol, ratingCol, timeCol) + 1;
  const policy = opts.duplicates ?? 'last';
  const rows: InteractionRow[] = [];
  const counts: number[] = [];
  const firstLine: number[] = [];
  const seen = new Map<string, number>();
  let duplicates = 0;
  for (let r = start; r < table.length; r++) {
    const f = table[r]!;
    const line = table.lines[r]!;
    if (f.length < need) {
      report(line, `expected at least ${need} fields, got ${f.length} (${JSON.stringify(f.join(sep === 'whitespace' ? ' ' : sep)).slice(0, 80)})`);
      continue;
    }
    const user = f[userCol]!;
    const item = f[itemCol]!;
    if (user === '' || item === '') {
      report(line, `empty ${user === '' ? 'user' : 'item'} id`);
      continue;
    }
    let rating = 1;
    if (ratingCol >= 0) {
      rating = Number(f[ratingCol]);
      if (f[ratingCol] === '' || !Number.isFinite(rating)) {
        report(line, `rating '${f[ratingCol]}' is not a number`);
        continue;
      }
    }
    let timestamp = NaN;
    if (timeCol >= 0 && f[timeCol] !== '') {
      timestamp = Number(f[timeCol]);
      if (!Number.isFinite(timestamp)) {
        const parsed = Date.parse(f[timeCol]!);
        if (Number.isNaN(parsed)) {
          report(line, `timestamp '${f[timeCol]}' is neither a number nor a date`);
          continue;
        }
        timestamp = parsed / 1000;
      }
    }
    const key = `${user}\u0000${item}`;
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, rows.length);
      rows.push({ user, item, rating, timestamp });
      counts.push(1);
      firstLine.push(line);
      continue;
    }
    duplicates++;
    const prev = rows[at]!;
    switch (policy) {
      case 'error':
        throw new RecsysFormatError(op, source, line, `duplicate rating of user '${user}' for item '${item}' (first at line ${firstLine[at]}); pass duplicates: 'last', 'first', 'mean' or 'sum'`);
      case 'last':
        prev.rating = rating;
        prev.timestamp = timestamp;
        break;
      case 'first':
        break;
      case 'mean':
        prev.rating = (prev.rating! * counts[at]! + rating) / (counts[at]! + 1);
        prev.timestamp = Math.max(prev.timestamp ?? NaN, timestamp);
        break;
      case 'sum':
        prev.rating = prev.rating! + rating;
        prev.timestamp = Math.max(prev.timestamp ?? NaN, timestamp);
        break;
    }
    counts[at]!++;
  }
  if (rows.length === 0) throw new RecsysFormatError(op, source, 0, `no valid rows (${skipped} skipped)`);
  return { data: interactionsFrom(rows, { implicit: opts.implicit ?? false }), skipped, problems, duplicates };
}

/** Options of `readItemContent`. */
export interface ReadItemContentOptions extends DelimitedOptions {
  /** Item id column. Default 'item', 'itemId', 'item_id', 'movieId', 'movie_id', 'id' by header, else 0. */
  id?: ColumnRef;
  /** Columns joined (with spaces) into the text. Default 'title' and 'description' where present, else 1. */
  text?: readonly ColumnRef[];
  /** Column of categories. Default 'genres', 'categories', 'tags' where present, else none. */
  categories?: ColumnRef;
  /** Separator between categories within the column. Default '|'. */
  categorySeparator?: string;
}

/**
 * Reads item metadata (id, text, categories); an item listed on several rows (as in files that
 * repeat it per rating) keeps its first row.
 *
 * @example
 * ```ts
 * // movieId,title,year,genres,userId,rating,timestamp (MovieLens latest-small as one table)
 * const content = readItemContent('movielens.csv.gz', { text: ['title'], categories: 'genres' });
 * content.get('1')?.categories; // ['Adventure', 'Animation', …]
 * ```
 */
export function readItemContent(path: string, opts: ReadItemContentOptions = {}): Map<string, ItemContent> {
  return parseItemContent(readTextFileSync(path, 'readItemContent', RecsysFormatError), opts, path);
}

/**
 * As `readItemContent`, from the file's contents.
 *
 * @example
 * ```ts
 * parseItemContent('id,title,genres\n1,Toy Story,Animation|Comedy\n').get('1'); // { text: 'Toy Story', categories: ['Animation', 'Comedy'] }
 * ```
 */
export function parseItemContent(content: string, opts: ReadItemContentOptions = {}, source = '<input>'): Map<string, ItemContent> {
  const op = 'readItemContent';
  const onError = opts.onError ?? 'throw';
  const report = (line: number, msg: string): void => {
    if (onError === 'throw') throw new RecsysFormatError(op, source, line, msg);
  };
  const sep = opts.separator ?? guessSeparator(content);
  const table = splitTable(content, sep, op, source, report);
  if (table.length === 0) throw new RecsysFormatError(op, source, 0, 'no rows');
  const first = table[0]!.map((f) => f.toLowerCase());
  const header = opts.header === true || opts.header === false ? opts.header : first.some((f) => ['id', 'item', 'itemid', 'item_id', 'movieid', 'movie_id', 'title', 'genres', 'text'].includes(f));
  const names = header ? table[0]! : null;
  const idCol = columnIndex(opts.id, names, ['item', 'itemId', 'item_id', 'movieId', 'movie_id', 'id'], 0, op, source, 'item');
  let textCols: number[];
  if (opts.text) textCols = opts.text.map((t) => columnIndex(t, names, [], -1, op, source, 'text'));
  else if (names) textCols = ['title', 'description', 'text'].map((n) => names.findIndex((x) => x.toLowerCase() === n)).filter((i) => i >= 0);
  else textCols = [1];
  const catCol = opts.categories !== undefined ? columnIndex(opts.categories, names, [], -1, op, source, 'categories')
    : names ? names.findIndex((x) => ['genres', 'categories', 'tags'].includes(x.toLowerCase())) : -1;
  const catSep = opts.categorySeparator ?? '|';
  const out = new Map<string, ItemContent>();
  for (let r = header ? 1 : 0; r < table.length; r++) {
    const f = table[r]!;
    const id = f[idCol];
    if (id === undefined || id === '') {
      report(table.lines[r]!, 'missing item id');
      continue;
    }
    if (out.has(id)) continue;
    const entry: ItemContent = {};
    const text = textCols.map((c) => f[c] ?? '').filter((t) => t !== '').join(' ');
    if (text !== '') entry.text = text;
    if (catCol >= 0 && f[catCol] !== undefined && f[catCol] !== '') entry.categories = f[catCol]!.split(catSep).map((c) => c.trim()).filter((c) => c !== '' && c !== '(no genres listed)');
    out.set(id, entry);
  }
  return out;
}
