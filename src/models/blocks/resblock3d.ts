/**
 * Residual block over videos (the `ResnetBlock` of LDM's autoencoder, Rombach et al. 2022,
 * https://arxiv.org/abs/2112.10752, `ldm/modules/diffusionmodules/model.py`; He et al. 2016
 * pre-activation form), made 3-D:
 *
 *   h = conv1(SiLU(norm1(x)))
 *   h = conv2(dropout(SiLU(norm2(h))))
 *   y = shortcut(x) + h            shortcut = 1×1×1 conv `nin_shortcut` when C_in ≠ C_out
 *
 * `causal: true` swaps in causal convolutions (past-side temporal padding) and per-frame
 * GroupNorm, so output frame t depends on input frames ≤ t only (causal-vae).
 * Keys: norm1.*, conv1.*, norm2.*, conv2.*, nin_shortcut.* (LDM's names; causal convs nest
 * their weights under `conv1.conv.*`).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Conv3d, Dropout, GroupNorm, Module, type Layer } from '../../nn/index.js';
import { CausalConv3d, type CausalPad } from './causal-conv3d.js';
import { FrameGroupNorm } from './frame-group-norm.js';
import { normGroups } from './norm-groups.js';

export interface ResBlock3dOptions {
  /** Causal convolutions and per-frame norms (default false). */
  causal?: boolean;
  /** Past-side padding of causal convolutions (default 'replicate'). */
  pad?: CausalPad;
  dropout?: number;
  /** Largest GroupNorm group count (default 32). */
  maxGroups?: number;
}

type LayerModule = Module & Layer;

/** A 3×3×3 convolution keeping (T, H, W): causal or centred. */
export function conv333(inC: number, outC: number, causal: boolean, pad: CausalPad = 'replicate'): LayerModule {
  return causal ? new CausalConv3d(inC, outC, 3, { pad }) : new Conv3d(inC, outC, 3, { padding: 1 });
}

/** GroupNorm over the whole clip, or per frame when causal. */
export function norm3d(channels: number, causal: boolean, maxGroups = 32): LayerModule {
  const g = normGroups(channels, maxGroups);
  return causal ? new FrameGroupNorm(g, channels) : new GroupNorm(g, channels, { eps: 1e-6 });
}

export class ResBlock3d extends Module implements Layer {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly norm1: LayerModule;
  readonly conv1: LayerModule;
  readonly norm2: LayerModule;
  readonly dropout: Dropout;
  readonly conv2: LayerModule;
  readonly ninShortcut: Conv3d | null;

  constructor(inChannels: number, outChannels: number, opts: ResBlock3dOptions = {}) {
    super();
    const causal = opts.causal ?? false;
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.norm1 = this.registerModule('norm1', norm3d(inChannels, causal, opts.maxGroups));
    this.conv1 = this.registerModule('conv1', conv333(inChannels, outChannels, causal, opts.pad));
    this.norm2 = this.registerModule('norm2', norm3d(outChannels, causal, opts.maxGroups));
    this.dropout = this.registerModule('dropout', new Dropout(opts.dropout ?? 0));
    this.conv2 = this.registerModule('conv2', conv333(outChannels, outChannels, causal, opts.pad));
    this.ninShortcut = inChannels !== outChannels ? this.registerModule('nin_shortcut', new Conv3d(inChannels, outChannels, 1)) : null;
  }

  /** x (B, C_in, T, H, W) → (B, C_out, T, H, W). */
  forward(x: Tensor): Tensor {
    return T.tidy(() => {
      let h = this.conv1.forward(T.silu(this.norm1.forward(x))); // (B, C_out, T, H, W)
      const a = T.silu(this.norm2.forward(h)); // (B, C_out, T, H, W)
      h = this.conv2.forward(this.dropout.p > 0 ? this.dropout.forward(a) : a); // (B, C_out, T, H, W)
      const skip = this.ninShortcut ? this.ninShortcut.forward(x) : x; // (B, C_out, T, H, W)
      return skip.add(h); // (B, C_out, T, H, W)
    });
  }
}
