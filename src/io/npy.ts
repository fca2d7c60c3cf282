/**
 * NumPy `.npy` files, per the format described in numpy's `numpy/lib/format.py` docstring
 * (NEP 1, "A Simple File Format for NumPy Arrays"):
 *
 *   - magic `\x93NUMPY`, one byte major version, one byte minor version;
 *   - v1.0: little-endian u16 HEADER_LEN (v2.0/v3.0: u32; v3.0 header is UTF-8, else latin-1);
 *   - HEADER_LEN bytes: a Python dict literal `{'descr': '<f4', 'fortran_order': False,
 *     'shape': (2, 3), }` padded with spaces and ending in '\n', so that the data starts on a
 *     multiple of 64 bytes (numpy's ARRAY_ALIGN);
 *   - the raw element bytes.
 *
 * Written files are v1.0 and byte-identical to `np.save` of numpy ≥ 1.23 (which also reserves
 * GROWTH_AXIS_MAX_DIGITS = 21 characters for the first dimension). Reading accepts v1/v2/v3.
 * Only C-order arrays of the six dtypes below are supported.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

/** Supported element types (numpy dtype.str without the byte-order character). */
export type NpyDType = 'u1' | 'f4' | 'f8' | 'i8' | 'i4' | 'b1';

/** An array: little-endian element bytes in C (row-major) order. */
export interface NpyArray { dtype: NpyDType; shape: number[]; data: Uint8Array }

/** Error for malformed or unsupported `.npy` data; names the source and what to do. */
export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

/** Bytes per element of each {@link NpyDType}. */
export const NPY_DTYPE_BYTES: Record<NpyDType, number> = { u1: 1, f4: 4, f8: 8, i8: 8, i4: 4, b1: 1 };

/** The `descr` numpy writes for each dtype (single-byte types use the '|' not-applicable order). */
const DESCR: Record<NpyDType, string> = { u1: '|u1', f4: '<f4', f8: '<f8', i8: '<i8', i4: '<i4', b1: '|b1' };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

/**
 * Encode an array as a v1.0 `.npy` file, exactly as numpy's `_write_array_header` does: keys
 * sorted, `repr` values, 21 − len(repr(shape[0])) spare spaces, then spaces up to the 64-byte
 * boundary and a final '\n'.
 */
export function encodeNpy(a: NpyArray): Buffer {
  const where = '<encodeNpy>';
  if (!Object.hasOwn(NPY_DTYPE_BYTES, a.dtype)) {
    throw new NpyError(`${where}: unsupported dtype ${JSON.stringify(a.dtype)}; supported: ${Object.keys(NPY_DTYPE_BYTES).join(', ')}`);
  }
  checkShape(a.shape, where);
  const need = numel(a.shape) * NPY_DTYPE_BYTES[a.dtype];
  if (a.data.byteLength !== need) {
    throw new NpyError(`${where}: data has ${a.data.byteLength} bytes but shape (${a.shape.join(', ')}) of ${a.dtype} needs ${need}`);
  }
  let dict = `{'descr': '${DESCR[a.dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(a.shape)}, }`;
  if (a.shape.length > 0) dict += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(a.shape[0]).length));
  const hlen = dict.length + 1; // + '\n'
  const padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN); // 1..64, as numpy
  const headerLen = hlen + padlen;
  if (headerLen > 0xffff) throw new NpyError(`${where}: header of ${headerLen} bytes does not fit a v1.0 file`);
  const out = Buffer.alloc(10 + headerLen + need);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(headerLen, 8);
  out.write(dict + ' '.repeat(padlen) + '\n', 10, 'latin1');
  out.set(a.data, 10 + headerLen);
  return out;
}

/**
 * Decode a `.npy` file. The data is copied into a fresh buffer (offset 0, aligned for typed
 * arrays). Throws {@link NpyError} for a bad magic, truncated header or data, an unparsable
 * header, Fortran order (unless the layout equals C order, i.e. at most one dimension > 1),
 * big-endian or unsupported `descr`, or trailing bytes after the data.
 */
export function decodeNpy(buf: Uint8Array, source = '<buffer>'): NpyArray {
  const corrupt = 'the file is corrupt or not a .npy file';
  if (buf.byteLength < 10 || !MAGIC.every((b, i) => buf[i] === b)) {
    throw new NpyError(`${source}: missing the \\x93NUMPY magic string; ${corrupt}`);
  }
  const major = buf[6]!;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerStart = 10;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (buf.byteLength < 12) throw new NpyError(`${source}: truncated header; ${corrupt}`);
    headerStart = 12;
    headerLen = view.getUint32(8, true);
  } else {
    throw new NpyError(`${source}: unsupported .npy format version ${major}.${buf[7]}; re-save it with numpy (versions 1.0-3.0 are read)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > buf.byteLength) {
    throw new NpyError(`${source}: header length ${headerLen} exceeds the file (${buf.byteLength} bytes); the file is truncated`);
  }
  const headerBytes = buf.subarray(headerStart, dataStart);
  const text = major === 3 ? new TextDecoder('utf-8').decode(headerBytes) : Buffer.from(headerBytes).toString('latin1');
  const dict = parseHeaderDict(text, source);

  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shapeV = dict.get('shape');
  if (descr === undefined || fortran === undefined || shapeV === undefined) {
    throw new NpyError(`${source}: header must have keys 'descr', 'fortran_order' and 'shape', got ${JSON.stringify(text.trim())}; ${corrupt}`);
  }
  if (typeof descr !== 'string') {
    throw new NpyError(`${source}: descr ${JSON.stringify(descr)} is a structured dtype; only ${Object.values(DESCR).join(', ')} are supported`);
  }
  const dtype = dtypeOf(descr, source);
  if (!Array.isArray(shapeV) || !shapeV.every((d) => typeof d === 'number')) {
    throw new NpyError(`${source}: 'shape' must be a tuple of integers, got ${JSON.stringify(shapeV)}; ${corrupt}`);
  }
  const shape = shapeV as number[];
  checkShape(shape, source);
  if (typeof fortran !== 'boolean') throw new NpyError(`${source}: 'fortran_order' must be True or False; ${corrupt}`);
  if (fortran && shape.filter((d) => d > 1).length > 1) {
    throw new NpyError(
      `${source}: fortran_order=True (column-major) arrays are not supported; save a C-order copy with np.save(path, np.ascontiguousarray(a))`,
    );
  }
  const need = numel(shape) * NPY_DTYPE_BYTES[dtype];
  const have = buf.byteLength - dataStart;
  if (have !== need) {
    throw new NpyError(
      `${source}: shape (${shape.join(', ')}) of ${descr} needs ${need} data bytes but the file has ${have} after the header; ` +
        (have < need ? 'the file is truncated' : corrupt),
    );
  }
  const data = new Uint8Array(need);
  data.set(buf.subarray(dataStart));
  return { dtype, shape: [...shape], data };
}

/** Read and decode a `.npy` file. */
export function readNpy(path: string): NpyArray {
  return decodeNpy(readFileSync(path), path);
}

/** Encode as {@link encodeNpy} and write atomically (temp file + fsync + rename). */
export function writeNpy(path: string, a: NpyArray): void {
  writeFileAtomic(path, encodeNpy(a));
}

// ---------------------------------------------------------------------------------------------

function dtypeOf(descr: string, source: string): NpyDType {
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  if (m !== null) {
    const [, order, code] = m as unknown as [string, string, string];
    if (Object.hasOwn(NPY_DTYPE_BYTES, code)) {
      const t = code as NpyDType;
      const single = NPY_DTYPE_BYTES[t] === 1;
      if (order === '<' || (single && (order === '|' || order === '>' || order === '='))) return t;
      if (order === '>') {
        throw new NpyError(`${source}: big-endian descr '${descr}' is not supported; save with a little-endian dtype (a.astype('<${code}'))`);
      }
    }
  }
  throw new NpyError(`${source}: unsupported descr '${descr}'; supported: ${Object.values(DESCR).join(', ')}`);
}

function checkShape(shape: unknown[], where: string): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new NpyError(`${where}: shape must be non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

function numel(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Python repr of a tuple of ints: (), (3,), (2, 3). */
function shapeRepr(shape: number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/**
 * Parse the header's Python literal (the subset numpy writes: a dict of str keys, str/bool/None/
 * int values, tuples and lists). numpy itself uses `ast.literal_eval`.
 */
function parseHeaderDict(text: string, source: string): Map<string, PyValue> {
  let i = 0;
  const fail = (what: string): never => {
    throw new NpyError(`${source}: cannot parse the header ${JSON.stringify(text.trim())}: ${what} at character ${i}; the file is corrupt or not a .npy file`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(i + 1, end);
      if (s.includes('\\')) fail('escape sequences are not supported');
      i = end + 1;
      return s;
    }
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      const map = new Map<string, PyValue>();
      for (;;) {
        ws();
        if (text[i] === close) { i++; break; }
        const v = value();
        if (c === '{') {
          if (typeof v !== 'string') fail('dict keys must be strings');
          ws();
          if (text[i] !== ':') fail("expected ':'");
          i++;
          map.set(v as string, value());
        } else {
          items.push(v);
        }
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected ',' or '${close}'`);
      }
      return c === '{' ? map : items;
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(i));
    if (m === null) return fail('unexpected token');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  };
  const v = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  if (!(v instanceof Map)) return fail('header is not a dict');
  return v;
}
