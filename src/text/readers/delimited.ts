/**
 * Reading text-classification data: CSV, TSV (RFC 4180 quoting, by `csv-parse`, the standard
 * Node CSV parser) or JSON Lines, each row giving a text and a label.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { ValueError } from '../../errors.js';
import { ProblemLog, readTextFile, type OnError, type SkipReport } from './source.js';

/** A file format the reader knows. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl';

/** Options of `readTextClassification`. */
export interface TextClassificationReadOptions {
  /** Default: from the extension (.csv, .tsv/.tab, .jsonl/.ndjson, each optionally .gz). */
  format?: TableFormat;
  /** Column name (or 0-based index for CSV/TSV) of the text. Default 'text'. */
  textColumn?: string | number;
  /** Column name (or index) of the label. Default 'label'. */
  labelColumn?: string | number;
  /** Further columns to return (for example a split column), by name or index. Default none. */
  extraColumns?: readonly (string | number)[];
  /** CSV/TSV: the first row names the columns. Default true (indices are then still allowed). */
  header?: boolean;
  /** CSV/TSV field delimiter. Default ',' for CSV, tab for TSV. */
  delimiter?: string;
  /** Malformed rows: throw a DataFormatError naming file and line (default) or skip and count them. */
  onError?: OnError;
}

/** Texts and labels, row by row, with the skipped rows counted. */
export interface TextClassificationData extends SkipReport {
  texts: string[];
  labels: string[];
  /** The values of `extraColumns`, keyed as given (indices as strings). */
  extras: Record<string, string[]>;
}

/**
 * The format of `path` from its extension, or undefined.
 *
 * @example
 * ```ts
 * formatOf('train.tsv.gz'); // 'tsv'
 * ```
 */
export function formatOf(path: string): TableFormat | undefined {
  const p = path.toLowerCase().replace(/\.gz$/, '');
  if (p.endsWith('.csv')) return 'csv';
  if (p.endsWith('.tsv') || p.endsWith('.tab')) return 'tsv';
  if (p.endsWith('.jsonl') || p.endsWith('.ndjson')) return 'jsonl';
  return undefined;
}

/**
 * Reads a CSV, TSV or JSONL file of labelled texts.
 *
 * @example
 * ```ts
 * const { texts, labels, skipped } = await readTextClassification('reviews.csv', { textColumn: 'review', labelColumn: 'score', onError: 'skip' });
 * ```
 */
export async function readTextClassification(path: string, opts: TextClassificationReadOptions = {}): Promise<TextClassificationData> {
  const op = 'readTextClassification';
  const format = opts.format ?? formatOf(path);
  if (format === undefined) throw new ValueError(op, `cannot tell the format of '${path}' from its extension: pass format 'csv', 'tsv' or 'jsonl'`);
  return parseTextClassification(await readTextFile(path, op), { ...opts, format }, path);
}

/**
 * As `readTextClassification`, from the file's contents; `source` names it in errors.
 *
 * @example
 * ```ts
 * parseTextClassification('text,label\nhi,a\n', { format: 'csv' }).labels; // ['a']
 * ```
 */
export function parseTextClassification(content: string, opts: TextClassificationReadOptions & { format: TableFormat }, source = '<input>'): TextClassificationData {
  return opts.format === 'jsonl' ? parseJsonl(content, opts, source) : parseTable(content, opts, source);
}

/** The line csv-parse reports for an error (0 when it gives none). */
function csvLine(e: CsvError): number {
  return typeof e.lines === 'number' ? e.lines : 0;
}

interface Columns { text: string | number; label: string | number; extras: readonly (string | number)[] }

function columnsOf(opts: TextClassificationReadOptions): Columns {
  return { text: opts.textColumn ?? 'text', label: opts.labelColumn ?? 'label', extras: opts.extraColumns ?? [] };
}

function result(cols: Columns): TextClassificationData {
  return { texts: [], labels: [], extras: Object.fromEntries(cols.extras.map((c) => [String(c), [] as string[]])), skipped: 0, problems: [] };
}

function parseTable(content: string, opts: TextClassificationReadOptions & { format: TableFormat }, source: string): TextClassificationData {
  const op = 'readTextClassification';
  const log = new ProblemLog(op, source, opts.onError ?? 'throw');
  const cols = columnsOf(opts);
  const out = result(cols);
  let rows: { record: string[]; info: { lines: number; raw?: string } }[];
  try {
    rows = parse(content, {
      delimiter: opts.delimiter ?? (opts.format === 'tsv' ? '\t' : ','),
      bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true, raw: true,
      skip_records_with_error: opts.onError === 'skip',
      on_skip: (e: CsvError | undefined) => { if (e) log.report(csvLine(e), e.message); return undefined; },
    }) as unknown as { record: string[]; info: { lines: number; raw?: string } }[];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    log.report(csvLine(e), e.message);
    return { ...out, skipped: log.skipped, problems: log.problems };
  }
  const firstLine = (r: { info: { lines: number; raw?: string } }): number => {
    const raw = (r.info.raw ?? '').replace(/^[\r\n]+/, '').replace(/\r?\n$|\r$/, '');
    return r.info.lines - (raw.match(/\n/g)?.length ?? 0);
  };
  const header = opts.header ?? true;
  const names = header && rows.length > 0 ? rows[0]!.record : null;
  const indexOf = (c: string | number, what: string): number => {
    if (typeof c === 'number') return c;
    const i = names?.indexOf(c) ?? -1;
    if (i < 0) {
      throw new ValueError(op, `${source}: no ${what} column '${c}'${names ? ` (columns: ${names.join(', ')})` : ' (the file has no header row: give a column index)'}`);
    }
    return i;
  };
  const ti = indexOf(cols.text, 'text');
  const li = indexOf(cols.label, 'label');
  const ei = cols.extras.map((c) => indexOf(c, 'extra'));
  const width = names?.length ?? null;
  for (const r of rows.slice(header ? 1 : 0)) {
    const line = firstLine(r);
    const f = r.record;
    if (width !== null && f.length !== width) { log.report(line, `expected ${width} fields like the header, found ${f.length}`); continue; }
    const need = Math.max(ti, li, ...ei);
    if (f.length <= need) { log.report(line, `expected at least ${need + 1} fields, found ${f.length}`); continue; }
    const label = f[li]!.trim();
    if (label === '') { log.report(line, 'the label is empty'); continue; }
    out.texts.push(f[ti]!);
    out.labels.push(label);
    cols.extras.forEach((c, k) => out.extras[String(c)]!.push(f[ei[k]!]!));
  }
  return { ...out, skipped: log.skipped, problems: log.problems };
}

function parseJsonl(content: string, opts: TextClassificationReadOptions, source: string): TextClassificationData {
  const log = new ProblemLog('readTextClassification', source, opts.onError ?? 'throw');
  const cols = columnsOf(opts);
  const out = result(cols);
  const scalar = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : null);
  content.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    if (text.trim() === '') return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      return log.report(line, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return log.report(line, 'expected a JSON object');
    const rec = obj as Record<string, unknown>;
    const t = scalar(rec[String(cols.text)]);
    const l = scalar(rec[String(cols.label)]);
    if (t === null) return log.report(line, `field '${cols.text}' is missing or not a string`);
    if (l === null || l.trim() === '') return log.report(line, `field '${cols.label}' is missing, empty or not a string/number`);
    out.texts.push(t);
    out.labels.push(l.trim());
    cols.extras.forEach((c) => out.extras[String(c)]!.push(scalar(rec[String(c)]) ?? ''));
  });
  return { ...out, skipped: log.skipped, problems: log.problems };
}
