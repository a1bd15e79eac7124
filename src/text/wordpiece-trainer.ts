/**
 * Learning a WordPiece vocabulary the way Hugging Face's `WordPieceTrainer` does: byte-pair
 * merges over the corpus' words, where every character but a word's first carries the `##`
 * continuation prefix, repeatedly merging the most frequent adjacent pair until the vocabulary
 * is full. The merged tokens are then used by WordPiece's greedy longest-match-first encoding.
 *
 * The pair counts are updated incrementally (only the words containing the merged pair are
 * touched) and the best pair comes from a max-heap with lazy deletion, so a merge costs about
 * the size of the words it changes rather than a pass over the corpus.
 */
import { ValueError } from '../errors.js';

/** Options of the WordPiece trainer. */
export interface WordPieceTrainerOptions {
  /** Vocabulary size to reach, special tokens included. Default 8000. */
  vocabSize?: number;
  /** A pair must occur at least this often to be merged. Default 2. */
  minFrequency?: number;
  /** Keep only the most frequent characters (the rest encode as [UNK]). Default 1000. */
  limitAlphabet?: number;
  /** Continuation prefix. Default '##'. */
  prefix?: string;
}

const SHIFT = 4194304; // 2^22 symbols at most; pair keys a·2^22 + b stay exact doubles.

interface HeapEntry { key: number; count: number }

/** A max-heap of pairs by count, ties broken by the pair's strings so training is deterministic. */
class PairHeap {
  private readonly items: HeapEntry[] = [];
  constructor(private readonly symbols: string[]) {}

  get size(): number { return this.items.length; }

  private before(x: HeapEntry, y: HeapEntry): boolean {
    if (x.count !== y.count) return x.count > y.count;
    const [xa, xb] = [this.symbols[Math.floor(x.key / SHIFT)]!, this.symbols[x.key % SHIFT]!];
    const [ya, yb] = [this.symbols[Math.floor(y.key / SHIFT)]!, this.symbols[y.key % SHIFT]!];
    return xa !== ya ? xa < ya : xb < yb;
  }

  push(e: HeapEntry): void {
    const a = this.items;
    a.push(e);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): HeapEntry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Learns WordPiece tokens from word counts. Returns the tokens in vocabulary order: the
 * `specials`, then the alphabet (first characters, then `##` characters, each in code-point
 * order), then merged tokens in the order they were learnt.
 *
 * @example
 * ```ts
 * const counts = new Map([['low', 5], ['lower', 2], ['lowest', 3]]);
 * trainWordPiece(counts, ['[UNK]'], { vocabSize: 20, minFrequency: 2 });
 * // ['[UNK]', 'l', '##e', '##o', …, '##ow', 'low', …]
 * ```
 */
export function trainWordPiece(wordCounts: ReadonlyMap<string, number>, specials: readonly string[], opts: WordPieceTrainerOptions = {}): string[] {
  const vocabSize = opts.vocabSize ?? 8000;
  const minFrequency = opts.minFrequency ?? 2;
  const limitAlphabet = opts.limitAlphabet ?? 1000;
  const prefix = opts.prefix ?? '##';
  if (!(Number.isInteger(vocabSize) && vocabSize >= specials.length)) {
    throw new ValueError('trainWordPiece', `vocabSize must be an integer ≥ the ${specials.length} special tokens, got ${vocabSize}`);
  }
  // The alphabet: the most frequent characters (ties by code point).
  const charCounts = new Map<string, number>();
  for (const [w, c] of wordCounts) for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + c);
  const byCodePoint = (a: string, b: string): number => a.codePointAt(0)! - b.codePointAt(0)!;
  const alphabet = new Set([...charCounts].sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0])).slice(0, limitAlphabet).map(([ch]) => ch));

  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string): number => {
    let id = symbolId.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      symbolId.set(s, id);
    }
    return id;
  };
  // Words made of characters outside the alphabet cannot be spelt: they stay [UNK] and are not learnt from.
  const words: number[][] = [];
  const counts: number[] = [];
  const firsts = new Set<string>();
  const rests = new Set<string>();
  for (const [w, c] of wordCounts) {
    const chars = Array.from(w);
    if (chars.length === 0 || !chars.every((ch) => alphabet.has(ch))) continue;
    chars.forEach((ch, i) => (i === 0 ? firsts : rests).add(ch));
    words.push(chars.map((ch, i) => intern(i === 0 ? ch : prefix + ch)));
    counts.push(c);
  }
  const taken = new Set(specials);
  const vocab = [...specials];
  for (const s of [...[...firsts].sort(byCodePoint), ...[...rests].sort(byCodePoint).map((ch) => prefix + ch)]) {
    if (!taken.has(s)) { taken.add(s); vocab.push(s); }
  }

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const heap = new PairHeap(symbols);
  const bump = (key: number, delta: number, word: number): void => {
    const n = (pairCount.get(key) ?? 0) + delta;
    pairCount.set(key, n);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (set === undefined) pairWords.set(key, (set = new Set()));
      set.add(word);
    }
  };
  words.forEach((sym, w) => {
    for (let i = 0; i + 1 < sym.length; i++) bump(sym[i]! * SHIFT + sym[i + 1]!, counts[w]!, w);
  });
  for (const [key, count] of pairCount) heap.push({ key, count });

  while (vocab.length < vocabSize && heap.size > 0) {
    const top = heap.pop()!;
    if (pairCount.get(top.key) !== top.count) continue; // stale entry
    if (top.count < minFrequency) break;
    const a = Math.floor(top.key / SHIFT);
    const b = top.key % SHIFT;
    const bs = symbols[b]!;
    const merged = symbols[a]! + (bs.startsWith(prefix) ? bs.slice(prefix.length) : bs);
    const c = intern(merged);
    if (c >= SHIFT) break;
    if (!taken.has(merged)) { taken.add(merged); vocab.push(merged); }
    const changed = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      const sym = words[w]!;
      const out: number[] = [];
      for (let i = 0; i < sym.length; i++) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) { out.push(c); i++; } else out.push(sym[i]!);
      }
      if (out.length === sym.length) continue;
      const n = counts[w]!;
      for (let i = 0; i + 1 < sym.length; i++) { const k = sym[i]! * SHIFT + sym[i + 1]!; bump(k, -n, w); changed.add(k); }
      for (let i = 0; i + 1 < out.length; i++) { const k = out[i]! * SHIFT + out[i + 1]!; bump(k, n, w); changed.add(k); }
      words[w] = out;
    }
    pairCount.delete(top.key);
    pairWords.delete(top.key);
    changed.delete(top.key);
    for (const k of changed) {
      const n = pairCount.get(k)!;
      if (n > 0) heap.push({ key: k, count: n });
      else { pairCount.delete(k); pairWords.delete(k); }
    }
  }
  return vocab;
}
