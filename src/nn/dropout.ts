/**
 * `Dropout` (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html), as
 * `torch.nn.Dropout`: in training, each element is zeroed with probability p and the survivors
 * are scaled by 1/(1 − p); in eval it is the identity.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';
import { checkProbability } from './args.js';

/**
 * @example
 *   const drop = new Dropout(0.1).eval();
 *   T.tidy(() => drop.forward(T.ones([3])).toArray());   // [1, 1, 1]
 */
export class Dropout extends Module implements Layer {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    checkProbability(p, 'Dropout: p');
    this.p = p;
  }

  /** x (*) → (*); a new handle even in eval, so the caller always owns the result. */
  forward(x: Tensor): Tensor {
    return T.dropout(x, this.p, this.training); // (*)
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}
