/**
 * A seeded SYNTHETIC semantic-role corpus. No PropBank-annotated corpus is available offline,
 * so this generates English-like sentences from a small grammar with PropBank-style frames
 * (give.01, buy.01, sell.01, send.01, eat.01, see.01, meet.01, write.01, build.01, open.01,
 * break.01, leave.01, arrive.01, say.01, tell.01) and roles ARG0–ARG4, ARGM-LOC, ARGM-TMP,
 * ARGM-MNR, ARGM-MOD, ARGM-NEG, ARGM-DIS, ARGM-CAU, ARGM-PRP, R-ARG0, tagged BIO with B-V at the
 * predicate, one instance per predicate. The variation a tagger must handle: active and passive
 * voice (the subject is ARG1 in passives, `by …` is ARG0), ergative verbs without ARG0, double
 * objects, optional and fronted adjuncts, modals, negation, auxiliaries (O), multi-word
 * arguments with inner prepositional phrases, clausal arguments (`said that …`, whose words are
 * an ARG1 of `said` and carry their own frame), subject relative clauses (R-ARG0), coordinated
 * clauses, and distractors (words of the other clauses are O, non-predicate verbs inside
 * adjuncts). Scores on it measure a model on this grammar, not on real text.
 */
import { ValueError } from '../../errors.js';
import { Generator } from '../../tensor/random.js';
import type { SrlInstance } from '../srl.js';

/** A run of words and its role for each predicate (by predicate id) it belongs to. */
interface Chunk {
  words: string[];
  roles: Map<number, string>;
  /** Set on the verb of predicate `predicate`. */
  predicate?: number;
  sense?: string;
}

interface NP { words: string[]; plural: boolean }

type Kind = 'agent' | 'person' | 'thing' | 'food' | 'text' | 'structure' | 'openable' | 'tool' | 'placeNP' | 'price' | 'any';

interface Verb { base: string; s: string; past: string; part: string; ing: string }

interface Frame {
  sense: string;
  verb: Verb;
  /** Active patterns (see `fill`); the first slot is the subject. */
  active: string[];
  passive: string[];
  /** Patterns whose subject is not ARG0 (ergatives, arrive). */
  intransitive?: string[];
}

const v = (base: string, s: string, past: string, part: string, ing: string): Verb => ({ base, s, past, part, ing });

const FRAMES: Frame[] = [
  { sense: 'give.01', verb: v('give', 'gives', 'gave', 'given', 'giving'), active: ['ARG0=agent V ARG2=person ARG1=thing', 'ARG0=agent V ARG1=thing to:ARG2=person'], passive: ['ARG1=thing V to:ARG2=person ?by:ARG0=agent'] },
  { sense: 'buy.01', verb: v('buy', 'buys', 'bought', 'bought', 'buying'), active: ['ARG0=agent V ARG1=thing ?from:ARG2=agent ?for:ARG3=price'], passive: ['ARG1=thing V ?by:ARG0=agent ?for:ARG3=price'] },
  { sense: 'sell.01', verb: v('sell', 'sells', 'sold', 'sold', 'selling'), active: ['ARG0=agent V ARG1=thing ?to:ARG2=person ?for:ARG3=price', 'ARG0=agent V ARG2=person ARG1=thing'], passive: ['ARG1=thing V ?to:ARG2=person ?by:ARG0=agent'] },
  { sense: 'send.01', verb: v('send', 'sends', 'sent', 'sent', 'sending'), active: ['ARG0=agent V ARG1=text to:ARG2=person', 'ARG0=agent V ARG2=person ARG1=thing'], passive: ['ARG1=text V to:ARG2=person ?by:ARG0=agent'] },
  { sense: 'eat.01', verb: v('eat', 'eats', 'ate', 'eaten', 'eating'), active: ['ARG0=agent V ARG1=food', 'ARG0=agent V'], passive: ['ARG1=food V ?by:ARG0=agent'] },
  { sense: 'see.01', verb: v('see', 'sees', 'saw', 'seen', 'seeing'), active: ['ARG0=agent V ARG1=any'], passive: ['ARG1=any V ?by:ARG0=agent'] },
  { sense: 'meet.01', verb: v('meet', 'meets', 'met', 'met', 'meeting'), active: ['ARG0=agent V ARG1=person'], passive: [] },
  { sense: 'write.01', verb: v('write', 'writes', 'wrote', 'written', 'writing'), active: ['ARG0=agent V ARG1=text ?for:ARG2=person', 'ARG0=agent V ARG2=person ARG1=text'], passive: ['ARG1=text V ?by:ARG0=agent'] },
  { sense: 'build.01', verb: v('build', 'builds', 'built', 'built', 'building'), active: ['ARG0=agent V ARG1=structure ?for:ARG2=person'], passive: ['ARG1=structure V ?by:ARG0=agent'] },
  { sense: 'open.01', verb: v('open', 'opens', 'opened', 'opened', 'opening'), active: ['ARG0=agent V ARG1=openable ?with:ARG2=tool'], passive: ['ARG1=openable V ?by:ARG0=agent ?with:ARG2=tool'], intransitive: ['ARG1=openable V'] },
  { sense: 'break.01', verb: v('break', 'breaks', 'broke', 'broken', 'breaking'), active: ['ARG0=agent V ARG1=openable ?with:ARG2=tool'], passive: ['ARG1=openable V ?by:ARG0=agent ?with:ARG2=tool'], intransitive: ['ARG1=openable V'] },
  { sense: 'leave.01', verb: v('leave', 'leaves', 'left', 'left', 'leaving'), active: ['ARG0=agent V ARG1=placeNP'], passive: [] },
  { sense: 'arrive.01', verb: v('arrive', 'arrives', 'arrived', 'arrived', 'arriving'), active: [], passive: [], intransitive: ['ARG1=agent V ?at:ARG4=placeNP', 'ARG1=agent V ?from:ARG3=placeNP'] },
  { sense: 'say.01', verb: v('say', 'says', 'said', 'said', 'saying'), active: ['ARG0=agent V that:ARG1=clause', 'ARG0=agent V ARG1=clause'], passive: [] },
  { sense: 'tell.01', verb: v('tell', 'tells', 'told', 'told', 'telling'), active: ['ARG0=agent V ARG2=person that:ARG1=clause', 'ARG0=agent V ARG2=person ARG1=story'], passive: [] },
];

const NAMES = ['John', 'Mary', 'Alice', 'Bob', 'Carlos', 'Priya', 'Wei', 'Fatima', 'Olga', 'Tom', 'Anna', 'Kenji', 'Amara', 'Lucas', 'Sofia',
  'David Miller', 'Sarah Lee', 'Dr. Chen', 'Mr. Okafor', 'Ms. Rossi', 'Professor Haddad', 'Maria Garcia'];
const ORGS = ['the company', 'Acme Corp', 'the city council', 'the bank', 'the museum', 'the school board', 'Globex'];
const PEOPLE = ['teacher', 'doctor', 'student', 'farmer', 'manager', 'neighbour', 'journalist', 'nurse', 'driver', 'lawyer', 'baker', 'child'];
const PEOPLE_PL = ['teachers', 'doctors', 'students', 'farmers', 'neighbours', 'children', 'workers', 'tourists'];
const THINGS = ['book', 'car', 'laptop', 'bicycle', 'ticket', 'painting', 'phone', 'package', 'gift', 'lamp', 'watch', 'camera', 'guitar', 'chair'];
const FOOD = ['apple', 'sandwich', 'cake', 'pizza', 'soup', 'bread', 'salad', 'orange'];
const TEXTS = ['letter', 'report', 'poem', 'song', 'email', 'novel', 'article', 'message', 'note'];
const STRUCTURES = ['house', 'bridge', 'wall', 'school', 'shed', 'tower', 'fence', 'garage'];
const OPENABLE = ['door', 'window', 'box', 'bottle', 'gate', 'jar', 'drawer', 'safe'];
const TOOLS = ['key', 'hammer', 'knife', 'stone', 'screwdriver', 'crowbar'];
const PLACES = ['Paris', 'London', 'Lagos', 'Tokyo', 'Lima', 'Berlin', 'the kitchen', 'the office', 'the park', 'the market', 'the station', 'the library', 'the airport', 'the hospital'];
const ADJ = ['old', 'new', 'small', 'big', 'red', 'blue', 'expensive', 'cheap', 'beautiful', 'broken', 'heavy', 'strange', 'green', 'famous'];
const TIMES = ['yesterday', 'today', 'last week', 'on Monday', 'on Friday night', 'in 2019', 'this morning', 'at noon', 'after the meeting', 'two days ago', 'every summer', 'later', 'in the evening'];
const MANNER = ['quickly', 'slowly', 'carefully', 'happily', 'with a smile', 'in silence', 'without a word', 'eagerly'];
const CAUSE = ['because of the rain', 'because it was late', 'because of the strike', 'because she was tired'];
const PURPOSE = ['to save money', 'to help her family', 'to get a discount', 'to impress the guests', 'to finish early'];
const DISCOURSE = ['However', 'In fact', 'Still', 'Of course', 'Unfortunately'];
const PRICES = ['20 dollars', '500 euros', 'a fair price', 'a lot of money', 'almost nothing', '3,000 pounds'];
const STORIES = ['a story', 'the truth', 'a joke', 'the news', 'a secret'];
const MODALS = ['will', 'can', 'might', 'should', 'must', 'would'];

const words = (s: string): string[] => s.split(' ');

class Grammar {
  private nextId = 0;
  constructor(private readonly gen: Generator) {}

  private chance(p: number): boolean {
    return this.gen.nextFloat64() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.gen.nextInt(0, list.length)]!;
  }

  private commonNP(nouns: readonly string[], plural = false, pp = true): NP {
    const det = plural ? this.pick(['the', 'some', 'two', 'several', 'their', 'our']) : this.pick(['the', 'a', 'this', 'that', 'my', 'his', 'her', 'their', 'the', 'a']);
    const adjs = this.chance(0.4) ? [this.pick(ADJ)] : [];
    if (adjs.length && this.chance(0.2)) adjs.push(this.pick(ADJ));
    const n = this.pick(nouns);
    const noun = plural ? (n.endsWith('y') ? `${n.slice(0, -1)}ies` : n.endsWith('ch') || n.endsWith('x') ? `${n}es` : `${n}s`) : n;
    let w = [det === 'a' && /^[aeiou]/.test(adjs[0] ?? noun) ? 'an' : det, ...adjs, noun];
    // An inner prepositional phrase stays inside the argument (and looks like a location).
    if (pp && this.chance(0.15)) w = [...w, this.pick(['on', 'from', 'near', 'in']), ...words(this.pick(PLACES))];
    return { words: w, plural };
  }

  private np(kind: Kind): NP {
    switch (kind) {
      case 'agent': {
        const r = this.gen.nextFloat64();
        if (r < 0.4) return { words: words(this.pick(NAMES)), plural: false };
        if (r < 0.55) return { words: words(this.pick(ORGS)), plural: false };
        if (r < 0.65) {
          const p = this.pick([['he', false], ['she', false], ['they', true], ['we', true], ['you', true]] as const);
          return { words: [p[0]], plural: p[1] };
        }
        return this.chance(0.25) ? this.commonNP(PEOPLE_PL, true, false) : this.commonNP(PEOPLE, false, false);
      }
      case 'person': {
        const r = this.gen.nextFloat64();
        if (r < 0.45) return { words: words(this.pick(NAMES)), plural: false };
        if (r < 0.6) return { words: [this.pick(['him', 'her', 'them', 'us', 'me'])], plural: false };
        return this.commonNP(PEOPLE, false, false);
      }
      case 'thing': return this.commonNP(THINGS, this.chance(0.2));
      case 'food': return this.commonNP(FOOD, this.chance(0.3));
      case 'text': return this.commonNP(TEXTS);
      case 'structure': return this.commonNP(STRUCTURES);
      case 'openable': return this.commonNP(OPENABLE, this.chance(0.2), false);
      case 'tool': return this.commonNP(TOOLS, false, false);
      case 'placeNP': return { words: words(this.pick(PLACES)), plural: false };
      case 'price': return { words: words(this.pick(PRICES)), plural: false };
      case 'any': return this.np(this.pick(['person', 'thing', 'structure', 'agent'] as const));
    }
  }

  /** One clause with its own predicate; `subject` replaces the subject slot (relative clauses). */
  clause(depth: number, subject: Chunk[] | null = null, relative = false): Chunk[] {
    const id = this.nextId++;
    let frame: Frame;
    let choices: { pattern: string; voice: 'active' | 'passive' | 'intr' }[];
    do {
      frame = this.pick(FRAMES);
      choices = [
        ...frame.active.map((p) => ({ pattern: p, voice: 'active' as const })),
        ...(relative ? [] : frame.passive.map((p) => ({ pattern: p, voice: 'passive' as const }))),
        ...(frame.intransitive ?? []).map((p) => ({ pattern: p, voice: 'intr' as const })),
      ].filter((c) => depth < 2 || !c.pattern.includes('clause'));
    } while (choices.length === 0);
    // Passives are rarer than actives, as in text.
    const passives = choices.filter((c) => c.voice === 'passive');
    const { pattern, voice } = passives.length > 0 && this.chance(0.25) ? this.pick(passives) : this.pick(choices.filter((c) => c.voice !== 'passive'));
    const slots = pattern.split(' ');
    const out: Chunk[] = [];
    const role = (r: string): Map<number, string> => new Map([[id, r]]);
    let plural = false;
    const comma = (): void => { out.push({ words: [','], roles: new Map() }); };
    if (id === 0 && this.chance(0.12)) {
      out.push({ words: words(this.pick(DISCOURSE)), roles: role('ARGM-DIS') });
      comma();
    }
    if (subject === null && this.chance(0.15)) {
      out.push({ words: words(this.pick(TIMES)), roles: role('ARGM-TMP') });
      comma();
    }
    slots.forEach((slot, i) => {
      if (i === 0) {
        const [r, kind] = slot.split('=') as [string, Kind];
        if (subject !== null) {
          for (const c of subject) c.roles.set(id, r);
          out.push(...subject, { words: [this.pick(['who', 'that'])], roles: role(`R-${r}`) });
        } else {
          const np = this.np(kind);
          plural = np.plural;
          out.push({ words: np.words, roles: role(r) });
          if (depth === 0 && r === 'ARG0' && np.words.length > 1 && this.chance(0.15)) {
            // A subject relative clause: "the man who bought a car …" (its own frame, the head is its ARG0).
            const head = out.pop()!;
            const inner = this.clause(depth + 1, [head], true);
            for (const c of inner) if (!c.roles.has(id)) c.roles.set(id, r);
            out.push(...inner);
          }
        }
        return;
      }
      if (slot === 'V') {
        out.push(...this.verbGroup(id, frame, voice === 'passive', plural));
        if (this.chance(0.1)) out.push({ words: [this.pick(MANNER)], roles: role('ARGM-MNR') });
        return;
      }
      if (slot.startsWith('?') && this.chance(0.5)) return;
      const m = /^\??(?:([a-z]+):)?([A-Z0-9-]+)=(\w+)$/.exec(slot)!;
      const [, prep, r, kind] = m as unknown as [string, string | undefined, string, string];
      let w: string[];
      if (kind === 'clause') {
        const inner = this.clause(depth + 1);
        for (const c of inner) c.roles.set(id, r);
        if (prep) out.push({ words: [prep], roles: role(r) });
        out.push(...inner);
        return;
      }
      if (kind === 'story') w = words(this.pick(STORIES));
      else w = this.np(kind as Kind).words;
      out.push({ words: prep ? [prep, ...w] : w, roles: role(r) });
    });
    if (this.chance(0.3)) out.push({ words: [this.pick(['in', 'at', 'near']), ...words(this.pick(PLACES))], roles: role('ARGM-LOC') });
    if (this.chance(0.3)) out.push({ words: words(this.pick(TIMES)), roles: role('ARGM-TMP') });
    if (depth === 0 && this.chance(0.08)) out.push({ words: words(this.pick(CAUSE)), roles: role('ARGM-CAU') });
    if (depth === 0 && this.chance(0.08)) out.push({ words: words(this.pick(PURPOSE)), roles: role('ARGM-PRP') });
    return out;
  }

  /** Auxiliaries (O), modal (ARGM-MOD), negation (ARGM-NEG) and the verb (V). */
  private verbGroup(id: number, frame: Frame, passive: boolean, plural: boolean): Chunk[] {
    const out: Chunk[] = [];
    const o = (w: string): void => { out.push({ words: [w], roles: new Map() }); };
    const neg = this.chance(0.12);
    const tense = this.pick(['past', 'past', 'present', 'modal', 'perfect', 'progressive'] as const);
    const vb = frame.verb;
    const verb = (w: string): void => { out.push({ words: [w], roles: new Map([[id, 'V']]), predicate: id, sense: frame.sense }); };
    const negate = (): void => { if (neg) out.push({ words: [this.pick(['not', 'never'])], roles: new Map([[id, 'ARGM-NEG']]) }); };
    if (tense === 'modal') {
      out.push({ words: [this.pick(MODALS)], roles: new Map([[id, 'ARGM-MOD']]) });
      negate();
      if (passive) o('be');
      verb(passive ? vb.part : vb.base);
    } else if (tense === 'perfect') {
      o(plural ? 'have' : 'has');
      negate();
      if (passive) o('been');
      verb(vb.part);
    } else if (tense === 'progressive') {
      o(plural ? 'are' : this.pick(['is', 'was']));
      negate();
      if (passive) o('being');
      verb(passive ? vb.part : vb.ing);
    } else if (passive) {
      o(tense === 'past' ? (plural ? 'were' : 'was') : plural ? 'are' : 'is');
      negate();
      verb(vb.part);
    } else if (neg) {
      o(tense === 'past' ? 'did' : plural ? 'do' : 'does');
      negate();
      verb(vb.base);
    } else {
      verb(tense === 'past' ? vb.past : plural ? vb.base : vb.s);
    }
    return out;
  }

  /** A sentence: one clause, or two coordinated ones, with final punctuation. */
  sentence(): { tokens: string[]; instances: SrlInstance[] } {
    this.nextId = 0;
    let chunks = this.clause(0);
    if (this.chance(0.2)) chunks = [...chunks, { words: this.chance(0.5) ? ['and'] : [',', 'but'], roles: new Map() }, ...this.clause(0)];
    if (this.chance(0.9)) chunks.push({ words: ['.'], roles: new Map() });
    const tokens = chunks.flatMap((c) => c.words);
    tokens[0] = tokens[0]![0]!.toUpperCase() + tokens[0]!.slice(1);
    const instances: SrlInstance[] = [];
    let pos = 0;
    const verbs: { id: number; at: number; sense: string }[] = [];
    for (const c of chunks) {
      if (c.predicate !== undefined) verbs.push({ id: c.predicate, at: pos, sense: c.sense! });
      pos += c.words.length;
    }
    for (const { id, at, sense } of verbs) {
      const tags: string[] = [];
      let prev: string | null = null;
      for (const c of chunks) {
        const r = c.roles.get(id) ?? null;
        c.words.forEach((_, k) => tags.push(r === null ? 'O' : r === prev || k > 0 ? `I-${r}` : `B-${r}`));
        prev = r;
      }
      instances.push({ tokens, predicate: at, tags, sense });
    }
    return { tokens, instances };
  }
}

/** Options of {@link generateSrlCorpus}. */
export interface SrlSyntheticOptions {
  /** Number of sentences (each gives one instance per predicate: 1–4). */
  sentences: number;
  /** Default 0. Different seeds give different sentences from the same grammar. */
  seed?: number;
}

/**
 * Generates a SYNTHETIC semantic-role corpus (see the file comment): sentences and their
 * predicate instances, the same for the same seed.
 *
 * @example
 * ```ts
 * const { instances } = generateSrlCorpus({ sentences: 2000, seed: 1 });
 * instances[0]; // { tokens: ['Mary', 'gave', 'him', 'a', 'book', '.'], predicate: 1, tags: ['B-ARG0', 'B-V', 'B-ARG2', 'B-ARG1', 'I-ARG1', 'O'], sense: 'give.01' }
 * ```
 */
export function generateSrlCorpus(opts: SrlSyntheticOptions): { sentences: string[][]; instances: SrlInstance[] } {
  if (!(Number.isInteger(opts.sentences) && opts.sentences > 0)) throw new ValueError('generateSrlCorpus', `sentences must be a positive integer, got ${opts.sentences}`);
  const g = new Grammar(new Generator(opts.seed ?? 0));
  const sentences: string[][] = [];
  const instances: SrlInstance[] = [];
  for (let i = 0; i < opts.sentences; i++) {
    const s = g.sentence();
    sentences.push(s.tokens);
    instances.push(...s.instances);
  }
  return { sentences, instances };
}
