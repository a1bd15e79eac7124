/**
 * A tiny planted world for the recommender tests: users and items fall into `groups` blocks; a
 * user interacts only with items of its own block. Block 0 has more users, so its items are the
 * most popular overall and a popularity ranking fails everyone outside block 0. For each user one
 * own-block item is held out as the relevant test item.
 */
import { Generator } from '../../src/tensor/random.js';
import { interactionsFrom, type InteractionRow } from '../../src/recsys/interactions.js';
import type { Interactions, ItemContent, Recommender } from '../../src/recsys/types.js';

export interface PlantedBlocks {
  train: Interactions;
  /** One held-out relevant item per user (by user id). */
  heldOut: Map<string, string>;
  /** Block of each user / item id. */
  userBlock: Map<string, number>;
  itemBlock: Map<string, number>;
  /** Item text and categories that name the block. */
  content: Map<string, ItemContent>;
}

export function plantedBlocks(opts: { groups?: number; usersPerGroup?: number[]; itemsPerGroup?: number; perUser?: number; seed?: number; implicit?: boolean } = {}): PlantedBlocks {
  const groups = opts.groups ?? 3;
  const usersPer = opts.usersPerGroup ?? [30, 15, 15];
  const itemsPer = opts.itemsPerGroup ?? 12;
  const perUser = opts.perUser ?? 6;
  const gen = new Generator(opts.seed ?? 0);
  const rows: InteractionRow[] = [];
  const heldOut = new Map<string, string>();
  const userBlock = new Map<string, number>();
  const itemBlock = new Map<string, number>();
  const content = new Map<string, ItemContent>();
  const words = ['space rocket star', 'love heart romance', 'crime detective murder', 'cook food recipe'];
  for (let g = 0; g < groups; g++) {
    for (let j = 0; j < itemsPer; j++) {
      const id = `i${g}_${j}`;
      itemBlock.set(id, g);
      content.set(id, { text: `${words[g % words.length]} item${j} filler`, categories: [`genre${g}`] });
    }
  }
  let uid = 0;
  for (let g = 0; g < groups; g++) {
    for (let n = 0; n < usersPer[g]!; n++) {
      const user = `u${uid++}`;
      userBlock.set(user, g);
      const perm = gen.permutation(itemsPer);
      for (let k = 0; k < perUser; k++) {
        rows.push({ user, item: `i${g}_${perm[k]}`, rating: 4 + (k % 2) });
      }
      heldOut.set(user, `i${g}_${perm[perUser]}`);
    }
  }
  // Make sure every item appears in training so all ids are known.
  for (const [item, g] of itemBlock) {
    if (!rows.some((r) => r.item === item)) {
      const users = [...userBlock].filter(([, b]) => b === g).map(([u]) => u);
      const u = users.find((x) => heldOut.get(x) !== item) ?? users[0]!;
      rows.push({ user: u, item, rating: 4 });
    }
  }
  return { train: interactionsFrom(rows, { implicit: opts.implicit ?? true }), heldOut, userBlock, itemBlock, content };
}

/** Share of users whose held-out item is in the model's top k. */
export function hitRate(model: Pick<Recommender, 'recommend'>, heldOut: Map<string, string>, k: number): number {
  let hits = 0;
  for (const [user, item] of heldOut) if (model.recommend(user, k).some((s) => s.item === item)) hits++;
  return hits / heldOut.size;
}

/** Hit rate@k of ranking by training popularity (the baseline every model must beat). */
export function popularityHitRate(train: Interactions, heldOut: Map<string, string>, k: number): number {
  const counts = new Map<string, number>();
  for (let q = 0; q < train.items.length; q++) {
    const id = train.itemIds[train.items[q]!]!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const seen = new Map<string, Set<string>>();
  for (let q = 0; q < train.users.length; q++) {
    const u = train.userIds[train.users[q]!]!;
    if (!seen.has(u)) seen.set(u, new Set());
    seen.get(u)!.add(train.itemIds[train.items[q]!]!);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([i]) => i);
  let hits = 0;
  for (const [user, item] of heldOut) {
    const s = seen.get(user) ?? new Set();
    if (ranked.filter((i) => !s.has(i)).slice(0, k).includes(item)) hits++;
  }
  return hits / heldOut.size;
}
