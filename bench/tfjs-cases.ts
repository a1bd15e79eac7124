/**
 * The reference from @tensorflow/tfjs-backend-wasm (the issue asks for it on matmul and conv).
 * Loaded lazily by the worker, so a missing or broken package only affects the tfjs column.
 *
 * In Node, tfjs-backend-wasm 4.x runs its SIMD build single-threaded: its multithreaded build
 * needs browser workers (setThreadsCount has no effect and WASM_HAS_MULTITHREAD_SUPPORT is false),
 * so `describeTfjs` reports what was actually used. Its .wasm files ship inside the npm package:
 * nothing is downloaded. Convolutions use NHWC, tfjs's native layout.
 */
import type { CaseSpec } from './lib/cases.js';

type Tfjs = typeof import('@tensorflow/tfjs-core');
type Tensor4D = import('@tensorflow/tfjs-core').Tensor4D;

export interface TfjsSetup {
  tf: Tfjs;
  info: { version: string; simd: boolean; threads: number; multithreadSupport: boolean };
}

export async function loadTfjs(): Promise<TfjsSetup> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // Ask for every core; in Node the call is accepted but the threaded build cannot load (see above).
  wasm.setThreadsCount(2);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend failed to initialise');
  await tf.ready();
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const multithreadSupport = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) === true;
  return { tf, info: { version: tf.version_core, simd, threads: wasm.getThreadsCount(), multithreadSupport } };
}

/** One run of `spec` on tfjs (matmul and conv only: see `tfjsCovers`). Throws where tfjs lacks a kernel. */
export function buildTfjsCase(tf: Tfjs, spec: CaseSpec): () => void {
  tf.setBackend('wasm');
  if (spec.kind === 'matmul') {
    const { batch, m, k, n } = spec;
    const lead = batch > 1 ? [batch] : [];
    // Stored transposed where the tsorch case uses a transposed view; tfjs's matMul flags read it the same way.
    const a = tf.randomNormal(spec.transA ? [...lead, k, m] : [...lead, m, k]);
    const b = tf.randomNormal(spec.transB ? [...lead, n, k] : [...lead, k, n]);
    return () => {
      tf.tidy(() => {
        const c = tf.matMul(a, b, spec.transA, spec.transB);
        tf.slice(tf.reshape(c, [-1]), [0], [1]).dataSync();
      });
    };
  }
  if (spec.kind === 'conv' && !spec.backward) {
    const x = tf.randomNormal([spec.batch, spec.size, spec.size, spec.inChannels]) as Tensor4D;
    let c = spec.inChannels;
    const layers = spec.layers.map((l) => {
      const filter = tf.randomNormal([l.kernel, l.kernel, c, l.out], 0, 0.1) as Tensor4D;
      c = l.out;
      return { filter, bias: tf.zeros([l.out]) };
    });
    return () => {
      tf.tidy(() => {
        const y = layers.reduce((h, l) => tf.relu(tf.add<Tensor4D>(tf.conv2d(h, l.filter, 1, 'valid'), l.bias)), x);
        tf.slice(tf.reshape(y, [-1]), [0], [1]).dataSync();
      });
    };
  }
  throw new Error(`tfjs reference covers matmul and conv only, not ${spec.kind}`);
}

/**
 * Why tfjs does not run a case, or null when it does. The issue asks for matmul and conv; conv
 * backward is out of reach: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, and
 * tfjs-core's Node bundle registers no gradient functions (only the full @tensorflow/tfjs does).
 */
export function tfjsSkipReason(spec: CaseSpec): string | null {
  if (spec.kind === 'matmul') return null;
  if (spec.kind === 'conv') return spec.backward ? 'tfjs-backend-wasm has no Conv2DBackpropFilter kernel' : null;
  return 'tfjs reference covers matmul and conv only';
}
