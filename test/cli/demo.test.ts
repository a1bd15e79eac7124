import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo.js';
import { repoRoot } from '../helpers/fixtures.js';

test('the demo with its defaults learns the spirals: loss falls tenfold and held-out accuracy is above 95%', () => {
  const lines: string[] = [];
  const r = runDemo({ log: (l) => lines.push(l) });
  assert.ok(r.finalLoss < r.firstLoss / 10, `loss ${r.firstLoss} → ${r.finalLoss}`);
  assert.ok(r.testAccuracy > 0.95, `test accuracy ${r.testAccuracy}`);
  assert.match(lines.at(-1)!, /test accuracy/);
});

test('the demo is reproducible under the same seed', () => {
  const a = runDemo({ steps: 20, hidden: 8, log: () => {} });
  const b = runDemo({ steps: 20, hidden: 8, log: () => {} });
  assert.equal(a.finalLoss, b.finalLoss);
});

test('the tsorch command runs the demo and rejects unknown commands', () => {
  const bin = join(repoRoot(), 'bin', 'tsorch.js');
  const out = execFileSync(process.execPath, [bin, 'demo', '--steps', '5', '--hidden', '4'], { encoding: 'utf8' });
  assert.match(out, /test accuracy \d+\.\d%/);
  assert.throws(() => execFileSync(process.execPath, [bin, 'nope'], { stdio: 'pipe' }), /unknown command 'nope'/);
});
