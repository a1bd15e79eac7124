/** Errors of the io module: each names the file (or buffer) and what is wrong with it. */
import { TsorchError } from '../errors.js';

/**
 * A safetensors file or buffer that cannot be read or written: truncated, a bad header, an
 * unknown dtype, offsets that do not tile the data buffer, values tsorch cannot hold exactly.
 * The message reads `op: source: problem`, e.g.
 * `loadSafetensors: model.safetensors: header length 4096 goes beyond the end of the file (200 bytes)`.
 *
 * @example
 * ```ts
 * try { await loadSafetensors(path); } catch (e) { if (e instanceof SafetensorsError) console.error(e.problem); }
 * ```
 */
export class SafetensorsError extends TsorchError {
  constructor(op: string, readonly source: string, readonly problem: string, options?: { cause?: unknown }) {
    super(op, `${source}: ${problem}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * A checkpoint that cannot be saved or restored: not a checkpoint, a missing part, a value it
 * cannot store, or a part its target refused (after which what was loaded is rolled back).
 *
 * @example
 * ```ts
 * await loadCheckpoint(path, { model, optimizer }).catch((e) => { if (e instanceof CheckpointError) startFresh(); else throw e; });
 * ```
 */
export class CheckpointError extends TsorchError {
  constructor(op: string, readonly source: string, readonly problem: string, options?: { cause?: unknown }) {
    super(op, `${source}: ${problem}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
