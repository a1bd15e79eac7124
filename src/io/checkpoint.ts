/**
 * Training checkpoints: everything needed to resume exactly, in one safetensors file.
 *
 * Layout (one file, so one atomic rename replaces a checkpoint):
 * - `model.<name>`: the model's state dict (parameters and persistent buffers), so any safetensors
 *   reader can pull out the weights;
 * - `optimizer.…`, `scheduler.…`, `extra.…`: tensors found inside those states, named by their path;
 * - metadata `format: "tsorch-checkpoint"` and `tsorch.checkpoint`: JSON with the epoch, step,
 *   the optimizer/scheduler/extra states (tensors replaced by references, see tree.ts) and the
 *   global generator's state, so random ops (dropout, shuffling) continue the same stream.
 */
import type { Module } from '../nn/module.js';
import { noGrad } from '../autograd/mode.js';
import { defaultGenerator, type GeneratorState } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { CheckpointError } from './errors.js';
import { readFileChecked, writeFileAtomic } from './safetensors.js';
import { decodeTree, encodeTree, type Json } from './tree.js';

/**
 * Anything with a state dict: tsorch's optimizers and LR schedulers, or your own objects. The state
 * may hold tensors, numbers (NaN and infinities included), strings, booleans, null, arrays and
 * plain objects.
 */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
}

/** What `saveCheckpoint` stores. */
export interface CheckpointContent {
  model: Module;
  optimizer?: Stateful;
  scheduler?: Stateful;
  epoch?: number;
  step?: number;
  /** Anything else to keep (same value kinds as a state; e.g. a DataLoader generator's `getState()`). */
  extra?: unknown;
  /** Save the global generator's state (default true). */
  rng?: boolean;
}

/** What `loadCheckpoint` restores into. */
export interface LoadCheckpointOptions {
  model: Module;
  optimizer?: Stateful;
  scheduler?: Stateful;
  /** Restore the global generator's state if the checkpoint has one (default true). */
  rng?: boolean;
  /** Require the model's keys to match exactly (default true), as `Module.loadStateDict`. */
  strict?: boolean;
}

/** What `loadCheckpoint` returns besides restoring the objects. */
export interface LoadedCheckpoint<E = unknown> {
  epoch: number | undefined;
  step: number | undefined;
  /** The saved `extra`, unchecked: `E` is only a cast. */
  extra: E | undefined;
}

const FORMAT = 'tsorch-checkpoint';
const KEY = 'tsorch.checkpoint';
const VERSION = 1;

interface Header {
  version: number;
  epoch: number | null;
  step: number | null;
  optimizer?: Json;
  scheduler?: Json;
  extra?: Json;
  rng?: Json;
}

/**
 * Saves a model, optimizer, scheduler, counters, extras and the global RNG state to one file,
 * atomically (a temporary file renamed over `path`): a failure or crash mid-way leaves the
 * previous checkpoint intact. The RNG and optimizer/scheduler states are taken when it is called,
 * model weights as they are written: await it before the next training step.
 *
 * @example
 * ```ts
 * await saveCheckpoint('run/last.safetensors', { model, optimizer: opt, scheduler: sched, epoch, step });
 * ```
 */
export async function saveCheckpoint(path: string, content: CheckpointContent): Promise<void> {
  const op = 'saveCheckpoint';
  const fail: (problem: string) => never = (problem) => { throw new CheckpointError(op, path, problem); };
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of content.model.stateDict()) tensors.set(`model.${k}`, t);
  const counter = (name: string, v: number | undefined): number | null => {
    if (v !== undefined && !Number.isSafeInteger(v)) fail(`${name} must be an integer, got ${v}`);
    return v ?? null;
  };
  const header: Header = { version: VERSION, epoch: counter('epoch', content.epoch), step: counter('step', content.step) };
  if (content.optimizer) header.optimizer = encodeTree(content.optimizer.stateDict(), 'optimizer', tensors, fail);
  if (content.scheduler) header.scheduler = encodeTree(content.scheduler.stateDict(), 'scheduler', tensors, fail);
  if (content.extra !== undefined) header.extra = encodeTree(content.extra, 'extra', tensors, fail);
  if (content.rng ?? true) header.rng = encodeTree(defaultGenerator.getState(), 'rng', tensors, fail);
  await writeFileAtomic(op, path, tensors, { format: FORMAT, [KEY]: JSON.stringify(header) });
}

/**
 * Restores a checkpoint written by `saveCheckpoint` into a model (and optimizer, scheduler),
 * restores the global RNG state, and returns the epoch, step and extras. Either everything is
 * restored or, if any part is refused, what was already loaded is rolled back and a
 * CheckpointError says which part failed.
 *
 * @example
 * ```ts
 * const { epoch } = await loadCheckpoint('run/last.safetensors', { model, optimizer: opt, scheduler: sched });
 * for (let e = (epoch ?? -1) + 1; e < epochs; e++) train(e);
 * ```
 */
export async function loadCheckpoint<E = unknown>(path: string, opts: LoadCheckpointOptions): Promise<LoadedCheckpoint<E>> {
  const op = 'loadCheckpoint';
  const fail: (problem: string) => never = (problem) => { throw new CheckpointError(op, path, problem); };
  const { tensors, metadata } = await readFileChecked(op, path);
  const text = metadata?.[KEY];
  if (metadata?.format !== FORMAT || text === undefined) fail(`not a tsorch checkpoint (no '${KEY}' metadata); use loadSafetensors for plain weight files`);
  let header: Header;
  try {
    header = JSON.parse(text!) as Header;
  } catch (e) {
    return fail(`the '${KEY}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || header.version !== VERSION) {
    fail(`unsupported checkpoint version ${JSON.stringify((header as Header | null)?.version)} (this tsorch reads version ${VERSION})`);
  }
  for (const k of ['epoch', 'step'] as const) {
    if (header[k] !== null && !Number.isSafeInteger(header[k])) fail(`${k} must be an integer or null, got ${JSON.stringify(header[k])}`);
  }
  const modelState = new Map<string, Tensor>();
  for (const [k, t] of tensors) if (k.startsWith('model.')) modelState.set(k.slice('model.'.length), t);
  const part = (name: 'optimizer' | 'scheduler', target: Stateful | undefined): unknown => {
    if (target === undefined) return undefined;
    if (header[name] === undefined) fail(`options.${name} was given but the checkpoint holds no ${name} state`);
    return decodeTree(header[name]!, tensors, fail);
  };
  // Decode everything before changing anything.
  const optimizerState = part('optimizer', opts.optimizer);
  const schedulerState = part('scheduler', opts.scheduler);
  const extra = header.extra === undefined ? undefined : decodeTree(header.extra, tensors, fail);
  const rng = (opts.rng ?? true) && header.rng !== undefined ? decodeTree(header.rng, tensors, fail) as GeneratorState : undefined;

  const undo: (() => void)[] = [];
  const restore = (what: string, save: () => () => void, load: () => void): void => {
    const back = save();
    try {
      load();
    } catch (e) {
      for (const u of undo.reverse()) {
        try { u(); } catch { /* keep undoing the rest; the original error is the one to report */ }
      }
      throw new CheckpointError(op, path, `restoring the ${what} failed, nothing was changed: ${(e as Error).message}`, { cause: e });
    }
    undo.push(back);
  };
  restore('model', () => {
    const before = noGrad(() => new Map([...opts.model.stateDict()].map(([k, t]) => [k, t.clone()])));
    return () => { opts.model.loadStateDict(before); };
  }, () => { opts.model.loadStateDict(modelState, { strict: opts.strict ?? true }); });
  for (const [what, target, state] of [['optimizer', opts.optimizer, optimizerState], ['scheduler', opts.scheduler, schedulerState]] as const) {
    if (target === undefined) continue;
    restore(what, () => {
      const before = target.stateDict();
      return () => target.loadStateDict(before);
    }, () => target.loadStateDict(state));
  }
  if (rng !== undefined) {
    restore('random generator', () => {
      const before = defaultGenerator.getState();
      return () => defaultGenerator.setState(before);
    }, () => defaultGenerator.setState(rng));
  }
  return { epoch: header.epoch ?? undefined, step: header.step ?? undefined, extra: extra as E | undefined };
}
