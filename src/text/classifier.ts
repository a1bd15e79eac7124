/**
 * A trained text classifier as one object — tokenizer, model and label names — that predicts
 * labels with probabilities, evaluates on labelled texts, and saves to / loads from a model
 * folder: `manifest.json` (`{"task":"text","version":1,…}`), `model.safetensors` and
 * `tokenizer.json`. Training lives in `classifier-train.ts`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../io/index.js';
import { noGrad } from '../autograd/mode.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { classificationReport, multiLabelReport, type ClassificationReport } from '../train/metrics.js';
import { LabelEncoder } from './labels.js';
import { loadTokenizer } from './load.js';
import { createTextClassifier, type TextClassifier, type TextClassifierConfig } from './models/index.js';
import type { Tokenizer } from './tokenizer.js';

/** One text's prediction. For multi-label models `labels` lists every label over the threshold. */
export interface TextPrediction {
  /** The most probable label. */
  label: string;
  /** Its probability. */
  score: number;
  /** Multi-label models: every label with probability ≥ threshold (may be empty). Single-label: [label]. */
  labels: string[];
  /** Probability of every label, by name. */
  scores: Record<string, number>;
}

/** What `manifest.json` of a text model folder holds. */
export interface TextModelManifest {
  task: 'text';
  version: 1;
  model: TextClassifierConfig;
  labels: string[];
  multiLabel: boolean;
  /** Multi-label decision threshold on each label's probability. */
  threshold: number;
  /** Longest input in tokens (special tokens included). */
  maxLength: number;
  /** Free-form notes (dataset, metrics, options used). */
  info?: Record<string, unknown>;
}

/** Options of {@link TextClassificationPipeline}. */
export interface PipelineSettings {
  multiLabel?: boolean;
  threshold?: number;
  maxLength?: number;
}

/** Padded (N, L) int64 ids and attention mask of already-encoded sequences. */
export function padBatch(seqs: readonly (readonly number[])[], padId: number): { inputIds: Tensor; attentionMask: Tensor } {
  const N = seqs.length;
  const L = Math.max(1, ...seqs.map((s) => s.length));
  const ids = new Int32Array(N * L).fill(padId);
  const mask = new Int32Array(N * L);
  seqs.forEach((s, i) => {
    ids.set(s, i * L);
    mask.fill(1, i * L, i * L + s.length);
  });
  return { inputIds: tensor(ids, { shape: [N, L], dtype: 'int64' }), attentionMask: tensor(mask, { shape: [N, L], dtype: 'int64' }) };
}

/**
 * Tokenizer + model + labels.
 *
 * @example
 * ```ts
 * const clf = await TextClassificationPipeline.load('runs/spam');
 * clf.predict(['WIN A FREE iPod, click here'])[0]; // { label: 'spam', score: 0.99, … }
 * ```
 */
export class TextClassificationPipeline {
  readonly multiLabel: boolean;
  readonly threshold: number;
  readonly maxLength: number;

  constructor(readonly model: TextClassifier, readonly tokenizer: Tokenizer, readonly labels: LabelEncoder, settings: PipelineSettings = {}) {
    this.multiLabel = settings.multiLabel ?? false;
    this.threshold = settings.threshold ?? 0.5;
    this.maxLength = settings.maxLength ?? tokenizer.maxLength ?? 256;
    if (this.tokenizer.padId === null) throw new ValueError('TextClassificationPipeline', 'the tokenizer has no padding token');
  }

  /** Token ids of each text, truncated to maxLength. */
  encode(texts: readonly string[]): number[][] {
    return texts.map((t) => this.tokenizer.encode(t, { maxLength: this.maxLength }).ids);
  }

  /** Class probabilities (N, C) as arrays: softmax, or per-label sigmoid for multi-label models. */
  probabilities(texts: readonly string[], batchSize = 64): number[][] {
    return this.probabilitiesOfIds(this.encode(texts), batchSize);
  }

  /** As `probabilities`, from encoded ids. */
  probabilitiesOfIds(seqs: readonly (readonly number[])[], batchSize = 64): number[][] {
    const out: number[][] = [];
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      noGrad(() => {
        for (let i = 0; i < seqs.length; i += batchSize) {
          const { inputIds, attentionMask } = padBatch(seqs.slice(i, i + batchSize), this.tokenizer.padId!);
          const logits = this.model.forward(inputIds, attentionMask);
          const p = this.multiLabel ? logits.sigmoid() : logits.softmax(-1);
          out.push(...(p.toArray() as number[][]));
        }
      });
    } finally {
      this.model.train(wasTraining);
    }
    return out;
  }

  /** Labels and probabilities of texts. */
  predict(texts: readonly string[]): TextPrediction[] {
    return this.probabilities(texts).map((p) => this.describe(p));
  }

  /** The prediction for one text. */
  predictOne(text: string): TextPrediction {
    return this.predict([text])[0]!;
  }

  private describe(p: readonly number[]): TextPrediction {
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    const names = this.labels.names;
    const label = names[best]!;
    const labels = this.multiLabel ? names.filter((_, c) => p[c]! >= this.threshold) : [label];
    return { label, score: p[best]!, labels, scores: Object.fromEntries(names.map((n, c) => [n, p[c]!])) };
  }

  /**
   * Scores on labelled texts: a full classification report (single-label: label names must be
   * known to the model; multi-label: each text's label list).
   */
  evaluate(texts: readonly string[], labels: readonly string[] | readonly (readonly string[])[]): ClassificationReport | Omit<ClassificationReport, 'confusion'> {
    if (texts.length !== labels.length) throw new ValueError('TextClassificationPipeline.evaluate', `${texts.length} texts but ${labels.length} labels`);
    const probs = this.probabilities(texts);
    if (this.multiLabel) {
      const C = this.labels.size;
      const targets = (labels as readonly (readonly string[])[]).map((ls) => {
        const row = new Array<number>(C).fill(0);
        for (const l of ls) row[this.labels.id(l)] = 1;
        return row;
      });
      return multiLabelReport(probs.map((p) => p.map((v) => (v >= this.threshold ? 1 : 0))), targets);
    }
    const preds = probs.map((p) => p.indexOf(Math.max(...p)));
    return classificationReport(preds, this.labels.encode(labels as readonly string[]), this.labels.size);
  }

  /** The manifest of this pipeline (what `save` writes). */
  manifest(info?: Record<string, unknown>): TextModelManifest {
    return {
      task: 'text', version: 1, model: { kind: this.model.kind, ...this.model.config } as TextClassifierConfig,
      labels: [...this.labels.names], multiLabel: this.multiLabel, threshold: this.threshold, maxLength: this.maxLength,
      ...(info ? { info } : {}),
    };
  }

  /** Writes manifest.json, model.safetensors and tokenizer.json into `dir` (created if needed). */
  async save(dir: string, info?: Record<string, unknown>): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveSafetensors(join(dir, 'model.safetensors'), this.model.stateDict(), { format: 'pt' });
    await this.tokenizer.save(join(dir, 'tokenizer.json'));
    await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(this.manifest(info), null, 2)}\n`);
  }

  /** Reads a folder written by `save` (or by `tsorch train text`). */
  static async load(dir: string): Promise<TextClassificationPipeline> {
    const op = 'TextClassificationPipeline.load';
    const file = join(dir, 'manifest.json');
    for (const f of ['manifest.json', 'model.safetensors', 'tokenizer.json']) {
      if (!existsSync(join(dir, f))) throw new ValueError(op, `${join(dir, f)} is missing — is '${dir}' a text model folder written by 'tsorch train text'?`);
    }
    const m = JSON.parse(await readFile(file, 'utf8')) as Partial<TextModelManifest>;
    if (m.task !== 'text' || m.version !== 1) throw new ValueError(op, `${file}: expected task "text" version 1, got task ${JSON.stringify(m.task)} version ${JSON.stringify(m.version)}`);
    if (!m.model || !Array.isArray(m.labels)) throw new ValueError(op, `${file}: missing 'model' or 'labels'`);
    const model = createTextClassifier(m.model);
    const { tensors } = await loadSafetensors(join(dir, 'model.safetensors'));
    model.loadStateDict(tensors);
    model.eval();
    const tokenizer = await loadTokenizer(join(dir, 'tokenizer.json'));
    return new TextClassificationPipeline(model, tokenizer, new LabelEncoder(m.labels), {
      multiLabel: m.multiLabel ?? false, threshold: m.threshold ?? 0.5, ...(m.maxLength !== undefined ? { maxLength: m.maxLength } : {}),
    });
  }
}
