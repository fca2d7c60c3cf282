/**
 * The contract between the trainer (`trainer.ts`) and what it trains. A task owns its modules
 * and optimizers and knows how to take one optimisation step on a batch; the trainer owns
 * everything around it: data order, seeds, logging, validation cadence, EMA, checkpoints,
 * resume and (issue 10) data-parallel gradient reduction.
 */
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import type { OptimizerLike } from '../optim/optimizer.js';
import type { Batch } from '../data/loader.js';
import type { JudgeModels } from '../metrics/judge.js';

/**
 * Evaluation models the trainer loads once from `train.valDomain` / `train.valProbe` and hands
 * to `validate` (validation-aids.ts): the domain model (`fvd_domain`) and the attribute probe
 * (`attribute_accuracy`), as src/metrics/judge.ts takes them. They never see a gradient and are
 * not saved.
 */
export type ValidationAids = JudgeModels;

export interface StepContext {
  /** Global optimisation step about to be taken (0-based). */
  step: number;
  epoch: number;
  /**
   * Call after `backward()` and before `optimizer.step()` with the parameters whose gradients
   * the step will use: all-reduces (averages) gradients across ranks in data-parallel runs;
   * a no-op in a single process.
   */
  syncGrads(params: Tensor[]): void;
  /** Max global gradient norm from the config (null: no clipping); the task clips per optimizer. */
  clipNorm: number | null;
}

export interface TrainTask {
  /** e.g. 'ae/conv3d-base'. */
  readonly kind: string;
  /** Modules saved in checkpoints as `<name>.<pytorch key>`; fixed names and order. */
  modules(): Record<string, Module>;
  /** Optimizers saved in checkpoints by name. */
  optimizers(): Record<string, OptimizerLike>;
  /** Modules the trainer keeps an EMA copy of (used for validation and the exported weights). */
  emaModules?(): Record<string, Module>;
  /**
   * One optimisation step on a batch; returns scalar figures for the log. Frees its tensors
   * (the trainer disposes `batch.videos` afterwards). The trainer has set each optimizer's
   * learning rate for this step.
   */
  trainStep(batch: Batch, ctx: StepContext): Record<string, number>;
  /**
   * Validation over held-out batches (no grad); returns metrics, e.g. { psnr, ssim }. The
   * trainer puts the modules in eval mode (EMA weights swapped in when EMA is on) and disposes
   * each batch's `videos` when the next batch is asked for. `aids` holds the evaluation models
   * of `train.valDomain` / `train.valProbe`; only tasks with `validatesVideos` are given any.
   */
  validate?(batches: AsyncIterable<Batch>, aids?: ValidationAids): Promise<Record<string, number>>;
  /** Validation makes videos (reconstructions), so `train.valDomain` / `train.valProbe` apply. */
  readonly validatesVideos?: boolean;
  /**
   * The validation figure that picks the best checkpoint, e.g. { name: 'psnr', mode: 'max' }.
   * Default: `psnr` (max) when validation reports it, else `loss` (min), else no best.
   */
  readonly bestMetric?: { name: string; mode: 'min' | 'max' };
  /** What is needed to rebuild the modules (arch, sizes); written to `model/task.json` with `kind`. */
  describe(): Record<string, unknown>;
  /** Release native memory. */
  dispose(): void;
}
