/**
 * Semantic role labelling on SYNTHETIC data: no PropBank corpus is available offline, so this
 * trains on sentences generated from a small seeded grammar (PropBank-style frames and roles,
 * passives, adjuncts, clausal arguments, relative clauses — see `generateSrlCorpus`) and scores
 * on sentences from another seed. Real PropBank data in CoNLL-2005 or CoNLL-U Plus columns can be
 * used instead with `readSrlConll` or `tsorch train srl --data …`.
 *
 * The model is a BiLSTM-CRF whose input adds a predicate-indicator embedding: each instance is
 * one sentence with one marked predicate, tagged with BIO role tags.
 *
 * Run: node build/examples/srl.js [--sentences N] [--epochs N] [--small]   (--small: CI-sized)
 */
import { generateSrlCorpus, predictTags, scoredTags, srlSpans, splitWords, trainTagger } from 'tsorch/text';
import { entityReport } from 'tsorch/train';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const small = args.includes('--small');
const n = Number(flag('--sentences') ?? (small ? 150 : 2000));
const epochs = Number(flag('--epochs') ?? (small ? 2 : 6));

const train = generateSrlCorpus({ sentences: n, seed: 1 }).instances;
const dev = generateSrlCorpus({ sentences: Math.max(20, Math.round(n / 5)), seed: 2 }).instances;
const test = generateSrlCorpus({ sentences: Math.max(20, Math.round(n / 5)), seed: 3 }).instances;
console.log(`synthetic SRL: ${train.length} training, ${dev.length} dev, ${test.length} test predicate instances`);

const { bundle, result } = await trainTagger({
  task: 'srl', train, dev, kind: 'bilstm-crf', epochs, lr: 0.005,
  model: small ? { wordDim: 16, charDim: 0, hiddenSize: 16, predicateDim: 8 } : { wordDim: 50, charDim: 0, hiddenSize: 64 },
  progress: process.stderr.isTTY ? 'bar' : 'lines',
});
const r = entityReport(test.map((s) => scoredTags('srl', s.tags)), predictTags(bundle, test).map((p) => scoredTags('srl', p)));
console.log(`best epoch ${result.bestEpoch}; held-out synthetic test role F1 ${r.micro.f1.toFixed(4)} (V excluded)`);
for (const [role, s] of Object.entries(r.perType)) console.log(`  ${role.padEnd(10)} F1 ${s.f1.toFixed(3)} (${s.support})`);

const text = 'The old bridge was built by the city council in 2019 .';
const words = splitWords(text);
const predicate = words.tokens.indexOf('built');
const [tags] = predictTags(bundle, [{ tokens: words.tokens, predicate }]);
console.log(`${text}\n  predicate "built":`);
for (const a of srlSpans(words.tokens, tags!, words.offsets, text)) console.log(`    ${a.type}: "${a.text}"`);
