// Builds the WebAssembly kernels (src/backend/wasm/kernels, AssemblyScript) with the project's
// own `assemblyscript` devDependency: no downloads. Two builds of one source:
//   dist/backend/wasm/kernels.wasm          v128 SIMD (runs on every Node >= 20)
//   dist/backend/wasm/kernels-relaxed.wasm  + relaxed SIMD (FMA), used when the runtime validates it
// Both import one shared memory (the TypeScript side owns it and its allocator). The loader
// (dist/backend/wasm/loader.js, and build/src/... in tests) finds these files from the package root.
// Skips the work when both outputs are newer than every kernel source and this script.
import { mkdirSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src/backend/wasm/kernels');
const outDir = join(root, 'dist/backend/wasm');
const builds = [
  { file: 'kernels.wasm', features: 'simd,threads' },
  { file: 'kernels-relaxed.wasm', features: 'simd,threads,relaxed-simd' },
];

const sources = readdirSync(srcDir).filter((f) => f.endsWith('.ts') || f.endsWith('.json')).map((f) => join(srcDir, f));
const newestInput = Math.max(...[...sources, fileURLToPath(import.meta.url)].map((f) => statSync(f).mtimeMs));
const upToDate = builds.every((b) => {
  const p = join(outDir, b.file);
  return existsSync(p) && statSync(p).mtimeMs > newestInput;
});
if (upToDate && !process.argv.includes('--force')) {
  console.log('build-wasm: kernels up to date');
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
for (const b of builds) {
  const args = [
    join(srcDir, 'index.ts'),
    '-O3', '--runtime', 'stub', '--noAssert',
    // One shared memory imported from JavaScript: 16 pages (1 MiB) to start, 4 GiB maximum.
    '--importMemory', '--sharedMemory', '--initialMemory', '16', '--maximumMemory', '65536',
    '--enable', b.features,
    '--outFile', join(outDir, b.file),
  ];
  const { error, stderr } = await asc.main(args, {});
  if (error) {
    console.error(stderr.toString());
    console.error(`build-wasm: ${b.file} failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build-wasm: wrote dist/backend/wasm/${b.file} (${statSync(join(outDir, b.file)).size} bytes)`);
}
