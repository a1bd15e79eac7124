/**
 * Rebuilding any saved model of the ALS/BPR/NCF/content/LightFM/hybrid family from its `toJSON()`
 * output by its `type` tag, so a CLI can save one JSON file per model and load it back without
 * knowing the algorithm in advance. Other algorithms plug in through `extra`.
 */
import { ValueError } from '../errors.js';
import { ALS } from './als.js';
import { BPR } from './bpr.js';
import { ContentBased, type ContentJSON } from './content.js';
import type { FactorModelJSON } from './factor-model.js';
import { SwitchingHybrid, WeightedHybrid, type MemberLoader } from './hybrid.js';
import { LightFM, type LightFMJSON } from './lightfm.js';
import { NCF, type NCFJSON } from './ncf.js';
import type { Recommender } from './types.js';

/**
 * The model saved as `json` (`type`: als, bpr, ncf, content, lightfm, weighted-hybrid,
 * switching-hybrid, or a key of `extra`). Hybrid members load through the same table.
 *
 * @example
 * ```ts
 * writeFileSync('model.json', JSON.stringify(als.toJSON()));
 * const model = recommenderFromJSON(JSON.parse(readFileSync('model.json', 'utf8')));
 * model.recommend('u1', 10);
 * ```
 */
export function recommenderFromJSON(json: { type: string }, extra: Readonly<Record<string, MemberLoader>> = {}): Recommender {
  const load: MemberLoader = (j) => recommenderFromJSON(j, extra);
  const t = (json as { type?: unknown } | null)?.type;
  if (typeof t === 'string' && Object.hasOwn(extra, t)) return extra[t]!(json);
  switch (t) {
    case 'als': return ALS.fromJSON(json as FactorModelJSON<never>);
    case 'bpr': return BPR.fromJSON(json as FactorModelJSON<never>);
    case 'ncf': return NCF.fromJSON(json as NCFJSON);
    case 'content': return ContentBased.fromJSON(json as ContentJSON);
    case 'lightfm': return LightFM.fromJSON(json as LightFMJSON);
    case 'weighted-hybrid': return WeightedHybrid.fromJSON(json as never, load);
    case 'switching-hybrid': return SwitchingHybrid.fromJSON(json as never, load);
    default: {
      const known = ['als', 'bpr', 'ncf', 'content', 'lightfm', 'weighted-hybrid', 'switching-hybrid', ...Object.keys(extra)];
      throw new ValueError('recommenderFromJSON', `unknown model type ${JSON.stringify(t)}; known: ${known.join(', ')}`);
    }
  }
}
