/**
 * The shapes every recommender shares. Interactions are held column-wise in typed arrays with
 * dense integer ids (0..nUsers-1, 0..nItems-1) that map back to the user's own string ids, so
 * algorithms loop over flat arrays and never over objects.
 */

/** Interactions with dense ids. `ratings` holds 1 for implicit feedback. */
export interface Interactions {
  /** Original ids, indexed by dense id. */
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Dense id of each original id. */
  readonly userIndex: ReadonlyMap<string, number>;
  readonly itemIndex: ReadonlyMap<string, number>;
  /** One entry per interaction. */
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  /** Seconds since the epoch, NaN where unknown. */
  readonly timestamps: Float64Array;
  /** True for implicit feedback (clicks, plays): ratings are weights/confidences, not scores. */
  readonly implicit: boolean;
}

/** Per-user (or per-item) adjacency in compressed sparse row form. */
export interface CSR {
  /** `indptr[u]..indptr[u+1]` are row u's entries. Length rows+1. */
  readonly indptr: Int32Array;
  /** Column (dense id) of each entry, ascending within a row. */
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/** Item metadata for content-based and hybrid models, keyed by the original item id. */
export interface ItemContent {
  /** Free text (title, description). */
  text?: string;
  /** Categories or tags (genres). */
  categories?: readonly string[];
}

/** One recommended item. */
export interface Scored {
  item: string;
  score: number;
}

/** Options of `recommend`. */
export interface RecommendOptions {
  /** Drop items the user interacted with in the training data. Default true. */
  excludeSeen?: boolean;
  /** Further items to leave out. */
  exclude?: Iterable<string>;
}

/**
 * What every algorithm implements. `fit` learns from training interactions; `predict` returns a
 * rating estimate (explicit) or a relevance score (implicit) for any pair, including users and
 * items never seen in training (cold start falls back to the algorithm's documented default, never
 * throws); `recommend` ranks the catalogue for one user.
 */
export interface Recommender {
  readonly name: string;
  /**
   * What `predict` returns: a rating on the training scale (`'rating'`, the explicit-feedback
   * models) or a relevance score only meaningful for ranking (`'relevance'`). Evaluation skips
   * RMSE/MAE for relevance scores. Undefined means: rating for explicit data.
   */
  readonly scoreKind?: 'rating' | 'relevance';
  fit(train: Interactions): this;
  predict(user: string, item: string): number;
  recommend(user: string, k: number, opts?: RecommendOptions): Scored[];
}
