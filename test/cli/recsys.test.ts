import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/index.js';
import { syntheticRecsys } from '../../src/recsys/index.js';

/** Runs the CLI in-process and returns what it printed. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const code = await main(args);
    return { code, out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

function files(): { dir: string; data: string; items: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-recsys-'));
  const w = syntheticRecsys({ nUsers: 80, nItems: 50, interactionsPerUser: 15, roundTo: 1, seed: 3 });
  const d = w.interactions;
  const data = join(dir, 'ratings.dat');
  writeFileSync(data, Array.from(d.users, (u, k) => `${d.userIds[u]}::${d.itemIds[d.items[k]!]}::${d.ratings[k]}::${d.timestamps[k]}`).join('\n') + '\n');
  const items = join(dir, 'items.csv');
  writeFileSync(items, 'id,title,genres\n' + [...w.content].map(([i, c]) => `${i},${c.text},${c.categories!.join('|')}`).join('\n') + '\n');
  return { dir, data, items };
}

test('tsorch train recsys / recommend / similar / predict / eval: trains SVD on a :: file, saves, and serves the folder', async () => {
  const { dir, data } = files();
  const out = join(dir, 'svd');
  const t = await run(['train', 'recsys', '--data', data, '--algo', 'svd', '--factors', '8', '--epochs', '10', '--out', out]);
  assert.equal(t.code, 0);
  assert.match(t.out, /data: \d+ interactions, 80 users, \d+ items/);
  assert.match(t.out, /held-out \(random\): RMSE \d\.\d{4} {2}MAE .*NDCG@10 \d\.\d{4}/);
  assert.ok(existsSync(join(out, 'model.json')));
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { task: string; type: string; metrics: { rmse: number } };
  assert.equal(manifest.task, 'recsys');
  assert.equal(manifest.type, 'svd');
  assert.ok(manifest.metrics.rmse > 0 && manifest.metrics.rmse < 2);
  const rec = await run(['recommend', '--model', out, '--user', 'u1', '-k', '4', '--json']);
  const parsed = JSON.parse(rec.out) as { known: boolean; items: { item: string; score: number }[] };
  assert.equal(parsed.known, true);
  assert.equal(parsed.items.length, 4);
  assert.ok(parsed.items[0]!.score >= parsed.items[3]!.score);
  const cold = await run(['recommend', '--model', out, '--user', 'never-seen', '-k', '2']);
  assert.match(cold.out, /user 'never-seen' is not in the training data: cold-start fallback of svd\ni\d+\t\d\.\d{4}/);
  const sim = await run(['similar', '--model', out, '--item', 'i3', '-k', '3']);
  assert.equal(sim.out.split('\n').length, 3);
  const pred = await run(['predict', '--model', out, '--user', 'u1', '--item', 'i3', '--item', 'unknown-item']);
  assert.match(pred.out, /^u1\ti3\t\d\.\d{4}\nu1\tunknown-item\t\d\.\d{4}$/);
  const ev = await run(['eval', '--model', out, '--data', data, '-k', '5', '--json']);
  const m = JSON.parse(ev.out) as { rmse: number; ndcg: number; k: number };
  assert.equal(m.k, 5);
  assert.ok(m.rmse > 0 && m.ndcg >= 0);
});

test('tsorch train recsys trains item k-NN and the content hybrid; bad input gives clear errors', async () => {
  const { dir, data, items } = files();
  const knn = await run(['train', 'recsys', '--data', data, '--algo', 'knn-item', '--split', 'last', '--out', join(dir, 'knn')]);
  assert.match(knn.out, /fitted knn-baseline .*\nheld-out \(last\): RMSE/);
  const sim = await run(['similar', '--model', join(dir, 'knn'), '--item', 'i3', '-k', '2', '--json']);
  assert.equal((JSON.parse(sim.out) as { items: unknown[] }).items.length, 2);
  const hy = await run(['train', 'recsys', '--data', data, '--algo', 'hybrid', '--items', items, '--factors', '4', '--epochs', '5', '--split', 'none', '--out', join(dir, 'hy')]);
  assert.match(hy.out, /fitted switching-hybrid/);
  await assert.rejects(run(['train', 'recsys', '--data', data, '--algo', 'content']), /'content' needs item metadata: pass --items FILE/);
  await assert.rejects(run(['train', 'recsys', '--data', data, '--algo', 'magic']), /--algo: expected one of svd, svdpp/);
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, 'u1\ti1\t4\nu2\ti2\n');
  await assert.rejects(run(['train', 'recsys', '--data', bad]), /readInteractions: .*bad\.tsv:2: expected at least 3 fields, got 2/);
  await assert.rejects(run(['similar', '--model', join(dir, 'nowhere'), '--item', 'i1']), /manifest\.json: cannot read/);
});

test('tsorch recommend --history folds a new user into an als model; other models and bad histories are clear errors', async () => {
  const { dir, data } = files();
  const out = join(dir, 'als');
  await run(['train', 'recsys', '--data', data, '--algo', 'als', '--factors', '4', '--epochs', '3', '--split', 'none', '--out', out]);
  const rec = await run(['recommend', '--model', out, '--history', 'i3,i7:2', '-k', '4', '--json']);
  const parsed = JSON.parse(rec.out) as { history: { item: string; weight: number }[]; items: { item: string; score: number }[] };
  assert.deepEqual(parsed.history, [{ item: 'i3', weight: 1 }, { item: 'i7', weight: 2 }]);
  assert.equal(parsed.items.length, 4);
  assert.ok(!parsed.items.some((s) => s.item === 'i3' || s.item === 'i7'), 'the history is left out');
  const text = await run(['recommend', '--model', out, '--history', 'i3,new-item', '--ignore-unknown', '-k', '2']);
  assert.match(text.out, /^i\d+\t-?\d+\.\d{4}\ni\d+\t-?\d+\.\d{4}$/);
  await assert.rejects(run(['recommend', '--model', out, '--history', 'i3,new-item']), /item new-item is not in the model/);
  await assert.rejects(run(['recommend', '--model', out, '--history', 'i3:0']), /--history: expects item\[:weight\] entries with positive weights/);
  const svd = join(dir, 'svd');
  await run(['train', 'recsys', '--data', data, '--algo', 'svd', '--epochs', '2', '--split', 'none', '--out', svd]);
  await assert.rejects(run(['recommend', '--model', svd, '--history', 'i3']), /--history needs an als model \(fold-in of a new user\); this one is svd/);
  assert.equal((await run(['recommend', '--model', out, '--user', 'u1', '--history', 'i3'])).code, 2);
});
