import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatConll } from '../../src/text/index.js';
import { repoRoot } from '../helpers/fixtures.js';

test('the NER example trains on a CoNLL file (small config), scores dev per type and tags a sentence from the saved folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ex-ner-'));
  const names = ['Anna', 'Netflix', 'Paris'];
  const types = ['person', 'corporation', 'location'];
  const data = join(dir, 'train.conll');
  writeFileSync(data, formatConll(Array.from({ length: 12 }, (_, i) => ({ tokens: ['I', 'like', names[i % 3]!, 'a', 'lot'], tags: ['O', 'O', `B-${types[i % 3]}`, 'O', 'O'] }))));
  const script = join(repoRoot(), 'build', 'examples', 'ner.js');
  const out = execFileSync(process.execPath, [script, data, data, '--small', '--out', join(dir, 'model')], { encoding: 'utf8' });
  assert.match(out, /train: 12 sentences, dev: 12/);
  assert.match(out, /dev: entity F1 \d\.\d{4}/);
  assert.match(out, /Just watched Stranger Things/);
  assert.throws(() => execFileSync(process.execPath, [script, join(dir, 'missing')], { stdio: 'pipe' }), /emerging_entities_17/);
});

test('the SRL example trains on synthetic data (small config) and reports a held-out role F1', () => {
  const script = join(repoRoot(), 'build', 'examples', 'srl.js');
  const out = execFileSync(process.execPath, [script, '--small', '--sentences', '30', '--epochs', '1'], { encoding: 'utf8' });
  assert.match(out, /synthetic SRL: \d+ training/);
  assert.match(out, /held-out synthetic test role F1 \d\.\d{4}/);
  assert.match(out, /predicate "built"/);
});
