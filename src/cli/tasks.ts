/**
 * What every application's command-line module provides, and how a saved model says which
 * application it belongs to. `tsorch eval --model DIR` and `tsorch predict --model DIR …` read
 * `DIR/manifest.json` and hand over to the module named by its `task` field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import type { ProgressMode } from '../train/progress.js';

/** The applications with a command-line module; the `task` field of a saved model's manifest. */
export type CliTask = 'text' | 'ner' | 'srl' | 'image' | 'recsys';

/** One application's commands. `args` are the words after the command (and its sub-command). */
export interface TaskCommands {
  /** `tsorch train <task> …` */
  train(args: string[]): Promise<number>;
  /** `tsorch eval --model DIR …`, with DIR's manifest naming this task. */
  evaluate(modelDir: string, args: string[]): Promise<number>;
  /** `tsorch predict --model DIR …`, with DIR's manifest naming this task. */
  predict(modelDir: string, args: string[]): Promise<number>;
}

/** The fields every saved model's `manifest.json` has; applications add their own. */
export interface ManifestHead {
  task: CliTask;
  /** Format version of the application's manifest. */
  version: number;
}

const TASKS: readonly CliTask[] = ['text', 'ner', 'srl', 'image', 'recsys'];

/** Reads `dir/manifest.json` and checks its `task` field; errors name the file. */
export function readManifestHead(dir: string): ManifestHead & Record<string, unknown> {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new ValueError(file, `no manifest.json — is '${dir}' a model folder written by 'tsorch train'?`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ValueError(file, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ValueError(file, `expected a JSON object`);
  const head = parsed as Record<string, unknown>;
  if (typeof head.task !== 'string' || !(TASKS as readonly string[]).includes(head.task)) {
    throw new ValueError(file, `'task' must be one of ${TASKS.join(', ')}, got ${JSON.stringify(head.task)}`);
  }
  return head as ManifestHead & Record<string, unknown>;
}

/**
 * The number given to option `--name` (undefined when the option is absent); a value that is not a
 * finite number, not an integer when `integer` is set, or not a positive integer when it is
 * 'positive', throws an error naming the option.
 *
 * @example
 * ```ts
 * numberOption('32', 'batch-size', true); // 32
 * numberOption('x', 'lr'); // throws "--lr: expects a number, got 'x'"
 * numberOption('0', 'epochs', 'positive'); // throws "--epochs: expects a positive integer, got '0'"
 * ```
 */
export function numberOption(v: string | undefined, name: string, integer: boolean | 'positive' = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  const ok = Number.isFinite(n) && (!integer || Number.isInteger(n)) && (integer !== 'positive' || n > 0);
  if (!ok) throw new ValueError(`--${name}`, `expects ${integer === 'positive' ? 'a positive integer' : integer ? 'an integer' : 'a number'}, got '${v}'`);
  return n;
}

/**
 * The progress mode a command passes to training: 'auto' becomes one line per epoch when stderr is
 * not a terminal, so logs keep them (the library's own 'auto' stays silent there); other modes pass
 * through.
 *
 * @example
 * ```ts
 * cliProgress('auto'); // 'auto' on a terminal, 'lines' when stderr goes to a file
 * ```
 */
export function cliProgress(mode: ProgressMode = 'auto'): ProgressMode {
  return mode === 'auto' && process.stderr.isTTY !== true ? 'lines' : mode;
}

const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'none'];

/**
 * Parses a `--progress` option (auto | bar | lines | none, default auto) and applies
 * {@link cliProgress}; anything else is an error naming the option and the accepted values.
 *
 * @example
 * ```ts
 * progressOption('none'); // 'none'
 * progressOption('fancy'); // throws ValueError: --progress: expects one of auto, bar, lines, none, got 'fancy'
 * ```
 */
export function progressOption(v: string | undefined): ProgressMode {
  const mode = v ?? 'auto';
  if (!(PROGRESS_MODES as readonly string[]).includes(mode)) {
    throw new ValueError('--progress', `expects one of ${PROGRESS_MODES.join(', ')}, got '${mode}'`);
  }
  return cliProgress(mode as ProgressMode);
}
