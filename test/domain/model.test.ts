import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { DomainModel, loadDomainModel, type DomainArch } from '../../src/domain/model.js';
import { Vocab } from '../../src/domain/vocab.js';
import { loadConditioner } from '../../src/align/text-encoder.js';
import { assertClose } from '../helpers/close.js';
import { assertNoLeak } from '../helpers/leak.js';

const ARCH: DomainArch = {
  text: { width: 16, layers: 1, heads: 2, maxTokens: 16 },
  video: { inputChannels: 1, frames: 4, size: 16, channels: [8, 8] },
  embedDim: 12,
};
const CAPTIONS = ['digit 3 is moving up and down', 'digit 7 is moving left and right'];
const SAVE = { dataset: { name: 'toy', dir: 'toy', frames: 8, height: 32, width: 32, channels: 1 }, seed: 5, preset: 'test', train: { seconds: 0 }, test: { r1: 0 } };

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 't2v-domain-model-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh model with non-trivial BatchNorm running statistics (a few training-mode passes). */
function freshModel(): DomainModel {
  T.manualSeed(5);
  const m = new DomainModel(Vocab.fromCaptions(CAPTIONS), ARCH);
  T.tidy(() => T.noGrad(() => {
    for (let i = 0; i < 3; i++) m.embedVideos(T.rand([4, 1, 8, 32, 32]));
  }));
  m.eval();
  return m;
}

function toyVideos(channels: 1 | 3): T.Tensor {
  const n = 3 * 8 * 32 * 32 * channels;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 37 + ((i / 97) | 0)) % 256;
  return T.tensor(data, { shape: [3, 8, 32, 32, channels] }); // (B, T, H, W, C)
}

test('state-dict keys are PyTorch-style', () => {
  const m = freshModel();
  const keys = [...m.namedParameters().keys()];
  for (const k of ['text.token_embedding.weight', 'text.positional_embedding', 'text.layers.0.attn.in_proj_weight', 'text.ln_final.weight',
    'video.stages.0.conv.weight', 'video.stages.1.norm.weight', 'text_projection.weight', 'video_projection.weight', 'logit_scale']) {
    assert.ok(keys.includes(k), k);
  }
  const sd = m.stateDict();
  assert.ok(sd.has('video.stages.0.norm.running_mean'));
  for (const t of sd.values()) t.dispose();
  m.dispose();
});

test('save → load: identical text, video and frame embeddings; names from the folder', async () => {
  const m = freshModel();
  const folder = join(dir, 'single-seed5');
  m.save(folder, SAVE);
  const loaded = await loadDomainModel(folder);
  assert.equal(loaded.name, 'domain:single-seed5');
  assert.equal(loaded.conditioner().name, 'domain-text:single-seed5');
  assert.equal(loaded.config?.seed, 5);
  T.tidy(() => {
    const u8 = toyVideos(1);
    const frames = u8.select(0, 0); // (8, 32, 32, 1)
    assert.deepEqual(loaded.encodeTexts(CAPTIONS).toArray(), m.encodeTexts(CAPTIONS).toArray());
    assert.deepEqual(loaded.encodeVideos(u8).toArray(), m.encodeVideos(u8).toArray());
    assert.deepEqual(loaded.encodeFrames(frames).toArray(), m.encodeFrames(frames).toArray());
    const a = m.conditioner().encode(CAPTIONS);
    const b = loaded.conditioner().encode(CAPTIONS);
    assert.deepEqual(b.states.toArray(), a.states.toArray());
    assert.deepEqual(b.pooled.toArray(), a.pooled.toArray());
  });
  m.dispose();
  loaded.dispose();
});

test('metric interfaces: shapes, gray = replicated RGB, a frame = its static clip; no leaks', () => {
  const m = freshModel();
  assertNoLeak(() => T.tidy(() => {
    const gray = toyVideos(1);
    const rgb = gray.expand([3, 8, 32, 32, 3]).contiguous();
    const v = m.encodeVideos(gray);
    assert.deepEqual(v.shape, [3, 12]);
    assertClose(m.encodeVideos(rgb).toArray(), v.toArray(), 1e-4, 1e-4);
    assert.deepEqual(m.encodeTexts(['digit 3', 'zebra', 'digit 7 is moving']).shape, [3, 12]);
    // Per-frame features are the video embedding of the frame held still for the tower's frames.
    const frame = gray.select(0, 0).narrow(0, 2, 1); // (1, 32, 32, 1)
    const still = frame.unsqueeze(0).expand([1, 5, 32, 32, 1]).contiguous(); // (1, 5, 32, 32, 1)
    assertClose(m.encodeFrames(frame).toArray(), m.encodeVideos(still).toArray(), 1e-5, 1e-5);
    assert.deepEqual(m.encodeFrames(gray.select(0, 1)).shape, [8, 12]);
  }));
  m.dispose();
});

test('loss: finite, gradients on both towers and the temperature, no leaks', () => {
  T.manualSeed(0);
  const m = new DomainModel(Vocab.fromCaptions(CAPTIONS), ARCH);
  assertNoLeak(() => T.tidy(() => {
    const loss = m.loss(T.rand([4, 1, 8, 32, 32]), [CAPTIONS[0]!, CAPTIONS[1]!, CAPTIONS[0]!, CAPTIONS[0]!]);
    assert.ok(Number.isFinite(loss.item()));
    loss.backward();
    for (const k of ['text.token_embedding.weight', 'video.stages.0.conv.weight', 'logit_scale']) {
      const g = m.getParameter(k).grad;
      assert.ok(g !== null && g.abs().sum().item() > 0, k);
    }
  }));
  m.zeroGrad();
  m.dispose();
});

test('loadDomainModel: errors name the missing files and the command that makes them', async () => {
  await assert.rejects(loadDomainModel(join(dir, 'nope')), /does not exist; train one with `t2v train domain --data DATA_DIR --out/);
  const m = freshModel();
  const folder = join(dir, 'partial');
  m.save(folder, SAVE);
  m.dispose();
  rmSync(join(folder, 'vocab.json'));
  rmSync(join(folder, 'config.json'));
  await assert.rejects(loadDomainModel(folder), /lacks config\.json, vocab\.json; make it with `t2v train domain/);
});

test('loadConditioner on a domain-model folder gives its text tower; dispose frees the model', async () => {
  const m = freshModel();
  const folder = join(dir, 'cond-seed1');
  m.save(folder, SAVE);
  const before = T.liveTensors();
  const c = await loadConditioner(folder);
  assert.equal(c.name, 'domain-text:cond-seed1');
  assert.equal(c.dim, m.conditioner().dim);
  T.tidy(() => {
    const got = c.encode(CAPTIONS);
    const want = m.conditioner().encode(CAPTIONS);
    assert.deepEqual(got.pooled.toArray(), want.pooled.toArray());
    assert.deepEqual(got.mask.toArray(), want.mask.toArray());
  });
  c.dispose();
  assert.equal(T.liveTensors(), before);
  m.dispose();
});
