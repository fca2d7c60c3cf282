// Tests for src/clip/{model,text,vision,transformer}.ts against the clip-tiny fixture (an HF-format
// CLIP with random weights; golden.safetensors from OpenAI's clip/model.py): embeddings and logits,
// HF state-dict keys, strict loading and its errors, and invariances that follow from the
// architecture (EOS pooling picks the right row, padding after EOS is irrelevant, the patch matmul
// equals the strided conv).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { loadTensors, saveTensors } from '../../src/io/tensors.js';
import { readSafetensors } from '../../src/io/safetensors.js';
import { parseClipConfig } from '../../src/clip/config.js';
import { ClipModel, clipLogits } from '../../src/clip/model.js';
import { assertNoLeak } from '../helpers/leak.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/clip/clip-tiny', import.meta.url));
const { tensors: golden } = loadTensors(join(DIR, 'golden.safetensors'));
const model = ClipModel.fromPretrained(DIR);
const tmp = mkdtempSync(join(tmpdir(), 'clip-model-test-'));
after(() => {
  for (const t of golden.values()) t.dispose();
  model.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

function g(name: string): Tensor {
  const t = golden.get(name);
  assert.ok(t, `golden ${name}`);
  return t;
}
function maxAbs(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return T.tidy(() => a.sub(b).abs().max().item());
}
/** A folder holding the fixture's config.json (optionally edited) and the given weights. */
function folder(name: string, weights: Map<string, Tensor> | null, editConfig?: (c: Record<string, unknown>) => void): string {
  const dir = join(tmp, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cfg = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  editConfig?.(cfg);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
  if (weights) saveTensors(join(dir, 'model.safetensors'), weights);
  return dir;
}

test('reproduces the reference embeddings and logits (max abs error <= 1e-4)', () => {
  assertNoLeak(() => {
    const out = T.noGrad(() => model.forward(g('input_ids'), g('pixel_values')));
    assert.ok(maxAbs(out.imageEmbeds, g('image_embeds')) <= 1e-4, 'image_embeds');
    assert.ok(maxAbs(out.textEmbeds, g('text_embeds')) <= 1e-4, 'text_embeds');
    assert.ok(maxAbs(out.logitsPerImage, g('logits_per_image')) <= 1e-4, 'logits_per_image');
    assert.ok(maxAbs(out.logitsPerText, g('logits_per_text')) <= 1e-4, 'logits_per_text');
    // Not normalised (as the fixture): norms differ from 1.
    const norms = T.tidy(() => T.linalgVectorNorm(out.imageEmbeds, { dim: -1 }).toArray());
    assert.ok(norms.some((n) => Math.abs(n - 1) > 0.1));
    for (const t of Object.values(out)) t.dispose();
  });
});

test('logits are 100·cos of the embeddings (logit_scale = ln 100)', () => {
  assertNoLeak(() => {
    assert.ok(Math.abs(model.logitScale.item() - Math.log(100)) < 1e-5);
    T.tidy(() => {
      const a = g('image_embeds');
      const b = g('text_embeds');
      const an = a.toArray();
      const bn = b.toArray();
      const P = 32;
      const cos = (i: number, j: number): number => {
        let dot = 0, na = 0, nb = 0;
        for (let k = 0; k < P; k++) {
          dot += an[i * P + k]! * bn[j * P + k]!;
          na += an[i * P + k]! ** 2;
          nb += bn[j * P + k]! ** 2;
        }
        return dot / Math.sqrt(na * nb);
      };
      const l = clipLogits(a, b, model.logitScale).toArray(); // (3, 4)
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.ok(Math.abs(l[i * 4 + j]! - 100 * cos(i, j)) < 1e-3);
    });
  });
});

test('state-dict keys are exactly the fixture file keys (HF CLIPModel names)', () => {
  const sd = model.stateDict();
  const fileKeys = [...readSafetensors(join(DIR, 'model.safetensors')).tensors.keys()].sort();
  assert.deepEqual([...sd.keys()].sort(), fileKeys);
  assert.equal([...sd.keys()][0], 'logit_scale'); // PyTorch order: own parameters first
  assert.ok(sd.has('vision_model.pre_layrnorm.weight') && sd.has('text_model.encoder.layers.1.self_attn.q_proj.bias'));
  assert.ok(!sd.has('visual_projection.bias') && !sd.has('vision_model.embeddings.patch_embedding.bias'));
  for (const t of sd.values()) t.dispose();
});

test('fromPretrained loads without leaking and frees the model on a failed load', () => {
  assertNoLeak(() => ClipModel.fromPretrained(DIR).dispose());
  const { tensors } = loadTensors(join(DIR, 'model.safetensors'));
  tensors.get('vision_model.post_layernorm.bias')?.dispose();
  tensors.delete('vision_model.post_layernorm.bias');
  const dir = folder('missing-key', tensors);
  for (const t of tensors.values()) t.dispose();
  assertNoLeak(() => assert.throws(() => ClipModel.fromPretrained(dir), /missing: vision_model.post_layernorm.bias/));
});

test('strict loading: unexpected keys and shape mismatches are reported; position_ids buffers are ignored', () => {
  const { tensors } = loadTensors(join(DIR, 'model.safetensors'));
  tensors.set('text_model.embeddings.position_ids', T.arange(0, 77, { dtype: 'int64' }).unsqueeze(0));
  tensors.set('vision_model.embeddings.position_ids', T.arange(0, 17, { dtype: 'int64' }).unsqueeze(0));
  const ok = folder('with-position-ids', tensors);
  tensors.set('text_model.extra.weight', T.zeros([2]));
  const extra = folder('extra', tensors);
  for (const t of tensors.values()) t.dispose();
  assertNoLeak(() => {
    const m = ClipModel.fromPretrained(ok);
    const out = T.noGrad(() => m.encodeImage(g('pixel_values')));
    assert.ok(maxAbs(out, g('image_embeds')) <= 1e-4);
    out.dispose();
    m.dispose();
  });
  assert.throws(() => ClipModel.fromPretrained(extra), /unexpected: text_model.extra.weight/);
  // The config says width 64 × 4 MLP; claim 128: every fc shape mismatches.
  const { tensors: t2 } = loadTensors(join(DIR, 'model.safetensors'));
  const wrong = folder('wrong-shape', t2, (c) => ((c['text_config'] as Record<string, unknown>)['intermediate_size'] = 128));
  for (const t of t2.values()) t.dispose();
  assert.throws(() => ClipModel.fromPretrained(wrong), (e: Error) =>
    /text_model.encoder.layers.0.mlp.fc1.weight: shape \[256, 64\] in the file, \[128, 64\] in the model/.test(e.message) &&
    /same Hugging Face CLIPModel folder/.test(e.message));
});

test('missing files name the file and how to obtain it; pytorch_model.bin only says how to convert', () => {
  const empty = folder('empty', null);
  rmSync(join(empty, 'config.json'));
  assert.throws(() => ClipModel.fromPretrained(empty), (e: Error) =>
    e.message.includes(`config.json, model.safetensors not found in ${empty}`) &&
    e.message.includes('openai/clip-vit-base-patch32') && e.message.includes('t2vlab never downloads'));
  assert.throws(() => ClipModel.fromPretrained(join(tmp, 'nope')), /model folder .*nope does not exist/);
  const bin = folder('bin-only', null);
  writeFileSync(join(bin, 'pytorch_model.bin'), 'not really a pickle');
  assert.throws(() => ClipModel.fromPretrained(bin), (e: Error) =>
    e.message.includes('has pytorch_model.bin but no model.safetensors') &&
    e.message.includes('from safetensors.torch import save_file') &&
    e.message.includes(join(bin, 'model.safetensors')));
});

test('float16 weights load (converted to float32)', () => {
  const { tensors } = loadTensors(join(DIR, 'model.safetensors'));
  const half = new Map([...tensors].map(([k, t]) => [k, t.toDType('float16')]));
  const dir = folder('fp16', half);
  for (const t of [...tensors.values(), ...half.values()]) t.dispose();
  assertNoLeak(() => {
    const m = ClipModel.fromPretrained(dir);
    assert.equal(m.visualProjection.weight.dtype, 'float32');
    const out = T.noGrad(() => m.encodeImage(g('pixel_values')));
    assert.ok(maxAbs(out, g('image_embeds')) < 0.05); // fp16 rounding of the weights only
    out.dispose();
    m.dispose();
  });
});

/** The EOS position of each row, computed here from the ids. */
function eosPositions(ids: number[], L: number, eos: number | 'argmax'): number[] {
  const rows = ids.length / L;
  return Array.from({ length: rows }, (_, n) => {
    const row = ids.slice(n * L, (n + 1) * L);
    return eos === 'argmax' ? row.indexOf(Math.max(...row)) : row.indexOf(eos);
  });
}

test('EOS pooling: legacy argmax and first-eos_token_id rows; padding after EOS does not matter', () => {
  assertNoLeak(() => T.noGrad(() => T.tidy(() => {
    const ids = g('input_ids'); // (4, 77), EOS 999 the largest id, zero padded
    const { lastHiddenState, pooledOutput } = model.textModel.forward(ids);
    const pos = eosPositions(ids.toArray(), 77, 'argmax');
    pos.forEach((p, n) => assert.ok(maxAbs(pooledOutput.select(0, n), lastHiddenState.select(0, n).select(0, p)) === 0));
    assert.ok(maxAbs(model.textModel.pooled(ids), pooledOutput) < 1e-5);
    // Cut to the longest row, or padded with the EOS id instead of 0: same embeddings.
    const longest = Math.max(...pos) + 1;
    assert.ok(maxAbs(model.encodeText(ids.narrow(1, 0, longest)), g('text_embeds')) < 1e-4);
    const mask = T.arange(0, 77, { dtype: 'int64' }).unsqueeze(0).gt(T.tensor(pos, { dtype: 'int64' }).unsqueeze(1)); // (4, 77)
    assert.ok(maxAbs(model.encodeText(ids.maskedFill(mask, 999)), g('text_embeds')) < 1e-4);
  })));
  // Non-legacy config: pool at the first position equal to eos_token_id (here 17, then 999).
  const cfg = parseClipConfig({ ...JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')) as object });
  for (const eos of [17, 999]) {
    const m = new ClipModel({ ...cfg, text: { ...cfg.text, eosTokenId: eos, legacyEosPooling: false } });
    assertNoLeak(() => T.noGrad(() => T.tidy(() => {
      const ids = T.tensor([[998, 5, 17, 999, 17, 0], [998, 999, 17, 17, 999, 3]], { dtype: 'int64' }); // (2, 6)
      const { lastHiddenState, pooledOutput } = m.textModel.forward(ids);
      eosPositions(ids.toArray(), 6, eos).forEach((p, n) =>
        assert.ok(maxAbs(pooledOutput.select(0, n), lastHiddenState.select(0, n).select(0, p)) === 0));
      assert.throws(() => m.textModel.forward(T.tensor([[998, 5, 6]], { dtype: 'int64' })), new RegExp(`row\\(s\\) 0 of input_ids contain no eos_token_id ${eos}`));
    })));
    m.dispose();
  }
});

test('input checks: ids out of the vocabulary or too long, wrong pixel shape', () => {
  assertNoLeak(() => T.tidy(() => {
    assert.throws(() => model.encodeText(T.tensor([[998, 1000]], { dtype: 'int64' })), /input_ids hold 1000, outside the vocabulary 0 … 999/);
    assert.throws(() => model.encodeText(T.zeros([1, 78], { dtype: 'int64' })), /sequence length 78 must be between 1 and max_position_embeddings \(77\)/);
    assert.throws(() => model.encodeImage(T.zeros([1, 3, 224, 224])), /pixel_values must be floating \(B, 3, 32, 32\), got float32 \[1, 3, 224, 224\]/);
  }));
});

test('the patch matmul equals the strided conv, and a causal mask makes token i blind to tokens > i', () => {
  assertNoLeak(() => T.noGrad(() => T.tidy(() => {
    const emb = model.visionModel.embeddings;
    T.manualSeed(1);
    const px = T.randn([2, 3, 32, 32]); // (B, C, S, S)
    const conv = T.conv2d(px, emb.patchEmbedding.weight, { stride: 8 }).flatten({ startDim: 2 }).transpose(1, 2); // (2, 16, 128)
    assert.ok(maxAbs(emb.forward(px).narrow(1, 1, 16).sub(emb.positionEmbedding.weight.narrow(0, 1, 16)), conv) < 1e-4);
    // Changing the last token leaves every earlier row of the text hidden states unchanged.
    const a = T.tensor([[998, 5, 6, 7, 999]], { dtype: 'int64' });
    const b = T.tensor([[998, 5, 6, 7, 123]], { dtype: 'int64' });
    const ha = model.textModel.forward(a).lastHiddenState.narrow(1, 0, 4);
    const hb = model.textModel.forward(b).lastHiddenState.narrow(1, 0, 4);
    assert.equal(maxAbs(ha, hb), 0);
  })));
});

test('gradients flow to the weights (training use)', () => {
  assertNoLeak(() => {
    T.tidy(() => model.encodeImage(g('pixel_values')).sum().backward());
    T.tidy(() => {
      const grad = model.visionModel.embeddings.patchEmbedding.weight.grad; // a new handle
      assert.ok(grad && grad.abs().sum().item() > 0);
    });
    model.zeroGrad();
  });
});
