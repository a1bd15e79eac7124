/**
 * The dispatcher of the thread pool's generic job kind (threads.ts, MODE_FUSED): a chunk of a
 * fused kernel's call is items [i0, i1) (batch entries, channels, rows: the kernel's unit of
 * independent work) of the call whose arguments sit in a descriptor in the shared memory, run on
 * participant `id`'s scratch. Adding a threaded kernel means a chunk entry in its own file, a
 * kind here and the host's descriptor; the pool itself does not change.
 */
import { attentionBackwardChunk, attentionChunk } from './attention';
import { batchNormChunk } from './batchnorm';
import { convChunk } from './conv';
import { layerNormChunk } from './norm';

/** Kinds (keep in step with CHUNK_KINDS in threads.ts). */
const ATTENTION = 0;
const ATTENTION_BACKWARD = 1;
const BATCH_NORM = 2;
const LAYER_NORM = 3;
const CONV = 4;

/** Runs items [i0, i1) of the `kind` call described at `desc` (chunk index `chunk`) on participant `id`. */
export function fusedChunk(kind: i32, desc: usize, i0: i32, i1: i32, chunk: i32, id: i32): void {
  if (kind == ATTENTION) attentionChunk(desc, i0, i1, id);
  else if (kind == ATTENTION_BACKWARD) attentionBackwardChunk(desc, i0, i1, id);
  else if (kind == BATCH_NORM) batchNormChunk(desc, i0, i1);
  else if (kind == LAYER_NORM) layerNormChunk(desc, i0, i1, chunk);
  else if (kind == CONV) convChunk(desc, i0, i1, chunk, id);
  else unreachable();
}
