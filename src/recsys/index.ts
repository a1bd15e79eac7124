/** `tsorch/recsys`: recommender systems — data, algorithms, metrics and evaluation. */
export type { CSR, Interactions, ItemContent, RecommendOptions, Recommender, Scored } from './types.js';
export { interactionsFrom, subsetInteractions, toCSR, type InteractionRow, type InteractionsOptions } from './interactions.js';
export { syntheticRecsys, type SyntheticData, type SyntheticOptions, type SyntheticTruth } from './synthetic.js';
export { rmse, mae, precisionAtK, recallAtK, ndcgAtK, averagePrecisionAtK, hitRateAtK, auc, catalogueCoverage } from './metrics.js';
export { evaluate, crossValidate, type EvaluateOptions, type EvaluationReport, type CrossValidationReport, type MetricName } from './evaluate.js';
export { randomSplit, leaveLastOut, perUserSplit, kFold, type Split } from './split.js';
export { RatingModel, type RatingModelJSON } from './rating-model.js';
export { GlobalMean, BaselineOnly, Popularity, fitBaselines, resolveBaselineOptions, type BaselineOptions, type ResolvedBaselineOptions } from './baselines.js';
export { SVD, SVDpp, type SVDOptions, type SVDppOptions, type ResolvedSVDOptions } from './svd.js';
export { topK, type ItemSimilarity } from './factors.js';
export { FactorModel, type FactorModelJSON } from './factor-model.js';
export { ALS, type ALSOptions } from './als.js';
export { BPR, type BPROptions } from './bpr.js';
export { NCF, NeuMF, type NCFOptions, type NCFJSON } from './ncf.js';
export { ContentBased, type ContentOptions, type ContentJSON } from './content.js';
export { KNNBasic, KNNWithMeans, KNNBaseline, type KNNOptions, type KNNJSON } from './knn.js';
export { resolveSimilarity, type SimilarityName, type SimilarityOptions, type ResolvedSimilarityOptions } from './similarity.js';
export { LightFM, contentFeatures, type LightFMOptions, type LightFMJSON } from './lightfm.js';
export {
  WeightedHybrid, SwitchingHybrid, normalise as normaliseScores, type HybridMember, type WeightedHybridOptions,
  type SwitchingHybridOptions, type Normalization, type SavableRecommender, type MemberLoader,
} from './hybrid.js';
export {
  explain, explainRecommendations, similarItems, factorSimilarity, isItemSimilarity, type Explanation, type ExplainOptions, type Reason, type LikedItem,
} from './explain.js';
export { recommenderFromJSON } from './model-json.js';
export {
  readInteractions, parseInteractions, readItemContent, parseItemContent, RecsysFormatError,
  type ReadInteractionsOptions, type ReadInteractionsResult, type ReadItemContentOptions, type DelimitedOptions, type DuplicatePolicy, type ColumnRef,
} from './io.js';
export { saveRecommender, loadRecommender, loadRecommenderJSON, ratingModelLoaders, type RecsysManifest } from './persist.js';
