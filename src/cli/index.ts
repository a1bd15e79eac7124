/** The `tsorch` command line: a thin shell over the library (each command parses its own options with node:util). */
import { readManifestHead, type CliTask, type TaskCommands } from './tasks.js';

const HELP = `Usage: tsorch <command> [options]

Commands:
  demo                      spam detection: train the seed's Transformer on SpamAssassin, compare with
                            TF-IDF + logistic regression, save the model (default)   tsorch demo --help
  train text  --data F …    text classification (CSV/TSV/JSONL)          tsorch train text --help
  train ner   --data F …    named-entity recognition (CoNLL columns)     tsorch train ner --help
  train srl   --data F …    semantic role labelling (CoNLL columns)      tsorch train srl --help
  train image --data D …    image classification (folder or fashion-mnist) tsorch train image --help
  train recsys --data F …   recommender (ratings CSV/TSV)                tsorch train recsys --help
  eval    --model DIR …     evaluate a saved model on labelled data
  predict --model DIR …     predict with a saved model
  recommend --model DIR --user U [-k 10]   top-k items for a user
  similar   --model DIR --item I [-k 10]   items similar to an item
  help                      show this message`;

/** Loads the command module of one application (kept lazy: each pulls in its own dependencies). */
async function commandsFor(task: CliTask): Promise<TaskCommands> {
  switch (task) {
    case 'text':
      return (await import('./text.js')).commands;
    case 'ner':
    case 'srl':
      return (await import('./tagging.js')).commandsFor(task);
    case 'image':
      return (await import('./vision.js')).commands;
    case 'recsys':
      return (await import('./recsys.js')).commands;
  }
}

/** The value of `--model DIR` (or `--model=DIR`) among `args`, and the other arguments. */
function takeModel(command: string, args: string[]): { dir: string; rest: string[] } {
  const rest: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--model') {
      dir = args[++i];
      if (dir === undefined) throw new Error(`${command}: --model expects a folder`);
    } else if (a.startsWith('--model=')) dir = a.slice('--model='.length);
    else rest.push(a);
  }
  if (dir === undefined) throw new Error(`${command}: --model DIR is required (a folder written by 'tsorch train')`);
  return { dir, rest };
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'demo', ...rest] = argv;
  switch (command) {
    case 'demo':
      return (await import('./demo.js')).demoCommand(rest);
    case 'train': {
      const [task, ...args] = rest;
      const tasks: CliTask[] = ['text', 'ner', 'srl', 'image', 'recsys'];
      if (task === undefined || !(tasks as string[]).includes(task)) {
        console.error(`tsorch train: expected one of ${tasks.join(', ')}${task === undefined ? '' : `, got '${task}'`}\n\n${HELP}`);
        return 2;
      }
      return (await commandsFor(task as CliTask)).train(args);
    }
    case 'eval':
    case 'predict': {
      const { dir, rest: args } = takeModel(command, rest);
      const head = readManifestHead(dir);
      const cmds = await commandsFor(head.task);
      return command === 'eval' ? cmds.evaluate(dir, args) : cmds.predict(dir, args);
    }
    case 'recommend':
    case 'similar': {
      const mod = await import('./recsys.js');
      return command === 'recommend' ? mod.recommend(rest) : mod.similar(rest);
    }
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    default:
      console.error(`tsorch: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}
