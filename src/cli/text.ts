/** `tsorch train text`, and eval/predict for text classifiers. (Being built: issue 5.) */
import type { TaskCommands } from './tasks.js';

const notYet = async (): Promise<number> => {
  throw new Error('text classification commands are not built yet (issue 5)');
};
export const commands: TaskCommands = { train: notYet, evaluate: notYet, predict: notYet };
