// Tests for src/clip/encoder.ts: the metrics' CLIP encoder gives exactly what the model gives on
// the same preprocessed pixels / token ids (chunking, gray frames and the cut to the longest text
// change nothing), and loadClipEncoder reads a folder or says which files are missing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { ClipModel } from '../../src/clip/model.js';
import { ClipEncoder, loadClipEncoder } from '../../src/clip/encoder.js';
import { preprocessClipImages } from '../../src/clip/preprocess.js';
import { ClipTokenizer, bytesToUnicode } from '../../src/clip/tokenizer.js';
import { assertNoLeak } from '../helpers/leak.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/clip/clip-tiny', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'clip-encoder-test-'));

/**
 * A byte-level vocabulary that fits the tiny model's 1000 ids: byte symbols 0–255, byte symbols
 * ending a word 256–511, two merges ("c a" → 512, "ca t</w>" → 513), bos 998, eos 999 (the
 * largest id, as the fixture's legacy argmax pooling needs).
 */
function tinyVocab(): { vocab: Record<string, number>; merges: string[] } {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((c, b) => {
    vocab[c] = b;
    vocab[`${c}</w>`] = 256 + b;
  });
  vocab['ca'] = 512;
  vocab['cat</w>'] = 513;
  vocab['<|startoftext|>'] = 998;
  vocab['<|endoftext|>'] = 999;
  return { vocab, merges: ['c a', 'ca t</w>'] };
}
const { vocab, merges } = tinyVocab();
const tokenizer = new ClipTokenizer(vocab, merges);
const encoder = new ClipEncoder(ClipModel.fromPretrained(DIR), tokenizer, { frameBatch: 2, textBatch: 2 });
const model = encoder.model;
after(() => {
  encoder.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

function maxAbs(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return T.tidy(() => a.sub(b).abs().max().item());
}

test('encodeFrames equals the model on preprocessClipImages pixels (5 frames in chunks of 2)', () => {
  assertNoLeak(() => T.tidy(() => {
    T.manualSeed(3);
    const frames = T.randint(0, 256, [5, 40, 50, 3], { dtype: 'uint8' }); // (N, H, W, 3)
    const got = encoder.encodeFrames(frames); // (5, 32)
    const want = T.noGrad(() => model.encodeImage(preprocessClipImages(frames, { size: 32 }))); // (5, 32)
    assert.deepEqual(got.shape, [5, 32]);
    assert.equal(got.dtype, 'float32');
    assert.ok(maxAbs(got, want) < 1e-5);
    assert.equal(got.requiresGrad, false);
    // Gray frames are the RGB frames with the one channel repeated.
    const gray = frames.narrow(3, 0, 1); // (5, 40, 50, 1)
    assert.ok(maxAbs(encoder.encodeFrames(gray), encoder.encodeFrames(gray.repeat([1, 1, 1, 3]))) === 0);
    assert.deepEqual(encoder.encodeFrames(T.zeros([0, 8, 8, 3], { dtype: 'uint8' })).shape, [0, 32]);
  }));
});

test('encodeFrames rejects frames that are not uint8 (N, H, W, 3|1)', () => {
  assertNoLeak(() => T.tidy(() => {
    assert.throws(() => encoder.encodeFrames(T.zeros([2, 8, 8, 3])), /expected uint8 frames \(N, H, W, 3\) or \(N, H, W, 1\), got float32 \[2, 8, 8, 3\]/);
    assert.throws(() => encoder.encodeFrames(T.zeros([2, 3, 8, 8], { dtype: 'uint8' })), /got uint8 \[2, 3, 8, 8\]/);
  }));
});

test('encodeTexts equals the model on the full 77-id rows (3 texts in chunks of 2)', () => {
  assertNoLeak(() => T.tidy(() => {
    const texts = ['a cat', 'Cats and 2 dogs!', 'x'];
    assert.deepEqual(tokenizer.encode('a cat'), [998, 256 + 97, 513, 999]); // a</w>, cat</w>
    const { ids, shape } = tokenizer.encodeBatch(texts); // (3, 77), zero padded
    const want = T.noGrad(() => model.encodeText(T.tensor(ids, { shape }))); // (3, 32)
    const got = encoder.encodeTexts(texts);
    assert.deepEqual(got.shape, [3, 32]);
    assert.ok(maxAbs(got, want) < 1e-5);
    assert.deepEqual(encoder.encodeTexts([]).shape, [0, 32]);
  }));
});

test('texts longer than the context throw unless truncate is asked for', () => {
  const long = 'a '.repeat(100);
  assertNoLeak(() => assert.throws(() => encoder.encodeTexts([long]), /longer than the context length 77; shorten the text or pass \{ truncate: true \}/));
  const trunc = new ClipEncoder(ClipModel.fromPretrained(DIR), tokenizer, { truncate: true });
  assertNoLeak(() => T.tidy(() => {
    const ids = T.tensor([998, ...Array<number>(75).fill(256 + 97), 999], { dtype: 'int64' }).unsqueeze(0); // (1, 77)
    assert.ok(maxAbs(trunc.encodeTexts([long]), T.noGrad(() => trunc.model.encodeText(ids))) < 1e-5);
  }));
  trunc.dispose();
});

test('a config eos_token_id that is not the tokenizer\'s <|endoftext|> is refused', () => {
  const m = ClipModel.fromPretrained(DIR);
  const cfg = m.config;
  const other = new ClipModel({ ...cfg, text: { ...cfg.text, eosTokenId: 7, legacyEosPooling: false } });
  assert.throws(() => new ClipEncoder(other, tokenizer), /eos_token_id \(7\) is not the tokenizer's <\|endoftext\|> id \(999\)/);
  other.dispose();
  m.dispose();
});

test('loadClipEncoder reads a folder; its name falls back to the folder name for non-ViT widths', async () => {
  const dir = join(tmp, 'my-tiny-clip');
  mkdirSync(dir);
  copyFileSync(join(DIR, 'config.json'), join(dir, 'config.json'));
  copyFileSync(join(DIR, 'model.safetensors'), join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocab));
  writeFileSync(join(dir, 'merges.txt'), `#version: 0.2\n${merges.join('\n')}\n`);
  await assertNoLeak(async () => {
    const enc = await loadClipEncoder(dir);
    assert.equal(enc.name, 'my-tiny-clip');
    T.tidy(() => assert.ok(maxAbs(enc.encodeTexts(['a cat']), encoder.encodeTexts(['a cat'])) === 0));
    enc.dispose();
  });
  const named = await loadClipEncoder(dir, { name: 'tiny' });
  assert.equal(named.name, 'tiny');
  named.dispose();
});

test('loadClipEncoder names every missing file and how to get them', async () => {
  const dir = join(tmp, 'half');
  mkdirSync(dir);
  copyFileSync(join(DIR, 'config.json'), join(dir, 'config.json'));
  await assert.rejects(loadClipEncoder(dir), (e: Error) =>
    e.message.includes(`model.safetensors, vocab.json, merges.txt not found in ${dir}`) &&
    e.message.includes('huggingface-cli download openai/clip-vit-base-patch32') && e.message.includes('never downloads'));
});
