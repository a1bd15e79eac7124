import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/fixtures.js';

interface Row { model: string; warm: { ndcg: number; users: number }; cold: { ndcg: number; users: number } }

test('examples/recsys-compare (small): ALS and LightFM beat popularity on NDCG@10, and the LightFM hybrid beats pure ALS for cold-start users', () => {
  const script = join(repoRoot(), 'build', 'examples', 'recsys-compare.js');
  const out = execFileSync(process.execPath, [script, '--small', '--json', '--world=implicit', '--only=popularity,als,lightfm'], { encoding: 'utf8' });
  const rows = new Map(out.trim().split('\n').map((l) => JSON.parse(l) as Row).map((r) => [r.model, r]));
  assert.deepEqual([...rows.keys()], ['popularity', 'als', 'lightfm']);
  const pop = rows.get('popularity')!;
  const als = rows.get('als')!;
  const lfm = rows.get('lightfm')!;
  assert.equal(pop.warm.users, 100);
  assert.equal(pop.cold.users, 20);
  assert.ok(als.warm.ndcg > pop.warm.ndcg * 1.1, `ALS ${als.warm.ndcg} vs popularity ${pop.warm.ndcg}`);
  assert.ok(lfm.warm.ndcg > pop.warm.ndcg * 1.1, `LightFM ${lfm.warm.ndcg} vs popularity ${pop.warm.ndcg}`);
  assert.ok(lfm.cold.ndcg > als.cold.ndcg, `cold users: LightFM ${lfm.cold.ndcg} vs ALS ${als.cold.ndcg}`);
});
