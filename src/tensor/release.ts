/**
 * @internal Freeing a tensor's storage early, for code that knows the storage is dead.
 *
 * Storage is freed automatically when it is garbage collected (backend/wasm/storage.ts), but a
 * wasm backend only learns about garbage at a full GC, which it forces when memory grows; a
 * training step that drops hundreds of megabytes of temporaries pays for several. Internal code
 * that created a temporary and knows nothing else can read it (the autograd engine's consumed
 * gradients, a layer's intermediate results that no backward rule saved) frees it here, so the
 * block is reused at once. Using a freed storage throws (it never reads stale memory), so a
 * wrong call fails loudly. A no-op on backends whose storages have no `dispose` (the reference).
 */
import type { Tensor } from './tensor.js';

export function releaseStorage(t: Tensor): void {
  const s = t.storage as { dispose?: () => void };
  if (typeof s.dispose === 'function') s.dispose();
}

/** Releases `t`'s storage unless one of `keep` shares it. */
export function releaseUnlessShared(t: Tensor, ...keep: readonly Tensor[]): void {
  for (const k of keep) if (k.storage === t.storage) return;
  releaseStorage(t);
}
