// Tests for src/clip/config.ts: the published configs of OpenAI's three CLIPs give the published
// parameter totals (HF model cards / num_parameters()), HF's defaults and text_config_dict rule,
// the legacy EOS flag, and clear errors for bad values. The arithmetic is also checked against a
// constructed model's parameter count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ClipConfigError, clipModelName, clipParameterCount, clipVisionFlops, parseClipConfig, readClipConfig,
} from '../../src/clip/config.js';
import { ClipModel } from '../../src/clip/model.js';
import { assertNoLeak } from '../helpers/leak.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../../../test/fixtures/clip/${p}`, import.meta.url));
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(fixture(p), 'utf8')) as Record<string, unknown>;

test('published configs give the published parameter totals', () => {
  const published: [string, number, string][] = [
    ['clip-vit-base-patch32', 151_277_313, 'clip-vit-b32'],
    ['clip-vit-base-patch16', 149_620_737, 'clip-vit-b16'],
    ['clip-vit-large-patch14', 427_616_513, 'clip-vit-l14'],
  ];
  for (const [name, total, short] of published) {
    const cfg = readClipConfig(fixture(`configs/${name}.json`));
    assert.equal(clipParameterCount(cfg), total, name);
    assert.equal(clipModelName(cfg, 'x'), short);
  }
});

test('B/32 fields, legacy eos_token_id 2, HF defaults for absent fields', () => {
  const cfg = readClipConfig(fixture('configs/clip-vit-base-patch32.json'));
  assert.deepEqual(cfg.vision, {
    hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 12, numAttentionHeads: 12, hiddenAct: 'quick_gelu',
    layerNormEps: 1e-5, numChannels: 3, imageSize: 224, patchSize: 32,
  });
  assert.equal(cfg.text.eosTokenId, 2);
  assert.equal(cfg.text.legacyEosPooling, true);
  assert.equal(cfg.projectionDim, 512);
  assert.equal(cfg.logitScaleInitValue, 2.6592);
  // An empty config is HF's CLIPConfig() default: B/32's shape with the new eos id 49407.
  const dflt = parseClipConfig({});
  assert.equal(clipParameterCount(dflt), 151_277_313);
  assert.equal(dflt.text.eosTokenId, 49407);
  assert.equal(dflt.text.legacyEosPooling, false);
  assert.equal(dflt.text.vocabSize, 49408);
  assert.equal(dflt.text.maxPositionEmbeddings, 77);
  // HF writes null for unset fields: null means "default".
  assert.equal(parseClipConfig({ vision_config: { patch_size: null } }).vision.patchSize, 32);
});

test('text_config_dict replaces text_config entirely (HF fills the dict with defaults, then overrides)', () => {
  const cfg = readClipConfig(fixture('configs/clip-vit-large-patch14.json'));
  assert.equal(cfg.text.hiddenSize, 768);
  // text_config says eos 2, but the dict (with HF's default 49407) wins, as in transformers.
  assert.equal(cfg.text.eosTokenId, 49407);
  const c = parseClipConfig({ text_config: { hidden_size: 256, num_attention_heads: 4, vocab_size: 10 }, text_config_dict: { num_attention_heads: 2 } });
  assert.equal(c.text.hiddenSize, 512);
  assert.equal(c.text.vocabSize, 49408);
  assert.equal(c.text.numAttentionHeads, 2);
});

test('the tiny fixture config, and other activations', () => {
  const cfg = readClipConfig(fixture('clip-tiny/config.json'));
  assert.equal(cfg.text.legacyEosPooling, true);
  assert.equal(cfg.vision.patchSize, 8);
  assert.equal(clipModelName(cfg, 'clip-tiny'), 'clip-tiny');
  assert.equal(parseClipConfig({ vision_config: { hidden_act: 'gelu' } }).vision.hiddenAct, 'gelu');
  assert.equal(clipModelName(parseClipConfig({ vision_config: { hidden_size: 1024, num_attention_heads: 16, patch_size: 14, image_size: 336 } }), 'x'), 'clip-vit-l14-336');
});

test('parameter arithmetic equals a constructed model (incl. an image size not divisible by the patch)', () => {
  assertNoLeak(() => {
    const tiny = readJson('clip-tiny/config.json');
    const odd = structuredClone(tiny);
    (odd['vision_config'] as Record<string, unknown>)['image_size'] = 30; // grid 3, 10 positions
    for (const json of [tiny, odd]) {
      const cfg = parseClipConfig(json);
      const m = new ClipModel(cfg);
      assert.equal(m.numParameters(), clipParameterCount(cfg));
      m.dispose();
    }
  });
});

test('ViT-B/32 image tower FLOPs per frame, by hand', () => {
  // 49 patches + class token; per layer 4·n·d² + 2·n²·d + 2·n·d·4d MACs; patch conv 49·3072·768; projection 768·512.
  const n = 50;
  const d = 768;
  const macs = 49 * 3072 * d + 12 * (4 * n * d * d + 2 * n * n * d + 2 * n * d * 3072) + d * 512;
  assert.equal(clipVisionFlops(parseClipConfig({})), 2 * macs);
  assert.ok(Math.abs(2 * macs / 1e9 - 8.82) < 0.01); // ≈ 4.4 GMACs, the usual figure for ViT-B/32
});

test('bad values are rejected with the field named', () => {
  const bad: [unknown, RegExp][] = [
    [[], /expected a JSON object/],
    [{ model_type: 'siglip' }, /model_type is "siglip", expected "clip"/],
    [{ vision_config: { hidden_size: 100, num_attention_heads: 12 } }, /vision_config: hidden_size \(100\) must be divisible by num_attention_heads \(12\)/],
    [{ text_config: { hidden_act: 'swishy' } }, /text_config: hidden_act "swishy" is not supported; use one of quick_gelu, gelu/],
    [{ text_config: { layer_norm_eps: 0 } }, /layer_norm_eps must be > 0/],
    [{ text_config: { num_hidden_layers: 1.5 } }, /num_hidden_layers must be an integer >= 1, got 1.5/],
    [{ vision_config: { patch_size: '32' } }, /patch_size must be an integer >= 1, got "32"/],
    [{ vision_config: { patch_size: 300 } }, /patch_size \(300\) must not exceed image_size \(224\)/],
    [{ projection_dim: 0 }, /projection_dim must be an integer >= 1, got 0/],
    [{ logit_scale_init_value: 'x' }, /logit_scale_init_value must be a finite number/],
    [{ text_config: 3 }, /text_config must be an object/],
  ];
  for (const [json, re] of bad) {
    assert.throws(() => parseClipConfig(json, 'my/config.json'), (e: Error) => e instanceof ClipConfigError && re.test(e.message) && e.message.startsWith('my/config.json'), JSON.stringify(json));
  }
  assert.throws(() => readClipConfig('/nonexistent/config.json'), /\/nonexistent\/config.json not found/);
});
