/**
 * Semantic role labelling data: predicate–argument structures as token tags, one instance per
 * predicate (the predicate's position is the model's indicator feature, its roles BIO tags,
 * the predicate itself `B-V`). Reads the column formats people bring:
 * - tsorch's own: token, predicate column (`-`/`_` = none, else the sense or 1), one BIO role
 *   column — one block per predicate (what {@link formatSrlConll} writes);
 * - CoNLL-2005 props: token (and any columns), predicate column, then one column per predicate
 *   in bracket notation (`(A0*`, `*`, `*)`, `(V*)`), converted to BIO;
 * - CoNLL-2009 / CoNLL-U Plus (Universal PropBank): head-word labels (`A0`, `ARG1`, `_`), each
 *   becoming a one-word span.
 */
import { parseConll, type ConllReadOptions, type ConllSentence } from './readers/conll.js';
import { ProblemLog, readTextFile, type SkipReport } from './readers/source.js';
import { entitySpans, type EntitySpan } from './ner.js';

/** One predicate of one sentence with its role tags. */
export interface SrlInstance {
  tokens: string[];
  /** Word index of the predicate. */
  predicate: number;
  /** BIO role tags, `B-V` at the predicate. */
  tags: string[];
  /** The predicate column's value (a sense such as `give.01`, or '1'). */
  sense?: string;
}

/** Options of {@link readSrlConll}. */
export interface SrlReadOptions extends Omit<ConllReadOptions, 'tagColumn'> {
  /** Column of the predicate flag or sense; the role columns are the ones after it. Default 1. */
  predicateColumn?: number;
}

/** Instances read, and sentences skipped (with `onError: 'skip'`). */
export interface SrlData extends SkipReport {
  instances: SrlInstance[];
}

const NO_PREDICATE = new Set(['-', '_', '0', 'O', '']);

/** CoNLL-2005 bracket cells → BIO tags; null with the problem when the brackets do not nest. */
function bracketsToBIO(cells: readonly string[]): { tags: string[] } | { problem: string; row: number } {
  const tags: string[] = [];
  let open: string | null = null;
  for (let i = 0; i < cells.length; i++) {
    const m = /^(?:\(([^*()]+))?\*(\))?$/.exec(cells[i]!.replace(/\s+/g, ''));
    if (!m) return { problem: `'${cells[i]}' is not a bracketed role cell like (A0*, *, *) or (V*)`, row: i };
    if (m[1] !== undefined) {
      if (open !== null) return { problem: `role ${m[1]} opens inside ${open}`, row: i };
      open = m[1];
      tags.push(`B-${open}`);
    } else {
      tags.push(open === null ? 'O' : `I-${open}`);
    }
    if (m[2] !== undefined) {
      if (open === null) return { problem: 'a role closes that was never opened', row: i };
      open = null;
    }
  }
  if (open !== null) return { problem: `role ${open} is never closed`, row: cells.length - 1 };
  return { tags };
}

/** Role cells of one predicate → BIO tags (bracket, BIO or head-word labels). */
function roleTags(cells: readonly string[]): { tags: string[] } | { problem: string; row: number } {
  if (cells.some((c) => c.includes('*'))) return bracketsToBIO(cells);
  return { tags: cells.map((c) => (NO_PREDICATE.has(c) ? 'O' : /^[BI]-/.test(c) || c === 'O' ? c : `B-${c}`)) };
}

/** The instances of one CoNLL sentence; a problem (with its row) when columns and predicates disagree. */
function instancesOf(s: ConllSentence, predicateColumn: number): { instances: SrlInstance[] } | { problem: string; row: number } {
  const width = s.fields[0]!.length;
  const pc = predicateColumn < 0 ? width + predicateColumn : predicateColumn;
  const roleCols = width - pc - 1;
  if (roleCols < 1) return { problem: `no role column after the predicate column ${pc} (${width} columns)`, row: 0 };
  const predicates = s.fields.flatMap((f, i) => (NO_PREDICATE.has(f[pc]!) ? [] : [i]));
  if (predicates.length !== roleCols) {
    return { problem: `${predicates.length} predicate(s) marked in column ${pc} but ${roleCols} role column(s) after it (one per predicate expected)`, row: 0 };
  }
  const instances: SrlInstance[] = [];
  for (let k = 0; k < roleCols; k++) {
    const r = roleTags(s.fields.map((f) => f[pc + 1 + k]!));
    if ('problem' in r) return { problem: `role column ${pc + 1 + k}: ${r.problem}`, row: r.row };
    const p = predicates[k]!;
    const tags = r.tags;
    // The predicate is tagged V in every format that marks it; mark it when the data does not.
    if (!tags[p]!.endsWith('-V')) tags[p] = 'B-V';
    instances.push({ tokens: s.tokens, predicate: p, tags, sense: s.fields[p]![pc]! });
  }
  return { instances };
}

/**
 * Semantic-role instances from CoNLL columns (see the file comment for the formats); a
 * malformed sentence throws a DataFormatError naming file and line, or is skipped and counted
 * with `onError: 'skip'`.
 *
 * @example
 * ```ts
 * parseSrlConll('Mary\t-\t(A0*)\nbought\tbuy.01\t(V*)\ncars\t-\t(A1*)\n').instances[0];
 * // { tokens: ['Mary', 'bought', 'cars'], predicate: 1, tags: ['B-A0', 'B-V', 'B-A1'], sense: 'buy.01' }
 * ```
 */
export function parseSrlConll(content: string, opts: SrlReadOptions = {}, source = '<input>'): SrlData {
  const pc = opts.predicateColumn ?? 1;
  const { predicateColumn: _p, ...conll } = opts;
  const data = parseConll(content, { ...conll, tagColumn: pc }, source);
  const log = new ProblemLog('readSrlConll', source, opts.onError ?? 'throw');
  const instances: SrlInstance[] = [];
  for (const s of data.sentences) {
    const r = instancesOf(s, pc);
    if ('problem' in r) log.report(s.line + r.row, opts.onError === 'skip' ? `${r.problem} (sentence starting on line ${s.line} skipped)` : r.problem);
    else instances.push(...r.instances);
  }
  return { instances, skipped: data.skipped + log.skipped, problems: [...data.problems, ...log.problems] };
}

/**
 * As {@link parseSrlConll}, from a file (optionally gzipped).
 *
 * @example
 * ```ts
 * const { instances } = await readSrlConll('props.conll', { predicateColumn: 1 });
 * ```
 */
export async function readSrlConll(path: string, opts: SrlReadOptions = {}): Promise<SrlData> {
  return parseSrlConll(await readTextFile(path, 'readSrlConll'), opts, path);
}

/**
 * Writes instances in tsorch's SRL columns: token, predicate (`sense` or '1' at the predicate,
 * '-' elsewhere), role tag; one block per instance. {@link parseSrlConll} reads it back.
 *
 * @example
 * ```ts
 * formatSrlConll([{ tokens: ['Mary', 'sang'], predicate: 1, tags: ['B-ARG0', 'B-V'] }]);
 * // 'Mary\t-\tB-ARG0\nsang\t1\tB-V\n\n'
 * ```
 */
export function formatSrlConll(instances: readonly SrlInstance[]): string {
  return instances.map((s) => `${s.tokens.map((t, i) => `${t}\t${i === s.predicate ? (s.sense ?? '1') : '-'}\t${s.tags[i]}`).join('\n')}\n\n`).join('');
}

/**
 * The argument spans of one predicate's tags (the `V` span left out), with character offsets
 * when the words' offsets are given.
 *
 * @example
 * ```ts
 * srlSpans(['Mary', 'sang', 'songs'], ['B-ARG0', 'B-V', 'B-ARG1']).map((a) => `${a.type}: ${a.text}`); // ['ARG0: Mary', 'ARG1: songs']
 * ```
 */
export function srlSpans(tokens: readonly string[], tags: readonly string[], offsets?: readonly (readonly [number, number])[], text?: string): EntitySpan[] {
  return entitySpans(tokens, tags, offsets, text).filter((e) => e.type !== 'V');
}
