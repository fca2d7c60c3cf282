/**
 * Exponential moving average of weights (Polyak averaging; the EMA used by diffusion training,
 * e.g. Karras et al. 2022, https://arxiv.org/abs/2206.00364, and timm's ModelEmaV2):
 *
 *   d ← decay, or min(decay, (1 + n) / (10 + n)) with warmup (n = updates so far; the
 *       TensorFlow ExponentialMovingAverage `num_updates` rule)
 *   θ̄ ← d·θ̄ + (1 − d)·θ          for floating-point tensors
 *   θ̄ ← θ                         for the others (integer buffers are copied)
 *
 * The shadow copies θ̄ start as copies of the parameters. The update is two `_foreach_` kernel
 * calls; `copyTo` and `swap` (used around evaluation) copy tensor by tensor.
 *
 * @example
 *   const ema = new EMA(params, { decay: 0.999, warmup: true });
 *   for (...) { opt.step(); ema.update(params); }
 *   ema.swap(params); evaluate(); ema.swap(params);   // evaluate with the averaged weights
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isJsonObject, type StateDict } from './optimizer.js';

export interface EMAOptions {
  /** Default decay d for `update()`. Default 0.9999. */
  decay?: number;
  /** Ramp the decay up as min(d, (1 + n) / (10 + n)). Default false. */
  warmup?: boolean;
}

/** Parameters in construction order, or by name when the EMA was built from a Map. */
export type EMAParams = Tensor[] | Map<string, Tensor>;

export class EMA {
  readonly decay: number;
  readonly warmup: boolean;
  /** Names of the tracked tensors ('0', '1', … for a list). */
  readonly names: readonly string[];
  #shadow: Tensor[];
  #floating: number[];
  #other: number[];
  #numUpdates = 0;

  constructor(params: EMAParams, opts: EMAOptions = {}) {
    this.decay = checkDecay(opts.decay ?? 0.9999, 'EMA');
    this.warmup = opts.warmup ?? false;
    const named = params instanceof Map ? [...params] : params.map((p, i): [string, Tensor] => [String(i), p]);
    if (named.length === 0) throw new Error('EMA: got no tensors to average');
    this.names = named.map(([n]) => n);
    this.#shadow = T.noGrad(() => named.map(([, p]) => T.keep(T.clone(p)))); // each (shape of p)
    this.#floating = [];
    this.#other = [];
    this.#shadow.forEach((s, i) => (T.isFloating(s.dtype) ? this.#floating : this.#other).push(i));
  }

  /** Updates applied so far (n in the warmup rule). */
  get numUpdates(): number {
    return this.#numUpdates;
  }

  /** The shadow tensors by name (the EMA's own tensors: do not dispose). */
  get shadow(): Map<string, Tensor> {
    return new Map(this.names.map((n, i) => [n, this.#shadow[i]!]));
  }

  /** The decay the next `update(params, decay)` will use. */
  effectiveDecay(decay = this.decay): number {
    const n = this.#numUpdates;
    return this.warmup ? Math.min(decay, (1 + n) / (10 + n)) : decay;
  }

  /** θ̄ ← d·θ̄ + (1 − d)·θ; returns the d used. */
  update(params: EMAParams, decay = this.decay): number {
    checkDecay(decay, 'EMA.update');
    const ps = this.resolve(params, 'update');
    const d = this.effectiveDecay(decay);
    T.tidy(() =>
      T.noGrad(() => {
        if (this.#floating.length > 0) {
          const s = this.#floating.map((i) => this.#shadow[i]!);
          T.foreachMulScalar_(s, d);
          T.foreachAddList_(s, this.#floating.map((i) => ps[i]!), { alpha: 1 - d });
        }
        for (const i of this.#other) this.#shadow[i]!.copy_(ps[i]!);
      }),
    );
    this.#numUpdates += 1;
    return d;
  }

  /** Overwrite the parameters with the averaged weights. */
  copyTo(params: EMAParams): void {
    const ps = this.resolve(params, 'copyTo', true);
    T.noGrad(() => ps.forEach((p, i) => p.copy_(this.#shadow[i]!)));
  }

  /** Exchange parameters and averaged weights (call again to swap back). */
  swap(params: EMAParams): void {
    const ps = this.resolve(params, 'swap', true);
    T.tidy(() =>
      T.noGrad(() =>
        ps.forEach((p, i) => {
          const s = this.#shadow[i]!;
          const tmp = T.clone(p);
          p.copy_(s);
          s.copy_(tmp);
        }),
      ),
    );
  }

  /**
   * `tensors`: name → shadow (the EMA's own tensors, not copies); `meta`: decay, warmup and
   * num_updates.
   */
  stateDict(): StateDict {
    return { tensors: this.shadow, meta: { decay: this.decay, warmup: this.warmup, num_updates: this.#numUpdates } };
  }

  /** Restore shadows (copied; the caller keeps `sd`) and the update count. Names and shapes must match. */
  loadStateDict(sd: StateDict): void {
    const where = 'EMA.loadStateDict';
    const n = isJsonObject(sd.meta) ? sd.meta['num_updates'] : undefined;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw new Error(`${where}: meta.num_updates must be an integer >= 0, got ${JSON.stringify(n ?? null)}`);
    }
    const extra = [...sd.tensors.keys()].filter((k) => !this.names.includes(k));
    if (extra.length > 0) throw new Error(`${where}: the state has tensors this EMA does not track: ${extra.slice(0, 5).join(', ')}`);
    const src = this.names.map((name, i) => {
      const t = sd.tensors.get(name);
      if (t === undefined) throw new Error(`${where}: the state lacks the shadow of ${JSON.stringify(name)}`);
      const shape = this.#shadow[i]!.shape;
      if (!sameShape(t.shape, shape)) {
        throw new Error(`${where}: ${JSON.stringify(name)} has shape [${t.shape.join(', ')}] in the state but [${shape.join(', ')}] here`);
      }
      return t;
    });
    T.noGrad(() => src.forEach((t, i) => this.#shadow[i]!.copy_(t)));
    this.#numUpdates = n;
  }

  dispose(): void {
    for (const s of this.#shadow) s.dispose();
    this.#shadow = [];
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The tensors in shadow order; `checkShapes` costs one native call per tensor. */
  private resolve(params: EMAParams, what: string, checkShapes = false): Tensor[] {
    const where = `EMA.${what}`;
    if (this.#shadow.length === 0) throw new Error(`${where}: the EMA was disposed`);
    let ps: Tensor[];
    if (params instanceof Map) {
      ps = this.names.map((n) => {
        const p = params.get(n);
        if (p === undefined) throw new Error(`${where}: no tensor named ${JSON.stringify(n)} (the EMA tracks ${this.names.length} tensors)`);
        return p;
      });
    } else {
      if (params.length !== this.names.length) throw new Error(`${where}: got ${params.length} tensors but the EMA tracks ${this.names.length}`);
      ps = params;
    }
    if (checkShapes) {
      ps.forEach((p, i) => {
        const s = this.#shadow[i]!.shape;
        if (!sameShape(p.shape, s)) throw new Error(`${where}: ${JSON.stringify(this.names[i])} has shape [${p.shape.join(', ')}] but its shadow [${s.join(', ')}]`);
      });
    }
    return ps;
  }
}

function checkDecay(d: number, where: string): number {
  if (!(d >= 0 && d <= 1)) throw new Error(`${where}: decay must be in [0, 1], got ${d}`);
  return d;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
