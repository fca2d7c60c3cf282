/**
 * A perceptual term from a frozen domain video tower (ours): the stand-in for the VGG19 term of
 * the video WAE's cost (method.md, eq. A.2) when no ImageNet VGG19 is at hand, as on a machine
 * without internet. It compares the reconstruction with the target in the feature space of a
 * domain model's video tower (domain/video-tower.ts), trained on the data set's captions:
 *
 *   L_dfeat(x, y) = (1/S) Σ_s mean |f_s(y) − f_s(x)|       f_s: output of tower stage s (after SiLU)
 *
 * an L1 feature match like the discriminator term λ_f·‖f_Dv(x) − f_Dv(y)‖₁ of eq. A.2, but with
 * a fixed network, so it asks for what the tower tells apart (the digit's shape and its motion on
 * SyncDraw), where the pixel L1 is content with a blob in the right place.
 *
 * Rules of use (the judge must not be the coach): train the tower as its **own** domain-model run
 * with its own seed (`t2v train domain --seed S`), never the evaluation domain model or the
 * attribute probe that later score the videos, nor the conditioning text encoder. The run's
 * config records the folder.
 *
 * Frozen: parameters do not require grad, BatchNorm uses its running statistics (eval mode), and
 * the target's features are computed without a graph, so gradients reach y only.
 *
 * @example
 *   const net = loadDomainFeatures('runs/dfeat-s2000');
 *   T.tidy(() => net.perceptualLoss(x, y).item());   // x, y (B, C, T, H, W) in [0, 1]
 */
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { loadDomainModelSync, type DomainModel } from '../domain/model.js';

export class DomainFeatures {
  readonly name: string;
  readonly #model: DomainModel;

  constructor(model: DomainModel) {
    this.#model = model;
    this.name = model.name;
    model.requiresGrad_(false);
    model.eval();
  }

  /** Channels the tower reads (1 gray, 3 RGB). */
  get channels(): number {
    return this.#model.video.config.inputChannels;
  }

  /** The frozen weights (none requires grad). */
  parameters(): Tensor[] {
    return this.#model.parameters();
  }

  /** Videos (B, C, T, H, W) in [0, 1] → each stage's output (B, C_s, T_s, H_s, W_s). */
  forward(video: Tensor): Tensor[] {
    const tower = this.#model.video;
    const C = tower.config.inputChannels;
    if (video.ndim !== 5 || video.size(1) !== C) {
      throw new Error(`domain features: expected videos (B, ${C}, T, H, W) for the ${this.name} tower, got [${video.shape.join(', ')}]`);
    }
    return T.tidy(() => {
      const out: Tensor[] = [];
      let h = tower.prepare(video); // (B, C·p², frames, size/p, size/p)
      for (const stage of tower.stages) {
        h = stage.forward(h); // (B, C_s, T_s, H_s, W_s)
        out.push(h);
      }
      return out;
    });
  }

  /** (1/S) Σ_s mean |f_s(y) − f_s(x)|, a scalar (); x the target, y the reconstruction, same shape. */
  perceptualLoss(x: Tensor, y: Tensor): Tensor {
    if (x.shape.join() !== y.shape.join()) throw new Error(`domain features: x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}] differ in shape`);
    return T.tidy(() => {
      const fx = T.noGrad(() => this.forward(x)); // per stage, no graph
      const fy = this.forward(y); // per stage
      return T.stack(fy.map((f, i) => T.l1Loss(f, fx[i]!))).mean(); // ()
    });
  }

  dispose(): void {
    this.#model.dispose();
  }
}

/**
 * Load the video tower of a domain-model folder (`t2v train domain`) as a frozen feature net; the
 * global RNG is left as it was.
 */
export function loadDomainFeatures(dir: string): DomainFeatures {
  // Building the model draws its initial weights before the file overwrites them: keep the
  // caller's RNG stream as it was, so a run with the term starts like one without it.
  const rng = T.getRngState();
  try {
    return new DomainFeatures(loadDomainModelSync(dir));
  } finally {
    T.setRngState(rng);
    rng.dispose();
  }
}
