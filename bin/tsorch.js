#!/usr/bin/env node
import { main } from '../dist/cli/index.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`tsorch: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
