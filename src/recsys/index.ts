/** `tsorch/recsys`: recommender systems — data, algorithms, metrics and evaluation. */
export type { CSR, Interactions, ItemContent, RecommendOptions, Recommender, Scored } from './types.js';
export { interactionsFrom, subsetInteractions, toCSR, type InteractionRow, type InteractionsOptions } from './interactions.js';
