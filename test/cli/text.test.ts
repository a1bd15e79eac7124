import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commands } from '../../src/cli/text.js';
import { repoRoot } from '../helpers/fixtures.js';

const bin = join(repoRoot(), 'bin', 'tsorch.js');
const tsorch = (args: string[]): string => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Seeded two-topic sentences. */
function rows(n: number, seed: number): [string, string][] {
  const a = ['goal', 'match', 'team', 'coach', 'league'];
  const b = ['oven', 'flour', 'bake', 'sauce', 'garlic'];
  const f = ['the', 'we', 'saw', 'a', 'today', 'and'];
  let s = seed;
  const r = (k: number) => ((s = (s * 48271) % 2147483647) % k);
  return Array.from({ length: n }, (_, i) => {
    const y = i % 2;
    return [Array.from({ length: 4 + r(5) }, () => (r(2) === 0 ? (y ? b : a)[r(5)]! : f[r(6)]!)).join(' '), y ? 'cooking' : 'sports'];
  });
}

test('tsorch train text → eval → predict on a CSV with a bag-of-embeddings model', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-cli-text-'));
  try {
    const csv = join(dir, 'topics.csv');
    const data = [...rows(200, 1).map(([t, l]) => [t, l, 'train']), ...rows(60, 2).map(([t, l]) => [t, l, 'test'])];
    await writeFile(csv, ['sentence,topic,part', ...data.map((r) => r.join(','))].join('\n'));
    const out = join(dir, 'model');
    const log = tsorch(['train', 'text', '--data', csv, '--text-col', 'sentence', '--label-col', 'topic', '--split-col', 'part',
      '--model', 'bow', '--embed-dim', '16', '--epochs', '4', '--lr', '0.02', '--min-freq', '1', '--batch-size', '16', '--out', out, '--progress', 'none']);
    assert.match(log, /training bow on 200 texts, validating on 60/);
    const acc = Number(/accuracy (\d+\.\d+)%/.exec(log)?.[1]);
    assert.ok(acc >= 90, log);
    for (const f of ['manifest.json', 'model.safetensors', 'tokenizer.json', 'metrics.json', 'loss.svg', 'eval.json']) assert.ok(existsSync(join(out, f)), f);
    assert.equal(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')).task, 'text');
    const ev = JSON.parse(tsorch(['eval', '--model', out, '--data', csv, '--text-col', 'sentence', '--label-col', 'topic', '--split-col', 'part', '--split', 'test', '--json']));
    assert.equal(ev.report.support, 60);
    assert.ok(Math.abs(ev.accuracy * 100 - acc) < 0.01, 'eval repeats the validation accuracy of training');
    const pred = tsorch(['predict', '--model', out, 'the coach and the team won the match', 'bake the garlic sauce in the oven']);
    assert.match(pred, /^sports\t(0\.\d{4}|1\.0000)\tthe coach.*\ncooking\t(0\.\d{4}|1\.0000)\tbake the garlic/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tsorch train text: a missing --data, an unknown model and a malformed row are reported clearly', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-cli-text-'));
  const errors: string[] = [];
  const saved = console.error;
  console.error = (...a: unknown[]) => { errors.push(a.join(' ')); };
  try {
    assert.equal(await commands.train([]), 2);
    assert.match(errors.join('\n'), /--data FILE is required/);
    const csv = join(dir, 'bad.csv');
    await writeFile(csv, 'text,label\nfine row,a\n"unclosed quote,b\n');
    await assert.rejects(commands.train(['--data', csv, '--model', 'gpt']), /--model: expected one of transformer, bilstm, textcnn, bow, got 'gpt'/);
    await assert.rejects(commands.train(['--data', csv, '--model', 'bow']), /bad\.csv:3/);
    await assert.rejects(commands.train(['--data', csv, '--progress', 'fancy']), /--progress: expects one of auto, bar, lines, none, got 'fancy'/);
    await assert.rejects(commands.predict(dir, ['x']), /manifest\.json is missing/);
  } finally {
    console.error = saved;
    await rm(dir, { recursive: true, force: true });
  }
});
