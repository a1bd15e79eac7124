import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';
import { writeFakeFashionMNIST } from './fake-fashion.js';

const dir = mkdtempSync(join(tmpdir(), 'tsorch-fmnist-example-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the Fashion-MNIST example trains LeNet on a generated set, prints accuracy per epoch and writes its reports', () => {
  const root = writeFakeFashionMNIST(join(dir, 'data'), { train: 100, test: 30 });
  const out = join(dir, 'run');
  const script = join(repoRoot(), 'build', 'examples', 'fashion-mnist.js');
  const stdout = execFileSync(process.execPath, [script, '--model', 'lenet', '--epochs', '2', '--root', root, '--out', out], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const epochs = [...stdout.matchAll(/epoch (\d): train loss (\d+\.\d+) · train acc [\d.]+% · test acc ([\d.]+)%/g)];
  assert.equal(epochs.length, 2, stdout);
  assert.ok(Number(epochs[1]![2]) < Number(epochs[0]![2]), `loss falls: ${epochs.map((m) => m[2]).join(' → ')}`);
  const acc = Number(/test accuracy ([\d.]+)% on 30 images/.exec(stdout)?.[1]);
  assert.equal(acc.toFixed(2), Number(epochs[1]![3]).toFixed(2), 'the final report agrees with the last epoch');
  for (const f of ['model.safetensors', 'test-confusion.svg', 'test-report.json', 'metrics.json', 'loss.svg', 'metrics.svg']) assert.ok(existsSync(join(out, f)), f);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'test-report.json'), 'utf8')).classNames.slice(0, 2), ['T-shirt/top', 'Trouser']);
});
