import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOISE_DICTIONARY, NoiseWords, corpusVocabulary, tokenize } from '../../src/align/noise-words.js';
import { Rng } from '../../src/data/syncdraw/rng.js';

const SINGLE = Array.from({ length: 20 }, (_, i) => `digit ${i % 10} is moving ${i < 10 ? 'up and down' : 'left and right'}`);

test('tokenize lower-cases and splits on non-word characters', () => {
  assert.deepEqual(tokenize('Digit 3, moving UP-and-down'), ['digit', '3', 'moving', 'up', 'and', 'down']);
});

test('the dictionary is filtered against the corpus, plural and singular forms included', () => {
  const corpus = [...SINGLE, 'the violin plays', 'two guitars and a comets'];
  const noise = NoiseWords.fromCorpus(corpus);
  const vocab = corpusVocabulary(corpus);
  for (const w of noise.words) assert.ok(!vocab.has(w), `'${w}' is in the corpus`);
  assert.ok(!noise.words.includes('violin'));
  assert.ok(!noise.words.includes('guitar'), 'guitars in the corpus removes guitar');
  assert.ok(!noise.words.includes('comet'), 'comets in the corpus removes comet');
  assert.deepEqual([...noise.removed].sort(), ['comet', 'guitar', 'violin']);
  assert.equal(noise.words.length, new Set(NOISE_DICTIONARY).size - 3);
  assert.ok(noise.words.length >= 200);
});

test('too few dictionary words left is an error that says what to do', () => {
  const corpus = [NOISE_DICTIONARY.slice(0, 150).join(' ')];
  assert.throws(() => NoiseWords.fromCorpus(corpus), /only \d+ of \d+ dictionary words .*lower minWords/);
  assert.doesNotThrow(() => NoiseWords.fromCorpus(corpus, { minWords: 10 }));
});

test('insert adds exactly one dictionary word and keeps the caption words in order', () => {
  const noise = NoiseWords.fromCorpus(SINGLE);
  const rng = Rng.fromSeed(3);
  for (let k = 0; k < 200; k++) {
    const c = SINGLE[k % SINGLE.length]!;
    const out = noise.insert(c, rng).split(' ');
    const orig = c.split(' ');
    assert.equal(out.length, orig.length + 1);
    const extra = out.findIndex((w, i) => w !== orig[i]);
    const at = extra < 0 ? orig.length : extra;
    assert.ok(noise.words.includes(out[at]!), `inserted '${out[at]}' is not a noise word`);
    assert.deepEqual([...out.slice(0, at), ...out.slice(at + 1)], orig);
  }
});

test('the insertion rate is p = 0.15 over many seeded draws and positions are uniform over the gaps', () => {
  const noise = NoiseWords.fromCorpus(SINGLE);
  const rng = Rng.fromSeed(11);
  const n = 20000;
  let changed = 0;
  for (let k = 0; k < n; k++) if (noise.maybeInsert('digit 3 is moving up and down', rng) !== 'digit 3 is moving up and down') changed++;
  // Binomial(20000, 0.15): σ ≈ 0.0025; ±4σ.
  assert.ok(Math.abs(changed / n - 0.15) < 0.01, `rate ${changed / n}`);
  const gaps = [0, 0, 0, 0];
  for (let k = 0; k < 4000; k++) {
    const w = noise.insert('a b c', rng).split(' ');
    const pos = w[0] !== 'a' ? 0 : w[1] !== 'b' ? 1 : w[2] !== 'c' ? 2 : 3;
    gaps[pos]!++;
  }
  for (const g of gaps) assert.ok(Math.abs(g / 4000 - 0.25) < 0.03, `gaps ${gaps}`);
});

test('augmentation is deterministic given the seed', () => {
  const noise = NoiseWords.fromCorpus(SINGLE, { p: 0.5 });
  const a = noise.augment(SINGLE, Rng.fromSeed(5).fork(7));
  const b = noise.augment(SINGLE, Rng.fromSeed(5).fork(7));
  const c = noise.augment(SINGLE, Rng.fromSeed(5).fork(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});
