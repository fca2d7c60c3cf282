/**
 * Containers, as `torch.nn.Sequential` and `torch.nn.ModuleList`
 * (torch/nn/modules/container.py): children are named '0', '1', … so their parameters get
 * PyTorch's keys (`0.weight`, `layers.2.bias`).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module, type Layer } from './module.js';

/** A module with one input and one output. */
export type LayerModule = Module & Layer;

/**
 * Runs its layers in order: forward(x) = layer_n(… layer_1(x)).
 *
 * @example
 *   const mlp = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
 *   [...mlp.namedParameters().keys()];   // ['0.weight', '0.bias', '2.weight', '2.bias']
 */
export class Sequential extends Module implements Layer, Iterable<LayerModule> {
  readonly #layers: LayerModule[] = [];

  constructor(...layers: LayerModule[]) {
    super();
    for (const l of layers) this.append(l);
  }

  append(layer: LayerModule): this {
    this.registerModule(String(this.#layers.length), layer);
    this.#layers.push(layer);
    return this;
  }

  get length(): number {
    return this.#layers.length;
  }
  /** The i-th layer (negative counts from the end). */
  at(i: number): LayerModule {
    const l = this.#layers.at(i);
    if (!l) throw new Error(`Sequential: index ${i} is out of range for ${this.#layers.length} layers`);
    return l;
  }
  [Symbol.iterator](): Iterator<LayerModule> {
    return this.#layers[Symbol.iterator]();
  }

  /**
   * x → layer_n(… layer_1(x)); intermediate activations are freed (autograd keeps what it needs).
   * The result is always a new handle, owned by the caller (a view of x when there are no layers).
   */
  forward(x: Tensor): Tensor {
    if (this.#layers.length === 0) return x.view(x.shape); // x's shape, a new handle
    return T.tidy(() => this.#layers.reduce((h, layer) => layer.forward(h), x)); // the last layer's output
  }
}

/**
 * A list of modules whose parameters are registered (no forward of its own).
 *
 * @example
 *   const blocks = new ModuleList([new Linear(4, 4), new Linear(4, 4)]);
 *   [...blocks.namedParameters('blocks').keys()];  // ['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias']
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  readonly #items: M[] = [];

  constructor(modules: M[] = []) {
    super();
    for (const m of modules) this.append(m);
  }

  append(m: M): this {
    this.registerModule(String(this.#items.length), m);
    this.#items.push(m);
    return this;
  }

  get length(): number {
    return this.#items.length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const m = this.#items.at(i);
    if (!m) throw new Error(`ModuleList: index ${i} is out of range for ${this.#items.length} modules`);
    return m;
  }
  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}
