// Tests for src/models/dino.ts: HF ViTModel keys, a tiny random config saved to a temp folder and
// loaded back (round trip), output shapes with position-embedding interpolation, the 0-layer
// model against a hand LayerNorm, DINO preprocessing of a constant frame, missing-file errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { DinoViT, IMAGENET_MEAN, IMAGENET_STD, interpolatePositions, loadDino, preprocessDino, type ViTConfig } from '../../src/models/dino.js';
import { saveTensors } from '../../src/io/tensors.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';

const TINY: ViTConfig = {
  hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, image_size: 32,
  patch_size: 8, num_channels: 3, layer_norm_eps: 1e-6, qkv_bias: true, hidden_act: 'gelu',
};

/** Save a random tiny model as an HF folder (with an extra pooler, which the loader must ignore). */
function saveTiny(dir: string, config: ViTConfig): Float32Array {
  const net = new DinoViT(config);
  const sd = net.stateDict();
  const pooler = T.zeros([config.hidden_size, config.hidden_size]);
  sd.set('pooler.dense.weight', pooler);
  saveTensors(join(dir, 'model.safetensors'), sd);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'vit', architectures: ['ViTModel'], ...config }));
  const q = net.getParameter('encoder.layer.1.attention.attention.query.weight').toFloat32Array();
  for (const t of sd.values()) t.dispose();
  net.dispose();
  return q;
}

test('DinoViT has the HF ViTModel keys (facebook/dino-vitb16 layout)', () =>
  assertNoLeak(() => {
    const net = new DinoViT(TINY);
    const sd = net.stateDict();
    const keys = [...sd.keys()];
    for (const t of sd.values()) t.dispose();
    net.dispose();
    const layer = (i: number): string[] => [
      'attention.attention.query.weight', 'attention.attention.query.bias', 'attention.attention.key.weight', 'attention.attention.key.bias',
      'attention.attention.value.weight', 'attention.attention.value.bias', 'attention.output.dense.weight', 'attention.output.dense.bias',
      'intermediate.dense.weight', 'intermediate.dense.bias', 'output.dense.weight', 'output.dense.bias',
      'layernorm_before.weight', 'layernorm_before.bias', 'layernorm_after.weight', 'layernorm_after.bias',
    ].map((k) => `encoder.layer.${i}.${k}`);
    const expected = [
      'embeddings.cls_token', 'embeddings.position_embeddings', 'embeddings.patch_embeddings.projection.weight', 'embeddings.patch_embeddings.projection.bias',
      ...layer(0), ...layer(1), 'layernorm.weight', 'layernorm.bias',
    ];
    assert.deepEqual(keys.sort(), expected.sort());
  }));

test('loadDino round trip: a tiny random config gives one class token per frame (non-square frames interpolate positions)', () =>
  assertNoLeak(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dino-'));
    try {
      const q = saveTiny(dir, TINY);
      const enc = await loadDino(dir, { device: 'cpu' });
      try {
        assert.equal(enc.name, 'dino-vit-16x2-p8');
        const loaded = (enc as unknown as { model: DinoViT }).model.getParameter('encoder.layer.1.attention.attention.query.weight').toFloat32Array();
        assert.deepEqual(Array.from(loaded), Array.from(q));
        const f = T.tidy(() => enc.encodeFrames(T.randint(0, 256, [3, 40, 56, 3], { dtype: 'uint8' }))); // → 224×313 → 28×39 patches
        assert.deepEqual(f.shape, [3, 16]);
        assert.ok(f.toArray().every(Number.isFinite));
        f.dispose();
      } finally {
        enc.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('with no layers the feature is LayerNorm(cls_token + position_embeddings[0]) (hand LayerNorm)', () =>
  assertNoLeak(() => {
    const net = new DinoViT({ ...TINY, num_hidden_layers: 0, hidden_size: 4, num_attention_heads: 1 });
    T.tidy(() => {
      net.loadStateDict(new Map<string, Tensor>([
        ['embeddings.cls_token', T.tensor([[[1, 2, 3, 4]]])],
        ['embeddings.position_embeddings', T.cat([T.tensor([[[1, 0, 1, 0]]]), T.randn([1, 16, 4])], { dim: 1 })],
      ]), { strict: false });
      const y = net.forward(T.randn([1, 3, 32, 40])); // any image: the class token does not attend without layers
      // x = (2, 2, 4, 4): mean 3, variance 1 → (x − 3)/√(1 + 1e-6)
      const s = 1 / Math.sqrt(1 + 1e-6);
      assertClose(y.toArray(), [-s, -s, s, s], 1e-6);
    });
    net.dispose();
  }));

test('position interpolation: identity at the native grid, and a constant grid stays constant (bicubic weights sum to 1)', () =>
  assertNoLeak(() => {
    T.tidy(() => {
      const pos = T.randn([1, 17, 3]);
      assert.ok(T.equal(interpolatePositions(pos, 4, 4, true), pos));
      const flat = T.cat([T.zeros([1, 1, 3]), T.full([1, 16, 3], 0.25)], { dim: 1 });
      const r = interpolatePositions(flat, 5, 7, false); // (1, 1 + 35, 3)
      assert.deepEqual(r.shape, [1, 36, 3]);
      assertClose(r.narrow(1, 1, 35).toArray(), new Array(105).fill(0.25), 1e-6);
    });
  }));

test('preprocessDino: shorter side to 224 (longer side truncated), no crop, ImageNet mean/std', () =>
  assertNoLeak(() => {
    const x = T.tidy(() => {
      const p = preprocessDino(T.full([2, 40, 56, 3], 128, { dtype: 'uint8' }));
      return { shape: p.shape, first: [0, 1, 2].map((c) => p.select(1, c).mean().item()) };
    });
    assert.deepEqual(x.shape, [2, 3, 224, 313]); // int(224·56/40) = 313
    assertClose(x.first, [0, 1, 2].map((c) => (128 / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!), 1e-5);
  }));

test('loadDino names the missing file and how to get it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dino-empty-'));
  try {
    await assert.rejects(loadDino(dir), /config\.json' not found.*facebook\/dino-vitb16/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
