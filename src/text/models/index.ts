/**
 * The text-classification model zoo: every model maps (inputIds, attentionMask) to logits and
 * carries its configuration, so it can be rebuilt from a saved config and state dict.
 */
import type { Module } from '../../nn/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BagOfEmbeddings, type BagOfEmbeddingsConfig } from './bag.js';
import { BiLSTMClassifier, type BiLSTMClassifierConfig } from './bilstm.js';
import { TextCNN, type TextCNNConfig } from './textcnn.js';
import { TransformerClassifier, type TransformerClassifierConfig } from './transformer.js';

export { BagOfEmbeddings, type BagOfEmbeddingsConfig } from './bag.js';
export { TextCNN, type TextCNNConfig } from './textcnn.js';
export { BiLSTMClassifier, type BiLSTMClassifierConfig } from './bilstm.js';
export { TransformerClassifier, type TransformerClassifierConfig } from './transformer.js';
export { realTokens, maskedMean, maskedMax } from './masking.js';

/** A model of the zoo, by name. */
export type TextClassifierKind = 'bow' | 'textcnn' | 'bilstm' | 'transformer';

/** A configuration tagged with its model kind (what a CLI or a saved model stores). */
export type TextClassifierConfig =
  | ({ kind: 'bow' } & BagOfEmbeddingsConfig)
  | ({ kind: 'textcnn' } & TextCNNConfig)
  | ({ kind: 'bilstm' } & BiLSTMClassifierConfig)
  | ({ kind: 'transformer' } & TransformerClassifierConfig);

/** What every text classifier offers: logits from token ids and a mask, and its configuration. */
export type TextClassifier = Module & {
  readonly kind: TextClassifierKind;
  readonly config: object;
  forward(inputIds: Tensor, attentionMask?: Tensor | null): Tensor;
};

/**
 * Builds a zoo model from a tagged configuration.
 *
 * @example
 * ```ts
 * const model = createTextClassifier({ kind: 'textcnn', vocabSize: tok.vocabSize, numClasses: 2 });
 * ```
 */
export function createTextClassifier(config: TextClassifierConfig): TextClassifier {
  const { kind, ...rest } = config;
  switch (kind) {
    case 'bow': return new BagOfEmbeddings(rest as BagOfEmbeddingsConfig);
    case 'textcnn': return new TextCNN(rest as TextCNNConfig);
    case 'bilstm': return new BiLSTMClassifier(rest as BiLSTMClassifierConfig);
    case 'transformer': return new TransformerClassifier(rest as TransformerClassifierConfig);
  }
}
export {
  TokenTagger, BiLSTMCRFTagger, TransformerTagger, createTagger,
  type TaggerKind, type TaggerConfig, type TaggerCommonConfig, type BiLSTMTaggerConfig, type TransformerTaggerConfig,
} from './taggers.js';
export { CharCNN, TaggerEmbeddings, type TaggerEmbeddingsConfig } from './tagger-embeddings.js';
