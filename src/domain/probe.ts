/**
 * The SyncDraw attribute probe (issue 4, part 6; `../shared/docs/metrics.md` §5): a small 3-D
 * convolutional classifier trained on real training videos that predicts the attributes a
 * caption states — which digits appear and how each moves — so that `attribute_accuracy` can
 * check whether a generated video shows what its prompt asked for.
 *
 * Slots (permutation-invariant): SyncDraw names the two digits of a double caption in a random
 * order ("digit 7 … and digit 3 …" and "digit 3 … and digit 7 …" describe the same kind of video,
 * and nothing in the video tells which was named first), so slots are **sorted by digit value**
 * both in `predict` and in `captionAttributes`: slot 0 holds the smaller digit. Keys are always
 * `digit0, motion0, digit1, motion1`; a single-digit video has `digit1 = motion1 = 'none'`.
 *
 * Heads on the tower's pooled features h (B, D):
 *   digit_head:  h → (B, 10)     which digits appear (softmax over digit values)
 *   motion_head: h → (B, 10, 2)  per digit value: 'up and down' | 'left and right'
 *   count_head:  h → (B, 2)      one or two digits
 * Training loss (sum of three cross entropies): the digit softmax against the uniform
 * distribution over the video's digits (ordinary 10-way cross entropy for one digit), the motion
 * of each digit that appears (digits that do not appear are ignored), and the count.
 * Decoding: n = argmax count + 1; the n likeliest digits; each one's likelier motion; then sorted
 * by digit value.
 *
 * Folder: `config.json` ({@link ProbeConfig}), `model.safetensors` (keys `tower.*`,
 * `digit_head.*`, `motion_head.*`, `count_head.*`).
 *
 * @example
 *   const probe = await loadAttributeProbe('runs/probe-single');
 *   probe.captionAttributes('digit 7 is moving up and down and digit 3 is moving left and right');
 *   // { digit0: '3', motion0: 'left and right', digit1: '7', motion1: 'up and down' }
 *   probe.predict([video]);  // [{ digit0: '6', motion0: 'up and down', digit1: 'none', motion1: 'none' }]
 */
import { join } from 'node:path';
import * as T from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Linear, Module } from '../nn/index.js';
import { loadTensors, saveTensors } from '../io/tensors.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { AttributeProbe } from '../metrics/types.js';
import type { VideoU8 } from '../media/video.js';
import { MOTIONS, type Motion } from '../data/syncdraw/motion.js';
import { VideoTower, videosFromU8, type VideoTowerConfig } from './video-tower.js';
import { folderName, readConfig, requireFiles } from './folder.js';
import type { DatasetInfo } from './model.js';

export const PROBE_FORMAT = 't2vlab-attribute-probe';
export const NONE = 'none';
export const ATTRIBUTE_KEYS = ['digit0', 'motion0', 'digit1', 'motion1'] as const;
const DIGITS = 10;
const CHUNK = 64;

/** The attributes of one video: digits and motions in slot order (sorted by digit). */
export type Attributes = Record<(typeof ATTRIBUTE_KEYS)[number], string>;

/** One digit slot of a SyncDraw video. */
export interface Slot {
  digit: number;
  motion: Motion;
}

/** Attribute record from one or two slots, sorted by digit value. */
export function slotsToAttributes(slots: readonly Slot[]): Attributes {
  const s = [...slots].sort((a, b) => a.digit - b.digit);
  return {
    digit0: String(s[0]!.digit),
    motion0: s[0]!.motion,
    digit1: s[1] ? String(s[1].digit) : NONE,
    motion1: s[1] ? s[1].motion : NONE,
  };
}

const PART = String.raw`digit (\d) is moving (up and down|left and right)`;
const CAPTION = new RegExp(`^${PART}(?: and ${PART})?$`);

/**
 * The attributes a SyncDraw caption states (generator.ts: `digit D is moving M`, two parts joined
 * by ' and '), or null when it is not such a caption (or names one digit twice). Case and
 * surrounding / repeated whitespace are ignored.
 */
export function captionAttributes(caption: string): Attributes | null {
  const m = CAPTION.exec(caption.trim().toLowerCase().replace(/\s+/g, ' '));
  if (!m) return null;
  const slots: Slot[] = [{ digit: Number(m[1]), motion: m[2] as Motion }];
  if (m[3] !== undefined) slots.push({ digit: Number(m[3]), motion: m[4] as Motion });
  if (slots.length === 2 && slots[0]!.digit === slots[1]!.digit) return null;
  return slotsToAttributes(slots);
}

/** Slots from a SyncDraw manifest entry's attributes ({digits, motions}); null when absent. */
export function manifestSlots(attributes: Record<string, unknown>): Slot[] | null {
  const { digits, motions } = attributes as { digits?: unknown; motions?: unknown };
  if (!Array.isArray(digits) || !Array.isArray(motions) || digits.length !== motions.length || digits.length < 1 || digits.length > 2) return null;
  const slots: Slot[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = digits[i];
    const mo = motions[i];
    if (!(Number.isInteger(d) && d >= 0 && d < DIGITS) || !MOTIONS.includes(mo as Motion)) return null;
    slots.push({ digit: d as number, motion: mo as Motion });
  }
  return slots;
}

/** `config.json` of a probe folder. */
export interface ProbeConfig {
  format: typeof PROBE_FORMAT;
  version: 1;
  arch: VideoTowerConfig;
  dataset: DatasetInfo;
  seed: number;
  preset: string;
  train: Record<string, unknown>;
  /** Accuracy on real test videos: { accuracy (all attributes right), digit, motion, count, videos }. */
  test: Record<string, number>;
}

export class AttributeProbeModel extends Module implements AttributeProbe {
  readonly tower: VideoTower;
  readonly digitHead: Linear;
  readonly motionHead: Linear;
  readonly countHead: Linear;
  config: ProbeConfig | null = null;

  constructor(
    readonly arch: VideoTowerConfig,
    public name = 'probe',
  ) {
    super();
    this.tower = this.registerModule('tower', new VideoTower(arch));
    this.digitHead = this.registerModule('digit_head', new Linear(this.tower.dim, DIGITS));
    this.motionHead = this.registerModule('motion_head', new Linear(this.tower.dim, DIGITS * 2));
    this.countHead = this.registerModule('count_head', new Linear(this.tower.dim, 2));
  }

  /** x (B, C, T, H, W) in [0, 1] → digit (B, 10), motion (B, 10, 2) and count (B, 2) logits. */
  forward(x: Tensor): ProbeLogits {
    return T.tidy(() => {
      const h = this.tower.forward(x); // (B, D)
      return {
        digit: this.digitHead.forward(h), // (B, 10)
        motion: this.motionHead.forward(h).view([-1, DIGITS, 2]), // (B, 10, 2)
        count: this.countHead.forward(h), // (B, 2)
      };
    });
  }

  /** Training loss of a batch of float videos (B, C, T, H, W) and their {@link probeTargets}. */
  loss(x: Tensor, targets: ProbeTargets): Tensor {
    return T.tidy(() => {
      const out = this.forward(x);
      const q = targets.digits.div(targets.digits.sumDim(1, { keepdim: true })); // (B, 10) uniform over present digits
      const digit = q.mul(out.digit.logSoftmax(1)).sumDim(1).mean().neg(); // ()
      const motion = T.crossEntropyLoss(out.motion.reshape([-1, 2]), targets.motions.reshape([-1]), { ignoreIndex: IGNORE }); // ()
      const count = T.crossEntropyLoss(out.count, targets.count); // ()
      return digit.add(motion).add(count); // ()
    });
  }

  /** Decoded attributes of float videos x (B, C, T, H, W) in [0, 1]. */
  predictFloat(x: Tensor): Attributes[] {
    const [digit, motion, count] = T.tidy(() => T.noGrad(() => {
      const out = this.forward(x);
      return [out.digit.toFloat32Array(), out.motion.toFloat32Array(), out.count.argmax({ dim: 1 }).toArray()] as const; // (B·10), (B·10·2), (B)
    }));
    return count.map((c, b) => decode(digit.subarray(b * DIGITS, (b + 1) * DIGITS), motion.subarray(b * DIGITS * 2, (b + 1) * DIGITS * 2), c + 1));
  }

  /** {@link AttributeProbe.predict}: videos of any size, gray or RGB. */
  predict(videos: VideoU8[]): Attributes[] {
    const out: Attributes[] = [];
    for (let i = 0; i < videos.length; i += CHUNK) {
      const batch = T.tidy(() => T.cat(videos.slice(i, i + CHUNK).map((v) => {
        const u8 = T.fromBytes(v.data, 'uint8', [1, v.frames, v.height, v.width, v.channels]); // (1, T, H, W, C)
        return this.tower.resample(videosFromU8(u8, this.arch.inputChannels)); // (1, C, frames, size, size)
      }), { dim: 0 })); // (n, C, frames, size, size)
      try {
        out.push(...this.predictFloat(batch));
      } finally {
        batch.dispose();
      }
    }
    return out;
  }

  captionAttributes(caption: string): Attributes | null {
    return captionAttributes(caption);
  }

  /** Write model.safetensors, then config.json last (each atomically). */
  save(dir: string, config: Omit<ProbeConfig, 'format' | 'version' | 'arch'>): ProbeConfig {
    const sd = this.stateDict();
    try {
      saveTensors(join(dir, 'model.safetensors'), sd, { format: 'pt' });
    } finally {
      for (const t of sd.values()) t.dispose();
    }
    const full: ProbeConfig = { format: PROBE_FORMAT, version: 1, arch: this.arch, ...config };
    writeJsonAtomic(join(dir, 'config.json'), full);
    this.config = full;
    return full;
  }
}

/** Attributes from one video's digit logits (10), motion logits (10·2) and digit count. */
function decode(digit: Float32Array, motion: Float32Array, n: number): Attributes {
  const order = Array.from({ length: DIGITS }, (_, d) => d).sort((a, b) => digit[b]! - digit[a]! || a - b);
  const slots = order.slice(0, n).map((d) => ({ digit: d, motion: (motion[2 * d]! >= motion[2 * d + 1]! ? MOTIONS[0] : MOTIONS[1])! }));
  return slotsToAttributes(slots);
}

export interface ProbeLogits {
  digit: Tensor; // (B, 10)
  motion: Tensor; // (B, 10, 2)
  count: Tensor; // (B, 2)
}

export interface ProbeTargets {
  /** (B, 10) float32, 1 where the digit appears. */
  digits: Tensor;
  /** (B, 10) int64: 0 'up and down', 1 'left and right', IGNORE where the digit does not appear. */
  motions: Tensor;
  /** (B) int64: 0 one digit, 1 two. */
  count: Tensor;
}

/** cross_entropy's default ignore_index. */
const IGNORE = -100;

/** Targets of a batch of manifest slots. */
export function probeTargets(slots: readonly (readonly Slot[])[]): ProbeTargets {
  const B = slots.length;
  const digits = new Float32Array(B * DIGITS); // (B, 10)
  const motions = new BigInt64Array(B * DIGITS).fill(BigInt(IGNORE)); // (B, 10)
  const count = new BigInt64Array(B); // (B)
  slots.forEach((s, b) => {
    count[b] = BigInt(s.length - 1);
    for (const { digit: d, motion } of s) {
      digits[b * DIGITS + d] = 1;
      motions[b * DIGITS + d] = BigInt(MOTIONS.indexOf(motion));
    }
  });
  return {
    digits: T.tensor(digits, { shape: [B, DIGITS] }),
    motions: T.tensor(motions, { shape: [B, DIGITS] }),
    count: T.tensor(count, { shape: [B] }),
  };
}

/**
 * Load a probe folder written by `t2v train probe`; `name` becomes `probe:<folder basename>`.
 * The probe is in eval mode; dispose it when done.
 */
export async function loadAttributeProbe(dir: string): Promise<AttributeProbeModel> {
  requireFiles(dir, ['config.json', 'model.safetensors'], 'attribute probe', `t2v train probe --data DATA_DIR --out ${dir}`);
  const config = readConfig<ProbeConfig>(dir, PROBE_FORMAT);
  const probe = new AttributeProbeModel(config.arch, `probe:${folderName(dir)}`);
  const { tensors } = loadTensors(join(dir, 'model.safetensors'));
  try {
    probe.loadStateDict(tensors);
  } catch (err) {
    probe.dispose();
    throw new Error(`'${join(dir, 'model.safetensors')}' does not match its config.json: ${(err as Error).message}`);
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  probe.eval();
  probe.config = config;
  return probe;
}
