/** The optimizer base: parameter groups with their own hyper-parameters, and zeroGrad. */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** A group of parameters sharing hyper-parameters (PyTorch's param_groups entry). */
export interface ParamGroup<H> {
  params: Tensor[];
  options: H;
}

/** Either a list of tensors, or groups each with their own option overrides. */
export type Params<H> = Iterable<Tensor> | readonly { params: Iterable<Tensor>; options?: Partial<H> }[];

export abstract class Optimizer<H extends object> {
  readonly paramGroups: ParamGroup<H>[];

  protected constructor(params: Params<H>, defaults: H, name: string) {
    const list = [...(params as Iterable<unknown>)];
    const isGroups = list.length > 0 && !(list[0] as { dtype?: unknown }).dtype && 'params' in (list[0] as object);
    const groups = isGroups
      ? (list as { params: Iterable<Tensor>; options?: Partial<H> }[]).map((g) => ({ params: [...g.params], options: { ...defaults, ...g.options } }))
      : [{ params: list as Tensor[], options: { ...defaults } }];
    if (groups.every((g) => g.params.length === 0)) throw new ValueError(name, 'optimizer got an empty parameter list');
    const seen = new Set<Tensor>();
    for (const g of groups) {
      for (const p of g.params) {
        if (!p.isLeaf) throw new ValueError(name, `can't optimize a non-leaf tensor (shape [${p.shape.join(',')}]); use detach().requiresGrad_()`);
        if (seen.has(p)) throw new ValueError(name, 'some parameters appear in more than one parameter group');
        seen.add(p);
      }
    }
    this.paramGroups = groups;
  }

  /**
   * Clears gradients. By default sets `.grad` to null (PyTorch 2's default, which saves memory);
   * `setToNone: false` zeroes them in place instead.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else p.grad.zero_();
      }
    }
  }

  /** Performs one update from the current gradients. */
  abstract step(): void;
}
