// Tests for src/clip/tokenizer.ts. Golden ids: test/fixtures/clip/clip-tokenizer/golden.json, made
// by openai/CLIP's simple_tokenizer.py (no ftfy); the extra ids below come from the same Python
// reference run on the fixture vocabulary, and the unescape values from Python's html.unescape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClipTokenizer, bytesToUnicode, cleanText, htmlUnescape } from '../../src/clip/tokenizer.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/clip/clip-tokenizer/', import.meta.url));

interface GoldenCase {
  text: string;
  ids: number[];
  truncated: boolean;
  bpe_tokens: string[];
}
interface Golden {
  context_length: number;
  bos: number;
  eos: number;
  cases: GoldenCase[];
}

const golden = JSON.parse(readFileSync(join(DIR, 'golden.json'), 'utf8')) as Golden;
const tok = ClipTokenizer.fromPretrained(DIR);
const tokNoFtfy = ClipTokenizer.fromPretrained(DIR, { ftfyLite: false });

test('special ids and context length come from the vocabulary and match the fixture', () => {
  assert.equal(tok.bosId, golden.bos);
  assert.equal(tok.eosId, golden.eos);
  assert.equal(tok.contextLength, golden.context_length);
  assert.equal(tok.vocabSize, 49408);
});

test('every golden case: ids (truncated where the fixture says so) and BPE strings', () => {
  assert.ok(golden.cases.length >= 14);
  for (const c of golden.cases) {
    for (const t of [tok, tokNoFtfy]) {
      assert.deepEqual(t.encode(c.text, { truncate: c.truncated }), c.ids, `ids of ${JSON.stringify(c.text)}`);
      assert.deepEqual(t.tokenize(c.text).slice(0, c.bpe_tokens.length), c.bpe_tokens, `BPE of ${JSON.stringify(c.text)}`);
    }
    if (c.truncated) {
      assert.equal(c.ids.length, 77);
      assert.equal(c.ids[76], golden.eos);
    }
  }
});

test('a text longer than the context throws a clear error unless truncation is asked for', () => {
  const long = golden.cases.find((c) => c.truncated);
  assert.ok(long, 'the fixture has a truncated case');
  assert.throws(() => tok.encode(long.text), (err: Error) => {
    assert.match(err.message, /is \d+ tokens/);
    assert.match(err.message, /context length 77/);
    assert.match(err.message, /truncate: true/);
    return true;
  });
  assert.throws(() => tok.encodeBatch(['a cat', long.text]), /context length 77/);
  // A smaller context: 'a photo of a cat' is 7 ids; 5 keeps bos + 3 tokens + eos.
  assert.deepEqual(tok.encode('a photo of a cat', { truncate: true, contextLength: 5 }), [49406, 320, 1125, 539, 49407]);
  assert.throws(() => tok.encode('a', { contextLength: 1 }), /contextLength must be an integer >= 2/);
});

test('encodeBatch: (N, 77) int64 rows, zero (OpenAI) or eos (HF) padding, lengths', () => {
  const texts = golden.cases.map((c) => c.text);
  for (const pad of ['zero', 'eos'] as const) {
    const b = tok.encodeBatch(texts, { pad, truncate: true });
    assert.deepEqual(b.shape, [texts.length, 77]);
    assert.ok(b.ids instanceof BigInt64Array);
    assert.equal(b.ids.length, texts.length * 77);
    golden.cases.forEach((c, i) => {
      const row = Array.from(b.ids.subarray(i * 77, (i + 1) * 77), Number);
      assert.equal(b.lengths[i], c.ids.length);
      assert.deepEqual(row.slice(0, c.ids.length), c.ids);
      const fill = pad === 'zero' ? 0 : golden.eos;
      assert.ok(row.slice(c.ids.length).every((v) => v === fill), `padding of row ${i}`);
    });
  }
  assert.deepEqual(tok.encodeBatch([]).shape, [0, 77]);
  assert.equal(tok.encodeBatch(['a']).ids[3], 0n); // default pad: zero
});

test('contractions, specials, Python whitespace, entities (ids from the Python reference)', () => {
  const cases: [string, number[]][] = [
    ["it's a dog's life", [49406, 585, 568, 320, 1929, 568, 970, 49407]],
    ['<|startoftext|>hi<|endoftext|>', [49406, 49406, 1883, 49407, 49407]],
    ['a\x1cb\x85c\u2028d', [49406, 320, 321, 322, 323, 49407]], // Python's \s, not JS's
    ['x &amp;amp; y', [49406, 343, 261, 344, 49407]], // unescaped twice
    ['ΣΑΣ 日本', [49406, 139, 225, 138, 109, 139, 480, 39121, 19277, 361, 49407]],
    ['crème brûlée', [49406, 1075, 12138, 614, 711, 127, 119, 75, 13489, 49407]],
  ];
  for (const [text, ids] of cases) assert.deepEqual(tokNoFtfy.encode(text), ids, JSON.stringify(text));
});

test('ftfy-lite: ligatures, widths, curly quotes and NFC as ftfy.fix_text; off reproduces the no-ftfy reference', () => {
  assert.deepEqual(tok.encode('don\u2019t'), tok.encode("don't"));
  assert.deepEqual(tok.encode("don't"), [49406, 847, 713, 49407]);
  assert.deepEqual(tokNoFtfy.encode('don\u2019t'), [49406, 847, 728, 503, 339, 49407]);
  assert.deepEqual(tok.encode('\ufb01nance'), [49406, 6117, 49407]); // 'finance'
  assert.deepEqual(tok.encode('\uff23\uff21\uff34'), [49406, 2368, 49407]); // fullwidth 'CAT'
  assert.deepEqual(tok.encode('e\u0301'), [49406, 4166, 49407]); // NFC 'é'
  assert.deepEqual(tokNoFtfy.encode('e\u0301'), [49406, 324, 136, 479, 49407]);
  assert.equal(cleanText('  A &amp;amp; B\t\tC '), 'a & b c');
});

test('htmlUnescape matches Python html.unescape (numeric rules, legacy names, prefixes)', () => {
  assert.equal(htmlUnescape('&amp;lt; &#39;hi&#x27; &eacute;'), "&lt; 'hi' é");
  assert.equal(
    htmlUnescape('&ampx &AMP &lt;&gt &#0; &#128; &#150; &#xD800; &#1114112; &#1; &#65535;'),
    '&x & <> \ufffd \u20ac \u2013 \ufffd \ufffd  ',
  );
  assert.equal(htmlUnescape('&notin; &notit; &apos; &copy2017 &unknown; & amp;'), "∉ ¬it; ' ©2017 &unknown; & amp;");
  assert.equal(htmlUnescape('&#x1F600; &#X41 &#65'), '😀 A A');
});

test('bytesToUnicode is a bijection onto printable characters', () => {
  const m = bytesToUnicode();
  assert.equal(new Set(m).size, 256);
  assert.equal(m[0x41], 'A');
  assert.equal(m[0x20], '\u0120'); // 'Ġ'
});

test('decode inverts encode up to word boundaries', () => {
  assert.equal(tok.decode(tok.encode('a photo of a cat')), 'a photo of a cat');
  assert.equal(tok.decode(tok.encode('café naïve résumé')), 'café naïve résumé');
  assert.equal(tok.decode(tok.encode('emoji 😀 ok')), 'emoji 😀 ok');
  const { ids } = tok.encodeBatch(['a cat'], { pad: 'zero' });
  assert.equal(tok.decode(ids), 'a cat'); // padding after eos is ignored
  assert.equal(tok.decode([49406, 320, 2368, 49407], { skipSpecialTokens: false }), '<|startoftext|>a cat <|endoftext|>');
  assert.throws(() => tok.decode([123456]), /id 123456 is not in the vocabulary/);
});

test('a missing file names itself and how to get a model folder; nothing is downloaded', () => {
  const dir = mkdtempSync(join(tmpdir(), 't2v-cliptok-'));
  try {
    assert.throws(() => ClipTokenizer.fromPretrained(dir), (err: Error) => {
      assert.match(err.message, /vocab\.json not found/);
      assert.match(err.message, /openai\/clip-vit-base-patch32/);
      assert.match(err.message, /never downloads/);
      return true;
    });
    copyFileSync(join(DIR, 'vocab.json'), join(dir, 'vocab.json'));
    assert.throws(() => ClipTokenizer.fromPretrained(dir), /merges\.txt not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
