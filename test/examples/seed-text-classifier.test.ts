import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

test('the seed text classifier example trains (small config) and its loss falls epoch over epoch', () => {
  const script = join(repoRoot(), 'build', 'examples', 'seed-text-classifier.js');
  const out = execFileSync(process.execPath, [script, '--small'], { encoding: 'utf8' });
  const losses = [...out.matchAll(/mean loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.equal(losses.length, 3, `expected 3 epochs, got:\n${out}`);
  assert.ok(losses[2]! < losses[0]!, `loss did not fall: ${losses.join(' → ')}`);
});
