/**
 * Reverse-mode differentiation over the recorded graph: a topological order from the outputs,
 * gradients accumulated per tensor, leaves' `.grad` filled (or returned, for `grad()`).
 */
import { AutogradError, ShapeError } from '../errors.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Storage } from '../backend/types.js';
import { releaseStorage } from '../tensor/release.js';
import type { Tensor } from '../tensor/tensor.js';
import { enableGrad, noGrad } from './mode.js';

export interface BackwardOptions {
  /** Keep the graph after this pass so backward can run through it again. Default false. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so gradients can be differentiated again. Default false. */
  createGraph?: boolean;
}

function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative DFS: deep graphs (long RNN unrolls) would overflow a recursive one.
  const stack: [Tensor, boolean][] = roots.map((r) => [r, false]);
  while (stack.length > 0) {
    const [t, done] = stack.pop()!;
    if (done) {
      order.push(t);
      continue;
    }
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push([t, true]);
    for (const inp of t.gradFn?.inputs ?? []) if (inp && !seen.has(inp)) stack.push([inp, false]);
  }
  return order.reverse();
}

function run(
  roots: readonly Tensor[],
  rootGrads: readonly Tensor[],
  opts: BackwardOptions,
  wanted: Set<Tensor> | null,
): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>();
  // Gradients are temporaries: once a node has consumed its output's gradient and no entry of
  // `grads` shares its storage, nothing can read it again (without createGraph no backward rule
  // keeps one), so it is freed at once instead of waiting for a garbage collection. Entries
  // are counted per storage because rules return the same gradient, or views of it, to
  // several inputs; the caller's root gradients are never freed.
  const refs = new Map<Storage, number>();
  const keep = new Set<Storage>(rootGrads.map((g) => g.storage));
  const recycle = opts.createGraph !== true;
  const hold = (g: Tensor): void => void refs.set(g.storage, (refs.get(g.storage) ?? 0) + 1);
  const drop = (g: Tensor): void => {
    const n = (refs.get(g.storage) ?? 1) - 1;
    if (n <= 0) refs.delete(g.storage);
    else refs.set(g.storage, n);
  };
  const free = (gs: readonly Tensor[]): void => {
    if (!recycle) return;
    for (const g of gs) if (!refs.has(g.storage) && !keep.has(g.storage)) releaseStorage(g);
  };
  const add = (t: Tensor, g: Tensor, dead: Tensor[]): void => {
    const prev = grads.get(t);
    const next = prev ? prev.add(g) : g;
    if (prev) {
      drop(prev);
      dead.push(prev, g);
    }
    grads.set(t, next);
    hold(next);
  };
  roots.forEach((r, i) => add(r, rootGrads[i]!, []));
  const order = topoOrder(roots);
  const body = (): void => {
    for (const t of order) {
      const g = grads.get(t);
      const node = t.gradFn;
      if (!node || g === undefined) continue;
      if (wanted?.has(t) !== true && !t._retainsGrad) {
        grads.delete(t);
        drop(g);
      } else if (t._retainsGrad && wanted === null) t._accumulateGrad(g, opts.createGraph === true);
      const inputGrads = node.apply(g);
      const dead: Tensor[] = [g];
      node.inputs.forEach((inp, i) => {
        const ig = inputGrads[i];
        if (ig === null || ig === undefined) return;
        if (!inp) {
          dead.push(ig);
          return;
        }
        if (!shapesEqual(ig.shape, inp.shape)) {
          throw new ShapeError(`${node.name} backward`, 'internal error: gradient shape differs from input shape', [ig.shape, inp.shape]);
        }
        if (ig.dtype !== inp.dtype) dead.push(ig);
        add(inp, ig.dtype === inp.dtype ? ig : ig.to(inp.dtype), dead);
      });
      free(dead);
      if (!opts.retainGraph) node.release();
    }
  };
  if (opts.createGraph) enableGrad(body);
  else noGrad(body);
  return grads;
}

/** Frees the gradients left in `grads` by backward() once the leaves have copied theirs, except the storages in `keep` (taken by a leaf, or the caller's root gradient). */
function freeLeft(grads: Map<Tensor, Tensor>, keep: ReadonlySet<Storage>): void {
  for (const g of grads.values()) if (!keep.has(g.storage)) releaseStorage(g);
}

function defaultGrads(op: string, outputs: readonly Tensor[], given?: readonly (Tensor | null)[]): Tensor[] {
  return outputs.map((o, i) => {
    if (!o.requiresGrad) {
      throw new AutogradError(op, `output ${i} does not require grad and has no grad_fn: nothing to differentiate`);
    }
    const g = given?.[i];
    if (g) {
      if (!shapesEqual(g.shape, o.shape)) throw new ShapeError(op, 'gradient shape differs from output shape', [g.shape, o.shape]);
      return g;
    }
    if (o.numel() !== 1) {
      throw new AutogradError(op, `grad can be implicitly created only for scalar outputs, but the output has shape [${o.shape.join(',')}]; pass a gradient of that shape`);
    }
    return o.onesLike();
  });
}

/** Implements `tensor.backward()`: accumulates into `.grad` of every leaf that requires grad. */
export function backward(root: Tensor, gradient?: Tensor, opts: BackwardOptions = {}): void {
  const [g] = defaultGrads('backward', [root], gradient ? [gradient] : undefined);
  const grads = run([root], [g!], opts, null);
  const createGraph = opts.createGraph === true;
  // A leaf whose .grad is empty takes a gradient it alone holds instead of copying it: one that
  // no other entry shares (add's backward hands one tensor to both inputs), not the caller's
  // `gradient`, and one dense block (so optimizers' fused updates can run on it). Without
  // createGraph nothing else can reach it, so an in-place change of .grad touches no other.
  const holders = new Map<Storage, number>();
  for (const gt of grads.values()) holders.set(gt.storage, (holders.get(gt.storage) ?? 0) + 1);
  const taken = new Set<Storage>();
  if (gradient) taken.add(gradient.storage);
  for (const [t, gt] of grads) {
    if (t.gradFn !== null || !t.requiresGrad) continue;
    if (!createGraph && t.grad === null && holders.get(gt.storage) === 1 && !taken.has(gt.storage) && ownsWholeStorage(gt)) {
      t.grad = gt.detach();
      taken.add(gt.storage);
    } else {
      t._accumulateGrad(gt, createGraph);
    }
  }
  // The other leaves copied their gradients (_accumulateGrad); what is left is garbage.
  if (!createGraph) freeLeft(grads, taken);
}

/** Whether t is a row-major view of its whole storage from element 0 (nothing else can be in it). */
function ownsWholeStorage(t: Tensor): boolean {
  return t.offset === 0 && t.storage.size === t.numel() && t.isContiguous();
}

export interface GradOptions extends BackwardOptions {
  /** Gradients of the outputs (required for non-scalar outputs). */
  gradOutputs?: readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on, instead of throwing. Default false. */
  allowUnused?: boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs`, returned rather than accumulated into `.grad`
 * (like `torch.autograd.grad`). Inputs may be leaves or intermediate tensors.
 *
 * @example
 * ```ts
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const [dx] = grad([x.pow(2).sum()], [x]); // [2, 4, 6]
 * ```
 */
export function grad(outputs: readonly Tensor[], inputs: readonly Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const roots = defaultGrads('grad', outputs, opts.gradOutputs);
  inputs.forEach((t, i) => {
    if (!t.requiresGrad) throw new AutogradError('grad', `input ${i} does not require grad`);
  });
  const grads = run(outputs, roots, { retainGraph: opts.retainGraph ?? opts.createGraph ?? false, createGraph: opts.createGraph ?? false }, new Set(inputs));
  return inputs.map((t, i) => {
    const g = grads.get(t);
    if (g === undefined) {
      if (opts.allowUnused) return null;
      throw new AutogradError('grad', `input ${i} was not used in computing the outputs; pass { allowUnused: true } to get null for it`);
    }
    return g;
  });
}
