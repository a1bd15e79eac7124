import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/index.js';
import { formatConll, formatSrlConll, generateSrlCorpus } from '../../src/text/index.js';

/** Runs the CLI in-process and returns what it printed. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  const err = console.error;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  console.error = () => {};
  try {
    const code = await main(args);
    return { code, out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = err;
  }
}

const people = ['Anna', 'Bob', 'Chen', 'Dara'];
const places = ['Paris', 'Lima', 'Oslo', 'Rome'];
const sentences = Array.from({ length: 16 }, (_, i) => (i % 2 === 0
  ? { tokens: ['I', 'met', people[i % 4]!, 'in', places[(i * 3) % 4]!], tags: ['O', 'O', 'B-person', 'O', 'B-location'] }
  : { tokens: [people[(i + 1) % 4]!, 'Smith', 'lives', 'in', places[i % 4]!], tags: ['B-person', 'I-person', 'O', 'O', 'B-location'] }));

test('tsorch train ner / eval / predict: trains on a CoNLL file, saves the folder, scores per type and prints entities with spans', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-ner-'));
  const data = join(dir, 'train.conll');
  writeFileSync(data, formatConll(sentences));
  const out = join(dir, 'model');
  const tiny = ['--hidden', '8', '--word-dim', '8', '--char-dim', '0', '--min-freq', '1', '--dropout', '0', '--lr', '0.05', '--batch-size', '8'];
  const t = await run(['train', 'ner', '--data', data, '--dev', data, '--epochs', '10', '--patience', '2', '--out', out, ...tiny]);
  assert.equal(t.code, 0);
  assert.match(t.out, /ner bilstm-crf \+ CRF: 16 training sentences, \d+ epochs .* best dev entity F1 1\.0000/);
  for (const f of ['manifest.json', 'model.safetensors', 'features.json', 'metrics.json', 'loss.svg']) assert.ok(existsSync(join(out, f)), f);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { task: string; model: { kind: string; wordDim: number } };
  assert.equal(manifest.task, 'ner');
  assert.equal(manifest.model.wordDim, 8);

  const e = await run(['eval', '--model', out, '--data', data]);
  assert.equal(e.code, 0);
  assert.match(e.out, /location\s+1\.0000\s+1\.0000\s+1\.0000\s+16/);
  assert.match(e.out, /person\s+1\.0000\s+1\.0000\s+1\.0000\s+16/);
  assert.match(e.out, /micro avg\s+1\.0000\s+1\.0000\s+1\.0000\s+32/);

  const p = await run(['predict', '--model', out, 'I met Chen in Oslo', '--json']);
  const parsed = JSON.parse(p.out) as { entities: { type: string; text: string; start: number; end: number }[] }[];
  assert.deepEqual(parsed[0]!.entities.map((x) => [x.type, x.text, x.start, x.end]), [['person', 'Chen', 6, 10], ['location', 'Oslo', 14, 18]]);
  await assert.rejects(run(['train', 'ner', '--epochs', '1']), /--data FILE is required/);
  await assert.rejects(run(['train', 'ner', '--data', data, '--model', 'cnn']), /--model must be bilstm-crf or transformer, got 'cnn'/);
});

test('tsorch train srl reads tsorch SRL columns; eval scores roles without V; predict takes the predicate by word', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-srl-'));
  const data = join(dir, 'train.conll');
  writeFileSync(data, formatSrlConll(generateSrlCorpus({ sentences: 20, seed: 9 }).instances));
  const out = join(dir, 'model');
  const t = await run(['train', 'srl', '--data', data, '--epochs', '1', '--out', out, '--hidden', '8', '--word-dim', '8', '--char-dim', '0']);
  assert.equal(t.code, 0);
  assert.match(t.out, /srl bilstm-crf \+ CRF: \d+ training predicate instances, 1 epochs/);
  const e = await run(['eval', '--model', out, '--data', data]);
  assert.match(e.out, /role-level scores \(strict IOB2, seqeval rules, predicate V span excluded\)/);
  assert.doesNotMatch(e.out, /^\s+V\s/m);
  const p = await run(['predict', '--model', out, 'Mary bought a car .', '--predicate', 'bought', '--json']);
  const frames = (JSON.parse(p.out) as { frames: { predicate: string; position: number }[] }[])[0]!.frames;
  assert.deepEqual(frames.map((f) => [f.predicate, f.position]), [['bought', 1]]);
  await assert.rejects(run(['predict', '--model', out, 'Mary bought a car .', '--predicate', 'sold']), /--predicate 'sold' is not one of the words/);
});
