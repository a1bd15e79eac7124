/** The `tsorch` command line: a thin shell over the library (argument parsing by node:util). */
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';

const HELP = `Usage: tsorch <command> [options]

Commands:
  demo     train a small model on a built-in dataset and report test accuracy (default)
           options: --steps N (600)  --hidden N (64)  --lr X (0.1)  --seed N (0)
  help     show this message`;

export function main(argv: string[]): number {
  const [command = 'demo', ...rest] = argv;
  switch (command) {
    case 'demo': {
      const { values } = parseArgs({
        args: rest,
        options: { steps: { type: 'string' }, hidden: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' } },
        strict: true,
      });
      const num = (v: string | undefined, name: string): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`--${name} expects a number, got '${v}'`);
        return n;
      };
      const opts: Parameters<typeof runDemo>[0] = {};
      const steps = num(values.steps, 'steps');
      const hidden = num(values.hidden, 'hidden');
      const lr = num(values.lr, 'lr');
      const seed = num(values.seed, 'seed');
      if (steps !== undefined) opts.steps = steps;
      if (hidden !== undefined) opts.hidden = hidden;
      if (lr !== undefined) opts.lr = lr;
      if (seed !== undefined) opts.seed = seed;
      runDemo(opts);
      return 0;
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
