/**
 * Datasets and batching (torch.utils.data): `Dataset`, `TensorDataset`, `Subset`, `randomSplit`,
 * `DataLoader` and `defaultCollate`.
 *
 * @example
 * ```ts
 * import { DataLoader, TensorDataset } from 'tsorch/data';
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 * ```
 */
export { Dataset, TensorDataset, Subset, randomSplit, type DatasetLike, type RandomSplitOptions } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './dataloader.js';
export { defaultCollate, type Collated } from './collate.js';
export { torchRandperm } from './sampler.js';
