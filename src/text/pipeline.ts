/**
 * The tokenizers trained here (word-level and WordPiece) share one pipeline: special tokens are
 * split off the raw text, the rest is normalised and split into words, and a model maps each
 * word to vocabulary tokens. This file holds that pipeline and the `tokenizer.json` parts it
 * writes and reads (added tokens, normaliser, pre-tokeniser, the [CLS] $A [SEP] template,
 * truncation), so both tokenizers save in Hugging Face's format.
 */
import { ValueError } from '../errors.js';
import {
  normalizerFromJSON, normalizerSteps, normalizerToJSON, normalizeText, preTokenize, preTokenizerFromJSON, preTokenizerToJSON,
  type NormalizerOptions, type NormalizerStep, type PreTokenizerKind,
} from './normalize.js';
import { Tokenizer, type Piece } from './tokenizer.js';
import { specialList, specialTokens, type SpecialTokens, type Vocabulary } from './vocab.js';

/** Options shared by the tokenizers trained here. */
export interface PipelineOptions extends NormalizerOptions {
  /** How normalised text is split into words. Default 'bert' (whitespace and punctuation). */
  preTokenizer?: PreTokenizerKind;
  /** Special token strings (defaults: [PAD], [UNK], [CLS], [SEP], [MASK]). */
  specialTokens?: Partial<SpecialTokens>;
  /** Default `maxLength` of the encode methods. Default null (no limit). */
  maxLength?: number | null;
}

/** The pipeline's configuration, resolved. */
export interface PipelineConfig {
  normalizer: NormalizerStep[];
  preTokenizer: PreTokenizerKind;
  specials: SpecialTokens;
  /** Special tokens put before and after the content. */
  template: { prefix: string[]; suffix: string[] };
  maxLength: number | null;
}

/**
 * Resolves options to a configuration: every default is spelled out here.
 *
 * @example
 * ```ts
 * pipelineConfig({ lowercase: false }).template; // { prefix: ['[CLS]'], suffix: ['[SEP]'] }
 * ```
 */
export function pipelineConfig(opts: PipelineOptions = {}): PipelineConfig {
  const specials = specialTokens(opts.specialTokens);
  return {
    normalizer: normalizerSteps(opts),
    preTokenizer: opts.preTokenizer ?? 'bert',
    specials,
    template: { prefix: [specials.cls], suffix: [specials.sep] },
    maxLength: opts.maxLength ?? null,
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Base of WordTokenizer and WordPieceTokenizer.
 *
 * @example
 * ```ts
 * class CharTokenizer extends PipelineTokenizer { … } // implements modelTokens, modelJSON, decoderJSON, joinTokens
 * ```
 */
export abstract class PipelineTokenizer extends Tokenizer {
  readonly config: PipelineConfig;
  private readonly specialIds: Set<number>;
  private readonly specialSplit: RegExp;
  private readonly cache = new Map<string, Piece[]>();

  constructor(readonly vocab: Vocabulary, config: PipelineConfig) {
    super();
    this.config = config;
    this.maxLength = config.maxLength;
    const missing = [...specialList(config.specials), ...config.template.prefix, ...config.template.suffix].filter((t) => !vocab.has(t));
    if (missing.length > 0) throw new ValueError(this.constructor.name, `special tokens missing from the vocabulary: ${[...new Set(missing)].join(', ')}`);
    this.specialIds = new Set(specialList(config.specials).map((t) => vocab.id(t)!));
    const alternatives = specialList(config.specials).sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.specialSplit = new RegExp(`(${alternatives.join('|')})`);
  }

  get vocabSize(): number { return this.vocab.size; }
  get padId(): number { return this.vocab.id(this.config.specials.pad)!; }
  get unkId(): number { return this.vocab.id(this.config.specials.unk)!; }
  tokenToId(token: string): number | undefined { return this.vocab.id(token); }
  idToToken(id: number): string | undefined { return this.vocab.token(id); }
  isSpecialId(id: number): boolean { return this.specialIds.has(id); }

  /** Maps one normalised word to vocabulary tokens (the unknown token when it cannot). */
  protected abstract modelTokens(word: string): string[];

  /** The `model` object of tokenizer.json. */
  protected abstract modelJSON(): object;

  /** The `decoder` object of tokenizer.json. */
  protected abstract decoderJSON(): object | null;

  /** The words of a text: special tokens kept whole, the rest normalised and pre-tokenised. */
  words(text: string): string[] {
    const out: string[] = [];
    for (const part of text.split(this.specialSplit)) {
      if (part === '') continue;
      if (this.vocab.has(part) && this.specialIds.has(this.vocab.id(part)!)) out.push(part);
      else out.push(...preTokenize(normalizeText(part, this.config.normalizer), this.config.preTokenizer));
    }
    return out;
  }

  protected frame(): { prefix: number[]; suffix: number[] } {
    const ids = (ts: string[]): number[] => ts.map((t) => this.vocab.id(t)!);
    return { prefix: ids(this.config.template.prefix), suffix: ids(this.config.template.suffix) };
  }

  protected textPieces(text: string): Piece[] {
    return this.words(text).flatMap((w, i) => this.piecesOf(w).map((p) => ({ ...p, word: i })));
  }

  protected wordPieces(word: string): Piece[] {
    return this.words(word).flatMap((w) => this.piecesOf(w));
  }

  private piecesOf(word: string): Piece[] {
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      const special = this.vocab.id(word);
      const tokens = special !== undefined && this.specialIds.has(special) ? [word] : this.modelTokens(word);
      pieces = tokens.map((token) => ({ token, id: this.vocab.id(token) ?? this.unkId, word: null }));
      // Bounded so a stream of unique words cannot grow memory without limit.
      if (this.cache.size >= 100_000) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  toJSON(): object {
    const s = this.config.specials;
    const { prefix, suffix } = this.config.template;
    const item = (t: string, typeId: number): object => ({ SpecialToken: { id: t, type_id: typeId } });
    const seq = (id: 'A' | 'B', typeId: number): object => ({ Sequence: { id, type_id: typeId } });
    return {
      version: '1.0',
      truncation: this.maxLength === null ? null : { direction: 'Right', max_length: this.maxLength, strategy: 'LongestFirst', stride: 0 },
      padding: null,
      added_tokens: specialList(s).map((t) => ({
        id: this.vocab.id(t)!, content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
      })),
      normalizer: normalizerToJSON(this.config.normalizer),
      pre_tokenizer: preTokenizerToJSON(this.config.preTokenizer),
      post_processor: prefix.length + suffix.length === 0 ? null : {
        type: 'TemplateProcessing',
        single: [...prefix.map((t) => item(t, 0)), seq('A', 0), ...suffix.map((t) => item(t, 0))],
        pair: [...prefix.map((t) => item(t, 0)), seq('A', 0), ...suffix.map((t) => item(t, 0)), seq('B', 1), ...suffix.map((t) => item(t, 1))],
        special_tokens: Object.fromEntries([...new Set([...prefix, ...suffix])].map((t) => [t, { id: t, ids: [this.vocab.id(t)!], tokens: [t] }])),
      },
      decoder: this.decoderJSON(),
      model: this.modelJSON(),
    };
  }
}

/** The parts of a tokenizer.json object that the pipeline reads. */
export interface TokenizerJSON {
  truncation?: { max_length?: number } | null;
  padding?: { pad_token?: string } | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: { type?: string; single?: unknown[]; cls?: [string, number]; sep?: [string, number] } | null;
  decoder?: unknown;
  model?: { type?: string; unk_token?: string; vocab?: unknown; [key: string]: unknown };
}

/**
 * Reads the shared parts of a tokenizer.json object; throws a ValueError on what it cannot represent.
 *
 * @example
 * ```ts
 * const config = pipelineConfigFromJSON(JSON.parse(text), 'load');
 * ```
 */
export function pipelineConfigFromJSON(json: TokenizerJSON, op: string): PipelineConfig {
  const added = (json.added_tokens ?? []).filter((t) => t.special !== false).map((t) => t.content);
  const pick = (role: string, candidates: string[]): string => {
    const found = candidates.find((c) => added.includes(c));
    if (found === undefined) throw new ValueError(op, `no ${role} token among the added tokens (looked for ${candidates.join(', ')})`);
    return found;
  };
  const template = { prefix: [] as string[], suffix: [] as string[] };
  const pp = json.post_processor;
  if (pp?.type === 'TemplateProcessing' && Array.isArray(pp.single)) {
    let seen = false;
    for (const it of pp.single as { SpecialToken?: { id: string }; Sequence?: unknown }[]) {
      if (it.Sequence !== undefined) seen = true;
      else if (it.SpecialToken) (seen ? template.suffix : template.prefix).push(it.SpecialToken.id);
    }
  } else if (pp?.type === 'BertProcessing' && pp.cls && pp.sep) {
    template.prefix.push(pp.cls[0]);
    template.suffix.push(pp.sep[0]);
  } else if (pp !== null && pp !== undefined) {
    throw new ValueError(op, `unsupported post_processor type '${String(pp.type)}' (supported: TemplateProcessing, BertProcessing)`);
  }
  const unk = json.model?.unk_token;
  if (typeof unk !== 'string') throw new ValueError(op, 'the model has no unk_token');
  const specials: SpecialTokens = {
    pad: json.padding?.pad_token ?? pick('padding', ['[PAD]', '<pad>']),
    unk,
    cls: template.prefix[0] ?? pick('classification', ['[CLS]', '<s>', '<cls>']),
    sep: template.suffix[0] ?? pick('separator', ['[SEP]', '</s>', '<sep>']),
    mask: pick('mask', ['[MASK]', '<mask>']),
  };
  const maxLength = json.truncation?.max_length ?? null;
  return {
    normalizer: normalizerFromJSON(json.normalizer, op),
    preTokenizer: preTokenizerFromJSON(json.pre_tokenizer, op),
    specials,
    template,
    maxLength,
  };
}
