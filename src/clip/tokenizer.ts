/**
 * CLIP's byte-level BPE tokenizer, as openai/CLIP `clip/simple_tokenizer.py` (commit d05afc4)
 * and Hugging Face `CLIPTokenizer` (https://github.com/openai/CLIP/blob/main/clip/simple_tokenizer.py).
 *
 * Steps (numbered as in `encode`):
 *   1. Clean: the deterministic part of ftfy (see `fixTextLite`), HTML-unescape twice, collapse
 *      whitespace, strip; then lowercase.
 *   2. Split with CLIP's regex (case-insensitive): the special tokens, the contractions
 *      's 't 're 've 'm 'll 'd, runs of letters, single digits, runs of other non-space symbols.
 *   3. Map each piece's UTF-8 bytes to printable characters (GPT-2 `bytes_to_unicode`).
 *   4. BPE per piece with the merge ranks of `merges.txt`; the last symbol carries `</w>`.
 *   5. Ids from `vocab.json`, framed as `[<|startoftext|>] + bpe + [<|endoftext|>]` (49406 …
 *      49407 for the released vocabulary), context length 77.
 *
 * Not applied: ftfy's mojibake repair (`fix_encoding`: re-decoding text that was decoded with
 * the wrong codec), which is heuristic and needs ftfy's tables. Text that is already valid
 * Unicode — nearly every caption — is unaffected; mojibake such as "cafÃ©" is tokenized as
 * written instead of as "café".
 *
 * Nothing is downloaded: the vocabulary comes from a Hugging Face CLIP model folder on disk.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a missing tokenizer file comes from; repeated in the error so users know what to do. */
const HOW_TO_GET_FILES =
  'CLIP tokenizers are read from a Hugging Face CLIP model folder (the one holding config.json, ' +
  'vocab.json and merges.txt); t2vlab never downloads anything. Copy such a folder to disk — e.g. ' +
  '`huggingface-cli download openai/clip-vit-base-patch32 --local-dir <dir>` or ' +
  '`git clone https://huggingface.co/openai/clip-vit-base-patch32` on a machine with network ' +
  'access — and pass that folder.';

export const CLIP_CONTEXT_LENGTH = 77;
export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
/** `merges[1:49152-256-2+1]` in simple_tokenizer.py and CLIPTokenizer. */
const MAX_MERGES = 49152 - 256 - 2;

// ---- 1. cleaning ----------------------------------------------------------------------------

/**
 * HTML4 named character references plus `apos` (name:hex code point), with the values of
 * Python's `html.entities.html5` (which differs from HTML4 for `lang`/`rang`). A subset of the
 * 2,231 HTML5 names that `html.unescape` knows; other names are left as written.
 */
const ENTITY_TABLE =
  'quot:22 amp:26 apos:27 lt:3c gt:3e nbsp:a0 iexcl:a1 cent:a2 pound:a3 curren:a4 yen:a5 brvbar:a6 sect:a7 ' +
  'uml:a8 copy:a9 ordf:aa laquo:ab not:ac shy:ad reg:ae macr:af deg:b0 plusmn:b1 sup2:b2 sup3:b3 acute:b4 ' +
  'micro:b5 para:b6 middot:b7 cedil:b8 sup1:b9 ordm:ba raquo:bb frac14:bc frac12:bd frac34:be iquest:bf ' +
  'Agrave:c0 Aacute:c1 Acirc:c2 Atilde:c3 Auml:c4 Aring:c5 AElig:c6 Ccedil:c7 Egrave:c8 Eacute:c9 Ecirc:ca ' +
  'Euml:cb Igrave:cc Iacute:cd Icirc:ce Iuml:cf ETH:d0 Ntilde:d1 Ograve:d2 Oacute:d3 Ocirc:d4 Otilde:d5 ' +
  'Ouml:d6 times:d7 Oslash:d8 Ugrave:d9 Uacute:da Ucirc:db Uuml:dc Yacute:dd THORN:de szlig:df agrave:e0 ' +
  'aacute:e1 acirc:e2 atilde:e3 auml:e4 aring:e5 aelig:e6 ccedil:e7 egrave:e8 eacute:e9 ecirc:ea euml:eb ' +
  'igrave:ec iacute:ed icirc:ee iuml:ef eth:f0 ntilde:f1 ograve:f2 oacute:f3 ocirc:f4 otilde:f5 ouml:f6 ' +
  'divide:f7 oslash:f8 ugrave:f9 uacute:fa ucirc:fb uuml:fc yacute:fd thorn:fe yuml:ff OElig:152 oelig:153 ' +
  'Scaron:160 scaron:161 Yuml:178 fnof:192 circ:2c6 tilde:2dc Alpha:391 Beta:392 Gamma:393 Delta:394 ' +
  'Epsilon:395 Zeta:396 Eta:397 Theta:398 Iota:399 Kappa:39a Lambda:39b Mu:39c Nu:39d Xi:39e Omicron:39f ' +
  'Pi:3a0 Rho:3a1 Sigma:3a3 Tau:3a4 Upsilon:3a5 Phi:3a6 Chi:3a7 Psi:3a8 Omega:3a9 alpha:3b1 beta:3b2 ' +
  'gamma:3b3 delta:3b4 epsilon:3b5 zeta:3b6 eta:3b7 theta:3b8 iota:3b9 kappa:3ba lambda:3bb mu:3bc nu:3bd ' +
  'xi:3be omicron:3bf pi:3c0 rho:3c1 sigmaf:3c2 sigma:3c3 tau:3c4 upsilon:3c5 phi:3c6 chi:3c7 psi:3c8 ' +
  'omega:3c9 thetasym:3d1 upsih:3d2 piv:3d6 ensp:2002 emsp:2003 thinsp:2009 zwnj:200c zwj:200d lrm:200e ' +
  'rlm:200f ndash:2013 mdash:2014 lsquo:2018 rsquo:2019 sbquo:201a ldquo:201c rdquo:201d bdquo:201e ' +
  'dagger:2020 Dagger:2021 bull:2022 hellip:2026 permil:2030 prime:2032 Prime:2033 lsaquo:2039 rsaquo:203a ' +
  'oline:203e frasl:2044 euro:20ac image:2111 weierp:2118 real:211c trade:2122 alefsym:2135 larr:2190 ' +
  'uarr:2191 rarr:2192 darr:2193 harr:2194 crarr:21b5 lArr:21d0 uArr:21d1 rArr:21d2 dArr:21d3 hArr:21d4 ' +
  'forall:2200 part:2202 exist:2203 empty:2205 nabla:2207 isin:2208 notin:2209 ni:220b prod:220f sum:2211 ' +
  'minus:2212 lowast:2217 radic:221a prop:221d infin:221e ang:2220 and:2227 or:2228 cap:2229 cup:222a ' +
  'int:222b there4:2234 sim:223c cong:2245 asymp:2248 ne:2260 equiv:2261 le:2264 ge:2265 sub:2282 sup:2283 ' +
  'nsub:2284 sube:2286 supe:2287 oplus:2295 otimes:2297 perp:22a5 sdot:22c5 lceil:2308 rceil:2309 ' +
  'lfloor:230a rfloor:230b lang:27e8 rang:27e9 loz:25ca spades:2660 clubs:2663 hearts:2665 diams:2666 ' +
  'AMP:26 COPY:a9 GT:3e LT:3c QUOT:22 REG:ae';

/** Named references keyed as Python's `html5` table: `name;` always, bare `name` for the legacy ones. */
const ENTITIES: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const item of ENTITY_TABLE.split(' ')) {
    const [name, hex] = item.split(':') as [string, string];
    const cp = parseInt(hex, 16);
    m.set(`${name};`, String.fromCodePoint(cp));
    // HTML5 accepts the Latin-1 names (U+00A0–U+00FF) and amp/lt/gt/quot without ';' (not apos).
    if ((cp >= 0xa0 && cp <= 0xff) || ['amp', 'lt', 'gt', 'quot', 'AMP', 'LT', 'GT', 'QUOT', 'COPY', 'REG'].includes(name)) {
      m.set(name, String.fromCodePoint(cp));
    }
  }
  return m;
})();

/** Python's `html._invalid_charrefs`: numeric references replaced as browsers do (0x80–0x9F as cp1252). */
const INVALID_CHARREFS: Record<number, string> = {
  0x00: '\ufffd', 0x0d: '\r', 0x80: '\u20ac', 0x81: '\x81', 0x82: '\u201a', 0x83: '\u0192', 0x84: '\u201e',
  0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021', 0x88: '\u02c6', 0x89: '\u2030', 0x8a: '\u0160', 0x8b: '\u2039',
  0x8c: '\u0152', 0x8d: '\x8d', 0x8e: '\u017d', 0x8f: '\x8f', 0x90: '\x90', 0x91: '\u2018', 0x92: '\u2019',
  0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022', 0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc', 0x99: '\u2122',
  0x9a: '\u0161', 0x9b: '\u203a', 0x9c: '\u0153', 0x9d: '\x9d', 0x9e: '\u017e', 0x9f: '\u0178',
};

/** Python's `html._invalid_codepoints`: numeric references to these decode to nothing. */
function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) || n === 0xb || (n >= 0xe && n <= 0x1f) || (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) || (n & 0xfffe) === 0xfffe
  );
}

/** Python's `html._charref`; `u` so that the 32-character limit counts code points. */
const CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

function replaceCharref(_match: string, s: string): string {
  if (s[0] === '#') {
    const hex = s[1] === 'x' || s[1] === 'X';
    const digits = s.slice(hex ? 2 : 1).replace(/;$/, '');
    const num = parseInt(digits, hex ? 16 : 10);
    const invalid = INVALID_CHARREFS[num];
    if (invalid !== undefined) return invalid;
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodepoint(num)) return '';
    return String.fromCodePoint(num);
  }
  const whole = ENTITIES.get(s);
  if (whole !== undefined) return whole;
  // The longest prefix that is a legacy name (HTML5: "&ampx" is "&x"), at least 2 characters.
  const cps = Array.from(s);
  for (let x = cps.length - 1; x > 1; x--) {
    const v = ENTITIES.get(cps.slice(0, x).join(''));
    if (v !== undefined) return v + cps.slice(x).join('');
  }
  return `&${s}`;
}

/**
 * Python's `html.unescape`: numeric references (decimal/hex, with the HTML5 replacements for
 * invalid ones) and named references (the HTML4 set plus `apos`; see `ENTITY_TABLE`).
 *
 * @example
 *   htmlUnescape('&amp;lt; &#39;hi&#x27; &eacute;');   // "&lt; 'hi' é"
 */
export function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(CHARREF_RE, replaceCharref);
}

/** ftfy's LIGATURES table (the entries common to ftfy 5 and 6). */
const LIGATURES: Record<string, string> = {
  '\u0132': 'IJ', '\u0133': 'ij', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi', '\ufb04': 'ffl',
  '\ufb05': '\u017ft', '\ufb06': 'st',
};

/**
 * The deterministic fixes of `ftfy.fix_text` with its default settings, in its order: Latin
 * ligatures → letters (ﬁ → fi), halfwidth/fullwidth forms → standard width (Ａ → A, U+3000 →
 * space), curly quotes → ASCII (U+2018–U+201B → ', U+201C–U+201F → "), NFC normalisation.
 * Omitted: mojibake repair and ftfy's own HTML/control-character handling (see the file header).
 */
export function fixTextLite(text: string): string {
  return text
    .replace(/[\u0132\u0133\ufb00-\ufb06]/g, (c) => LIGATURES[c] ?? c)
    .replace(/[\u3000\uff01-\uffef]/g, (c) => (c === '\u3000' ? ' ' : c.normalize('NFKC')))
    .replace(/[\u2018-\u201b]/g, "'")
    .replace(/[\u201c-\u201f]/g, '"')
    .normalize('NFC');
}

/** Python's `str.isspace()` characters (what `re`'s `\s` and `str.strip()` use; JS `\s` differs). */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACE_RUN_RE = new RegExp(`[${PY_SPACE}]+`, 'g');
const EDGE_SPACE_RE = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/**
 * CLIP's `basic_clean` + `whitespace_clean` + `lower()`.
 *
 * @example
 *   cleanText('  A &amp;amp; B\t\tC ');   // 'a & b c'
 */
export function cleanText(text: string, opts: { ftfyLite?: boolean } = {}): string {
  let t = opts.ftfyLite === false ? text : fixTextLite(text);
  t = htmlUnescape(htmlUnescape(t)).replace(EDGE_SPACE_RE, '');
  return t.replace(SPACE_RUN_RE, ' ').replace(EDGE_SPACE_RE, '').toLowerCase();
}

// ---- 2. pre-tokenisation --------------------------------------------------------------------

/** CLIP's split pattern, with Python's whitespace in place of `\s`. */
const SPLIT_RE = new RegExp(
  `<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^${PY_SPACE}\\p{L}\\p{N}]+`,
  'giu',
);

// ---- 3. bytes to unicode --------------------------------------------------------------------

/**
 * GPT-2's `bytes_to_unicode`: byte b → a printable character (printable Latin-1 bytes map to
 * themselves, the other 68 to U+0100 onwards), so BPE never sees spaces or control bytes.
 */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const out = new Array<string>(256);
  for (const b of bs) out[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCharCode(256 + n++);
  return out;
}

const BYTE_ENCODER = bytesToUnicode();
const BYTE_DECODER = new Map(BYTE_ENCODER.map((c, b) => [c, b]));
const UTF8 = new TextEncoder();

// ---- the tokenizer --------------------------------------------------------------------------

export interface ClipTokenizerOptions {
  /** Apply the deterministic ftfy fixes before cleaning (default true; see `fixTextLite`). */
  ftfyLite?: boolean;
  /** Most BPE results kept in the per-word cache (default 100,000; the cache is then cleared). */
  maxCacheSize?: number;
}

export interface EncodeOptions {
  /** Cut to the context length, forcing the last id to `<|endoftext|>` (default false: throw). */
  truncate?: boolean;
  /** Context length (default 77, CLIP's; from the text config's `max_position_embeddings`). */
  contextLength?: number;
}

export interface EncodeBatchOptions extends EncodeOptions {
  /** Padding after `<|endoftext|>`: 0 as OpenAI (default) or the eos id as Hugging Face. */
  pad?: 'zero' | 'eos';
}

export interface EncodedBatch {
  /** Row-major ids, `shape[0] * shape[1]` of them: `T.tensor(ids, { shape })` is (N, L) int64. */
  ids: BigInt64Array;
  /** Tokens per row before padding, `<|startoftext|>` and `<|endoftext|>` included. */
  lengths: number[];
  /** [N, contextLength] */
  shape: [number, number];
}

/**
 * @example
 *   const tok = ClipTokenizer.fromPretrained('models/clip-vit-base-patch32');
 *   tok.encode('a photo of a cat');        // [49406, 320, 1125, 539, 320, 2368, 49407]
 *   tok.tokenize("don't");                 // ['don</w>', "'t</w>"]
 *   const { ids, shape } = tok.encodeBatch(['a cat', 'a dog']);
 *   const t = T.tensor(ids, { shape });    // (2, 77) int64, zero-padded
 *   tok.decode([49406, 320, 2368, 49407]); // 'a cat'
 */
export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly contextLength = CLIP_CONTEXT_LENGTH;
  readonly #encoder: Map<string, number>;
  readonly #decoder: Map<number, string>;
  readonly #ranks: Map<string, number>;
  readonly #cache = new Map<string, string[]>();
  readonly #ftfyLite: boolean;
  readonly #maxCache: number;

  /**
   * @param vocab token → id (the contents of `vocab.json`)
   * @param merges the merge lines of `merges.txt` ("a b"), best first, without the `#version` header
   */
  constructor(vocab: Record<string, number> | Map<string, number>, merges: string[], opts: ClipTokenizerOptions = {}) {
    this.#encoder = vocab instanceof Map ? new Map(vocab) : new Map(Object.entries(vocab));
    this.#decoder = new Map();
    for (const [tok, id] of this.#encoder) this.#decoder.set(id, tok);
    this.#ranks = new Map();
    merges.forEach((line, i) => {
      const parts = line.split(' ');
      if (parts.length !== 2) throw new Error(`CLIP tokenizer: merge ${i + 1} "${line}" is not two symbols separated by one space`);
      this.#ranks.set(line, i); // a repeated line keeps its last rank, as Python's dict(zip(merges, range(n)))
    });
    const bos = this.#encoder.get(BOS_TOKEN);
    const eos = this.#encoder.get(EOS_TOKEN);
    if (bos === undefined || eos === undefined) {
      throw new Error(`CLIP tokenizer: the vocabulary lacks ${bos === undefined ? BOS_TOKEN : EOS_TOKEN}; is this a CLIP vocab.json?`);
    }
    this.bosId = bos;
    this.eosId = eos;
    this.#ftfyLite = opts.ftfyLite ?? true;
    this.#maxCache = opts.maxCacheSize ?? 100_000;
  }

  /**
   * Load `vocab.json` and `merges.txt` from a Hugging Face CLIP model folder.
   * Throws naming the missing file and how to obtain the folder; never downloads.
   */
  static fromPretrained(dir: string, opts: ClipTokenizerOptions = {}): ClipTokenizer {
    const vocabPath = join(dir, 'vocab.json');
    const mergesPath = join(dir, 'merges.txt');
    for (const p of [vocabPath, mergesPath]) {
      if (!existsSync(p)) throw new Error(`CLIP tokenizer: ${p} not found. ${HOW_TO_GET_FILES}`);
    }
    let vocab: unknown;
    try {
      vocab = JSON.parse(readFileSync(vocabPath, 'utf8'));
    } catch (err) {
      throw new Error(`CLIP tokenizer: ${vocabPath} is not valid JSON (${(err as Error).message})`);
    }
    if (vocab === null || typeof vocab !== 'object' || Array.isArray(vocab)) {
      throw new Error(`CLIP tokenizer: ${vocabPath} must be a JSON object of token → id`);
    }
    // As simple_tokenizer.py / CLIPTokenizer: skip the "#version" header, keep at most
    // 49152 - 256 - 2 merges (the vocabulary's size less bytes, byte+</w> and specials).
    const lines = readFileSync(mergesPath, 'utf8').trim().split('\n').map((l) => l.replace(/\r$/, ''));
    const merges = lines.slice(lines[0]?.startsWith('#') ? 1 : 0).filter((l) => l.length > 0).slice(0, MAX_MERGES);
    return new ClipTokenizer(vocab as Record<string, number>, merges, opts);
  }

  get vocabSize(): number {
    return this.#encoder.size;
  }

  /** Step 1: the cleaned, lowercased text that is split into words. */
  clean(text: string): string {
    return cleanText(text, { ftfyLite: this.#ftfyLite });
  }

  /** Steps 1–4: the BPE tokens of `text` (strings of the vocabulary), without bos/eos. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const m of this.clean(text).matchAll(SPLIT_RE)) {
      let word = '';
      for (const b of UTF8.encode(m[0])) word += BYTE_ENCODER[b];
      for (const t of this.#bpe(word)) out.push(t);
    }
    return out;
  }

  /**
   * Steps 1–5: `[bos] + ids + [eos]`. Longer than the context length → throws, or with
   * `truncate` keeps the first `contextLength` ids and sets the last to eos (as `clip.tokenize`).
   */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const ctx = checkContextLength(opts.contextLength ?? this.contextLength);
    const ids = [this.bosId];
    for (const t of this.tokenize(text)) {
      const id = this.#encoder.get(t);
      if (id === undefined) throw new Error(`CLIP tokenizer: BPE produced "${t}", which is not in the vocabulary (vocab.json and merges.txt do not belong together)`);
      ids.push(id);
    }
    ids.push(this.eosId);
    if (ids.length > ctx) {
      if (!opts.truncate) {
        const preview = text.length > 60 ? `${text.slice(0, 57)}...` : text;
        throw new Error(
          `CLIP tokenizer: "${preview}" is ${ids.length} tokens (with <|startoftext|> and <|endoftext|>), ` +
            `longer than the context length ${ctx}; shorten the text or pass { truncate: true }`,
        );
      }
      ids.length = ctx;
      ids[ctx - 1] = this.eosId;
    }
    return ids;
  }

  /** Encode several texts into one padded (N, contextLength) block of int64 ids. */
  encodeBatch(texts: readonly string[], opts: EncodeBatchOptions = {}): EncodedBatch {
    const ctx = checkContextLength(opts.contextLength ?? this.contextLength);
    const pad = opts.pad ?? 'zero';
    if (pad !== 'zero' && pad !== 'eos') throw new Error(`CLIP tokenizer: pad must be 'zero' or 'eos', got '${String(pad)}'`);
    const ids = new BigInt64Array(texts.length * ctx).fill(pad === 'eos' ? BigInt(this.eosId) : 0n); // (N, L)
    const lengths = texts.map((text, row) => {
      const rowIds = this.encode(text, { ...opts, contextLength: ctx });
      rowIds.forEach((id, j) => (ids[row * ctx + j] = BigInt(id)));
      return rowIds.length;
    });
    return { ids, lengths, shape: [texts.length, ctx] };
  }

  /**
   * Ids back to text: `</w>` becomes a space, bytes are decoded as UTF-8 (invalid → U+FFFD),
   * the result is trimmed (as HF). With `skipSpecialTokens` (default) bos/eos are dropped and
   * everything after the first eos (padding) is ignored.
   */
  decode(ids: Iterable<number | bigint>, opts: { skipSpecialTokens?: boolean } = {}): string {
    const skip = opts.skipSpecialTokens ?? true;
    let text = '';
    for (const raw of ids) {
      const id = Number(raw);
      if (skip && id === this.eosId) break;
      if (skip && id === this.bosId) continue;
      const tok = this.#decoder.get(id);
      if (tok === undefined) throw new Error(`CLIP tokenizer: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      text += tok;
    }
    const bytes = Uint8Array.from(text, (c) => {
      const b = BYTE_DECODER.get(c);
      if (b === undefined) throw new Error(`CLIP tokenizer: character U+${c.codePointAt(0)?.toString(16)} is not a byte symbol`);
      return b;
    });
    return new TextDecoder('utf-8').decode(bytes).replaceAll('</w>', ' ').trim();
  }

  /** Step 4: BPE of one byte-encoded word, as `SimpleTokenizer.bpe` (cached). */
  #bpe(token: string): string[] {
    if (token === BOS_TOKEN || token === EOS_TOKEN) return [token];
    const hit = this.#cache.get(token);
    if (hit) return hit;
    // (symbols) the characters of the word, the last one marked as word end
    let word = [...token.slice(0, -1), `${token.slice(-1)}</w>`];
    while (word.length > 1) {
      // 4a. the adjacent pair with the best (lowest) merge rank
      let best = Infinity;
      let bestPair = '';
      for (let i = 0; i < word.length - 1; i++) {
        const pair = `${word[i]} ${word[i + 1]}`;
        const r = this.#ranks.get(pair);
        if (r !== undefined && r < best) {
          best = r;
          bestPair = pair;
        }
      }
      if (best === Infinity) break;
      // 4b. merge every non-overlapping occurrence, left to right
      const [first, second] = bestPair.split(' ') as [string, string];
      const merged: string[] = [];
      for (let i = 0; i < word.length; ) {
        if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
          merged.push(first + second);
          i += 2;
        } else {
          merged.push(word[i]!);
          i += 1;
        }
      }
      word = merged;
    }
    if (this.#cache.size >= this.#maxCache) this.#cache.clear();
    this.#cache.set(token, word);
    return word;
  }
}

function checkContextLength(n: number): number {
  if (!Number.isInteger(n) || n < 2) throw new Error(`CLIP tokenizer: contextLength must be an integer >= 2, got ${n}`);
  return n;
}
