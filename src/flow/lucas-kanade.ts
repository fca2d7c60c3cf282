/**
 * Dense optical flow by coarse-to-fine iterative Lucas–Kanade with symmetric warping, written as
 * batched tensor ops (no per-pixel JavaScript): every frame pair of many videos is solved at once.
 *
 * Method: the dense, window-per-pixel form of Lucas & Kanade (1981) solved iteratively on an
 * image pyramid (Bouguet 2000, "Pyramidal implementation of the Lucas Kanade feature tracker"),
 * in the FOLKI formulation of Le Besnerais & Champagnat (2005), "Dense optical flow by iterative
 * local window registration" (ICIP): each iteration re-solves the window least squares for the
 * whole flow, linearised around the current flow of every pixel of the window, which damps
 * errors of any spatial frequency. Both frames are warped half-way, the symmetric formulation
 * of Alvarez, Deriche, Papadopoulo & Sánchez (2007), "Symmetrical dense optical flow estimation
 * with occlusions detection" (IJCV): the interpolation errors of bilinear warping then cancel to
 * second order, which removes the ≈0.05 px bias that warping only the second frame leaves on
 * sub-pixel motion, and swapping the frames negates the flow exactly.
 *
 * Symbols, per pixel x and Gaussian window w (σ = `windowSigma`):
 *
 *   I₁, I₂         the two frames, gray in [0, 1];   u(x) the flow through x at time ½
 *   I₁ʷ, I₂ʷ       I₁(x − u/2), I₂(x + u/2)  (bilinear, border-clamped)
 *   g              ∇((I₁ʷ + I₂ʷ)/2), taken once per level at the level's initial flow
 *   S              W[g gᵀ] + λ·Id                        (2×2 structure tensor; W = window filter)
 *   u ← S⁻¹ ( W[g (gᵀu + I₁ʷ − I₂ʷ)] + λ u )             (one iteration, every pixel at once)
 *
 * Steps: 1. gray both frames; 2. pyramid by [1 5 10 10 5 1]/32 blur-and-subsample down to a
 * shorter side ≥ `minSize`; 3. from the coarsest level with zero flow: warp half-way, build
 * g and S⁻¹, iterate `iterations` times; 4. upsample the flow bilinearly ×2 to the next level;
 * 5. at full resolution the midpoint flow u (`midpointFlow`) gives the forward flow of frame-1
 * pixels u_fwd(x) = u(x + u(x)/2) and the backward flow of frame-2 pixels −u(x − u(x)/2).
 * Where there is no texture (S ≈ λ·Id) the flow keeps what coarser levels gave (zero for a
 * uniform region). Results name the method {@link FLOW_METHOD}.
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { downsample2, gaussianTaps, imageGradient, separableFilter, toGray } from './filters.js';
import { identityGrid, warp } from './warp.js';

/** Names this flow (method and version) in metric results (`MetricResult.extractor`). */
export const FLOW_METHOD = 'symmetric-pyramidal-lk-tensor-v1';

export interface FlowOptions {
  /** Most pyramid levels (full resolution included); default 4. */
  maxLevels?: number;
  /** The coarsest level keeps a shorter side ≥ this; default 8. */
  minSize?: number;
  /** Iterations per level below full resolution; default 2. */
  iterations?: number;
  /** Iterations at full resolution; default 1. */
  finestIterations?: number;
  /** σ of the Gaussian window in pixels (radius ⌈2σ⌉); default 1.5. */
  windowSigma?: number;
  /** λ added to the structure tensor's diagonal (intensities in [0, 1]); default 1e-5. */
  regularization?: number;
  /** Frame pairs solved per batch (bounds memory, keeps tensors cache-sized); default 64. */
  chunk?: number;
}

export type ResolvedFlowOptions = Required<FlowOptions>;

const DEFAULTS: ResolvedFlowOptions = {
  maxLevels: 4, minSize: 8, iterations: 2, finestIterations: 1, windowSigma: 1.5, regularization: 1e-5, chunk: 64,
};

/** The resolved settings (defaults filled in), for results' `settings`. */
export function flowSettings(opts: FlowOptions = {}): ResolvedFlowOptions {
  const o: ResolvedFlowOptions = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as (keyof ResolvedFlowOptions)[]) {
    const v = opts[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v < 0) throw new Error(`optical flow: option ${k} must be a non-negative number, got ${v}`);
    o[k] = v;
  }
  if (o.chunk < 1 || o.maxLevels < 1 || o.windowSigma <= 0) {
    throw new Error(`optical flow: chunk and maxLevels must be ≥ 1 and windowSigma > 0, got ${JSON.stringify(opts)}`);
  }
  return o;
}

/**
 * The symmetric (midpoint) flow of each pair a, b (N, C, H, W), C = 1 or 3, values in [0, 1]:
 * (N, 2, H, W) float32 u with a(x − u(x)/2) ≈ b(x + u(x)/2), i.e. the displacement from a to b
 * of the trajectory that passes through x half-way between the frames. Pairs are solved `chunk`
 * at a time. Swapping a and b negates u exactly (the solver is antisymmetric).
 */
export function midpointFlow(a: Tensor, b: Tensor, opts: FlowOptions = {}): Tensor {
  checkPair(a, b);
  const o = flowSettings(opts);
  const n = a.size(0);
  return T.noGrad(() =>
    T.tidy(() => {
      if (n <= o.chunk) return flowChunk(a.float(), b.float(), o);
      const parts: Tensor[] = [];
      for (let s = 0; s < n; s += o.chunk) {
        const len = Math.min(o.chunk, n - s);
        parts.push(T.tidy(() => flowChunk(a.narrow(0, s, len).float(), b.narrow(0, s, len).float(), o)));
      }
      return T.cat(parts, { dim: 0 }); // (N, 2, H, W)
    }),
  );
}

/** Step 5: forward flow of frame-a pixels from the midpoint flow u: u_fwd(x) = u(x + u(x)/2). */
export function forwardFromMidpoint(u: Tensor): Tensor {
  return T.noGrad(() => T.tidy(() => warp(u, u.mulScalar(0.5)))); // (N, 2, H, W)
}

/** Backward flow (b → a) of frame-b pixels from the midpoint flow u of (a, b): −u(x − u(x)/2). */
export function backwardFromMidpoint(u: Tensor): Tensor {
  return T.noGrad(() => T.tidy(() => warp(u, u.mulScalar(-0.5)).neg())); // (N, 2, H, W)
}

/**
 * Dense flow from frame a to frame b for each pair: a, b (N, C, H, W), C = 1 or 3, values in
 * [0, 1]. Returns (N, 2, H, W) float32 in pixels with a(x) ≈ b(x + flow(x)) (channel 0 = dx,
 * 1 = dy; see `warp`).
 *
 * @example
 *   const f = computeFlow(frames.narrow(0, 0, t - 1), frames.narrow(0, 1, t - 1)); // (T-1, 2, H, W)
 */
export function computeFlow(a: Tensor, b: Tensor, opts: FlowOptions = {}): Tensor {
  return T.tidy(() => forwardFromMidpoint(midpointFlow(a, b, opts)));
}

/**
 * Forward (a → b) and backward (b → a) flows of each pair. Both come from one midpoint solve:
 * since the solver is exactly antisymmetric, solving (b, a) separately would give −u again.
 */
export function forwardBackwardFlow(a: Tensor, b: Tensor, opts: FlowOptions = {}): { forward: Tensor; backward: Tensor } {
  return T.tidy(() => {
    const u = midpointFlow(a, b, opts); // (N, 2, H, W)
    return { forward: forwardFromMidpoint(u), backward: backwardFromMidpoint(u) };
  });
}

function checkPair(a: Tensor, b: Tensor): void {
  const sa = a.shape;
  const sb = b.shape;
  if (sa.length !== 4 || sb.length !== 4 || sa.some((d, i) => d !== sb[i])) {
    throw new Error(`optical flow: frames must be two (N, C, H, W) tensors of one shape, got [${sa.join(', ')}] and [${sb.join(', ')}]`);
  }
  if (sa[1] !== 1 && sa[1] !== 3) throw new Error(`optical flow: frames must have 1 or 3 channels, got ${sa[1]}`);
}

/** Levels of the pyramid for an H×W frame. */
function levelCount(h: number, w: number, o: ResolvedFlowOptions): number {
  let levels = 1;
  let side = Math.min(h, w);
  while (levels < o.maxLevels && Math.floor(side / 2) >= o.minSize) {
    side = Math.floor(side / 2);
    levels++;
  }
  return levels;
}

/** Steps 1–4 for one batch of pairs a, b (P, C, H, W) float32 → midpoint flow (P, 2, H, W). */
function flowChunk(a: Tensor, b: Tensor, o: ResolvedFlowOptions): Tensor {
  const p = a.size(0);
  // 1.–2. gray pyramid of both frames stacked: level 0 = full resolution, [I₁; I₂]
  const pyramid: Tensor[] = [toGray(T.cat([a, b], { dim: 0 }))]; // (2P, 1, H, W)
  const levels = levelCount(a.size(2), a.size(3), o);
  for (let l = 1; l < levels; l++) pyramid.push(downsample2(pyramid[l - 1]!)); // (2P, 1, H/2^l, W/2^l)
  // 3.–4. coarse to fine
  let flow: Tensor | null = null;
  for (let l = levels - 1; l >= 0; l--) {
    const both = pyramid[l]!;
    const [h, w] = [both.size(2), both.size(3)];
    const init: Tensor = flow === null
      ? T.zeros([p, 2, h, w]) // (P, 2, h, w)
      : T.interpolate(flow, [h, w], 'bilinear').mulScalar(2); // (P, 2, h, w)
    flow = refineLevel(both, init, l === 0 ? o.finestIterations : o.iterations, o); // (P, 2, h, w)
  }
  return flow!;
}

/** I₁(x − u/2) and I₂(x + u/2) for both = [I₁; I₂] (2P, 1, h, w) and u (P, 2, h, w). */
function halfWarp(both: Tensor, u: Tensor, base: { grid: Tensor; scale: Tensor }): [Tensor, Tensor] {
  const p = u.size(0);
  const half = u.mulScalar(0.5); // (P, 2, h, w)
  const i1w = warp(both.narrow(0, 0, p), half.neg(), base); // (P, 1, h, w)
  const i2w = warp(both.narrow(0, p, p), half, base); // (P, 1, h, w)
  return [i1w, i2w];
}

/** S⁻¹ as two (P, 2, h, w) columns (multiplying e_x and e_y) from g (P, 2, h, w). */
function inverseStructureTensor(g: Tensor, taps: number[], lambda: number): [Tensor, Tensor] {
  const gx = g.narrow(1, 0, 1); // (P, 1, h, w)
  const gy = g.narrow(1, 1, 1); // (P, 1, h, w)
  const s = separableFilter(T.cat([gx.mul(gx), gx.mul(gy), gy.mul(gy)], { dim: 1 }), taps); // (P, 3, h, w)
  const sxx = s.narrow(1, 0, 1).addScalar(lambda); // (P, 1, h, w)
  const sxy = s.narrow(1, 1, 1); // (P, 1, h, w)
  const syy = s.narrow(1, 2, 1).addScalar(lambda); // (P, 1, h, w)
  const det = sxx.mul(syy).sub(sxy.mul(sxy)); // (P, 1, h, w)
  const m0 = T.cat([syy, sxy.neg()], { dim: 1 }).div(det); // (P, 2, h, w): [syy, −sxy]/det
  const m1 = T.cat([sxy.neg(), sxx], { dim: 1 }).div(det); // (P, 2, h, w): [−sxy, sxx]/det
  return [m0, m1];
}

/** Step 3 at one level: `iterations` window least-squares solves starting from `flow`. */
function refineLevel(both: Tensor, flow: Tensor, iterations: number, o: ResolvedFlowOptions): Tensor {
  return T.tidy(() => {
    const taps = gaussianTaps(o.windowSigma);
    const base = identityGrid(both.size(2), both.size(3));
    let [i1w, i2w] = halfWarp(both, flow, base); // (P, 1, h, w) each
    const g = imageGradient(i1w.add(i2w).mulScalar(0.5)); // (P, 2, h, w)
    const gx = g.narrow(1, 0, 1); // (P, 1, h, w)
    const gy = g.narrow(1, 1, 1); // (P, 1, h, w)
    const [m0, m1] = inverseStructureTensor(g, taps, o.regularization);
    let u = flow;
    for (let k = 0; k < iterations; k++) {
      if (k > 0) [i1w, i2w] = halfWarp(both, u, base);
      u = T.tidy(() => {
        const q = T.addcmul(T.addcmul(i1w.sub(i2w), gx, u.narrow(1, 0, 1)), gy, u.narrow(1, 1, 1)); // (P, 1, h, w): gᵀu + I₁ʷ − I₂ʷ
        const e = T.add(separableFilter(g.mul(q), taps), u, { alpha: o.regularization }); // (P, 2, h, w)
        return T.addcmul(m0.mul(e.narrow(1, 0, 1)), m1, e.narrow(1, 1, 1)); // (P, 2, h, w) = S⁻¹ e
      });
    }
    return u;
  });
}
