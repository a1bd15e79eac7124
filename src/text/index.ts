/**
 * Text: tokenizers (word-level, WordPiece, any Hugging Face tokenizer.json), readers for
 * CSV/TSV/JSONL and CoNLL files, label encoding and word/sub-word alignment, a linear-chain CRF,
 * and the text-classification model zoo.
 *
 * @example
 * ```ts
 * import { WordPieceTokenizer, TransformerClassifier } from 'tsorch/text';
 * const tok = WordPieceTokenizer.train(texts, { vocabSize: 4000 });
 * const model = new TransformerClassifier({ vocabSize: tok.vocabSize, numClasses: 2 });
 * const { inputIds, attentionMask } = tok.encodeBatch(texts.slice(0, 32), { maxLength: 128 });
 * const logits = model.forward(inputIds, attentionMask);
 * ```
 */
export {
  Tokenizer, type Encoding, type EncodeOptions, type BatchEncoding, type DecodeOptions, type Padding, type Piece,
} from './tokenizer.js';
export { WordTokenizer, type WordTokenizerOptions } from './word-tokenizer.js';
export { WordPieceTokenizer, type WordPieceOptions } from './wordpiece-tokenizer.js';
export { trainWordPiece, type WordPieceTrainerOptions } from './wordpiece-trainer.js';
export { HFTokenizer, type HFTokenizerOptions } from './hf-tokenizer.js';
export { loadTokenizer, tokenizerFromJSON, type LoadTokenizerOptions } from './load.js';
export { PipelineTokenizer, type PipelineOptions, type PipelineConfig } from './pipeline.js';
export {
  normalizeText, preTokenize, normalizerSteps, isPunctuation, isCJK,
  type NormalizerOptions, type NormalizerStep, type PreTokenizerKind, type UnicodeForm,
} from './normalize.js';
export { Vocabulary, DEFAULT_SPECIAL_TOKENS, type SpecialTokens, type VocabularyOptions } from './vocab.js';
export { alignLabels, wordPredictions, type AlignLabelsOptions } from './align.js';
export { LabelEncoder } from './labels.js';
export { TokenizerFormatError, DataFormatError } from './errors.js';
export {
  readTextClassification, parseTextClassification, formatOf,
  type TextClassificationReadOptions, type TextClassificationData, type TableFormat,
} from './readers/delimited.js';
export { readConll, parseConll, formatConll, type ConllSentence, type ConllReadOptions, type ConllData } from './readers/conll.js';
export type { OnError, SkipReport } from './readers/source.js';
export { CRF, crfLogPartition, crfScore, crfViterbi, type CRFOptions, type CRFParams, type CRFReduction, type ViterbiResult } from './crf.js';
export * from './models/index.js';
export {
  TfidfVectorizer, defaultTokenize, sparseDot, sparseNorm, cosineSimilarity, toCSR, csrRow,
  type SparseRow, type CSRMatrix, type TfidfDocument, type TfidfOptions, type TfidfJSON,
} from './tfidf.js';
export {
  TokenFeaturizer, casingOf, normalizeWord, CASING_CLASSES,
  type CasingClass, type TokenFeaturizerOptions, type TokenFeaturizerJSON, type SentenceFeatures, type TaggerInputs,
} from './tagger-features.js';
export {
  trainTagger, predictTags, saveTagger, loadTagger, scoredTags, TAGGER_FILES,
  type TaggedSentence, type SentenceToTag, type TaggingTask, type TaggerBundle, type TrainTaggerOptions, type TaggerModelOptions,
} from './tagger-pipeline.js';
export { splitWords, entitySpans, type SplitText, type EntitySpan } from './ner.js';
export { parseSrlConll, readSrlConll, formatSrlConll, srlSpans, type SrlInstance, type SrlReadOptions, type SrlData } from './srl.js';
export { generateSrlCorpus, type SrlSyntheticOptions } from './datasets/srl-synthetic.js';
export { MultinomialNB, LogisticRegression, type SparseClassifier, type MultinomialNBOptions, type LogisticRegressionOptions } from './baselines.js';
export { TextClassificationPipeline, padBatch, type TextPrediction, type TextModelManifest, type PipelineSettings } from './classifier.js';
export {
  trainTextClassifier, TextBatches,
  type TrainTextClassifierOptions, type TrainTextClassifierResult, type TokenizerSpec, type ModelOptions, type TextBatch,
} from './classifier-train.js';
export { sentimentFrom, loadSentiment, trainSentiment, type Sentiment, type SentimentResult } from './sentiment.js';
export * from './datasets/index.js';
