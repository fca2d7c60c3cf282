import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EOS_ID, PAD_ID, UNK_ID, Vocab, words } from '../../src/domain/vocab.js';

test('words: lowercase, split on every non-alphanumeric run', () => {
  assert.deepEqual(words('Digit 3, is   MOVING up-and-down!'), ['digit', '3', 'is', 'moving', 'up', 'and', 'down']);
  assert.deepEqual(words('  '), []);
  assert.deepEqual(words('café déjà-vu 42'), ['café', 'déjà', 'vu', '42']);
});

test('fromCaptions: specials 0..2, then the distinct words sorted', () => {
  const v = Vocab.fromCaptions(['digit 3 is moving up and down', 'digit 7 is moving left and right']);
  assert.deepEqual(v.tokens, ['[PAD]', '[UNK]', '[EOS]', '3', '7', 'and', 'digit', 'down', 'is', 'left', 'moving', 'right', 'up']);
  assert.equal(v.size, 13);
  assert.equal([PAD_ID, UNK_ID, EOS_ID].join(), '0,1,2');
});

test('encode: ids, [UNK] for unknown words, [EOS] last; maxTokens keeps [EOS]', () => {
  const v = Vocab.fromCaptions(['digit 3 is moving up and down']);
  // tokens: [PAD] [UNK] [EOS] 3 and digit down is moving up → ids 3..9
  assert.deepEqual(v.encode('Digit 3 is moving LEFT.'), [5, 3, 7, 8, 1, 2]);
  assert.deepEqual(v.encode(''), [2]);
  assert.deepEqual(v.encode('digit 3 is moving up and down', 4), [5, 3, 7, 2]);
  assert.deepEqual(v.encode('digit', 1), [2]);
  assert.equal(v.decode(v.encode('digit zebra')), 'digit [UNK] [EOS]');
  assert.throws(() => v.encode('x', 0), /maxTokens/);
});

test('save → load gives the same tokens; bad files are refused with the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 't2v-vocab-'));
  try {
    const v = Vocab.fromCaptions(['b a', 'c']);
    v.save(join(dir, 'vocab.json'));
    assert.deepEqual(Vocab.load(join(dir, 'vocab.json')).tokens, ['[PAD]', '[UNK]', '[EOS]', 'a', 'b', 'c']);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ format: 't2vlab-vocab', version: 1, tokens: ['a', '[UNK]', '[EOS]'] }));
    assert.throws(() => Vocab.load(join(dir, 'bad.json')), /must start with \[PAD\]/);
    assert.throws(() => Vocab.load(join(dir, 'missing.json')), /missing\.json' is missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
