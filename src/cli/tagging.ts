/**
 * `tsorch train ner|srl`, and `tsorch eval|predict --model DIR` for token taggers (named
 * entities, semantic roles). Data: CoNLL column files; for semantic roles also a seeded
 * synthetic corpus (no PropBank corpus is available offline — the numbers it gives are on
 * synthetic sentences, not real text).
 */
import { parseArgs } from 'node:util';
import { ValueError } from '../errors.js';
import { entityReport, type EntityReport } from '../train/index.js';
import { readConll, type ConllReadOptions } from '../text/readers/conll.js';
import { entitySpans, splitWords } from '../text/ner.js';
import { loadTagger, predictTags, saveTagger, scoredTags, trainTagger, type TaggedSentence, type TaggerBundle, type TaggerModelOptions, type TaggingTask } from '../text/tagger-pipeline.js';
import type { TaggerKind } from '../text/models/taggers.js';
import { readSrlConll, srlSpans } from '../text/srl.js';
import { generateSrlCorpus } from '../text/datasets/srl-synthetic.js';
import { cliProgress, numberOption, type CliTask, type TaskCommands } from './tasks.js';

const NER_TRAIN_HELP = `Usage: tsorch train ner --data train.conll [options]

  --data F          CoNLL columns: token … tag (tab or space separated, blank line between sentences)
  --dev F           development set: dev entity F1 picks the best epoch (and early stopping)
  --model K         bilstm-crf (default) or transformer
  --no-crf          per-token softmax instead of the CRF output layer
  --epochs N        default 10          --batch-size N   default 16
  --lr X            Adam learning rate (default 0.01 BiLSTM, 0.001 Transformer)
  --hidden N        BiLSTM hidden size per direction (default 100)
  --d-model N       Transformer width (default 128)   --layers N   layers (default 1 BiLSTM, 2 Transformer)
  --word-dim N      word embedding size (default 100) --char-dim N  0 turns the character CNN off (default 16)
  --dropout X       --min-freq N (words seen fewer times → [UNK], default 2)   --patience N (default 4)
  --limit N         use only the first N training sentences (quick runs)
  --token-col I     --tag-col I   (default 0 and -1)   --skip-bad   skip malformed sentences (counted)
  --out DIR         where to save the model (default runs/ner)   --seed N

Then: tsorch eval --model DIR --data test.conll [--output pred.conll]
      tsorch predict --model DIR "some text" [--json]`;

const SRL_TRAIN_HELP = `Usage: tsorch train srl (--data train.conll | --synthetic N) [options]

  --data F          one predicate per block: token, predicate column ('-' or '_' = none), role tags (BIO),
                    or CoNLL-2005 props: token, predicate, one bracketed column per predicate ((A0* * *))
  --predicate-col I column of the predicate flag/sense (default 1); role columns follow it
  --token-col I     (default 0)   --comment '#'  skip comment lines (CoNLL-U)
  --synthetic N     train on N seeded synthetic sentences (SYNTHETIC data, see docs), dev from another seed
  --dev F           development set (CoNLL as --data)
  other options as 'tsorch train ner --help'; --out default runs/srl

Then: tsorch eval --model DIR (--data F | --synthetic N [--seed S])
      tsorch predict --model DIR "Mary bought a car ." [--predicate bought|1] [--json]`;

const COMMON_OPTIONS = {
  data: { type: 'string' }, dev: { type: 'string' }, model: { type: 'string' }, 'no-crf': { type: 'boolean' },
  epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' }, hidden: { type: 'string' },
  'd-model': { type: 'string' }, layers: { type: 'string' }, 'word-dim': { type: 'string' }, 'char-dim': { type: 'string' },
  dropout: { type: 'string' }, 'min-freq': { type: 'string' }, patience: { type: 'string' }, limit: { type: 'string' },
  'token-col': { type: 'string' }, 'tag-col': { type: 'string' }, 'skip-bad': { type: 'boolean' }, out: { type: 'string' },
  seed: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  'predicate-col': { type: 'string' }, comment: { type: 'string' }, synthetic: { type: 'string' },
} as const;

type Values = Partial<Record<keyof typeof COMMON_OPTIONS, string | boolean>>;
const str = (v: Values, k: keyof typeof COMMON_OPTIONS): string | undefined => v[k] as string | undefined;

function conllOptions(v: Values): ConllReadOptions {
  const o: ConllReadOptions = {};
  const tok = numberOption(str(v, 'token-col'), 'token-col', true);
  const tag = numberOption(str(v, 'tag-col'), 'tag-col', true);
  if (tok !== undefined) o.tokenColumn = tok;
  if (tag !== undefined) o.tagColumn = tag;
  if (v['skip-bad']) o.onError = 'skip';
  if (str(v, 'comment') !== undefined) o.commentPrefix = str(v, 'comment')!;
  return o;
}

/** Reads labelled sentences for a task (NER: token and tag columns; SRL: one instance per predicate). */
async function readTagged(task: TaggingTask, path: string, v: Values): Promise<TaggedSentence[]> {
  if (task === 'srl') {
    const pc = numberOption(str(v, 'predicate-col'), 'predicate-col', true);
    const r = await readSrlConll(path, { ...conllOptions(v), ...(pc !== undefined ? { predicateColumn: pc } : {}) });
    if (r.skipped > 0) console.error(`${path}: skipped ${r.skipped} malformed sentences (first: ${r.problems[0]})`);
    return r.instances;
  }
  const r = await readConll(path, conllOptions(v));
  if (r.skipped > 0) console.error(`${path}: skipped ${r.skipped} malformed sentences (first: ${r.problems[0]})`);
  return r.sentences.map((s) => ({ tokens: s.tokens, tags: s.tags }));
}

/**
 * seqeval's classification report layout: per type, then micro/macro/weighted averages.
 *
 * @example
 * ```ts
 * console.log(formatEntityReport(entityReport(gold, predicted)));
 * ```
 */
export function formatEntityReport(r: EntityReport): string {
  const rows: string[][] = [['', 'precision', 'recall', 'f1-score', 'support']];
  const f = (x: number): string => x.toFixed(4);
  for (const [type, s] of Object.entries(r.perType)) rows.push([type, f(s.precision), f(s.recall), f(s.f1), String(s.support)]);
  rows.push(['']);
  for (const [name, s] of [['micro avg', r.micro], ['macro avg', r.macro], ['weighted avg', r.weighted]] as const) {
    rows.push([name, f(s.precision), f(s.recall), f(s.f1), String(r.trueCount)]);
  }
  const w0 = Math.max(...rows.map((r0) => r0[0]!.length));
  return rows.map((r0) => (r0.length === 1 ? '' : [r0[0]!.padStart(w0), ...r0.slice(1).map((c) => c.padStart(10))].join(' '))).join('\n');
}

async function train(task: TaggingTask, args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: COMMON_OPTIONS, strict: true });
  if (v.help) {
    console.log(task === 'ner' ? NER_TRAIN_HELP : SRL_TRAIN_HELP);
    return 0;
  }
  const kind = (v.model ?? 'bilstm-crf') as TaggerKind;
  if (kind !== 'bilstm-crf' && kind !== 'transformer') throw new ValueError(`tsorch train ${task}`, `--model must be bilstm-crf or transformer, got '${kind}'`);
  const seed = numberOption(v.seed, 'seed', true) ?? 0;
  let trainSet: TaggedSentence[];
  let devSet: TaggedSentence[] | undefined;
  const synthetic = numberOption(v.synthetic, 'synthetic', true);
  if (task === 'srl' && synthetic !== undefined) {
    trainSet = generateSrlCorpus({ sentences: synthetic, seed }).instances;
    devSet = generateSrlCorpus({ sentences: Math.max(50, Math.round(synthetic / 5)), seed: seed + 1_000_003 }).instances;
    console.error(`synthetic SRL data (seeded grammar, not real text): ${trainSet.length} training and ${devSet.length} dev predicate instances`);
  } else {
    if (v.data === undefined) throw new ValueError(`tsorch train ${task}`, `--data FILE is required${task === 'srl' ? ' (or --synthetic N)' : ''}; see 'tsorch train ${task} --help'`);
    trainSet = await readTagged(task, v.data, v);
  }
  if (v.dev !== undefined) devSet = await readTagged(task, v.dev, v);
  const limit = numberOption(v.limit, 'limit', true);
  if (limit !== undefined) trainSet = trainSet.slice(0, limit);
  const model: TaggerModelOptions = {};
  const set = <K extends string>(key: K, value: number | boolean | undefined): void => {
    if (value !== undefined) (model as Record<string, unknown>)[key] = value;
  };
  set('crf', v['no-crf'] ? false : undefined);
  set('hiddenSize', numberOption(v.hidden, 'hidden', true));
  set('dModel', numberOption(v['d-model'], 'd-model', true));
  set('numLayers', numberOption(v.layers, 'layers', true));
  set('wordDim', numberOption(v['word-dim'], 'word-dim', true));
  set('charDim', numberOption(v['char-dim'], 'char-dim', true));
  set('dropout', numberOption(v.dropout, 'dropout'));
  const out = v.out ?? `runs/${task}`;
  const started = performance.now();
  const { bundle, result } = await trainTagger({
    task, train: trainSet, ...(devSet ? { dev: devSet } : {}), kind, model: model, seed, outDir: out, progress: cliProgress(),
    ...pick({ epochs: numberOption(v.epochs, 'epochs', true), batchSize: numberOption(v['batch-size'], 'batch-size', true), lr: numberOption(v.lr, 'lr'), minFreq: numberOption(v['min-freq'], 'min-freq', true), patience: numberOption(v.patience, 'patience', true) }),
  });
  const seconds = (performance.now() - started) / 1000;
  bundle.info.trainSeconds = Math.round(seconds);
  if (synthetic !== undefined) bundle.info.data = `synthetic (seed ${seed}, ${synthetic} sentences)`;
  else bundle.info.data = v.data;
  const best = result.history[result.bestEpoch - 1];
  if (best?.val_entityF1 !== undefined) bundle.info.devEntityF1 = best.val_entityF1;
  await saveTagger(out, bundle);
  console.log(`${task} ${kind}${bundle.model.crf ? ' + CRF' : ''}: ${trainSet.length} training ${task === 'srl' ? 'predicate instances' : 'sentences'}, ${result.history.length} epochs in ${seconds.toFixed(0)} s` +
    (best?.val_entityF1 !== undefined ? `; best dev ${task === 'srl' ? 'role' : 'entity'} F1 ${best.val_entityF1.toFixed(4)} (epoch ${result.bestEpoch})` : ''));
  console.log(`saved to ${out}/ (manifest.json, model.safetensors, features.json, metrics.json, loss.svg)`);
  return 0;
}

function pick<T extends Record<string, number | undefined>>(o: T): Partial<Record<keyof T, number>> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<Record<keyof T, number>>;
}

async function evaluateCmd(task: TaggingTask, dir: string, args: string[]): Promise<number> {
  const { values: v } = parseArgs({ args, options: { ...COMMON_OPTIONS, output: { type: 'string' } }, strict: true });
  const bundle = await loadTagger(dir);
  let data: TaggedSentence[];
  const synthetic = numberOption(v.synthetic, 'synthetic', true);
  if (task === 'srl' && synthetic !== undefined) {
    const seed = numberOption(v.seed, 'seed', true) ?? 424242;
    data = generateSrlCorpus({ sentences: synthetic, seed }).instances;
    console.log(`synthetic SRL test data (seed ${seed}, not real text): ${data.length} predicate instances`);
  } else {
    if (v.data === undefined) throw new ValueError('tsorch eval', `--data FILE is required${task === 'srl' ? ' (or --synthetic N [--seed S])' : ''}`);
    data = await readTagged(task, v.data, v);
  }
  const predicted = predictTags(bundle, data);
  const gold = data.map((s) => s.tags);
  const report = entityReport(gold.map((g) => scoredTags(task, g)), predicted.map((p) => scoredTags(task, p)), 'strict');
  console.log(`${task === 'srl' ? 'role' : 'entity'}-level scores (strict IOB2, seqeval rules${task === 'srl' ? ', predicate V span excluded' : ''}) on ${data.length} ${task === 'srl' ? 'predicate instances' : 'sentences'}:`);
  console.log(formatEntityReport(report));
  if (v.output !== undefined) {
    const { formatConll } = await import('../text/readers/conll.js');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(v.output, formatConll(data.map((s, i) => ({ tokens: s.tokens, tags: s.tags, predicted: predicted[i]! }))));
    console.log(`predictions written to ${v.output} (token, gold, predicted)`);
  }
  return 0;
}

async function predictCmd(task: TaggingTask, dir: string, args: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args, options: { predicate: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: true });
  if (positionals.length === 0) throw new ValueError('tsorch predict', `give the text to tag, e.g. tsorch predict --model ${dir} "Mary bought a car in Paris"${task === 'srl' ? ' --predicate bought' : ''}`);
  const bundle: TaggerBundle = await loadTagger(dir);
  const results: unknown[] = [];
  for (const text of positionals) {
    const split = splitWords(text);
    if (split.tokens.length === 0) throw new ValueError('tsorch predict', 'the text has no words');
    if (task === 'ner') {
      const [tags] = predictTags(bundle, [{ tokens: split.tokens }]);
      const entities = entitySpans(split.tokens, tags!, split.offsets, text);
      results.push({ text, entities });
      if (!v.json) {
        console.log(text);
        if (entities.length === 0) console.log('  (no entities)');
        for (const e of entities) console.log(`  ${e.type.padEnd(14)} ${JSON.stringify(e.text)}  chars ${e.start}–${e.end}, words ${e.tokenStart}–${e.tokenEnd - 1}`);
      }
    } else {
      const positions = predicatePositions(bundle, split.tokens, v.predicate);
      const tagged = predictTags(bundle, positions.map((p) => ({ tokens: split.tokens, predicate: p })));
      const frames = positions.map((p, i) => ({ predicate: split.tokens[p]!, position: p, arguments: srlSpans(split.tokens, tagged[i]!, split.offsets, text) }));
      results.push({ text, frames });
      if (!v.json) {
        console.log(text);
        for (const f of frames) {
          console.log(`  predicate ${JSON.stringify(f.predicate)} (word ${f.position})`);
          for (const a of f.arguments) console.log(`    ${a.type.padEnd(10)} ${JSON.stringify(a.text)}`);
        }
      }
    }
  }
  if (v.json) console.log(JSON.stringify(results, null, 2));
  return 0;
}

/** Word positions to label: --predicate as a 0-based index or a word; else every word seen as a predicate in training. */
function predicatePositions(bundle: TaggerBundle, tokens: readonly string[], given: string | undefined): number[] {
  if (given !== undefined) {
    if (/^\d+$/.test(given)) {
      const p = Number(given);
      if (p >= tokens.length) throw new ValueError('tsorch predict', `--predicate ${p} is past the last word (${tokens.length} words: ${tokens.join(' ')})`);
      return [p];
    }
    const hits = tokens.flatMap((t, i) => (t.toLowerCase() === given.toLowerCase() ? [i] : []));
    if (hits.length === 0) throw new ValueError('tsorch predict', `--predicate '${given}' is not one of the words: ${tokens.join(' ')}`);
    return hits;
  }
  const seen = new Set((bundle.info.predicateWords as string[] | undefined) ?? []);
  const hits = tokens.flatMap((t, i) => (seen.has(t.toLowerCase()) ? [i] : []));
  if (hits.length === 0) throw new ValueError('tsorch predict', 'no word of the text was a predicate in training; name one with --predicate WORD or a 0-based position');
  return hits;
}

/**
 * The train/eval/predict commands of a tagging task, for the CLI router.
 *
 * @example
 * ```ts
 * await commandsFor('ner').train(['--data', 'train.conll', '--epochs', '5']);
 * ```
 */
export function commandsFor(task: CliTask): TaskCommands {
  if (task !== 'ner' && task !== 'srl') throw new ValueError('tagging', `not a tagging task: '${task}'`);
  return {
    train: (args) => train(task, args),
    evaluate: (dir, args) => evaluateCmd(task, dir, args),
    predict: (dir, args) => predictCmd(task, dir, args),
  };
}
