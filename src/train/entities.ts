/**
 * Entity-level precision, recall and F1 for span tasks tagged with BIO (IOB2) labels (named
 * entities, semantic roles), with the rules of seqeval:
 * - 'strict' (seqeval's `mode='strict', scheme=IOB2`): an entity is a `B-X` followed by any
 *   number of `I-X`; an `I-X` that does not continue a `B-X`/`I-X` of the same type starts
 *   nothing and is ignored;
 * - 'conlleval' (seqeval's default, the CoNLL-2000 perl script): an `I-X` after `O` or after
 *   another type also starts an entity.
 * A predicted entity counts only when its type, start and end all match a true one.
 */
import { ValueError } from '../errors.js';
import { scoresFromCounts, type ClassScores, type PRF } from './metrics.js';

/** An entity span: tokens start … end-1 of sentence `sentence`. */
export interface Entity {
  type: string;
  start: number;
  /** Exclusive. */
  end: number;
}

/** Which chunking rules to use (see the file comment). */
export type EntityMode = 'strict' | 'conlleval';

/** Entity-level scores per entity type, and averaged over types. */
export interface EntityReport {
  perType: Record<string, ClassScores>;
  micro: PRF;
  macro: PRF;
  weighted: PRF;
  /** Entities in the targets and in the predictions. */
  trueCount: number;
  predictedCount: number;
}

function parse(tag: string, where: string): { prefix: string; type: string } {
  if (tag === 'O') return { prefix: 'O', type: '' };
  const m = /^([BIES])(?:-(.+))?$/.exec(tag);
  if (!m) throw new ValueError('entities', `tag '${tag}' ${where} is not a BIO tag (O, B-TYPE or I-TYPE)`);
  return { prefix: m[1]!, type: m[2] ?? '_' };
}

function strictEntities(tags: readonly string[], where: (i: number) => string): Entity[] {
  const parsed = tags.map((t, i) => parse(t, where(i)));
  const out: Entity[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const p = parsed[i]!;
    if (p.prefix === 'E' || p.prefix === 'S') throw new ValueError('entities', `tag '${tags[i]}' ${where(i)}: strict mode reads IOB2 tags (B-, I-, O)`);
    if (p.prefix !== 'B') continue;
    let j = i + 1;
    while (j < parsed.length && parsed[j]!.prefix === 'I' && parsed[j]!.type === p.type) j++;
    out.push({ type: p.type, start: i, end: j });
    i = j - 1;
  }
  return out;
}

function conllevalEntities(tags: readonly string[], where: (i: number) => string): Entity[] {
  const out: Entity[] = [];
  let prevTag = 'O';
  let prevType = '';
  let begin = 0;
  const seq = [...tags, 'O'];
  seq.forEach((t, i) => {
    const { prefix: tag, type } = i < tags.length ? parse(t, where(i)) : { prefix: 'O', type: '' };
    const typ = tag === 'O' ? '_' : type;
    const end = prevTag === 'E' || prevTag === 'S'
      || (prevTag === 'B' && (tag === 'B' || tag === 'S' || tag === 'O'))
      || (prevTag === 'I' && (tag === 'B' || tag === 'S' || tag === 'O'))
      || (prevTag !== 'O' && prevType !== typ);
    const start = tag === 'B' || tag === 'S'
      || ((prevTag === 'E' || prevTag === 'S' || prevTag === 'O') && (tag === 'E' || tag === 'I'))
      || (tag !== 'O' && prevType !== typ);
    if (end) out.push({ type: prevType, start: begin, end: i });
    if (start) begin = i;
    prevTag = tag;
    prevType = typ;
  });
  return out;
}

/**
 * The entities of one tag sequence.
 *
 * @example
 * ```ts
 * extractEntities(['B-PER', 'I-PER', 'O', 'I-LOC']);              // [{ type: 'PER', start: 0, end: 2 }]
 * extractEntities(['B-PER', 'I-PER', 'O', 'I-LOC'], 'conlleval'); // … and { type: 'LOC', start: 3, end: 4 }
 * ```
 */
export function extractEntities(tags: readonly string[], mode: EntityMode = 'strict', sentence?: number): Entity[] {
  const where = (i: number): string => (sentence === undefined ? `at position ${i}` : `in sentence ${sentence} at position ${i}`);
  return mode === 'strict' ? strictEntities(tags, where) : conllevalEntities(tags, where);
}

/**
 * Entity-level precision, recall and F1 over sentences, per type and averaged (micro pools the
 * counts of every type: seqeval's headline "micro avg" F1).
 *
 * @example
 * ```ts
 * const r = entityReport([['B-PER', 'I-PER', 'O']], [['B-PER', 'O', 'O']]);
 * r.micro.f1; // 0: the predicted span [0, 1) does not match the true [0, 2)
 * ```
 */
export function entityReport(trueTags: readonly (readonly string[])[], predictedTags: readonly (readonly string[])[], mode: EntityMode = 'strict'): EntityReport {
  if (trueTags.length !== predictedTags.length) throw new ValueError('entityReport', `${trueTags.length} true sentences but ${predictedTags.length} predicted`);
  const key = (e: Entity, s: number): string => `${s}\u0000${e.type}\u0000${e.start}\u0000${e.end}`;
  const truth = new Map<string, string>();
  const pred = new Map<string, string>();
  trueTags.forEach((tags, s) => {
    const p = predictedTags[s]!;
    if (p.length !== tags.length) throw new ValueError('entityReport', `sentence ${s} has ${tags.length} true tags but ${p.length} predicted`);
    for (const e of extractEntities(tags, mode, s)) truth.set(key(e, s), e.type);
    for (const e of extractEntities(p, mode, s)) pred.set(key(e, s), e.type);
  });
  const types = [...new Set([...truth.values(), ...pred.values()])].sort();
  const index = new Map(types.map((t, i) => [t, i]));
  const [tp, fp, fn] = [types.map(() => 0), types.map(() => 0), types.map(() => 0)];
  for (const [k, t] of pred) (truth.has(k) ? tp : fp)[index.get(t)!]! += 1;
  for (const [k, t] of truth) if (!pred.has(k)) fn[index.get(t)!]! += 1;
  const s = scoresFromCounts(tp, fp, fn);
  return {
    perType: Object.fromEntries(types.map((t, i) => [t, s.perClass[i]!])),
    micro: s.micro, macro: s.macro, weighted: s.weighted,
    trueCount: truth.size, predictedCount: pred.size,
  };
}

/**
 * Micro-averaged entity F1 with strict IOB2 rules, with `fit`'s metric argument order
 * (predictions first).
 *
 * @example
 * ```ts
 * fit({ …, metrics: { entityF1 } }); // reported as val_entityF1
 * ```
 */
export function entityF1(predictions: readonly (readonly string[])[], targets: readonly (readonly string[])[]): number {
  return entityReport(targets, predictions, 'strict').micro.f1;
}
