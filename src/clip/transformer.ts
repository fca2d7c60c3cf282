/**
 * The pre-LayerNorm transformer shared by CLIP's two towers (Radford et al. 2021, "Learning
 * Transferable Visual Models From Natural Language Supervision", §2.4; openai/CLIP `model.py`
 * `ResidualAttentionBlock`; HF `modeling_clip.py` `CLIPAttention`, `CLIPMLP`, `CLIPEncoderLayer`,
 * `CLIPEncoder`), with HF's module names so that state-dict keys are HF's:
 *
 *   layers.N.self_attn.{q,k,v,out}_proj.{weight,bias}, layers.N.layer_norm1, layers.N.mlp.fc1,
 *   layers.N.mlp.fc2, layers.N.layer_norm2
 *
 * One layer (pre-LN, Xiong et al. 2020):
 *   h = x + Attn(LN1(x)),   Attn = softmax(Q Kᵀ / √d_head [+ causal mask]) V per head, then W_out
 *   y = h + fc2(act(fc1(LN2(h))))
 * with act = quick_gelu, x·σ(1.702x), for OpenAI's checkpoints.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { LayerNorm, Linear, Module, ModuleList } from '../nn/index.js';
import type { ClipActivation, ClipTowerConfig } from './config.js';

/** HF `ACT2FN[hidden_act]`. In place on `x` when no gradient is recorded (x is a temporary). */
export function clipActivation(x: Tensor, act: ClipActivation): Tensor {
  const inPlace = !T.isGradEnabled();
  switch (act) {
    case 'quick_gelu':
      // x · σ(1.702 x)
      return inPlace ? x.mul_(x.mulScalar(1.702).sigmoid_()) : x.mul(T.sigmoid(x.mulScalar(1.702))); // (*)
    case 'gelu':
      return T.gelu(x); // (*) exact (erf)
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return T.gelu(x, { approximate: 'tanh' }); // (*)
    case 'relu':
      return inPlace ? x.relu_() : T.relu(x); // (*)
    case 'silu':
      return T.silu(x); // (*)
  }
}

/** Multi-head self-attention with separate q/k/v projections (HF `CLIPAttention`). */
export class ClipAttention extends Module {
  readonly numHeads: number;
  readonly headDim: number;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly qProj: Linear;
  readonly outProj: Linear;

  constructor(width: number, numHeads: number) {
    super();
    this.numHeads = numHeads;
    this.headDim = width / numHeads;
    // HF's registration order (k, v, q, out) keeps state-dict order identical.
    this.kProj = this.registerModule('k_proj', new Linear(width, width));
    this.vProj = this.registerModule('v_proj', new Linear(width, width));
    this.qProj = this.registerModule('q_proj', new Linear(width, width));
    this.outProj = this.registerModule('out_proj', new Linear(width, width));
  }

  /** x (B, L, D) → (B, L, D); `causal`: token i attends to tokens j ≤ i (text tower). */
  forward(x: Tensor, causal: boolean): Tensor {
    return T.tidy(() => {
      const [B, L, D] = x.shape as [number, number, number];
      const heads = (t: Tensor): Tensor => t.view([B, L, this.numHeads, this.headDim]).transpose(1, 2); // (B, H, L, Dh)
      const q = heads(this.qProj.forward(x)); // (B, H, L, Dh)
      const k = heads(this.kProj.forward(x)); // (B, H, L, Dh)
      const v = heads(this.vProj.forward(x)); // (B, H, L, Dh)
      const o = T.scaledDotProductAttention(q, k, v, { causal }); // (B, H, L, Dh)
      return this.outProj.forward(o.transpose(1, 2).reshape([B, L, D])); // (B, L, D)
    });
  }
}

/** fc2(act(fc1(x))) (HF `CLIPMLP`). */
export class ClipMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(width: number, hidden: number, readonly act: ClipActivation) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(width, hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, width));
  }

  /** x (…, D) → (…, D). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => this.fc2.forward(clipActivation(this.fc1.forward(x), this.act))); // (…, D)
  }
}

/** One pre-LN residual block (HF `CLIPEncoderLayer`). */
export class ClipEncoderLayer extends Module {
  readonly selfAttn: ClipAttention;
  readonly layerNorm1: LayerNorm;
  readonly mlp: ClipMlp;
  readonly layerNorm2: LayerNorm;

  constructor(cfg: ClipTowerConfig) {
    super();
    const d = cfg.hiddenSize;
    this.selfAttn = this.registerModule('self_attn', new ClipAttention(d, cfg.numAttentionHeads));
    this.layerNorm1 = this.registerModule('layer_norm1', new LayerNorm(d, { eps: cfg.layerNormEps }));
    this.mlp = this.registerModule('mlp', new ClipMlp(d, cfg.intermediateSize, cfg.hiddenAct));
    this.layerNorm2 = this.registerModule('layer_norm2', new LayerNorm(d, { eps: cfg.layerNormEps }));
  }

  /** x (B, L, D) → (B, L, D). */
  forward(x: Tensor, causal: boolean): Tensor {
    return T.tidy(() => {
      // Without autograd the residual sums go into the fresh branch outputs (no extra buffers).
      const inPlace = !T.isGradEnabled();
      const a = this.selfAttn.forward(this.layerNorm1.forward(x), causal); // (B, L, D)
      const h = inPlace ? a.add_(x) : x.add(a); // (B, L, D)
      const m = this.mlp.forward(this.layerNorm2.forward(h)); // (B, L, D)
      return inPlace ? m.add_(h) : h.add(m); // (B, L, D)
    });
  }
}

/** `layers.0 … layers.{n-1}` applied in order (HF `CLIPEncoder`). */
export class ClipLayerStack extends Module {
  readonly layers: ModuleList<ClipEncoderLayer>;

  constructor(cfg: ClipTowerConfig) {
    super();
    const layers = Array.from({ length: cfg.numHiddenLayers }, () => new ClipEncoderLayer(cfg));
    this.layers = this.registerModule('layers', new ModuleList(layers));
  }

  /** x (B, L, D) → (B, L, D); each layer's input is freed once the next is computed. */
  forward(x: Tensor, causal: boolean): Tensor {
    let h = x; // (B, L, D)
    for (const layer of this.layers) {
      const next = layer.forward(h, causal); // (B, L, D)
      if (h !== x) h.dispose();
      h = next;
    }
    return h === x ? x.view(x.shape) : h; // (B, L, D), a new handle
  }
}
