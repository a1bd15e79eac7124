/**
 * Training, prediction, saving and loading of token taggers — shared by named entities and
 * semantic roles (an SRL example is a sentence with one predicate position). Training goes
 * through the one `fit` loop (progress, validation with entity F1, early stopping, best
 * checkpoint, metrics.json, loss.svg).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { noGrad } from '../autograd/mode.js';
import { ValueError } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';
import { Adam } from '../optim/index.js';
import { tensor } from '../tensor/create.js';
import { Generator, manualSeed } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { entityReport, fit, type FitResult, type ProgressMode } from '../train/index.js';
import { LabelEncoder } from './labels.js';
import { createTagger, type BiLSTMTaggerConfig, type TaggerConfig, type TaggerKind, type TokenTagger, type TransformerTaggerConfig } from './models/taggers.js';
import { TokenFeaturizer, type SentenceFeatures, type TaggerInputs, type TokenFeaturizerJSON } from './tagger-features.js';

/** A labelled sentence; `predicate` (a word index) for semantic roles. */
export interface TaggedSentence {
  tokens: readonly string[];
  tags: readonly string[];
  predicate?: number;
}

/** A sentence to tag; `predicate` for semantic-role models. */
export interface SentenceToTag {
  tokens: readonly string[];
  predicate?: number;
}

/** Which task a tagger does: it decides the predicate feature and which tags are scored. */
export type TaggingTask = 'ner' | 'srl';

/** A trained tagger with everything needed to use it. */
export interface TaggerBundle {
  task: TaggingTask;
  model: TokenTagger;
  featurizer: TokenFeaturizer;
  labels: LabelEncoder;
  /** Extra facts saved in the manifest (training data, scores, predicate words seen, …). */
  info: Record<string, unknown>;
}

interface Example {
  feats: SentenceFeatures;
  tags: number[];
  predicate: number[] | null;
}

interface Batch {
  x: TaggerInputs;
  tags: Tensor;
  gold: string[][];
}

/**
 * Length-bucketed batches, reshuffled every epoch from a seeded generator: shuffle, cut into
 * pools of 20 batches, sort each pool by length, cut into batches, shuffle the batches — so
 * each batch holds sentences of similar length (little padding) and the order still varies.
 */
class TaggerBatches implements Iterable<Batch> {
  constructor(
    private readonly examples: readonly Example[],
    private readonly labels: LabelEncoder,
    private readonly featurizer: TokenFeaturizer,
    private readonly batchSize: number,
    private readonly gen: Generator | null,
  ) {}

  get length(): number {
    return Math.ceil(this.examples.length / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const n = this.examples.length;
    let order = this.gen ? this.gen.permutation(n) : Array.from({ length: n }, (_, i) => i);
    const pool = this.batchSize * 20;
    const sorted: number[] = [];
    for (let i = 0; i < n; i += pool) sorted.push(...order.slice(i, i + pool).sort((a, b) => this.examples[a]!.tags.length - this.examples[b]!.tags.length));
    order = sorted;
    const starts = Array.from({ length: this.length }, (_, b) => b * this.batchSize);
    const batchOrder = this.gen ? this.gen.permutation(starts.length).map((i) => starts[i]!) : starts;
    for (const s of batchOrder) yield this.make(order.slice(s, s + this.batchSize).map((i) => this.examples[i]!));
  }

  private make(items: Example[]): Batch {
    const L = Math.max(...items.map((e) => e.tags.length));
    const tags = tensor(Int32Array.from(items.flatMap((e) => [...e.tags, ...new Array<number>(L - e.tags.length).fill(0)])), { shape: [items.length, L], dtype: 'int64' });
    const predicates = items[0]!.predicate === null ? null : items.map((e) => e.predicate!);
    return { x: this.featurizer.batch(items.map((e) => e.feats), predicates), tags, gold: items.map((e) => this.labels.decode(e.tags)) };
  }
}

/** A 0/1 list with 1 at the predicate. */
function predicateFlags(task: TaggingTask, s: SentenceToTag, where: string): number[] | null {
  if (task !== 'srl') return null;
  const p = s.predicate;
  if (p === undefined || !Number.isInteger(p) || p < 0 || p >= s.tokens.length) {
    throw new ValueError('tagger', `${where}: a semantic-role example needs a predicate position in 0 … ${s.tokens.length - 1}, got ${String(p)}`);
  }
  return s.tokens.map((_, i) => (i === p ? 1 : 0));
}

/**
 * The tags a task is scored on: for semantic roles the predicate's own `V` span is left out,
 * as in the CoNLL-2005 scorer.
 *
 * @example
 * ```ts
 * scoredTags('srl', ['B-ARG0', 'B-V', 'B-ARG1']); // ['B-ARG0', 'O', 'B-ARG1']
 * ```
 */
export function scoredTags(task: TaggingTask, tags: readonly string[]): string[] {
  return task === 'srl' ? tags.map((t) => (t === 'B-V' || t === 'I-V' ? 'O' : t)) : [...tags];
}

/** Model sizes and switches a training run may override (those of the other kind are ignored). */
export type TaggerModelOptions = Partial<Omit<BiLSTMTaggerConfig & TransformerTaggerConfig, 'numWords' | 'numChars' | 'numTags'>>;

/** Options of {@link trainTagger}. */
export interface TrainTaggerOptions {
  task: TaggingTask;
  train: readonly TaggedSentence[];
  dev?: readonly TaggedSentence[];
  kind: TaggerKind;
  /** Overrides of the model's defaults (sizes, dropout, crf). */
  model?: TaggerModelOptions;
  /** Default 10. */
  epochs?: number;
  /** Default 16 (more updates per epoch: on WNUT-17, 32 left the dev F1 at 0 for 2–3 epochs). */
  batchSize?: number;
  /** Adam learning rate. Default 0.01 (BiLSTM), 0.001 (Transformer). */
  lr?: number;
  /** Words seen fewer times map to [UNK]. Default 2. */
  minFreq?: number;
  /** Stop when dev F1 has not improved for this many epochs. Default 4. */
  patience?: number;
  /** Gradient-norm clipping. Default 5. */
  clipGradNorm?: number;
  seed?: number;
  /** Folder for best.safetensors, metrics.json, loss.svg. Default none. */
  outDir?: string | null;
  progress?: ProgressMode;
}

/**
 * Trains a tagger: builds the features from the training sentences, the label set from the
 * training and dev tags, the model,
 * and runs `fit` with Adam, gradient clipping, dev entity F1 (strict IOB2, seqeval's rules)
 * as the monitored value when dev data is given, early stopping and the best weights restored.
 *
 * @example
 * ```ts
 * const { bundle, result } = await trainTagger({ task: 'ner', train, dev, kind: 'bilstm-crf', epochs: 5 });
 * predictTags(bundle, [{ tokens: ['I', 'love', 'Paris'] }]); // [['O', 'O', 'B-location']]
 * ```
 */
export async function trainTagger(opts: TrainTaggerOptions): Promise<{ bundle: TaggerBundle; result: FitResult }> {
  if (opts.train.length === 0) throw new ValueError('trainTagger', 'no training sentences');
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const featurizer = TokenFeaturizer.fit(opts.train.map((s) => s.tokens), { minFreq: opts.minFreq ?? 2 });
  // Dev tags join the label set: a type missing from training is then scored as missed, not refused.
  const labels = LabelEncoder.fit([...opts.train, ...(opts.dev ?? [])].flatMap((s) => [...s.tags]));
  const toExamples = (data: readonly TaggedSentence[], name: string): Example[] => data.map((s, i) => {
    if (s.tokens.length !== s.tags.length) throw new ValueError('trainTagger', `${name} sentence ${i}: ${s.tokens.length} tokens but ${s.tags.length} tags`);
    if (s.tokens.length === 0) throw new ValueError('trainTagger', `${name} sentence ${i} is empty`);
    return { feats: featurizer.encode(s.tokens), tags: labels.encode(s.tags), predicate: predicateFlags(opts.task, s, `${name} sentence ${i}`) };
  });
  const train = toExamples(opts.train, 'training');
  const dev = opts.dev && opts.dev.length > 0 ? toExamples(opts.dev, 'dev') : null;
  const config = {
    ...opts.model, kind: opts.kind, numWords: featurizer.numWords, numChars: featurizer.numChars, numTags: labels.size,
    ...(opts.task === 'srl' ? { predicateDim: opts.model?.predicateDim ?? 16 } : {}),
  } as TaggerConfig;
  const model = createTagger(config);
  const batchSize = opts.batchSize ?? 16;
  const lr = opts.lr ?? (opts.kind === 'transformer' ? 1e-3 : 1e-2);
  const task = opts.task;
  const result = await fit<Batch, string[]>({
    model,
    optimizer: new Adam(model.parameters(), { lr }),
    trainData: new TaggerBatches(train, labels, featurizer, batchSize, new Generator(seed + 1)),
    ...(dev ? { valData: new TaggerBatches(dev, labels, featurizer, 64, null) } : {}),
    epochs: opts.epochs ?? 10,
    trainStep: (b) => model.loss(b.x, b.tags),
    evalStep: (b) => ({
      loss: model.loss(b.x, b.tags),
      predictions: model.decode(b.x).map((p) => scoredTags(task, labels.decode(p))),
      targets: b.gold.map((g) => scoredTags(task, g)),
    }),
    metrics: { entityF1: (p, t) => entityReport(t, p, 'strict').micro.f1 },
    ...(dev ? { monitor: 'val_entityF1', earlyStopping: { patience: opts.patience ?? 4 } } : {}),
    clipGradNorm: opts.clipGradNorm ?? 5,
    batchSize: (b) => b.gold.length,
    outDir: opts.outDir ?? null,
    progress: opts.progress ?? 'auto',
  });
  const info: Record<string, unknown> = { trainSentences: opts.train.length, devSentences: opts.dev?.length ?? 0, epochs: result.history.length, bestEpoch: result.bestEpoch, seed, lr, batchSize };
  if (task === 'srl') info.predicateWords = [...new Set(opts.train.map((s) => s.tokens[s.predicate!]!.toLowerCase()))].sort().slice(0, 5000);
  return { bundle: { task, model, featurizer, labels, info }, result };
}

/**
 * Tags sentences with a trained tagger (eval mode, no gradients), in batches of 64.
 *
 * @example
 * ```ts
 * predictTags(bundle, [{ tokens: ['Mary', 'bought', 'a', 'car'], predicate: 1 }]); // [['B-ARG0', 'B-V', 'B-ARG1', 'I-ARG1']]
 * ```
 */
export function predictTags(bundle: TaggerBundle, sentences: readonly SentenceToTag[]): string[][] {
  const { model, featurizer, labels, task } = bundle;
  model.eval();
  const out: string[][] = [];
  noGrad(() => {
    for (let i = 0; i < sentences.length; i += 64) {
      const chunk = sentences.slice(i, i + 64);
      const empty = chunk.findIndex((s) => s.tokens.length === 0);
      if (empty >= 0) throw new ValueError('predictTags', `sentence ${i + empty} is empty`);
      const flags = task === 'srl' ? chunk.map((s, k) => predicateFlags(task, s, `sentence ${i + k}`)!) : null;
      const x = featurizer.batch(chunk.map((s) => featurizer.encode(s.tokens)), flags);
      for (const p of model.decode(x)) out.push(labels.decode(p));
    }
  });
  return out;
}

/** The files of a saved tagger folder. */
export const TAGGER_FILES = { manifest: 'manifest.json', weights: 'model.safetensors', features: 'features.json' } as const;

/**
 * Saves a tagger to `dir`: model.safetensors (the state dict, PyTorch names), features.json
 * (word and character vocabularies) and manifest.json (task, model config, labels, info),
 * which `tsorch eval|predict --model DIR` read.
 *
 * @example
 * ```ts
 * await saveTagger('runs/ner', bundle);
 * const again = await loadTagger('runs/ner');
 * ```
 */
export async function saveTagger(dir: string, bundle: TaggerBundle): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveSafetensors(join(dir, TAGGER_FILES.weights), bundle.model.stateDict());
  await writeFile(join(dir, TAGGER_FILES.features), `${JSON.stringify(bundle.featurizer.toJSON())}\n`);
  const manifest = {
    task: bundle.task, version: 1, model: { kind: bundle.model.kind, ...bundle.model.config, ...bundle.model.embeddings.config },
    labels: bundle.labels.names, files: TAGGER_FILES, ...bundle.info,
  };
  await writeFile(join(dir, TAGGER_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Loads a folder written by {@link saveTagger} (or `tsorch train ner|srl`); errors name the file
 * and what is wrong.
 *
 * @example
 * ```ts
 * const tagger = await loadTagger('runs/ner');
 * predictTags(tagger, [{ tokens: splitWords('I love Paris').tokens }]);
 * ```
 */
export async function loadTagger(dir: string): Promise<TaggerBundle> {
  const file = (name: string): string => join(dir, name);
  const readJSON = async (name: string): Promise<Record<string, unknown>> => {
    let text: string;
    try {
      text = await readFile(file(name), 'utf8');
    } catch {
      throw new ValueError('loadTagger', `${file(name)}: missing — is '${dir}' a folder written by 'tsorch train ner|srl'?`);
    }
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (e) {
      throw new ValueError('loadTagger', `${file(name)}: not valid JSON (${(e as Error).message})`);
    }
  };
  const manifest = await readJSON(TAGGER_FILES.manifest);
  const task = manifest.task;
  if (task !== 'ner' && task !== 'srl') throw new ValueError('loadTagger', `${file(TAGGER_FILES.manifest)}: task must be 'ner' or 'srl', got ${JSON.stringify(task)}`);
  if (manifest.version !== 1) throw new ValueError('loadTagger', `${file(TAGGER_FILES.manifest)}: unsupported version ${JSON.stringify(manifest.version)} (this tsorch reads 1)`);
  const labelNames = manifest.labels;
  if (!Array.isArray(labelNames) || !labelNames.every((l) => typeof l === 'string')) throw new ValueError('loadTagger', `${file(TAGGER_FILES.manifest)}: 'labels' must be a list of strings`);
  const featurizer = TokenFeaturizer.fromJSON(await readJSON(TAGGER_FILES.features) as unknown as TokenFeaturizerJSON, file(TAGGER_FILES.features));
  const model = createTagger(manifest.model as TaggerConfig);
  const { tensors } = await loadSafetensors(file(TAGGER_FILES.weights));
  model.loadStateDict(tensors);
  model.eval();
  const { task: _t, version: _v, model: _m, labels: _l, files: _f, ...info } = manifest;
  return { task, model, featurizer, labels: new LabelEncoder(labelNames as string[]), info };
}
