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
import type { Storage } from '../backend/types.js';
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

/**
 * Graph holds on storages: how many recorded autograd nodes (not yet released) list a tensor
 * on the storage as an input or a saved value (autograd/node.ts keeps the count).
 */
const holders = new WeakMap<Storage, number>();
/** Storages their creator declared dead outside the graph (see releaseWhenUnheld). */
const internal = new WeakSet<Storage>();

/** @internal A recorded node holds `s` (for its backward). */
export function holdStorage(s: Storage): void {
  holders.set(s, (holders.get(s) ?? 0) + 1);
}

/** @internal A node that held `s` was released; the last release frees an internal storage. */
export function unholdStorage(s: Storage): void {
  const n = (holders.get(s) ?? 0) - 1;
  if (n > 0) {
    holders.set(s, n);
    return;
  }
  holders.delete(s);
  if (internal.delete(s)) disposeStorage(s);
}

/**
 * Declares that nothing outside the autograd graph will read `t` again (a layer's intermediate
 * result, once the layer's forward is done with it), unless one of `keep` (what the layer
 * returns, its input) shares its storage. Freed at once when no recorded node holds it (no
 * graph, or no backward rule saved it); else when the last node holding it is released, right
 * after backward ran through it (not under retainGraph), instead of at the next full garbage
 * collection. A layer's forward of a training step thereby leaves almost no garbage behind.
 */
export function releaseWhenUnheld(t: Tensor, ...keep: readonly Tensor[]): void {
  for (const k of keep) if (k.storage === t.storage) return;
  if ((holders.get(t.storage) ?? 0) === 0) disposeStorage(t.storage);
  else internal.add(t.storage);
}

function disposeStorage(s: Storage): void {
  const d = s as { dispose?: () => void };
  if (typeof d.dispose === 'function') d.dispose();
}
