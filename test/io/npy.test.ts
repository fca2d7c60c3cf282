// Tests for src/io/npy.ts. Goldens: headers built by hand per the NPY v1.0 spec (numpy's
// format.py docstring) and files produced by numpy 2.4 `np.save`, embedded as base64.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeNpy, encodeNpy, NpyError, readNpy, writeNpy, type NpyArray, type NpyDType } from '../../src/io/npy.js';

/** Magic + version 1.0 + LE u16 header length + dict padded with spaces to `total` bytes, ending '\n'. */
function handHeader(dict: string, total: number): number[] {
  const hlen = total - 10;
  const text = dict.padEnd(hlen - 1, ' ') + '\n';
  return [0x93, ...Buffer.from('NUMPY', 'latin1'), 1, 0, hlen & 0xff, hlen >> 8, ...Buffer.from(text, 'latin1')];
}

function bytesOf(arr: Float32Array | Float64Array | BigInt64Array | Int32Array): Uint8Array {
  return new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
}

function expectNpyError(fn: () => unknown, ...substrings: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof NpyError, `expected NpyError, got ${String(err)}`);
    for (const s of substrings) assert.ok(err.message.includes(s), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(s)}`);
    return true;
  });
}

// np.save outputs (numpy 2.4.6).
const NUMPY = {
  i8: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAAAAAAAP7/////////AwAAAAAAAAAEAAAAAAAAAA==',
  v2: 'k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAD4PwAAAAAAAACA',
  fortran: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAwAAAAEAAAAEAAAAAgAAAAUAAAA=',
  big: 'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo/gAAAQAAAAA==',
  u1: 'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDEsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoA/wc=',
};
const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

test('encodes the header byte for byte as the spec (and np.save) lays it out', () => {
  const a: NpyArray = { dtype: 'f4', shape: [2, 3], data: bytesOf(new Float32Array([0, 1, 2, 3, 4, 5])) };
  const buf = encodeNpy(a);
  // 10 + HEADER_LEN = 128, a multiple of 64; dict + 20 growth spaces + padding + '\n'.
  const expected = handHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 128);
  assert.deepEqual([...buf.subarray(0, 128)], expected);
  assert.equal(buf[8], 118);
  assert.deepEqual(buf.subarray(128), Buffer.from(a.data));
  assert.equal(buf.length, 152);
});

test('scalar, 1-d and bool headers', () => {
  const scalar = encodeNpy({ dtype: 'f8', shape: [], data: bytesOf(new Float64Array([3.5])) });
  assert.deepEqual([...scalar.subarray(0, 128)], handHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 128));
  const bools = encodeNpy({ dtype: 'b1', shape: [2], data: Uint8Array.from([1, 0]) });
  assert.deepEqual([...bools.subarray(0, 128)], handHeader("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", 128));
  assert.deepEqual([...bools.subarray(128)], [1, 0]);
  const empty = encodeNpy({ dtype: 'u1', shape: [0], data: new Uint8Array(0) });
  assert.equal(empty.length, 128);
  assert.equal(empty[127], 0x0a);
});

test('matches np.save output exactly and decodes it', () => {
  const i8: NpyArray = { dtype: 'i8', shape: [2, 2], data: bytesOf(new BigInt64Array([1n, -2n, 3n, 4n])) };
  assert.deepEqual(new Uint8Array(encodeNpy(i8)), b64(NUMPY.i8));
  assert.deepEqual(decodeNpy(b64(NUMPY.i8)), i8);
  const u1: NpyArray = { dtype: 'u1', shape: [1, 3], data: Uint8Array.from([0, 255, 7]) };
  assert.deepEqual(new Uint8Array(encodeNpy(u1)), b64(NUMPY.u1));
  assert.deepEqual(decodeNpy(b64(NUMPY.u1)), u1);
});

test('reads version 2.0 files and legacy 16-byte-aligned headers', () => {
  const v2 = decodeNpy(b64(NUMPY.v2));
  assert.equal(v2.dtype, 'f8');
  assert.deepEqual(v2.shape, [2]);
  const f = new Float64Array(v2.data.buffer);
  assert.equal(f[0], 1.5);
  assert.ok(Object.is(f[1], -0));
  // Old numpy: no growth spaces, total header a multiple of 16.
  const legacy = Uint8Array.from([...handHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", 80), ...bytesOf(new Int32Array([7, -1, 9]))]);
  const back = decodeNpy(legacy);
  assert.deepEqual([...new Int32Array(back.data.buffer)], [7, -1, 9]);
  assert.deepEqual(back.shape, [3]);
});

test('round trip is bit-exact for every dtype, including NaN payloads and -0.0', () => {
  const shapes = [[2, 3], [], [0], [4, 1, 2]];
  const size: Record<NpyDType, number> = { u1: 1, f4: 4, f8: 8, i8: 8, i4: 4, b1: 1 };
  let seed = 7;
  for (const dtype of Object.keys(size) as NpyDType[]) {
    for (const shape of shapes) {
      const n = shape.reduce((p, d) => p * d, 1) * size[dtype];
      const data = Uint8Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return dtype === 'b1' ? seed & 1 : seed & 0xff;
      });
      const a: NpyArray = { dtype, shape, data };
      const enc = encodeNpy(a);
      assert.equal((enc.length - n) % 64, 0);
      assert.deepEqual(decodeNpy(enc), a, `${dtype} ${JSON.stringify(shape)}`);
    }
  }
  const bits = [0x7fc00001, 0xffa00000, 0x80000000];
  const data = new Uint8Array(12);
  bits.forEach((b, i) => new DataView(data.buffer).setUint32(4 * i, b, true));
  assert.deepEqual(decodeNpy(encodeNpy({ dtype: 'f4', shape: [3], data })).data, data);
});

test('rejects malformed and unsupported files with clear errors', () => {
  const src = 'x.npy';
  const good = b64(NUMPY.i8);
  expectNpyError(() => decodeNpy(Buffer.from('PK\x03\x04 not npy'), src), src, 'magic');
  expectNpyError(() => decodeNpy(good.subarray(0, 100), src), 'truncated');
  expectNpyError(() => decodeNpy(good.subarray(0, good.length - 1), src), 'needs 32 data bytes', 'has 31', 'truncated');
  expectNpyError(() => decodeNpy(Uint8Array.from([...good, 0]), src), 'has 33');
  expectNpyError(() => decodeNpy(b64(NUMPY.fortran), src), 'fortran_order', 'np.ascontiguousarray');
  expectNpyError(() => decodeNpy(b64(NUMPY.big), src), "big-endian descr '>f4'");
  const withDescr = (d: string): Uint8Array => Uint8Array.from(handHeader(`{'descr': ${d}, 'fortran_order': False, 'shape': (1,), }`, 128));
  expectNpyError(() => decodeNpy(withDescr("'<c8'"), src), "unsupported descr '<c8'", '|u1, <f4, <f8, <i8, <i4, |b1');
  expectNpyError(() => decodeNpy(withDescr("[('a', '<f4')]"), src), 'structured');
  expectNpyError(() => decodeNpy(Uint8Array.from(handHeader("{'descr': '<f4', 'shape': (1,), }", 64)), src), "'fortran_order'");
  expectNpyError(() => decodeNpy(Uint8Array.from(handHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ", 64)), src), 'cannot parse');
  expectNpyError(() => decodeNpy(Uint8Array.from([...good.subarray(0, 6), 9, 0, ...good.subarray(8)]), src), 'version 9.0');
  // Fortran order with at most one non-unit dimension has the C layout: accepted.
  const f1 = Uint8Array.from([...handHeader("{'descr': '|u1', 'fortran_order': True, 'shape': (1, 3), }", 128), 4, 5, 6]);
  assert.deepEqual(decodeNpy(f1), { dtype: 'u1', shape: [1, 3], data: Uint8Array.from([4, 5, 6]) });
  expectNpyError(() => encodeNpy({ dtype: 'f4', shape: [3], data: new Uint8Array(8) }), 'needs 12');
  expectNpyError(() => encodeNpy({ dtype: 'c8' as NpyDType, shape: [1], data: new Uint8Array(8) }), 'unsupported dtype');
});

test('writeNpy/readNpy go through the file system atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 't2v-npy-'));
  try {
    const p = join(dir, 'deep', 'a.npy');
    const a: NpyArray = { dtype: 'i4', shape: [3], data: bytesOf(new Int32Array([1, 2, 3])) };
    writeNpy(p, a);
    assert.deepEqual(readdirSync(join(dir, 'deep')), ['a.npy']);
    assert.deepEqual(readFileSync(p), encodeNpy(a));
    assert.deepEqual(readNpy(p), a);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
