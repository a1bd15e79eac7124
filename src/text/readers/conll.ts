/**
 * CoNLL column files for token tasks (named entities, chunks, semantic roles): one token per
 * line with its columns (token first, tag last by default), a blank line between sentences.
 * CoNLL-2003's `-DOCSTART-` lines are skipped; comment lines (CoNLL-U's `# sent_id = …`) are
 * skipped when a comment prefix is given.
 */
import { ValueError } from '../../errors.js';
import { ProblemLog, readTextFile, type OnError, type SkipReport } from './source.js';

/** One sentence: its tokens, their tags, and every column of every row. */
export interface ConllSentence {
  tokens: string[];
  tags: string[];
  /** All columns of each row (for extra columns such as POS tags or predicate indicators). */
  fields: string[][];
  /** Line number of the sentence's first row. */
  line: number;
}

/** Options of `readConll`. */
export interface ConllReadOptions {
  /** Column of the token (negative counts from the end). Default 0. */
  tokenColumn?: number;
  /** Column of the tag (negative counts from the end). Default -1, the last. */
  tagColumn?: number;
  /** Column separator: 'auto' (default) splits on tabs when a line has one, else on runs of spaces. */
  separator?: 'auto' | string | RegExp;
  /**
   * Lines starting with this are comments. Default null: no comments, since in tweets a token
   * may itself be '#' (CoNLL-U files: pass '#').
   */
  commentPrefix?: string | null;
  /** A malformed row throws a DataFormatError naming file and line (default), or its sentence is skipped and counted. */
  onError?: OnError;
}

/** The sentences read, and the sentences skipped (with `onError: 'skip'`). */
export interface ConllData extends SkipReport {
  sentences: ConllSentence[];
}

/**
 * Reads a CoNLL column file (optionally gzipped).
 *
 * @example
 * ```ts
 * const { sentences } = await readConll('wnut17/train.conll');
 * sentences[0]; // { tokens: ['@paulwalk', 'It', …], tags: ['O', 'O', …], … }
 * ```
 */
export async function readConll(path: string, opts: ConllReadOptions = {}): Promise<ConllData> {
  return parseConll(await readTextFile(path, 'readConll'), opts, path);
}

/**
 * As `readConll`, from the file's contents; `source` names it in errors.
 *
 * @example
 * ```ts
 * parseConll('New\tB-LOC\nYork\tI-LOC\n').sentences[0]!.tags; // ['B-LOC', 'I-LOC']
 * ```
 */
export function parseConll(content: string, opts: ConllReadOptions = {}, source = '<input>'): ConllData {
  const log = new ProblemLog('readConll', source, opts.onError ?? 'throw');
  const skipping = opts.onError === 'skip';
  const sep = opts.separator ?? 'auto';
  const split = (line: string): string[] => {
    if (sep === 'auto') return line.includes('\t') ? line.split('\t') : line.trim().split(/ +/);
    return line.split(sep);
  };
  const tokenCol = opts.tokenColumn ?? 0;
  const tagCol = opts.tagColumn ?? -1;
  const comment = opts.commentPrefix ?? null;
  if (comment === '') throw new ValueError('readConll', 'commentPrefix must not be empty (use null for no comments)');
  const sentences: ConllSentence[] = [];
  let cur: ConllSentence | null = null;
  let bad: { line: number; problem: string } | null = null;
  const flush = (): void => {
    if (cur !== null) {
      if (bad !== null) log.report(bad.line, skipping ? `${bad.problem} (sentence starting on line ${cur.line} skipped)` : bad.problem);
      else sentences.push(cur);
    }
    cur = null;
    bad = null;
  };
  const lines = content.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return flush();
    if (comment !== null && raw.startsWith(comment)) return;
    const f = split(raw.replace(/[\r\n]+$/, ''));
    if (f[0] === '-DOCSTART-') return flush();
    if (cur === null) cur = { tokens: [], tags: [], fields: [], line: lineNo };
    const s: ConllSentence = cur;
    if (bad !== null) return;
    const at = (c: number): number => (c < 0 ? f.length + c : c);
    const width = s.fields[0]?.length;
    const problem = width !== undefined && f.length !== width
      ? `expected ${width} columns like line ${s.line}, found ${f.length}`
      : at(tokenCol) < 0 || at(tokenCol) >= f.length || at(tagCol) < 0 || at(tagCol) >= f.length || f.length < 2
        ? `expected at least ${Math.max(2, tokenCol + 1, -tagCol, tagCol + 1)} columns (token and tag), found ${f.length}`
        : f[at(tagCol)] === '' ? 'the tag is empty' : null;
    if (problem !== null) {
      bad = { line: lineNo, problem };
      if (!skipping) flush();
      return;
    }
    s.tokens.push(f[at(tokenCol)]!);
    s.tags.push(f[at(tagCol)]!);
    s.fields.push(f);
  });
  flush();
  return { sentences, skipped: log.skipped, problems: log.problems };
}

/**
 * Writes sentences back in CoNLL columns (token TAB tag, a blank line after each sentence); with
 * `predicted` tags a third column, the input format of the conlleval script.
 *
 * @example
 * ```ts
 * formatConll([{ tokens: ['New', 'York'], tags: ['B-LOC', 'I-LOC'] }]); // 'New\tB-LOC\nYork\tI-LOC\n\n'
 * ```
 */
export function formatConll(sentences: readonly { tokens: readonly string[]; tags: readonly string[]; predicted?: readonly string[] }[]): string {
  return sentences.map((s) => {
    const rows = s.tokens.map((t, i) => [t, s.tags[i] ?? 'O', ...(s.predicted ? [s.predicted[i] ?? 'O'] : [])].join('\t'));
    return `${rows.join('\n')}\n\n`;
  }).join('');
}
