/**
 * E_t, the frozen text encoder that conditions the alignment (paper §3: "we employ a pre-trained
 * text encoder model E_t, for which we do not impose any restrictions"; method.md stage 2).
 *
 * Two sources (issue 7): the conditioning text tower trained on the data set (its own run, never
 * the evaluation model), loaded with `loadDomainModel(dir)`; or CLIP's text tower with `--clip DIR`
 * (the paper's ViT-B/32), wrapped as a pooled-only {@link TextConditioner}: `states` is the pooled
 * sentence embedding as a single token. The alignment uses `pooled` only.
 */
import * as T from '../tensor/index.js';
import type { TextConditioner, TextTokens } from '../models/conditioning.js';
import type { TextEncoder } from '../metrics/types.js';
import { loadDomainModel } from '../domain/model.js';
import { loadClipEncoder } from '../clip/encoder.js';

/** How a run names its conditioner (recorded in task.json so generation can reload it). */
export interface ConditionerSpec {
  kind: 'text' | 'clip';
  dir: string;
}

/** True when `m` offers the TextConditioner contract. */
export function isTextConditioner(m: unknown): m is TextConditioner {
  if (typeof m !== 'object' || m === null) return false;
  const c = m as Partial<Record<keyof TextConditioner, unknown>>;
  return typeof c.encode === 'function' && typeof c.name === 'string' && typeof c.dim === 'number';
}

/**
 * The conditioning text tower of a text-encoder run folder (a domain-model folder trained as the
 * conditioner, `t2v train domain --seed …`): the model's `conditioner()`; `dispose` frees the
 * whole model.
 */
export async function loadConditioner(dir: string): Promise<TextConditioner & { dispose(): void }> {
  const model = await loadDomainModel(dir);
  const text = model.conditioner();
  return {
    name: text.name,
    dim: text.dim,
    maxTokens: text.maxTokens,
    encode: (texts: string[]): TextTokens => text.encode(texts),
    dispose: (): void => model.dispose(),
  };
}

/**
 * A pooled-only conditioner over a sentence encoder: `pooled` = encodeTexts(texts) (B, D),
 * `states` = pooled as one token (B, 1, D), `mask` all true (B, 1). `dim` is found by encoding one
 * probe text.
 */
export function pooledConditioner(enc: TextEncoder, opts: { maxTokens?: number; name?: string } = {}): TextConditioner {
  const dim = T.tidy(() => T.noGrad(() => enc.encodeTexts(['a']).shape[1]!));
  return {
    name: opts.name ?? `${enc.name}-text`,
    dim,
    maxTokens: opts.maxTokens ?? 77,
    encode(texts: string[]): TextTokens {
      return T.tidy(() =>
        T.noGrad(() => {
          const pooled = enc.encodeTexts(texts).toDType('float32'); // (B, D)
          const states = pooled.unsqueeze(1); // (B, 1, D)
          const mask = T.ones([texts.length, 1], { dtype: 'bool' }); // (B, 1)
          return { states, mask, pooled };
        }),
      );
    },
  };
}

/** CLIP's text tower of a CLIP folder, as a pooled-only conditioner (77 tokens, 512-d for ViT-B/32). */
export async function loadClipConditioner(dir: string): Promise<TextConditioner> {
  return pooledConditioner(await loadClipEncoder(dir), { maxTokens: 77 });
}

/** Load what a spec names. */
export function loadConditionerSpec(spec: ConditionerSpec): Promise<TextConditioner> {
  return spec.kind === 'clip' ? loadClipConditioner(spec.dir) : loadConditioner(spec.dir);
}
