import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

test('examples/recsys-ratings (small) fits BaselineOnly, KNNBaseline and SVD and prints their errors and a top-5 list', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, [join(root, 'build', 'examples', 'recsys-ratings.js'), '--small'], { encoding: 'utf8', cwd: root });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /synthetic: \d+ ratings, 150 users/);
  for (const name of ['baseline', 'knn-baseline', 'svd']) assert.match(r.stdout, new RegExp(`${name} +RMSE 0\\.\\d{4}  MAE 0\\.\\d{4}  NDCG@10 0\\.\\d{4}`));
  assert.match(r.stdout, /top 5 for user u\d+: (i\d+ \(\d\.\d\d\)(, )?){5}\nitems like i\d+: /);
});
