/**
 * How every denoiser takes its conditioning: the timestep and the text (TextConditioner output:
 * token states (B, L, D_text), key mask (B, L) true = real token, pooled (B, D_text)).
 *
 *   c    = t_embedder(t) + y_embedder(pooled)                      (B, D) — for adaLN / ResBlocks
 *          (DiT's c = t + y, Peebles & Xie 2023 §3.2, with the pooled text in place of the class)
 *   text = caption_projection(states)                              (B, L, D) — for cross-attention
 *          (PixArt-α's caption projection, Chen et al. 2023, https://arxiv.org/abs/2310.00426)
 *
 * Classifier-free guidance (Ho & Salimans 2022, https://arxiv.org/abs/2207.12598) needs an
 * unconditional model: `null_cond` holds a learned null condition in the text encoder's space —
 * one token `states` (1, D_text) and a `pooled` vector (D_text). A dropped row (or every row of a
 * null condition) becomes states [null, 0, …, 0] with mask [true, false, …, false] and pooled =
 * null pooled, so conditioned and unconditioned rows can share one batch of any length L.
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { GELU, Linear, Module, Sequential, SiLU } from '../../nn/index.js';
import { normal_ } from '../../nn/init.js';
import type { TextTokens } from '../../models/conditioning.js';
import { TimestepEmbedder } from './timestep.js';

/** The learned null condition and the row replacement used by condition dropout and guidance. */
export class NullCondition extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    this.dim = dim;
    // PixArt-α's y_embedding init: N(0, 1/D).
    this.registerParameter('states', normal_(T.empty([1, dim]), 0, 1 / Math.sqrt(dim))); // (1, D_text)
    this.registerParameter('pooled', normal_(T.empty([dim]), 0, 1 / Math.sqrt(dim))); // (D_text)
  }

  /** The null condition for `batch` rows: states (B, 1, D), mask (B, 1) all true, pooled (B, D). */
  nullFor(batch: number): TextTokens {
    return T.tidy(() => {
      const states = this.param('states').unsqueeze(0).expand([batch, 1, this.dim]); // (B, 1, D)
      const pooled = this.param('pooled').unsqueeze(0).expand([batch, this.dim]); // (B, D)
      const mask = T.ones([batch, 1], { dtype: 'bool', device: states.device }); // (B, 1)
      return { states, mask, pooled };
    });
  }

  /**
   * `cond` with the rows where `drop` (B) is true replaced by the null condition; `cond` null
   * gives the null condition for all `batch` rows. New tensors, owned by the caller.
   */
  substitute(cond: TextTokens | null, drop: Tensor | null, batch: number): TextTokens {
    if (cond === null) return this.nullFor(batch);
    checkCondition(cond, batch, this.dim);
    return T.tidy(() => {
      if (drop === null) return { states: cond.states.view(cond.states.shape), mask: cond.mask.view(cond.mask.shape), pooled: cond.pooled.view(cond.pooled.shape) };
      const L = cond.states.size(1);
      const d = drop.to(cond.states.device).toDType('bool'); // (B)
      const tok = this.param('states').toLike(cond.states).unsqueeze(0); // (1, 1, D)
      const nullStates = L > 1 ? T.cat([tok, T.zeros([1, L - 1, this.dim], { dtype: tok.dtype, device: tok.device })], { dim: 1 }) : tok; // (1, L, D)
      const nullMask = T.arange(0, L, { device: tok.device }).eqScalar(0).unsqueeze(0); // (1, L): [true, false, …]
      const nullPooled = this.param('pooled').toLike(cond.pooled).unsqueeze(0); // (1, D)
      return {
        states: T.where(d.view([batch, 1, 1]), nullStates, cond.states), // (B, L, D)
        mask: T.where(d.view([batch, 1]), nullMask, cond.mask.toDType('bool')), // (B, L)
        pooled: T.where(d.view([batch, 1]), nullPooled, cond.pooled), // (B, D)
      };
    });
  }
}

/** Shapes of a condition against the batch and the text width, with a readable error. */
export function checkCondition(cond: TextTokens, batch: number, dim: number): void {
  const [s, m, p] = [cond.states.shape, cond.mask.shape, cond.pooled.shape];
  const ok = s.length === 3 && s[0] === batch && s[2] === dim && m.length === 2 && m[0] === batch && m[1] === s[1] && p.length === 2 && p[0] === batch && p[1] === dim;
  if (!ok) {
    throw new Error(`condition shapes do not fit batch ${batch} and text width ${dim}: states [${s.join(', ')}] (want [B, L, ${dim}]), ` +
      `mask [${m.join(', ')}] (want [B, L]), pooled [${p.join(', ')}] (want [B, ${dim}]); was the denoiser built for this text encoder?`);
  }
}

/** The conditioning inputs of one forward, embedded to the model width D. */
export interface EmbeddedCondition {
  /** (B, D): timestep embedding + pooled-text embedding. */
  c: Tensor;
  /** (B, L, D): projected text token states. */
  text: Tensor;
  /** (B, L) bool, true = real token. */
  mask: Tensor;
}

/** t_embedder + y_embedder + caption_projection + null_cond, shared by every denoiser. */
export class ConditionEmbedder extends Module {
  readonly dim: number;
  readonly condDim: number;
  readonly tEmbedder: TimestepEmbedder;
  readonly yEmbedder: Sequential;
  readonly captionProjection: Sequential;
  readonly nullCond: NullCondition;

  /** dim: the model width D; condDim: the text encoder's width; freqDim: sinusoidal features of t. */
  constructor(dim: number, condDim: number, freqDim = 256) {
    super();
    this.dim = dim;
    this.condDim = condDim;
    this.tEmbedder = this.registerModule('t_embedder', new TimestepEmbedder(dim, freqDim));
    this.yEmbedder = this.registerModule('y_embedder', new Sequential(new Linear(condDim, dim), new SiLU(), new Linear(dim, dim)));
    this.captionProjection = this.registerModule('caption_projection', new Sequential(new Linear(condDim, dim), new GELU({ approximate: 'tanh' }), new Linear(dim, dim)));
    this.nullCond = this.registerModule('null_cond', new NullCondition(condDim));
  }

  /** t (B) in model time (any device), cond or null, drop (B) bool or null → c, text, mask on `like`'s device. */
  forward(t: Tensor, cond: TextTokens | null, drop: Tensor | null, like: Tensor): EmbeddedCondition {
    return T.tidy(() => {
      const B = like.size(0);
      if (t.shape.length !== 1 || t.size(0) !== B) throw new Error(`timesteps must be (B) = (${B}), got [${t.shape.join(', ')}]`);
      const tt = t.to(like.device).toDType(like.dtype); // (B)
      const full = this.nullCond.substitute(cond, drop, B); // states (B, L, D_text), mask (B, L), pooled (B, D_text)
      const c = this.tEmbedder.forward(tt).add(this.yEmbedder.forward(full.pooled)); // (B, D)
      const text = this.captionProjection.forward(full.states); // (B, L, D)
      return { c, text, mask: full.mask };
    });
  }
}
