/** `tsorch train recsys`, `recommend`, `similar`, and eval for recommenders. (Being built: issue 7.) */
import type { TaskCommands } from './tasks.js';

const notYet = async (): Promise<number> => {
  throw new Error('recommender commands are not built yet (issue 7)');
};
export const commands: TaskCommands = { train: notYet, evaluate: notYet, predict: notYet };
export const recommend = (_args: string[]): Promise<number> => notYet();
export const similar = (_args: string[]): Promise<number> => notYet();
