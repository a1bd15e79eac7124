import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

const root = repoRoot();

test('the README example is examples/readme.ts, word for word', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = readFileSync(join(root, 'examples', 'readme.ts'), 'utf8').trim();
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  assert.ok(blocks.includes(example), 'README.md must contain examples/readme.ts in a ```ts block');
});

test('the README example runs and its loss falls below a tenth of the first', () => {
  const out = execFileSync(process.execPath, [join(root, 'build', 'examples', 'readme.js')], { encoding: 'utf8' });
  const losses = [...out.matchAll(/loss (\d+\.\d+)/g)].map((m) => Number(m[1]));
  assert.equal(losses.length, 6, `expected 6 loss lines, got:\n${out}`);
  assert.ok(losses[5]! < losses[0]! / 10, `loss did not fall enough: ${losses.join(', ')}`);
});
