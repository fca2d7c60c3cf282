// Tests for src/io/safetensors.ts. Golden bytes are built by hand from the format spec
// (huggingface/safetensors README): LE u64 header length, JSON header, data buffer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DTYPE_BYTES,
  parseSafetensors,
  readSafetensors,
  SafetensorsError,
  SafetensorsFile,
  serializeSafetensors,
  writeSafetensors,
  type RawTensor,
  type SafeDType,
} from '../../src/io/safetensors.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/clip/', import.meta.url));

/** Little-endian u64 written byte by byte (spec: "8 bytes: N, an unsigned little-endian 64-bit integer"). */
function leU64(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++) out.push(Math.floor(n / 2 ** (8 * i)) % 256);
  return out;
}

/** A file from a header string and data bytes; `headerLen` overrides the length prefix. */
function handFile(header: string, data: number[] = [], headerLen?: number): Uint8Array {
  const h = [...new TextEncoder().encode(header)];
  return Uint8Array.from([...leU64(headerLen ?? h.length), ...h, ...data]);
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 't2v-safetensors-'));
}

function expectError(fn: () => unknown, ...substrings: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SafetensorsError, `expected SafetensorsError, got ${String(err)}`);
    for (const s of substrings) assert.ok(err.message.includes(s), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(s)}`);
    return true;
  });
}

test('DTYPE_BYTES matches the spec element sizes', () => {
  assert.deepEqual(DTYPE_BYTES, { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 });
});

test('parses a file built by hand byte by byte', () => {
  const header =
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]},"__metadata__":{"format":"pt"}}';
  // 1.0f = 0x3F800000, -2.0f = 0xC0000000, little-endian.
  const file = handFile(header, [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 7, 8, 9]);
  const { tensors, metadata } = parseSafetensors(file, 'hand.safetensors');
  assert.deepEqual(metadata, { format: 'pt' });
  assert.deepEqual([...tensors.keys()], ['a', 'b']);
  const a = tensors.get('a')!;
  assert.equal(a.dtype, 'F32');
  assert.deepEqual(a.shape, [2]);
  assert.deepEqual([...new Float32Array(a.data.buffer, a.data.byteOffset, 2)], [1, -2]);
  assert.deepEqual(tensors.get('b'), { dtype: 'U8', shape: [3], data: Uint8Array.from([7, 8, 9]) });
});

test('header may be padded with trailing spaces; empty header is valid', () => {
  const file = handFile('{"x":{"dtype":"I8","shape":[],"data_offsets":[0,1]}}      ', [0xff]);
  assert.deepEqual(parseSafetensors(file).tensors.get('x'), { dtype: 'I8', shape: [], data: Uint8Array.from([0xff]) });
  const empty = parseSafetensors(handFile('{}      '));
  assert.equal(empty.tensors.size, 0);
  assert.deepEqual(empty.metadata, {});
});

test('serialize writes the exact header bytes of the spec', () => {
  const buf = serializeSafetensors(
    { b: { dtype: 'U8', shape: [2], data: Uint8Array.from([1, 2]) }, a: { dtype: 'F32', shape: [1], data: Uint8Array.from([0, 0, 0x80, 0x3f]) } },
    { format: 'pt' },
  );
  const json =
    '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' +
    '"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}';
  assert.equal(json.length, 137);
  const padded = json + '       '; // 7 spaces: padded to 144, a multiple of 8
  const expected = Uint8Array.from([...leU64(144), ...Buffer.from(padded, 'utf8'), 0, 0, 0x80, 0x3f, 1, 2]);
  assert.deepEqual(new Uint8Array(buf), expected);
});

test('serialize sorts names byte-wise (numeric-looking names too) and omits empty metadata', () => {
  const t = (v: number): RawTensor => ({ dtype: 'U8', shape: [1], data: Uint8Array.from([v]) });
  const buf = serializeSafetensors(new Map([['a', t(3)], ['2', t(2)], ['10', t(1)]]), {});
  const n = Number(buf.readBigUInt64LE(0));
  assert.equal(n % 8, 0);
  const header = buf.subarray(8, 8 + n).toString('utf8').trimEnd();
  assert.equal(
    header,
    '{"10":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"2":{"dtype":"U8","shape":[1],"data_offsets":[1,2]},' +
      '"a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}',
  );
  assert.deepEqual([...buf.subarray(8 + n)], [1, 2, 3]);
});

test('header length is always a multiple of 8', () => {
  for (let len = 1; len <= 16; len++) {
    const buf = serializeSafetensors({ ['x'.repeat(len)]: { dtype: 'BOOL', shape: [0], data: new Uint8Array(0) } });
    const n = Number(buf.readBigUInt64LE(0));
    assert.equal(n % 8, 0);
    assert.equal(buf.length, 8 + n);
  }
});

const ALL: SafeDType[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];

function randomTensors(): Map<string, RawTensor> {
  const m = new Map<string, RawTensor>();
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) & 0xff;
  for (const dtype of ALL) {
    for (const shape of [[2, 3], [], [0, 4]]) {
      const n = shape.reduce((p, d) => p * d, 1) * DTYPE_BYTES[dtype];
      const data = Uint8Array.from({ length: n }, () => (dtype === 'BOOL' ? rnd() & 1 : rnd()));
      m.set(`${dtype.toLowerCase()}.${shape.length}d`, { dtype, shape, data });
    }
  }
  return m;
}

test('round trip is bit-exact for every dtype (memory, file, lazy reader)', () => {
  const tensors = randomTensors();
  const meta = { format: 'pt', note: 'ünïcode ✓' };
  const parsed = parseSafetensors(serializeSafetensors(tensors, meta));
  assert.deepEqual(parsed.metadata, meta);
  assert.deepEqual(new Map([...parsed.tensors].sort()), new Map([...tensors].sort()));

  const dir = tmp();
  try {
    const path = join(dir, 'sub', 'all.safetensors');
    writeSafetensors(path, tensors, meta);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['all.safetensors']); // no temp file left behind
    assert.deepEqual(readFileSync(path), serializeSafetensors(tensors, meta));
    const back = readSafetensors(path);
    assert.deepEqual(back.metadata, meta);
    for (const [name, t] of tensors) assert.deepEqual(back.tensors.get(name), t, name);
    const f = SafetensorsFile.open(path);
    assert.deepEqual(f.keys(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      assert.ok(f.has(name));
      assert.deepEqual(f.read(name), t);
    }
    assert.equal(f.has('nope'), false);
    f[Symbol.dispose]();
    expectError(() => f.read('f32.2d'), 'after close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('float32 NaN payloads, -0.0 and infinities survive bit-exactly', () => {
  const bits = [0x7fc00001, 0xffa00000, 0x7f800001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001];
  const data = new Uint8Array(bits.length * 4);
  const dv = new DataView(data.buffer);
  bits.forEach((b, i) => dv.setUint32(i * 4, b, true));
  const back = parseSafetensors(serializeSafetensors({ x: { dtype: 'F32', shape: [bits.length], data } })).tensors.get('x')!;
  const bdv = new DataView(back.data.buffer, back.data.byteOffset, back.data.byteLength);
  assert.deepEqual(bits.map((_, i) => bdv.getUint32(i * 4, true)), bits);
  assert.ok(Object.is(new Float32Array(back.data.buffer)[3], -0));
});

test('malformed files give SafetensorsError naming the problem', () => {
  const ok = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const eight = [0, 0, 0, 0, 0, 0, 0, 0];
  const src = 'bad.safetensors';
  const cases: [Uint8Array, string[]][] = [
    [Uint8Array.from([1, 2, 3]), [src, 'too short', '3 bytes']],
    [Uint8Array.from(leU64(200_000_000)), ['200000000', 'exceeds the 100000000-byte limit']],
    [handFile(ok, eight, 1000), ['header length 1000', 'truncated']],
    [Uint8Array.from([...leU64(2), 0xc3, 0x28]), ['not valid UTF-8']],
    [handFile(' {}'), ["must start with '{'"]],
    [handFile('{"w":'), ['not valid JSON']],
    [handFile('{'), ['not valid JSON']],
    [handFile(ok.replace('"dtype":"F32",', ''), eight), ['"w"', 'missing "dtype"']],
    [handFile(ok.replace('"shape":[2],', ''), eight), ['missing "shape"']],
    [handFile(ok.replace(',"data_offsets":[0,8]', ''), eight), ['missing "data_offsets"']],
    [handFile('{"w":5}'), ['"w"', 'must be an object']],
    [handFile(ok.replace('F32', 'F8_E4M3'), eight), ['unknown dtype "F8_E4M3"', 'F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL']],
    [handFile(ok.replace('[2]', '[-2]'), eight), ['"shape" must be an array of non-negative integers', '[-2]']],
    [handFile(ok.replace('[2]', '[2.5]'), eight), ['"shape"', '[2.5]']],
    [handFile(ok.replace('[0,8]', '[0.5,8]'), eight), ['"data_offsets" must be two non-negative integers']],
    [handFile(ok.replace('[0,8]', '[0]'), eight), ['"data_offsets"']],
    [handFile(ok.replace('[0,8]', '[8,0]'), eight), ['begin 8 > end 0']],
    [handFile(ok.replace('[0,8]', '[0,16]'), eight), ['ends at byte 16', 'only 8 bytes']],
    [handFile(ok.replace('[2]', '[3]'), eight), ['holds 8 bytes', 'needs 12']],
    [handFile(ok, [...eight, 0, 0]), ['cover only 8', '2 trailing bytes']],
    [
      handFile('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}', [0, 1, 2, 3, 4, 5]),
      ['"b" [2, 6) overlaps tensor "a" [0, 4)'],
    ],
    [
      handFile('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}', [0, 1, 2, 3, 4, 5]),
      ['hole', 'bytes [2, 4)', '"b"'],
    ],
    [handFile('{"__metadata__":{"k":1}}'), ['"k" must be a string, got number']],
    [handFile('{"__metadata__":[]}'), ['"__metadata__" must be an object']],
    [handFile('[]'), ["must start with '{'"]],
    [handFile('{} x'), ['not valid JSON']],
  ];
  for (const [bytes, subs] of cases) expectError(() => parseSafetensors(bytes, src), ...subs);
  expectError(() => parseSafetensors(handFile('null')), "must start with '{'");
});

test('the lazy reader validates on open and closes the fd on failure', () => {
  const dir = tmp();
  try {
    const p = join(dir, 'trunc.safetensors');
    writeFileSync(p, handFile('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0, 0]));
    expectError(() => SafetensorsFile.open(p), p, 'ends at byte 8', 'only 4 bytes');
    writeFileSync(p, Uint8Array.from([1]));
    expectError(() => SafetensorsFile.open(p), 'too short');
    writeFileSync(p, handFile('{"w":1}', [], 50));
    expectError(() => SafetensorsFile.open(p), 'truncated');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serialize rejects inconsistent tensors and non-string metadata', () => {
  const data = new Uint8Array(8);
  expectError(() => serializeSafetensors({ w: { dtype: 'F32', shape: [3], data } }), '"w"', 'holds 8 bytes', 'needs 12');
  expectError(() => serializeSafetensors({ w: { dtype: 'F99' as SafeDType, shape: [2], data } }), 'unknown dtype "F99"');
  expectError(() => serializeSafetensors({ w: { dtype: 'F32', shape: [-1, -2], data } }), '"shape"');
  expectError(() => serializeSafetensors({ __metadata__: { dtype: 'U8', shape: [8], data } }), 'reserved');
  const meta = { n: 3 } as unknown as Record<string, string>;
  expectError(() => serializeSafetensors({}, meta), '"n" must be a string');
});

test('readRange reads one video of an (N,T,H,W,C) shard', () => {
  const [N, T, H, W, C] = [3, 2, 2, 2, 3];
  const per = T * H * W * C;
  const data = Uint8Array.from({ length: N * per }, (_, i) => i);
  const dir = tmp();
  try {
    const p = join(dir, 'shard.safetensors');
    writeSafetensors(p, { pad: { dtype: 'I16', shape: [5], data: new Uint8Array(10) }, videos: { dtype: 'U8', shape: [N, T, H, W, C], data } });
    using f = SafetensorsFile.open(p);
    assert.deepEqual(f.entry('videos'), { name: 'videos', dtype: 'U8', shape: [N, T, H, W, C], begin: 10, end: 10 + N * per });
    assert.equal(f.dataStart % 8, 0);
    const v1 = f.readRange('videos', per, 2 * per);
    assert.deepEqual([...v1], Array.from({ length: per }, (_, i) => per + i));
    const into = new Uint8Array(per + 5).fill(0xee);
    const v2 = f.readRange('videos', 2 * per, 3 * per, into);
    assert.equal(v2.buffer, into.buffer);
    assert.deepEqual([...v2], Array.from({ length: per }, (_, i) => 2 * per + i));
    assert.equal(into[per], 0xee);
    assert.equal(f.readRange('videos', 5, 5).length, 0);
    expectError(() => f.readRange('videos', 0, N * per + 1), 'not within its 72 bytes');
    expectError(() => f.readRange('videos', 4, 2), '[4, 2)');
    expectError(() => f.readRange('videos', 0, per, new Uint8Array(3)), 'holds 3 bytes');
    expectError(() => f.read('video'), 'no tensor named "video"', 'keys()');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lazy reader on a 50 MB file reads one tensor without loading the file', () => {
  const BIG = 50 * 1024 * 1024;
  const CHUNK = 1024 * 1024;
  const dir = tmp();
  try {
    const p = join(dir, 'big.safetensors');
    const header = `{"big":{"dtype":"U8","shape":[${BIG}],"data_offsets":[0,${BIG}]},"small":{"dtype":"F32","shape":[4],"data_offsets":[${BIG},${BIG + 16}]}}`;
    const fd = openSync(p, 'w');
    writeSync(fd, handFile(header));
    const chunk = new Uint8Array(CHUNK);
    for (let k = 0; k < BIG / CHUNK; k++) {
      for (let j = 0; j < CHUNK; j++) chunk[j] = (k * 7 + j) & 0xff;
      writeSync(fd, chunk);
    }
    writeSync(fd, new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
    closeSync(fd);
    assert.ok(statSync(p).size > BIG);

    const before = process.memoryUsage().arrayBuffers;
    const f = SafetensorsFile.open(p);
    const small = f.read('small');
    const at = 40 * CHUNK + 100; // byte 100 of chunk 40
    const range = f.readRange('big', at, at + 4);
    const after = process.memoryUsage().arrayBuffers;
    f.close();
    assert.deepEqual([...new Float32Array(small.data.buffer)], [1, 2, 3, 4]);
    assert.deepEqual([...range], [0, 1, 2, 3].map((i) => (40 * 7 + 100 + i) & 0xff));
    assert.ok(after - before < 4 * 1024 * 1024, `arrayBuffers grew by ${after - before} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parses the real Hugging Face clip-tiny fixture', () => {
  const path = join(FIXTURES, 'clip-tiny', 'model.safetensors');
  const whole = parseSafetensors(readFileSync(path), path);
  assert.deepEqual(whole.metadata, { format: 'pt' });
  const w = whole.tensors.get('vision_model.pre_layrnorm.weight');
  assert.ok(w);
  assert.equal(w.dtype, 'F32');
  assert.deepEqual(w.shape, [128]);
  assert.deepEqual(whole.tensors.get('text_model.embeddings.token_embedding.weight')?.shape, [1000, 64]);
  using f = SafetensorsFile.open(path);
  assert.equal(f.keys().length, whole.tensors.size);
  assert.ok(f.has('text_model.encoder.layers.0.self_attn.q_proj.weight'));
  for (const k of f.keys()) assert.deepEqual(f.read(k), whole.tensors.get(k));
  // Re-serializing gives a file with the same tensors.
  assert.deepEqual(parseSafetensors(serializeSafetensors(whole.tensors, whole.metadata)), whole);

  const golden = readSafetensors(join(FIXTURES, 'clip-tiny', 'golden.safetensors')).tensors;
  const ids = golden.get('input_ids')!;
  assert.equal(ids.dtype, 'I64');
  assert.deepEqual(ids.shape, [4, 77]);
  assert.deepEqual([...new BigInt64Array(ids.data.buffer).subarray(0, 5)], [998n, 5n, 17n, 999n, 0n]);
  const pre = SafetensorsFile.open(join(FIXTURES, 'clip-preprocess', 'golden.safetensors'));
  const u8 = pre.keys().filter((k) => k.endsWith('.image_u8_hwc'));
  assert.equal(u8.length, 4);
  for (const k of u8) assert.equal(pre.entry(k).dtype, 'U8');
  pre.close();
});
