/**
 * The methods a study compares (method.md "The study"; issue 9): the joint family (paper
 * "Towards Bridging the Semantic Spaces of the One-to-Many Mapping in Cross-Modality
 * Text-to-Video Generation", §3 and the baselines of §4.2.2–4.2.3, src/align/methods.ts), the
 * specialised family (text-conditioned latent diffusion, src/diffusion), the `reference`
 * pseudo-method (real test videos, the ceiling of every metric), and two latent oracles of the
 * 3DConv-Base latent that both families decode through (steps/oracle.ts): its reconstructions of
 * real videos (the ceiling of any method decoding through it) and its bucket-median codes (what a
 * deterministic generator that matches bucket averages decodes to). The oracles are reference
 * rows: nothing is trained, and they never compete for "best".
 *
 * Every generating method decodes through one of the study's shared video autoencoders:
 *   conv3d-base  the paper's 3DConv-Base WAE (vector latent, d_z = 64 at paper size): the joint
 *                methods and the MLP denoiser share it, so the latent is held fixed between families;
 *   unet3d       the paper's UNetLDM AE, used only by the CoDi-based baseline;
 *   causal-vae   a causal 3-D VAE (4× time, 8× space) for the DiT denoiser.
 * Pure data: nothing here loads the engine.
 */
import type { AeArch } from '../models/ae/types.js';
import type { AlignMethod } from '../align/names.js';
import type { Family } from './results.js';

export type MethodKind = 'align' | 'diffusion' | 'reference' | 'oracle';

/** What a latent oracle decodes (steps/oracle.ts). */
export type OracleKind = 'recon' | 'bucket-median';

export interface MethodSpec {
  /** Results id, e.g. 'progressive-bucket', 'mlp-conv3d-base'. */
  id: string;
  family: Family;
  label: string;
  description: string;
  /** The latent it generates into / decodes through (shown under the label). */
  latent: string;
  kind: MethodKind;
  /** The shared autoencoder it needs (null: none). */
  ae: AeArch | null;
  /** For kind 'align': the src/align method name. */
  align?: AlignMethod;
  /** For kind 'diffusion': the denoiser architecture (src/diffusion/denoisers). */
  denoiser?: 'mlp' | 'dit';
  /** For kind 'oracle': which codes it decodes. */
  oracle?: OracleKind;
}

/** The method trains a model (a `train` step and a training budget); the reference and the oracles do not. */
export const trains = (m: MethodSpec): boolean => m.kind === 'align' || m.kind === 'diffusion';

const joint = (id: AlignMethod, label: string, description: string, ae: AeArch = 'conv3d-base'): MethodSpec => ({
  id, family: 'joint', label, description, latent: ae === 'conv3d-base' ? '3DConv-Base latent' : 'UNetLDM latent', kind: 'align', ae, align: id,
});

/** Every method the study knows, in display order within each family. */
export const STUDY_METHODS: readonly MethodSpec[] = [
  joint('progressive-bucket', 'Progressive + bucket loss', "the paper's method: text and video mapped progressively into a shared space, bucket loss (eq. 4)"),
  joint('clip-infonce', 'CLIP-based (InfoNCE)', 'the same progressive architecture trained with InfoNCE (paper §4.2.2)'),
  joint('imagebind', 'ImageBind-based', 'linear projections of text and video codes into the shared space, InfoNCE'),
  joint('nonprog-bucket', 'Non-progressive + bucket', 'text mapped straight to the video latent, bucket loss (paper §4.2.3)'),
  joint('nonprog-infonce', 'Non-progressive + InfoNCE', 'text mapped straight to the video latent, InfoNCE'),
  joint('vicreg', 'Progressive + VICReg', 'progressive, VICReg in place of the bucket loss'),
  joint('byol', 'Progressive + BYOL', 'progressive, BYOL in place of the bucket loss'),
  joint('codi', 'CoDi-based', 'the progressive architecture over the UNetLDM autoencoder, InfoNCE', 'unet3d'),
  {
    id: 'mlp-conv3d-base', family: 'specialised', label: 'Diffusion · 3DConv-Base',
    description: 'text-conditioned latent diffusion (v-prediction, cosine schedule, CFG) with a residual MLP denoiser over the 3DConv-Base vector code',
    latent: '3DConv-Base latent', kind: 'diffusion', ae: 'conv3d-base', denoiser: 'mlp',
  },
  {
    id: 'dit-causal-vae', family: 'specialised', label: 'Diffusion · causal VAE',
    description: 'text-conditioned latent diffusion with a DiT (spatial + temporal attention, adaLN, cross-attention) in the causal 3-D VAE latent',
    latent: 'causal-VAE latent (4× time, 8× space)', kind: 'diffusion', ae: 'causal-vae', denoiser: 'dit',
  },
  {
    id: 'recon-conv3d-base', family: 'reference', label: 'AE reconstruction · 3DConv-Base',
    description: "the real videos of the reference row encoded and decoded by the 3DConv-Base autoencoder: the ceiling of every method that decodes through it",
    latent: '3DConv-Base latent', kind: 'oracle', ae: 'conv3d-base', oracle: 'recon',
  },
  {
    id: 'bucket-median-conv3d-base', family: 'reference', label: 'Bucket-median code · 3DConv-Base',
    description: "per caption, the coordinate-wise median of its training videos' 3DConv-Base codes, decoded: the output of a deterministic generator that minimises eq. 2's |G_s(z2) − z_v|₁ over a bucket (every sample the same video)",
    latent: '3DConv-Base latent', kind: 'oracle', ae: 'conv3d-base', oracle: 'bucket-median',
  },
  {
    id: 'reference', family: 'reference', label: 'Real videos', description: 'real test videos of each caption: the ceiling of every metric',
    latent: 'none (test split)', kind: 'reference', ae: null,
  },
];

/** Ids of every known method. */
export const STUDY_METHOD_IDS: readonly string[] = STUDY_METHODS.map((m) => m.id);

/** The method called `id`; throws listing the valid ids. */
export function studyMethod(id: string): MethodSpec {
  const m = STUDY_METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`unknown study method '${id}'; valid: ${STUDY_METHOD_IDS.join(', ')}`);
  return m;
}
