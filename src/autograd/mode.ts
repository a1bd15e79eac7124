/** Grad mode: whether ops record the graph. */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` without recording the autograd graph, like `with torch.no_grad():`.
 *
 * @example
 * ```ts
 * const y = noGrad(() => model.forward(x)); // y.requiresGrad === false
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Runs `fn` with graph recording on, even inside `noGrad` (like `torch.enable_grad()`). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}

/** Turns recording on or off globally (like `torch.set_grad_enabled`). */
export function setGradEnabled(mode: boolean): void {
  enabled = mode;
}
