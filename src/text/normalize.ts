/**
 * Text normalisation and pre-tokenisation: the first two stages of a tokenizer, before the model
 * (word lookup or WordPiece) maps words to ids.
 *
 * The rules are those of Hugging Face's `BertNormalizer` and `BertPreTokenizer` (themselves
 * Google's original BERT rules), optionally preceded by a Unicode normal form, so a tokenizer
 * built here is written to `tokenizer.json` as a standard normaliser and reads back identically
 * in Python's `tokenizers` and in `@huggingface/tokenizers`.
 */
import { ValueError } from '../errors.js';

/** A Unicode normal form (String.prototype.normalize), or none. */
export type UnicodeForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';

/** How text is normalised before it is split into words. */
export interface NormalizerOptions {
  /** Unicode normal form applied first. Default 'NFKC' (full-width letters, ligatures, … folded). */
  unicode?: UnicodeForm | null;
  /** Lower-case the text. Default true. */
  lowercase?: boolean;
  /** Remove combining accents (café → cafe). Default false. */
  stripAccents?: boolean;
  /** Drop control characters and U+FFFD, turn every whitespace character into a space. Default true. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs so each one is a word. Default true. */
  splitCJK?: boolean;
}

/** How normalised text is split into words: on whitespace, and also around punctuation ('bert'). */
export type PreTokenizerKind = 'bert' | 'whitespace';

/** One normalisation step, as a `tokenizer.json` normaliser understands it. */
export type NormalizerStep =
  | { kind: 'unicode'; form: UnicodeForm }
  | { kind: 'lowercase' }
  | { kind: 'stripAccents' }
  | { kind: 'bert'; cleanText: boolean; splitCJK: boolean; stripAccents: boolean; lowercase: boolean };

/**
 * The steps for `opts`, every default spelled out here once.
 *
 * @example
 * ```ts
 * normalizeText('Ｃａｆé', normalizerSteps({ stripAccents: true })); // 'cafe'
 * ```
 */
export function normalizerSteps(opts: NormalizerOptions = {}): NormalizerStep[] {
  const steps: NormalizerStep[] = [];
  const form = opts.unicode === undefined ? 'NFKC' : opts.unicode;
  if (form !== null) steps.push({ kind: 'unicode', form });
  steps.push({
    kind: 'bert',
    cleanText: opts.cleanText ?? true,
    splitCJK: opts.splitCJK ?? true,
    stripAccents: opts.stripAccents ?? false,
    lowercase: opts.lowercase ?? true,
  });
  return steps;
}

const CONTROL = /\p{C}/u;
const SPACE = /\s/u;
const MARK = /\p{Mn}/gu;

/**
 * BERT's CJK ideograph blocks (not Hangul or kana, which are written with spaces).
 *
 * @example
 * ```ts
 * isCJK('東'.codePointAt(0)!); // true
 * ```
 */
export function isCJK(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
    || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/**
 * BERT's punctuation: every ASCII symbol ($, +, <, …) and every Unicode punctuation character.
 *
 * @example
 * ```ts
 * isPunctuation('$'); // true (BERT counts ASCII symbols)
 * ```
 */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(ch);
}

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(MARK, '');
}

function bertNormalize(text: string, step: Extract<NormalizerStep, { kind: 'bert' }>): string {
  let out = text;
  if (step.cleanText || step.splitCJK) {
    let s = '';
    for (const ch of out) {
      const cp = ch.codePointAt(0)!;
      if (step.cleanText) {
        // \t, \n and \r are whitespace, not control characters, as in BERT.
        if (ch === '\t' || ch === '\n' || ch === '\r' || SPACE.test(ch)) { s += ' '; continue; }
        if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
      }
      s += step.splitCJK && isCJK(cp) ? ` ${ch} ` : ch;
    }
    out = s;
  }
  if (step.stripAccents) out = stripAccents(out);
  if (step.lowercase) out = out.toLowerCase();
  return out;
}

/**
 * Applies the steps in order.
 *
 * @example
 * ```ts
 * normalizeText('ＨＥＬＬＯ\tWorld', normalizerSteps()); // 'hello world'
 * ```
 */
export function normalizeText(text: string, steps: readonly NormalizerStep[]): string {
  let out = text;
  for (const step of steps) {
    switch (step.kind) {
      case 'unicode': out = out.normalize(step.form); break;
      case 'lowercase': out = out.toLowerCase(); break;
      case 'stripAccents': out = stripAccents(out); break;
      case 'bert': out = bertNormalize(out, step); break;
    }
  }
  return out;
}

/**
 * Splits normalised text into words: on whitespace, and with 'bert' also before and after every
 * punctuation character (each punctuation character is a word of its own).
 *
 * @example
 * ```ts
 * preTokenize("don't stop!", 'bert'); // ['don', "'", 't', 'stop', '!']
 * ```
 */
export function preTokenize(text: string, kind: PreTokenizerKind): string[] {
  const words: string[] = [];
  for (const chunk of text.split(/\s+/u)) {
    if (chunk === '') continue;
    if (kind === 'whitespace') { words.push(chunk); continue; }
    let cur = '';
    for (const ch of chunk) {
      if (isPunctuation(ch)) {
        if (cur !== '') words.push(cur);
        words.push(ch);
        cur = '';
      } else {
        cur += ch;
      }
    }
    if (cur !== '') words.push(cur);
  }
  return words;
}

// ---- tokenizer.json forms ---------------------------------------------------------------------

/** A `tokenizer.json` normaliser object (the subset written and read here). */
export type NormalizerJSON = { type: string; [key: string]: unknown };

function stepToJSON(step: NormalizerStep): NormalizerJSON {
  switch (step.kind) {
    case 'unicode': return { type: step.form };
    case 'lowercase': return { type: 'Lowercase' };
    case 'stripAccents': return { type: 'StripAccents' };
    case 'bert': return {
      type: 'BertNormalizer', clean_text: step.cleanText, handle_chinese_chars: step.splitCJK,
      strip_accents: step.stripAccents, lowercase: step.lowercase,
    };
  }
}

/**
 * The steps as a `tokenizer.json` normaliser (a Sequence when there is more than one).
 *
 * @example
 * ```ts
 * normalizerToJSON(normalizerSteps()); // { type: 'Sequence', normalizers: [{ type: 'NFKC' }, { type: 'BertNormalizer', … }] }
 * ```
 */
export function normalizerToJSON(steps: readonly NormalizerStep[]): NormalizerJSON | null {
  if (steps.length === 0) return null;
  if (steps.length === 1) return stepToJSON(steps[0]!);
  return { type: 'Sequence', normalizers: steps.map(stepToJSON) };
}

/**
 * Reads a `tokenizer.json` normaliser. Supports NFC/NFD/NFKC/NFKD, Lowercase, StripAccents,
 * BertNormalizer and Sequences of them; anything else throws a ValueError naming the type (the
 * caller may then fall back to `HFTokenizer`, which implements every normaliser).
 *
 * @example
 * ```ts
 * normalizerFromJSON({ type: 'BertNormalizer', lowercase: true }, 'load'); // one 'bert' step, accents stripped
 * ```
 */
export function normalizerFromJSON(json: unknown, op: string): NormalizerStep[] {
  if (json === null || json === undefined) return [];
  const j = json as NormalizerJSON;
  switch (j.type) {
    case 'NFC': case 'NFD': case 'NFKC': case 'NFKD': return [{ kind: 'unicode', form: j.type }];
    case 'Lowercase': return [{ kind: 'lowercase' }];
    case 'StripAccents': return [{ kind: 'stripAccents' }];
    case 'BertNormalizer': {
      const lowercase = j.lowercase !== false;
      // strip_accents: null means "follow lowercase", as in BERT.
      const strip = j.strip_accents === null || j.strip_accents === undefined ? lowercase : j.strip_accents === true;
      return [{ kind: 'bert', cleanText: j.clean_text !== false, splitCJK: j.handle_chinese_chars !== false, stripAccents: strip, lowercase }];
    }
    case 'Sequence': {
      if (!Array.isArray(j.normalizers)) throw new ValueError(op, 'a Sequence normalizer needs a normalizers array');
      return (j.normalizers as unknown[]).flatMap((n) => normalizerFromJSON(n, op));
    }
    default:
      throw new ValueError(op, `unsupported normalizer type '${String(j.type)}' (supported: NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, BertNormalizer, Sequence)`);
  }
}

/**
 * A `tokenizer.json` pre-tokeniser for `kind`.
 *
 * @example
 * ```ts
 * preTokenizerToJSON('bert'); // { type: 'BertPreTokenizer' }
 * ```
 */
export function preTokenizerToJSON(kind: PreTokenizerKind): NormalizerJSON {
  return { type: kind === 'bert' ? 'BertPreTokenizer' : 'WhitespaceSplit' };
}

/**
 * Reads BertPreTokenizer or WhitespaceSplit; anything else throws a ValueError.
 *
 * @example
 * ```ts
 * preTokenizerFromJSON({ type: 'WhitespaceSplit' }, 'load'); // 'whitespace'
 * ```
 */
export function preTokenizerFromJSON(json: unknown, op: string): PreTokenizerKind {
  const type = (json as NormalizerJSON | null)?.type;
  if (type === 'BertPreTokenizer') return 'bert';
  if (type === 'WhitespaceSplit') return 'whitespace';
  throw new ValueError(op, `unsupported pre_tokenizer type '${String(type)}' (supported: BertPreTokenizer, WhitespaceSplit)`);
}
