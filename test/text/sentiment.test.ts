import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { loadSentiment, trainSentiment } from '../../src/text/sentiment.js';
import { repoRoot } from '../helpers/fixtures.js';

/** Seeded reviews in the fine-foods layout: positive and negative phrases among neutral words. */
function reviews(n: number, seed: number): { text: string; label: string }[] {
  const good = ['delicious', 'love', 'great', 'perfect', 'tasty', 'excellent', 'favorite'];
  const bad = ['stale', 'awful', 'bland', 'broken', 'refund', 'disappointed', 'overpriced'];
  const neutral = ['the', 'coffee', 'box', 'these', 'snack', 'arrived', 'i', 'it', 'was', 'and', 'bag', 'tea'];
  let s = seed;
  const r = (k: number) => ((s = (s * 48271) % 2147483647) % k);
  return Array.from({ length: n }, (_, i) => {
    const pos = i % 3 !== 0;
    const words = Array.from({ length: 5 + r(8) }, () => (r(3) === 0 ? (pos ? good : bad)[r(7)]! : neutral[r(12)]!));
    return { text: words.join(' '), label: pos ? 'great' : 'other' };
  });
}

test('trainSentiment gives a callable sentiment(text) → {label, score} that learns, batches, and reloads from its folder', async () => {
  const tr = reviews(300, 3);
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-sent-'));
  try {
    const { sentiment, fit } = await trainSentiment(tr.map((r) => r.text), tr.map((r) => r.label), {
      model: 'bow', modelOptions: { embedDim: 16 }, epochs: 4, lr: 0.02, batchSize: 16, tokenizer: { minFreq: 1 }, progress: 'none',
    });
    assert.ok(fit.history.at(-1)!.loss < fit.history[0]!.loss);
    const pos = sentiment('the tea was delicious and i love it');
    assert.equal(pos.label, 'great');
    assert.ok(pos.score > 0.5 && pos.score <= 1);
    assert.equal(sentiment('stale and overpriced, want a refund').label, 'other');
    const te = reviews(90, 77);
    const got = sentiment.batch(te.map((r) => r.text));
    const acc = got.filter((g, i) => g.label === te[i]!.label).length / te.length;
    assert.ok(acc >= 0.9, `accuracy ${acc}`);
    await sentiment.pipeline.save(dir);
    const again = await loadSentiment(dir);
    assert.deepEqual(again('the tea was delicious and i love it'), pos);
    assert.throws(() => sentiment(42 as unknown as string), /expected a string/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the sentiment example runs on a small file in the fine-foods layout and prints test scores for the models and baselines', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tsorch-sent-ex-'));
  try {
    const rows = [...reviews(320, 5).map((r) => ({ ...r, split: 'train' })), ...reviews(80, 6).map((r) => ({ ...r, split: 'test' }))];
    const csv = ['"split","product","review","score"', ...rows.map((r, i) => `"${r.split}","P${i}","${r.text}<br />","${r.label}"`)].join('\n');
    const file = join(dir, 'fine_foods.csv.gz');
    await writeFile(file, gzipSync(csv));
    const script = join(repoRoot(), 'build', 'examples', 'sentiment.js');
    const out = execFileSync(process.execPath, [script, file, '--small', '--out', join(dir, 'model')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const acc = (name: string): number => Number(new RegExp(`${name}[^\\n]*test accuracy (\\d+\\.\\d+)%`).exec(out)?.[1]);
    assert.ok(acc('TF-IDF \\+ logistic regression') >= 90, out);
    assert.ok(acc('TF-IDF \\+ multinomial naive Bayes') >= 90, out);
    assert.ok(acc('bow \\(tsorch') >= 80, out);
    assert.match(out, /sentiment\("Absolutely delicious[^)]*\) → \{ label: '(great|other)', score: 0\.\d{3} \}/);
    assert.ok(existsSync(join(dir, 'model', 'manifest.json')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
