/** Text datasets: the SpamAssassin corpus (npm) and seeded stratified splitting. */
export {
  loadSpamAssassin, emailToText, splitTexts,
  type SpamAssassinData, type SpamAssassinOptions, type EmailTextOptions, type TextSplit,
} from './spam-assassin.js';
export { stratifiedSplit, type SplitIndices } from './split.js';
