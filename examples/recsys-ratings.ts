/**
 * Explicit ratings, the Surprise way: read a ratings file (MovieLens `u.data`, `ratings.dat`, or a
 * CSV with user/item/rating columns), hold out 20 %, fit BaselineOnly, KNNBaseline and SVD with
 * Surprise's defaults, print their RMSE/MAE and NDCG@10, then one user's top 5 and the items most
 * like the first of them.
 *
 * Run: node build/examples/recsys-ratings.js [FILE] [--small]
 *   FILE: a ratings file (default: a seeded synthetic world with planted factors, noise σ = 0.3);
 *   --small: a CI-sized synthetic world and fewer SVD epochs.
 * MovieLens latest-small as one CSV: see ../shared/design/DATA.md; MovieLens 100k: GroupLens' ml-100k.zip (u.data).
 */
import { BaselineOnly, KNNBaseline, SVD, evaluate, randomSplit, readInteractions, syntheticRecsys, type Interactions, type RatingModel } from 'tsorch/recsys';

const args = process.argv.slice(2);
const small = args.includes('--small');
const file = args.find((a) => !a.startsWith('--'));
const data: Interactions = file !== undefined
  ? readInteractions(file).data
  : syntheticRecsys(small ? { nUsers: 150, nItems: 100, interactionsPerUser: 20, seed: 0 } : { nUsers: 1000, nItems: 500, interactionsPerUser: 50, seed: 0 }).interactions;
console.log(`${file ?? 'synthetic'}: ${data.users.length} ratings, ${data.userIds.length} users, ${data.itemIds.length} items`);
const { train, test } = randomSplit(data, { testFraction: 0.2, seed: 0 });
const models: RatingModel[] = [new BaselineOnly(), new KNNBaseline({ sim: { name: 'pearson_baseline', userBased: false } }), new SVD({ seed: 0, nEpochs: small ? 5 : 20 })];
for (const m of models) {
  const t0 = performance.now();
  m.fit(train);
  const r = evaluate(m, train, test, { k: 10, relevanceThreshold: 4, aucNegatives: 0 });
  console.log(`${m.name.padEnd(13)} RMSE ${r.rmse!.toFixed(4)}  MAE ${r.mae!.toFixed(4)}  NDCG@10 ${r.ndcg!.toFixed(4)}  (fit ${((performance.now() - t0) / 1000).toFixed(2)} s)`);
}
const svd = models[2] as SVD;
const user = train.userIds[train.users[0]!]!;
const top = svd.recommend(user, 5);
console.log(`top 5 for user ${user}: ${top.map((s) => `${s.item} (${s.score.toFixed(2)})`).join(', ')}`);
if (top.length > 0) console.log(`items like ${top[0]!.item}: ${svd.similarItems(top[0]!.item, 3).map((s) => `${s.item} (${s.score.toFixed(2)})`).join(', ')}`);
