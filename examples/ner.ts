/**
 * Named-entity recognition on WNUT-17 ("emerging and rare entities" in tweets) with a
 * BiLSTM-CRF: word + character-CNN + casing features, a bidirectional LSTM, a linear-chain CRF.
 * Trains with the shared `fit` loop (dev entity F1 picks the best epoch), prints seqeval-style
 * scores per entity type, saves the model folder, and tags a new sentence.
 *
 * Data: WNUT-17 (Derczynski et al., 2017; CC-BY 4.0) in CoNLL columns (token TAB tag). Get it from
 * https://github.com/leondz/emerging_entities_17 (wnut17train.conll, emerging.dev.conll,
 * emerging.test.annotated) and pass its folder, or pass any train.conll [dev.conll].
 *
 * Run: node build/examples/ner.js DIR|train.conll [dev.conll] [--epochs N] [--model bilstm-crf|transformer] [--small] [--out DIR]
 *      (--small: a tiny model and 2 epochs, for CI)
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { entitySpans, loadTagger, predictTags, readConll, saveTagger, splitWords, trainTagger, type TaggedSentence, type TaggerKind } from 'tsorch/text';
import { entityReport } from 'tsorch/train';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const small = args.includes('--small') ? (args.splice(args.indexOf('--small'), 1), true) : false;
const epochs = Number(flag('--epochs') ?? (small ? 2 : 10));
const kind = (flag('--model') ?? 'bilstm-crf') as TaggerKind;
const out = flag('--out') ?? 'runs/ner-example';
const [source, devArg] = args;

if (source === undefined || !existsSync(source)) {
  console.error(`usage: node build/examples/ner.js DIR|train.conll [dev.conll] [--epochs N] [--small]
Get WNUT-17 from https://github.com/leondz/emerging_entities_17 (wnut17train.conll, emerging.dev.conll)${source ? `\n'${source}' does not exist` : ''}`);
  process.exit(2);
}

const isDir = statSync(source).isDirectory();
const trainPath = isDir ? join(source, 'wnut17train.conll') : source;
const devPath = devArg ?? (isDir ? join(source, 'emerging.dev.conll') : undefined);
const testPath = isDir ? join(source, 'emerging.test.annotated') : undefined;
const read = async (path: string): Promise<TaggedSentence[]> => (await readConll(path)).sentences.map((s) => ({ tokens: s.tokens, tags: s.tags }));

const train = await read(trainPath);
const dev = devPath && existsSync(devPath) ? await read(devPath) : undefined;
console.log(`train: ${train.length} sentences${dev ? `, dev: ${dev.length}` : ''}`);

const started = performance.now();
const { bundle, result } = await trainTagger({
  task: 'ner', train, ...(dev ? { dev } : {}), kind, epochs,
  ...(small ? { model: { wordDim: 16, charDim: 8, charFilters: 8, hiddenSize: 16, dModel: 32, nhead: 2, numLayers: 1 }, minFreq: 1, lr: 0.02 } : {}),
  outDir: out, progress: process.stderr.isTTY ? 'bar' : 'lines',
});
console.log(`trained ${result.history.length} epochs in ${((performance.now() - started) / 1000).toFixed(0)} s (best epoch ${result.bestEpoch})`);
await saveTagger(out, bundle);

const report = (name: string, data: TaggedSentence[]): void => {
  const r = entityReport(data.map((s) => s.tags), predictTags(bundle, data));
  console.log(`${name}: entity F1 ${r.micro.f1.toFixed(4)} (P ${r.micro.precision.toFixed(4)}, R ${r.micro.recall.toFixed(4)}; ${r.trueCount} true, ${r.predictedCount} predicted)`);
  for (const [type, s] of Object.entries(r.perType)) console.log(`  ${type.padEnd(16)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}  (${s.support})`);
};
if (dev) report('dev', dev);
if (testPath && existsSync(testPath)) report('test', await read(testPath));

// The saved folder is all that is needed to tag new text.
const tagger = await loadTagger(out);
const text = 'Just watched Stranger Things with Anna at the Empire State Building, thanks Netflix!';
const words = splitWords(text);
const [tags] = predictTags(tagger, [{ tokens: words.tokens }]);
console.log(text);
for (const e of entitySpans(words.tokens, tags!, words.offsets, text)) console.log(`  ${e.type}: "${e.text}" (chars ${e.start}-${e.end})`);
