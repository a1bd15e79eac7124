/**
 * Saving and loading (torch.save/torch.load's roles, in the safetensors format): `saveSafetensors`
 * / `loadSafetensors` for tensor files shared with PyTorch and Hugging Face, `serialize` /
 * `deserialize` for in-memory buffers, and `saveCheckpoint` / `loadCheckpoint` for resuming training.
 *
 * @example
 * ```ts
 * import { saveSafetensors, loadSafetensors } from 'tsorch/io';
 * await saveSafetensors('model.safetensors', model.stateDict());
 * model.loadStateDict((await loadSafetensors('model.safetensors')).tensors);
 * ```
 */
export {
  saveSafetensors, loadSafetensors, serialize, deserialize, type NamedTensors, type SafetensorsContent,
} from './safetensors.js';
export {
  saveCheckpoint, loadCheckpoint, type Stateful, type CheckpointContent, type LoadCheckpointOptions, type LoadedCheckpoint,
} from './checkpoint.js';
export { SafetensorsError, CheckpointError } from './errors.js';
export { writeAtomic, type WriteChunk } from './atomic.js';
