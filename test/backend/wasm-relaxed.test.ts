/**
 * The relaxed-SIMD (FMA) build: picked when the runtime validates relaxed SIMD. Node 20 has it
 * only behind --experimental-wasm-relaxed-simd, which the loader turns on itself (unless
 * TSORCH_RELAXED_SIMD=0); child processes check that the FMA build loads with the flag given,
 * and without it, and that its matmul matches the reference; and that TSORCH_RELAXED_SIMD=0
 * keeps the plain build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import '../../src/index.js';
import { relaxedSimdSupported } from '../../src/backend/wasm/loader.js';
import { wasmUsesRelaxedSimd } from '../../src/backend/wasm/index.js';

const index = new URL('../../src/index.js', import.meta.url).href;
const wasmIndex = new URL('../../src/backend/wasm/index.js', import.meta.url).href;

const script = `
import * as torch from ${JSON.stringify(index)};
import { wasmUsesRelaxedSimd } from ${JSON.stringify(wasmIndex)};
if (!wasmUsesRelaxedSimd()) { console.log('not relaxed'); process.exit(2); }
let worst = 0;
for (const [m, k, n] of [[3, 5, 7], [64, 300, 65], [130, 17, 9]]) {
  for (const dtype of ['float32', 'float64']) {
    const a = torch.randn([m, k], { dtype }), b = torch.randn([k, n], { dtype });
    const want = torch.withBackend('cpu', () => torch.tensor(Array.from(a.dataSync()), { dtype }).reshape(m, k)
      .matmul(torch.tensor(Array.from(b.dataSync()), { dtype }).reshape(k, n))).dataSync();
    const got = a.matmul(b).dataSync();
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale / (dtype === 'float32' ? 1e-6 : 1e-14));
  }
}
console.log('worst', worst);
process.exit(worst <= 2 ? 0 : 1);
`;

test('the relaxed-SIMD build loads where relaxed SIMD validates, and its matmul matches the reference', () => {
  assert.equal(wasmUsesRelaxedSimd(), relaxedSimdSupported());
  const env = { ...process.env };
  delete env['TSORCH_RELAXED_SIMD']; // the suite's plain-build pass sets it
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script], { encoding: 'utf8', env });
  if (/bad option/.test(r.stderr)) return; // a runtime without the flag: the in-process check above covers it
  assert.equal(r.status, 0, `child exited ${r.status}: ${r.stdout}${r.stderr}`);
});

test('the loader turns relaxed SIMD on by itself where V8 has it behind a flag; TSORCH_RELAXED_SIMD=0 keeps the plain build', () => {
  const env = { ...process.env };
  delete env['TSORCH_RELAXED_SIMD'];
  const own = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
  assert.equal(own.status, 0, `child exited ${own.status}: ${own.stdout}${own.stderr}`);
  const plain = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...env, TSORCH_RELAXED_SIMD: '0' } });
  assert.equal(plain.status, 2, `with TSORCH_RELAXED_SIMD=0 the plain build is used: ${plain.stdout}${plain.stderr}`);
  assert.match(plain.stdout, /not relaxed/);
});
