/** `tsorch train ner|srl`, and eval/predict for token taggers. (Being built: issue 5.) */
import type { CliTask, TaskCommands } from './tasks.js';

export function commandsFor(task: CliTask): TaskCommands {
  const notYet = async (): Promise<number> => {
    throw new Error(`${task} commands are not built yet (issue 5)`);
  };
  return { train: notYet, evaluate: notYet, predict: notYet };
}
