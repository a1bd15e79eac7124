/** Spec table for elementwise ops; fixture cases in scripts/fixtures/elementwise.py. */
import * as torch from '../../../src/index.js';
import type { OpSpec } from '../../helpers/harness.js';

const unary = (name: string, f: (x: torch.Tensor) => torch.Tensor): OpSpec => ({ name, fn: ([x]) => f(x!) });
const binary = (name: string, f: (a: torch.Tensor, b: torch.Tensor) => torch.Tensor, noGradcheck = false): OpSpec => ({ name, fn: ([a, b]) => f(a!, b!), noGradcheck });

export const specs: OpSpec[] = [
  binary('add_broadcast', torch.add),
  binary('add_alpha', (a, b) => torch.add(a, b, -2.5)),
  binary('sub_broadcast', torch.sub),
  binary('mul_broadcast', torch.mul),
  binary('div_broadcast', torch.div),
  binary('pow_tensor', torch.pow),
  unary('pow_scalar', (x) => x.pow(3)),
  unary('neg', torch.neg),
  unary('abs', torch.abs),
  unary('exp', torch.exp),
  unary('log', torch.log),
  unary('sqrt', torch.sqrt),
  unary('rsqrt', torch.rsqrt),
  unary('relu', torch.relu),
  unary('gelu', (x) => torch.gelu(x)),
  unary('gelu_tanh', (x) => torch.gelu(x, 'tanh')),
  unary('sigmoid', torch.sigmoid),
  unary('tanh', torch.tanh),
  unary('softplus', (x) => torch.softplus(x)),
  unary('softplus_beta', (x) => torch.softplus(x, 2, 5)),
  unary('clamp', (x) => x.clamp(-0.5, 0.7)),
  unary('clamp_min', (x) => x.clamp(0.1)),
  binary('maximum', torch.maximum),
  binary('minimum', torch.minimum),
  { name: 'where', fn: ([c, a, b]) => torch.where(c!, a!, b!) },
  unary('erf', torch.erf),
  unary('log1p', torch.log1p),
  unary('sin', torch.sin),
  unary('cos', torch.cos),
  unary('reciprocal', torch.reciprocal),
  ...(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((op) => binary(op, (a, b) => torch[op](a, b), true)),
];
