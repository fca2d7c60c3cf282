/**
 * The safetensors format, as specified in the huggingface/safetensors README ("Format"):
 *
 *   - 8 bytes: N, an unsigned little-endian 64-bit integer, the size of the header;
 *   - N bytes: a UTF-8 JSON object, starting with `{`, possibly padded with trailing spaces:
 *     `{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]}, ...,
 *       "__metadata__": {"key": "value"}}` (the only special key; string values only);
 *   - the rest of the file: the byte buffer. Offsets are relative to its start; tensors are
 *     little-endian, row-major, and must tile the buffer exactly (no overlaps, no holes).
 *
 * Validation follows the reference Rust implementation (`safetensors/src/tensor.rs`): header
 * size capped at 100,000,000 bytes, offsets contiguous when sorted, byte length equal to
 * numel × dtype size, buffer ending exactly at the last tensor. Pure TypeScript over bytes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { writeFileAtomic } from './atomic.js';

/** Element types of the safetensors spec supported here (its `Dtype` enum, minus FP8/unsigned-wide). */
export type SafeDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element of each {@link SafeDType} (BOOL is one byte, 0 or 1, as in the spec). */
export const DTYPE_BYTES: Record<SafeDType, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};

const VALID_DTYPES = Object.keys(DTYPE_BYTES).join(', ');
/** The reference implementation's MAX_HEADER_SIZE: larger headers are treated as corrupt. */
const MAX_HEADER_BYTES = 100_000_000;
/** Per-call cap for positional reads (readSync is limited to 2 GiB per call). */
const READ_CHUNK = 1 << 30;

/** One tensor: little-endian element bytes in row-major (C) order. */
export interface RawTensor { dtype: SafeDType; shape: number[]; data: Uint8Array }

/** A header entry; `begin`/`end` are byte offsets relative to the start of the data buffer. */
export interface SafetensorsEntry { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number }

/**
 * A malformed safetensors file or an invalid tensor to serialize. The message names the file,
 * the tensor or field, what was wrong and what to do about it.
 */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/**
 * Encode tensors in the safetensors format (README "Format"): header keys in sorted (UTF-8 byte)
 * order with `__metadata__` first when non-empty, the header padded with spaces to a multiple of
 * 8 bytes as the reference Rust `prepare()` does, tensor data laid out in sorted-name order.
 */
export function serializeSafetensors(
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): Buffer {
  const { prefix, datas } = prepare(tensors, metadata);
  return Buffer.concat([prefix, ...datas]);
}

/**
 * Decode a whole safetensors file held in memory. Every tensor's bytes are copied into a fresh
 * buffer (offset 0, so typed-array views of it are aligned). `source` names the file in errors.
 */
export function parseSafetensors(
  buf: Uint8Array,
  source = '<buffer>',
): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  if (buf.byteLength < 8) tooShort(source, buf.byteLength);
  const n = headerLength(new DataView(buf.buffer, buf.byteOffset, 8), buf.byteLength, source);
  const { entries, metadata } = parseHeader(buf.subarray(8, 8 + n), buf.byteLength - 8 - n, source);
  const dataStart = 8 + n;
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    const data = new Uint8Array(e.end - e.begin);
    data.set(buf.subarray(dataStart + e.begin, dataStart + e.end));
    tensors.set(e.name, { dtype: e.dtype, shape: [...e.shape], data });
  }
  return { tensors, metadata };
}

/**
 * Lazy safetensors reader: `open` reads and validates only the header; tensors are then read on
 * demand with positional reads (`fs.readSync` at an offset), never loading the whole file.
 * Usable with `using f = SafetensorsFile.open(p)`.
 */
export class SafetensorsFile {
  private fd: number | undefined;
  private readonly entries: Map<string, SafetensorsEntry>;

  private constructor(
    readonly path: string,
    fd: number,
    /** Absolute file offset of the data buffer (8 + header length). */
    readonly dataStart: number,
    entries: SafetensorsEntry[],
    readonly metadata: Record<string, string>,
  ) {
    this.fd = fd;
    this.entries = new Map(entries.map((e) => [e.name, e]));
  }

  /** Open `path` and validate its header (every check of {@link parseSafetensors}). */
  static open(path: string): SafetensorsFile {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size < 8) tooShort(path, size);
      const prefix = new Uint8Array(8);
      readFully(fd, prefix, 0, path);
      const n = headerLength(new DataView(prefix.buffer), size, path);
      const header = new Uint8Array(n);
      readFully(fd, header, 8, path);
      const { entries, metadata } = parseHeader(header, size - 8 - n, path);
      return new SafetensorsFile(path, fd, 8 + n, entries, metadata);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Tensor names, sorted. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Whether a tensor called `name` exists. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The header entry of `name` (a copy); throws SafetensorsError if there is none. */
  entry(name: string): SafetensorsEntry {
    const e = this.entries.get(name);
    if (e === undefined) {
      const some = this.keys().slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
      throw new SafetensorsError(
        `${this.path}: no tensor named ${JSON.stringify(name)} (the file has ${this.entries.size} tensors` +
          `${some ? `, e.g. ${some}` : ''}); check the name against keys()`,
      );
    }
    return { ...e, shape: [...e.shape] };
  }

  /** Read one tensor's bytes (a fresh buffer) with a positional read. */
  read(name: string): RawTensor {
    const e = this.entry(name);
    const data = new Uint8Array(e.end - e.begin);
    readFully(this.openFd(), data, this.dataStart + e.begin, this.path);
    return { dtype: e.dtype, shape: e.shape, data };
  }

  /**
   * Read bytes `[byteBegin, byteEnd)` of tensor `name` (offsets relative to the tensor's own
   * data), e.g. video i of an (N,T,H,W,C) U8 shard is `[i*T*H*W*C, (i+1)*T*H*W*C)`. Writes into
   * `into` when given (it must hold at least byteEnd - byteBegin bytes) and returns the filled
   * view; otherwise returns a fresh buffer.
   */
  readRange(name: string, byteBegin: number, byteEnd: number, into?: Uint8Array): Uint8Array {
    const e = this.entry(name);
    const len = e.end - e.begin;
    if (!Number.isSafeInteger(byteBegin) || !Number.isSafeInteger(byteEnd) || byteBegin < 0 ||
        byteBegin > byteEnd || byteEnd > len) {
      throw new SafetensorsError(
        `${this.path}: tensor ${JSON.stringify(name)}: byte range [${byteBegin}, ${byteEnd}) is not ` +
          `within its ${len} bytes; pass integers 0 <= begin <= end <= ${len}`,
      );
    }
    const n = byteEnd - byteBegin;
    if (into !== undefined && into.byteLength < n) {
      throw new SafetensorsError(
        `${this.path}: tensor ${JSON.stringify(name)}: readRange target holds ${into.byteLength} bytes ` +
          `but the range [${byteBegin}, ${byteEnd}) needs ${n}; pass a larger buffer`,
      );
    }
    const out = into === undefined ? new Uint8Array(n) : into.subarray(0, n);
    readFully(this.openFd(), out, this.dataStart + e.begin + byteBegin, this.path);
    return out;
  }

  /** Close the file descriptor; further reads throw. Idempotent. */
  close(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** Same as {@link close}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.close();
  }

  private openFd(): number {
    if (this.fd === undefined) throw new SafetensorsError(`${this.path}: read after close(); open the file again`);
    return this.fd;
  }
}

/** Read every tensor of a file (through {@link SafetensorsFile}, one positional read each). */
export function readSafetensors(path: string): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  const f = SafetensorsFile.open(path);
  try {
    const tensors = new Map<string, RawTensor>();
    for (const name of f.keys()) tensors.set(name, f.read(name));
    return { tensors, metadata: f.metadata };
  } finally {
    f.close();
  }
}

/** Serialize as {@link serializeSafetensors} and write atomically (temp file + fsync + rename). */
export function writeSafetensors(
  path: string,
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata?: Record<string, string>,
): void {
  const { prefix, datas } = prepare(tensors, metadata);
  writeFileAtomic(path, [prefix, ...datas]);
}

// ---------------------------------------------------------------------------------------------

/** Header (length prefix + padded JSON) and the tensor payloads in file order. */
function prepare(
  tensors: Map<string, RawTensor> | Record<string, RawTensor>,
  metadata: Record<string, string> | undefined,
): { prefix: Buffer; datas: Uint8Array[] } {
  const src = '<serialize>';
  const list = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const sorted = list
    .map(([name, t]) => ({ name, t, key: Buffer.from(name, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: string[] = [];
  if (metadata !== undefined) {
    const metaKeys = Object.keys(metadata).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const k of metaKeys) {
      const v: unknown = metadata[k];
      if (typeof v !== 'string') badMetaValue(src, k, v);
    }
    if (metaKeys.length > 0) {
      const body = metaKeys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',');
      parts.push(`"__metadata__":{${body}}`);
    }
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t } of sorted) {
    const where = `${src}: tensor ${JSON.stringify(name)}`;
    if (name === '__metadata__') throw new SafetensorsError(`${where}: the name is reserved for metadata; rename the tensor`);
    checkDType(t.dtype, where);
    checkShape(t.shape, where);
    if (!(t.data instanceof Uint8Array)) throw new SafetensorsError(`${where}: data must be a Uint8Array of little-endian bytes`);
    checkByteLength(t.data.byteLength, t.shape, t.dtype, where);
    const end = offset + t.data.byteLength;
    parts.push(`${JSON.stringify(name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    datas.push(t.data);
    offset = end;
  }
  let json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const pad = (8 - (json.byteLength % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const prefix = Buffer.alloc(8 + json.byteLength);
  prefix.writeBigUInt64LE(BigInt(json.byteLength), 0);
  json.copy(prefix, 8);
  return { prefix, datas };
}

/** Decode and validate a header; `dataLength` is the size of the data buffer that follows it. */
function parseHeader(
  bytes: Uint8Array,
  dataLength: number,
  source: string,
): { entries: SafetensorsEntry[]; metadata: Record<string, string> } {
  const corrupt = 'the file is corrupt or not a safetensors file; re-export or re-download it';
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SafetensorsError(`${source}: header is not valid UTF-8; ${corrupt}`);
  }
  if (!text.startsWith('{')) {
    throw new SafetensorsError(`${source}: header must start with '{' but starts with ${JSON.stringify(text.slice(0, 16))}; ${corrupt}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(err as Error).message}); ${corrupt}`);
  }
  if (!isObject(json)) throw new SafetensorsError(`${source}: header is not a JSON object; ${corrupt}`);

  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isObject(value)) throw new SafetensorsError(`${source}: "__metadata__" must be an object of string values; ${corrupt}`);
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') badMetaValue(source, k, v);
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const where = `${source}: tensor ${JSON.stringify(name)}`;
    if (!isObject(value)) throw new SafetensorsError(`${where}: header entry must be an object with dtype, shape, data_offsets; ${corrupt}`);
    for (const field of ['dtype', 'shape', 'data_offsets']) {
      if (!(field in value)) throw new SafetensorsError(`${where}: missing "${field}" in its header entry; ${corrupt}`);
    }
    const dtype = checkDType(value['dtype'], where);
    const shape = checkShape(value['shape'], where);
    const offs = value['data_offsets'];
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new SafetensorsError(`${where}: "data_offsets" must be two non-negative integers [begin, end], got ${JSON.stringify(offs)}; ${corrupt}`);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) throw new SafetensorsError(`${where}: data_offsets begin ${begin} > end ${end}; ${corrupt}`);
    if (end > dataLength) {
      throw new SafetensorsError(
        `${where}: data ends at byte ${end} but the data buffer has only ${dataLength} bytes; the file is truncated — re-download or re-export it`,
      );
    }
    checkByteLength(end - begin, shape, dtype, where);
    entries.push({ name, dtype, shape, begin, end });
  }

  // The official format requires the tensors to tile the data buffer exactly.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of byOffset) {
    if (e.begin < covered && prev !== undefined) {
      throw new SafetensorsError(
        `${source}: tensor ${JSON.stringify(e.name)} [${e.begin}, ${e.end}) overlaps tensor ${JSON.stringify(prev.name)} ` +
          `[${prev.begin}, ${prev.end}); tensors must not share bytes — ${corrupt}`,
      );
    }
    if (e.begin > covered) {
      throw new SafetensorsError(
        `${source}: hole in the data buffer: bytes [${covered}, ${e.begin}) before tensor ${JSON.stringify(e.name)} belong to no tensor; ` +
          `the format requires tensors to tile the buffer exactly — ${corrupt}`,
      );
    }
    covered = e.end;
    prev = e;
  }
  if (covered !== dataLength) {
    throw new SafetensorsError(
      `${source}: the data buffer has ${dataLength} bytes but the tensors cover only ${covered} ` +
        `(${dataLength - covered} trailing bytes belong to no tensor); ${corrupt}`,
    );
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return { entries, metadata };
}

function headerLength(view: DataView, fileSize: number, source: string): number {
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `${source}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit; the file is corrupt or not a safetensors file`,
    );
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw new SafetensorsError(
      `${source}: header length ${len} exceeds the ${fileSize - 8} bytes after the length prefix; the file is truncated — re-download or re-export it`,
    );
  }
  return len;
}

function tooShort(source: string, size: number): never {
  throw new SafetensorsError(
    `${source}: file is too short (${size} bytes); a safetensors file starts with an 8-byte header length — the file is truncated or not a safetensors file`,
  );
}

function badMetaValue(source: string, key: string, v: unknown): never {
  throw new SafetensorsError(
    `${source}: __metadata__ value for ${JSON.stringify(key)} must be a string, got ${v === null ? 'null' : typeof v}; ` +
      `the format only allows string metadata — convert it with JSON.stringify or String()`,
  );
}

function checkDType(d: unknown, where: string): SafeDType {
  if (typeof d === 'string' && Object.hasOwn(DTYPE_BYTES, d)) return d as SafeDType;
  throw new SafetensorsError(`${where}: unknown dtype ${JSON.stringify(d)}; valid dtypes are ${VALID_DTYPES}`);
}

function checkShape(s: unknown, where: string): number[] {
  if (Array.isArray(s) && s.every((d) => Number.isSafeInteger(d) && d >= 0)) return [...(s as number[])];
  throw new SafetensorsError(`${where}: "shape" must be an array of non-negative integers, got ${JSON.stringify(s)}`);
}

function checkByteLength(bytes: number, shape: number[], dtype: SafeDType, where: string): void {
  let numel = 1;
  for (const d of shape) numel *= d;
  const need = numel * DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(need) || bytes !== need) {
    throw new SafetensorsError(
      `${where}: holds ${bytes} bytes but shape [${shape.join(',')}] of ${dtype} (${DTYPE_BYTES[dtype]} bytes each) needs ${need}; ` +
        `shape, dtype and data must agree`,
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Positional read of exactly `out.byteLength` bytes at `position`, in ≤1 GiB calls. */
function readFully(fd: number, out: Uint8Array, position: number, source: string): void {
  let off = 0;
  while (off < out.byteLength) {
    const n = readSync(fd, out, off, Math.min(READ_CHUNK, out.byteLength - off), position + off);
    if (n === 0) {
      throw new SafetensorsError(`${source}: unexpected end of file at byte ${position + off}; the file was truncated or changed while open`);
    }
    off += n;
  }
}
