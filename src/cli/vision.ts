/** `tsorch train image`, and eval/predict for image classifiers. (Being built: issue 6.) */
import type { TaskCommands } from './tasks.js';

const notYet = async (): Promise<number> => {
  throw new Error('image classification commands are not built yet (issue 6)');
};
export const commands: TaskCommands = { train: notYet, evaluate: notYet, predict: notYet };
