/**
 * Parameter initialisation, after `torch.nn.init` (torch/nn/init.py). Every function fills its
 * tensor in place without recording autograd and returns it.
 *
 * References: Glorot & Bengio 2010 (xavier, http://proceedings.mlr.press/v9/glorot10a.html);
 * He et al. 2015 (kaiming, https://arxiv.org/abs/1502.01852).
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

export type FanMode = 'fan_in' | 'fan_out';

/**
 * `torch.nn.init._calculate_fan_in_and_fan_out`: fan_in = size(1)·receptive field,
 * fan_out = size(0)·receptive field, receptive field = ∏ size(2:). For a ConvTranspose weight
 * (in, out/groups, k…) this gives fan_in = out/groups·∏k, exactly as PyTorch computes it.
 */
export function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  const shape = t.shape;
  if (shape.length < 2) {
    throw new Error(`fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [${shape.join(', ')}])`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/** `torch.nn.init.calculate_gain`: the recommended gain for a nonlinearity. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
  }
}

/** Fill with U(a, b). */
export function uniform_(t: Tensor, a = 0, b = 1): Tensor {
  return T.noGrad(() => t.uniform_({ from: a, to: b }));
}

/** Fill with N(mean, std²). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  return T.noGrad(() => t.normal_({ mean, std }));
}

export function constant_(t: Tensor, value: number): Tensor {
  return T.noGrad(() => t.fill_(value));
}
export function zeros_(t: Tensor): Tensor {
  return T.noGrad(() => t.zero_());
}
export function ones_(t: Tensor): Tensor {
  return T.noGrad(() => t.fill_(1));
}

/** Glorot uniform: U(−a, a), a = gain·√(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

/** Glorot normal: N(0, std²), std = gain·√(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  return normal_(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (leaky_relu only). PyTorch's default: 0. */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, opts: KaimingOptions): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? 'fan_in') === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/** He uniform: U(−bound, bound), bound = gain·√(3 / fan), gain = √(2 / (1 + a²)) for leaky_relu. */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform_(t, -bound, bound);
}

/** He normal: N(0, std²), std = gain / √fan. */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd(t, opts));
}

/**
 * The default of `nn.Linear`, `nn.ConvNd` and `nn.ConvTransposeNd` (their `reset_parameters`):
 * weight ~ kaiming_uniform(a=√5), i.e. U(±1/√fan_in); bias ~ U(±1/√fan_in) with the weight's fan_in.
 */
export function linearDefault_(weight: Tensor, bias: Tensor | null): void {
  kaimingUniform_(weight, { a: Math.sqrt(5) });
  if (bias) {
    const { fanIn } = calculateFanInAndFanOut(weight);
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    uniform_(bias, -bound, bound);
  }
}
