/**
 * Token-classification models (named entities, semantic roles): a BiLSTM-CRF (Huang et al.,
 * 2015; Lample et al., 2016) and a Transformer tagger. Both map a {@link TaggerInputs} batch to
 * per-token emission scores (N, L, numTags) and then either a linear-chain CRF (trained by its
 * negative log-likelihood, decoded by Viterbi) or a per-token softmax (cross-entropy, argmax).
 * Padding never changes the scores of real tokens (in eval mode) nor the loss.
 */
import { ValueError } from '../../errors.js';
import { Dropout, Embedding, LSTM, LayerNorm, Linear, Module, TransformerEncoder, TransformerEncoderLayer, functional as F } from '../../nn/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { CRF } from '../crf.js';
import type { TaggerInputs } from '../tagger-features.js';
import { TaggerEmbeddings, type TaggerEmbeddingsConfig } from './tagger-embeddings.js';

/** The tagger kinds, by name. */
export type TaggerKind = 'bilstm-crf' | 'transformer';

/** Options every tagger has. */
export interface TaggerCommonConfig extends TaggerEmbeddingsConfig {
  numTags: number;
  /** A CRF output layer (true) or independent per-token softmax (false). Default true. */
  crf?: boolean;
  /**
   * Dropout on the embeddings and before the emission layer (and inside the Transformer's layers).
   * Default 0.5 (BiLSTM), 0.3 (Transformer: on WNUT-17 dev, 0.3 gave entity F1 0.178 and 0.1 gave 0.146).
   */
  dropout?: number;
}

/** Configuration of {@link BiLSTMCRFTagger}. */
export interface BiLSTMTaggerConfig extends TaggerCommonConfig {
  /** LSTM hidden size per direction. Default 100. */
  hiddenSize?: number;
  /** Default 1. */
  numLayers?: number;
}

/** Configuration of {@link TransformerTagger}. */
export interface TransformerTaggerConfig extends TaggerCommonConfig {
  /** Default 128. */
  dModel?: number;
  /** Default 4. */
  nhead?: number;
  /** Default 2. */
  numLayers?: number;
  /** Default 2·dModel. */
  dimFeedforward?: number;
  /** Longest sentence, in words (learned position table). Default 256. */
  maxLength?: number;
}

/** A configuration tagged with its kind (what a saved model stores). */
export type TaggerConfig = ({ kind: 'bilstm-crf' } & BiLSTMTaggerConfig) | ({ kind: 'transformer' } & TransformerTaggerConfig);

/**
 * What the taggers share: the features, the emission → loss and emission → tags steps.
 * Subclasses provide `emissions`.
 */
export abstract class TokenTagger extends Module {
  abstract readonly kind: TaggerKind;
  abstract readonly config: TaggerCommonConfig;
  abstract embeddings: TaggerEmbeddings;
  abstract crf: CRF | null;

  /** Emission scores (N, L, numTags); rows past a sentence's length are meaningless. */
  abstract emissions(x: TaggerInputs): Tensor;

  /** The emission scores (as `emissions`). */
  forward(x: TaggerInputs): Tensor {
    return this.emissions(x);
  }

  /**
   * The training loss: the CRF's negative log-likelihood per real token ('tokenMean'), or the
   * cross-entropy over real tokens. tags (N, L) int64, any valid tag id at padding.
   */
  loss(x: TaggerInputs, tags: Tensor): Tensor {
    const e = this.emissions(x);
    checkTags(tags, x);
    if (this.crf) return this.crf.forward(e, tags, { mask: x.mask, reduction: 'tokenMean' });
    const [N, L, T] = e.shape as [number, number, number];
    return F.crossEntropy(e.reshape([N * L, T]), tags.maskedFill(x.mask.logicalNot(), -100).reshape([N * L]));
  }

  /** The negative log-likelihood of each sentence's tags (N), summed over its tokens. */
  sentenceLoss(x: TaggerInputs, tags: Tensor): Tensor {
    const e = this.emissions(x);
    checkTags(tags, x);
    if (this.crf) return this.crf.forward(e, tags, { mask: x.mask, reduction: 'none' });
    const [N, L, T] = e.shape as [number, number, number];
    return F.crossEntropy(e.reshape([N * L, T]), tags.maskedFill(x.mask.logicalNot(), -100).reshape([N * L]), { reduction: 'none' }).reshape([N, L]).sum(1);
  }

  /** The best tag ids of each sentence (Viterbi with a CRF, else per-token argmax), each as long as the sentence. */
  decode(x: TaggerInputs): number[][] {
    const e = this.emissions(x);
    if (this.crf) return this.crf.decode(e, x.mask);
    const L = e.shape[1]!;
    const best = e.argmax(2).dataSync();
    return x.lengths.map((len, n) => Array.from(best.subarray(n * L, n * L + len), Number));
  }
}

function checkTags(tags: Tensor, x: TaggerInputs): void {
  if (tags.ndim !== 2 || tags.shape[0] !== x.words.shape[0] || tags.shape[1] !== x.words.shape[1]) {
    throw new ValueError('TokenTagger.loss', `tags must be (N, L) = [${x.words.shape.join(', ')}], got [${tags.shape.join(', ')}]`);
  }
}

/**
 * BiLSTM-CRF: token features (word, character CNN, casing, optional predicate indicator) →
 * dropout → bidirectional LSTM over each sentence's real words → dropout → linear emissions →
 * CRF. Parameter names: `embeddings.…`, `lstm.weight_ih_l0` … (PyTorch's LSTM), `hidden2tag.…`,
 * `crf.transitions` … (pytorch-crf).
 *
 * Shapes: a batch (N, L) → emissions (N, L, numTags).
 *
 * @example
 * ```ts
 * const model = new BiLSTMCRFTagger({ numWords: feats.numWords, numChars: feats.numChars, numTags: 13 });
 * const x = feats.batch(sentences.map((s) => feats.encode(s)));
 * model.loss(x, tags).backward();
 * model.decode(x); // tag ids per sentence
 * ```
 */
export class BiLSTMCRFTagger extends TokenTagger {
  readonly kind = 'bilstm-crf' as const;
  readonly config: BiLSTMTaggerConfig & Required<Pick<BiLSTMTaggerConfig, 'hiddenSize' | 'numLayers' | 'dropout' | 'crf'>>;
  embeddings: TaggerEmbeddings;
  dropout: Dropout;
  lstm: LSTM;
  hidden2tag: Linear;
  crf: CRF | null;

  constructor(config: BiLSTMTaggerConfig) {
    super();
    this.config = { hiddenSize: 100, numLayers: 1, dropout: 0.5, crf: true, ...config };
    const c = this.config;
    checkNumTags(c.numTags);
    this.embeddings = new TaggerEmbeddings(c);
    this.dropout = new Dropout(c.dropout);
    this.lstm = new LSTM(this.embeddings.outputDim, c.hiddenSize, { numLayers: c.numLayers, bidirectional: true, batchFirst: true, dropout: c.numLayers > 1 ? c.dropout : 0 });
    this.hidden2tag = new Linear(2 * c.hiddenSize, c.numTags);
    this.crf = c.crf ? new CRF(c.numTags) : null;
  }

  emissions(x: TaggerInputs): Tensor {
    const e = this.dropout.forward(this.embeddings.forward(x));
    const { output } = this.lstm.forward(e, null, { lengths: x.lengths });
    return this.hidden2tag.forward(this.dropout.forward(output));
  }
}

/**
 * Transformer tagger: token features → linear projection to dModel + learned positions →
 * pre-norm TransformerEncoder (final LayerNorm) with a key padding mask (padding is never
 * attended to) → dropout → linear
 * emissions → CRF (or softmax). Parameter names: `embeddings.…`, `input_proj.…`,
 * `position_embeddings.weight`, `encoder.layers.0.self_attn.in_proj_weight` …, `encoder.norm.…`, `classifier.…`, `crf.…`.
 *
 * Shapes: a batch (N, L) with L ≤ maxLength → emissions (N, L, numTags).
 *
 * @example
 * ```ts
 * const model = new TransformerTagger({ numWords: feats.numWords, numChars: feats.numChars, numTags: 13, dModel: 64 });
 * model.decode(feats.batch([feats.encode(['Hello', 'Paris'])])); // e.g. [[0, 5]]
 * ```
 */
export class TransformerTagger extends TokenTagger {
  readonly kind = 'transformer' as const;
  readonly config: TransformerTaggerConfig & Required<Pick<TransformerTaggerConfig, 'dModel' | 'nhead' | 'numLayers' | 'dimFeedforward' | 'maxLength' | 'dropout' | 'crf'>>;
  embeddings: TaggerEmbeddings;
  input_proj: Linear;
  position_embeddings: Embedding;
  encoder: TransformerEncoder;
  dropout: Dropout;
  classifier: Linear;
  crf: CRF | null;

  constructor(config: TransformerTaggerConfig) {
    super();
    const dModel = config.dModel ?? 128;
    this.config = { dModel, nhead: 4, numLayers: 2, dimFeedforward: 2 * dModel, maxLength: 256, dropout: 0.3, crf: true, ...config };
    const c = this.config;
    checkNumTags(c.numTags);
    if (dModel % c.nhead !== 0) throw new ValueError('TransformerTagger', `nhead ${c.nhead} must divide dModel ${dModel}`);
    this.embeddings = new TaggerEmbeddings(c);
    this.input_proj = new Linear(this.embeddings.outputDim, dModel);
    this.position_embeddings = new Embedding(c.maxLength, dModel);
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer({
      dModel, nhead: c.nhead, dimFeedforward: c.dimFeedforward, dropout: c.dropout, batchFirst: true, normFirst: true,
    }), c.numLayers, { norm: new LayerNorm(dModel) });
    this.dropout = new Dropout(c.dropout);
    this.classifier = new Linear(dModel, c.numTags);
    this.crf = c.crf ? new CRF(c.numTags) : null;
  }

  emissions(x: TaggerInputs): Tensor {
    const L = x.words.shape[1]!;
    if (L > this.config.maxLength) throw new ValueError('TransformerTagger', `sentence length ${L} exceeds maxLength ${this.config.maxLength}`);
    let h = this.input_proj.forward(this.dropout.forward(this.embeddings.forward(x)));
    h = h.add(this.position_embeddings.weight.narrow(0, 0, L));
    h = this.encoder.forward(h, { srcKeyPaddingMask: x.mask.logicalNot() });
    return this.classifier.forward(this.dropout.forward(h));
  }
}

function checkNumTags(n: number): void {
  if (!(Number.isInteger(n) && n >= 1)) throw new ValueError('TokenTagger', `numTags must be a positive integer, got ${n}`);
}

/**
 * Builds a tagger from a tagged configuration (as saved in a model folder's manifest).
 *
 * @example
 * ```ts
 * const model = createTagger({ kind: 'bilstm-crf', numWords: 5000, numChars: 90, numTags: 13 });
 * ```
 */
export function createTagger(config: TaggerConfig): TokenTagger {
  const { kind, ...rest } = config;
  switch (kind) {
    case 'bilstm-crf': return new BiLSTMCRFTagger(rest);
    case 'transformer': return new TransformerTagger(rest);
    default: throw new ValueError('createTagger', `unknown tagger kind '${String(kind)}' (expected bilstm-crf or transformer)`);
  }
}
