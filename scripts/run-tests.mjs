// Runs every compiled *.test.js under build/test with node's test runner (Node 20 has no glob
// support in --test, and a bare directory would also run helper modules as test files); a full
// run then repeats the wasm backend's and the ops' tests on the plain (non-relaxed) SIMD build.
// Arguments filter the files by substring (and skip the second pass).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = find('build/test').filter((f) => filter.length === 0 || filter.some((s) => f.includes(s))).sort();
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
if (r.status !== 0 || filter.length > 0) process.exit(r.status ?? 1);

// The suite above runs the relaxed-SIMD (FMA) kernel build wherever the runtime has it (the
// loader turns it on under Node 20). Runtimes without it get the plain build: run the wasm
// backend's and the ops' tests again on that one.
const plain = find('build/test').filter((f) => /[\\/](backend[\\/]wasm|ops[\\/])/.test(f)).sort();
console.log(`\n# again on the plain SIMD build (TSORCH_RELAXED_SIMD=0): ${plain.length} files`);
const p = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...plain], { stdio: 'inherit', env: { ...process.env, TSORCH_RELAXED_SIMD: '0' } });
process.exit(p.status ?? 1);
