import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, DatasetReader, DatasetWriter, type Split, type VideoMeta } from '../../src/data/format.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { Rng } from '../../src/data/syncdraw/rng.js';

// A tiny layout: (T, H, W, C) = (2, 3, 4, 2) → 48 bytes per video.
const SHAPE = { frames: 2, height: 3, width: 4, channels: 2 };
const VB = 48;
const GEN = { name: 'test', version: '0', params: { a: 1 } };

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 't2v-format-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** 7 videos with seeded random bytes; captions repeat so buckets are shared. */
function sample(): { meta: VideoMeta; bytes: Uint8Array }[] {
  const rng = Rng.fromSeed(3);
  const captions = ['b caption', 'a caption', 'c caption'];
  const splits: Split[] = ['train', 'train', 'val', 'train', 'test', 'val', 'train'];
  return splits.map((split, i) => {
    const bytes = new Uint8Array(VB);
    for (let k = 0; k < VB; k++) bytes[k] = rng.int(0, 256);
    const meta: VideoMeta = { id: `v${i}`, caption: captions[i % 3]!, split, attributes: { i, tags: ['x', i] } };
    if (i === 2) meta.source = 'somewhere.mp4';
    return { meta, bytes };
  });
}

function writeSample(dir: string, shardSize = 3): ReturnType<DatasetWriter['finish']> {
  const w = DatasetWriter.create(dir, { name: 'toy', ...SHAPE, generator: GEN, shardSize });
  for (const { meta, bytes } of sample()) w.add(meta, bytes);
  return w.finish();
}

function hashFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) out[n] = createHash('sha256').update(readFileSync(join(dir, n))).digest('hex');
  return out;
}

test('writer → reader round trip: every video reads back byte for byte', (t) => {
  const dir = tmp(t);
  const m = writeSample(dir);
  assert.deepEqual(m.shards, [
    { file: 'shard-00000.safetensors', count: 3 },
    { file: 'shard-00001.safetensors', count: 3 },
    { file: 'shard-00002.safetensors', count: 1 },
  ]);
  assert.deepEqual(m.buckets, ['a caption', 'b caption', 'c caption']); // sorted unique captions
  assert.deepEqual(m.splits, { train: 4, val: 2, test: 1 });
  const r = DatasetReader.open(dir);
  t.after(() => r.close());
  assert.deepEqual(r.manifest, m);
  const src = sample();
  const into = new Uint8Array(VB);
  r.videos().forEach((e, i) => {
    assert.equal(e.id, `v${i}`);
    assert.equal(r.manifest.buckets[e.bucket], e.caption);
    assert.deepEqual(r.read(e), src[i]!.bytes);
    assert.deepEqual(r.read(e, into), src[i]!.bytes);
  });
  assert.deepEqual(r.videos('val').map((v) => v.id), ['v2', 'v5']);
  assert.equal(r.videos('val')[0]!.source, 'somewhere.mp4');
  assert.deepEqual(r.videos('train')[1]!.attributes, { i: 1, tags: ['x', 1] });
});

test('writes are deterministic: same input → byte-identical folder; a changed caption changes the manifest', (t) => {
  const a = tmp(t);
  const b = tmp(t);
  writeSample(a);
  writeSample(b);
  assert.deepEqual(hashFolder(a), hashFolder(b));
  const w = DatasetWriter.create(b, { name: 'toy', ...SHAPE, generator: GEN, shardSize: 3 }); // rewrite in place
  sample().forEach(({ meta, bytes }, i) => w.add(i === 0 ? { ...meta, caption: 'z caption' } : meta, bytes));
  w.finish();
  const ha = hashFolder(a);
  const hb = hashFolder(b);
  assert.notEqual(ha['manifest.json'], hb['manifest.json']);
  assert.equal(ha['shard-00000.safetensors'], hb['shard-00000.safetensors']);
});

test('add checks the byte length, the split and duplicate ids', (t) => {
  const w = DatasetWriter.create(tmp(t), { name: 'toy', ...SHAPE, generator: GEN });
  const meta: VideoMeta = { id: 'a', caption: 'c', split: 'train', attributes: {} };
  assert.throws(() => w.add(meta, new Uint8Array(VB - 1)), /has 47 bytes; \(T, H, W, C\) = \(2, 3, 4, 2\) needs 48/);
  assert.throws(() => w.add({ ...meta, split: 'dev' as Split }, new Uint8Array(VB)), /split must be one of/);
  w.add(meta, new Uint8Array(VB));
  assert.throws(() => w.add(meta, new Uint8Array(VB)), /duplicate video id 'a'/);
});

test('a folder without manifest.json is reported as incomplete', (t) => {
  const dir = tmp(t);
  writeSample(dir);
  unlinkSync(join(dir, 'manifest.json'));
  assert.throws(() => DatasetReader.open(dir), (e: unknown) => e instanceof DatasetError && /has 3 shard file\(s\) but no manifest\.json: it is incomplete/.test(e.message));
  assert.throws(() => DatasetReader.open(join(dir, 'nope')), /does not exist/);
  const empty = tmp(t);
  assert.throws(() => DatasetReader.open(empty), /has no manifest\.json, so it is not a t2vlab dataset folder/);
});

test('a missing shard file is named in the error', (t) => {
  const dir = tmp(t);
  writeSample(dir);
  unlinkSync(join(dir, 'shard-00001.safetensors'));
  assert.throws(() => DatasetReader.open(dir), /lists shard 'shard-00001\.safetensors' but .* is missing; the folder is incomplete/);
});

test('bad manifests: version, broken JSON, inconsistent counts', (t) => {
  const dir = tmp(t);
  writeSample(dir);
  const path = join(dir, 'manifest.json');
  const good = readFileSync(path, 'utf8');
  const edit = (f: (m: Record<string, unknown>) => void): void => {
    const m = JSON.parse(good) as Record<string, unknown>;
    f(m);
    writeFileSync(path, JSON.stringify(m));
  };
  edit((m) => (m.formatVersion = 2));
  assert.throws(() => DatasetReader.open(dir), /formatVersion 2 is not supported/);
  writeFileSync(path, good.slice(0, 100));
  assert.throws(() => DatasetReader.open(dir), /manifest\.json' is not valid JSON/);
  edit((m) => ((m.splits as Record<string, number>).val = 5));
  assert.throws(() => DatasetReader.open(dir), /splits\.val says 5 but 2 videos are in that split/);
  edit((m) => ((m.videos as { bucket: number }[])[0]!.bucket = 0));
  assert.throws(() => DatasetReader.open(dir), /videos\[0\]: bucket 0 is "a caption", not its caption "b caption"/);
  edit((m) => ((m.shards as { count: number }[])[2]!.count = 2));
  assert.throws(() => DatasetReader.open(dir), /the shards hold 8 videos but 7 are listed/);
  writeFileSync(path, good);
  assert.equal(DatasetReader.open(dir).videos().length, 7);
});

test('a shard whose tensor does not match the manifest fails on first read', (t) => {
  const dir = tmp(t);
  writeSample(dir);
  writeSafetensors(join(dir, 'shard-00002.safetensors'), { videos: { dtype: 'U8', shape: [1, 2, 3, 4, 1], data: new Uint8Array(24) } });
  const r = DatasetReader.open(dir);
  t.after(() => r.close());
  assert.deepEqual(r.read(r.videos()[0]!), sample()[0]!.bytes); // other shards unaffected
  assert.throws(() => r.read(r.videos()[6]!), /holds U8 \(1, 2, 3, 4, 1\) but the manifest expects U8 \(1, 2, 3, 4, 2\)/);
});

test('create replaces an old dataset but refuses a folder with other files', (t) => {
  const dir = tmp(t);
  writeSample(dir, 2); // 4 shards
  writeSample(dir, 10); // 1 shard: old shards must be gone
  assert.deepEqual(readdirSync(dir).sort(), ['manifest.json', 'shard-00000.safetensors']);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  assert.throws(() => DatasetWriter.create(dir, { name: 'toy', ...SHAPE, generator: GEN }), /is not empty and not a t2vlab dataset \(it holds 'notes\.txt'\)/);
  assert.ok(readdirSync(dir).includes('manifest.json')); // nothing deleted
});
