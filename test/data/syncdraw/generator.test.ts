import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatasetReader, type Split } from '../../../src/data/format.js';
import { SyncDrawRenderer, generateSyncDraw, resolveSyncDrawParams, type SyncDrawAttributes } from '../../../src/data/syncdraw/generator.js';
import { trajectory } from '../../../src/data/syncdraw/motion.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 't2v-syncdraw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function hashFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) out[n] = createHash('sha256').update(readFileSync(join(dir, n))).digest('hex');
  return out;
}

const SMALL = { train: 30, val: 6, test: 6 };

test('same seed and parameters → byte-identical manifest and shards; another seed differs', async (t) => {
  const [a, b, c] = [tmp(t), tmp(t), tmp(t)];
  await generateSyncDraw({ out: a, preset: 'mixed', splits: SMALL, seed: 7, shardSize: 16 });
  await generateSyncDraw({ out: b, preset: 'mixed', splits: SMALL, seed: 7, shardSize: 16 });
  await generateSyncDraw({ out: c, preset: 'mixed', splits: SMALL, seed: 8, shardSize: 16 });
  const [ha, hb, hc] = [hashFolder(a), hashFolder(b), hashFolder(c)];
  assert.deepEqual(Object.keys(ha), ['manifest.json', 'shard-00000.safetensors', 'shard-00001.safetensors', 'shard-00002.safetensors']);
  assert.deepEqual(ha, hb);
  for (const f of Object.keys(ha)) assert.notEqual(ha[f], hc[f], f);
});

test('video i depends only on (seed, split, i): a larger split starts with the same videos', () => {
  const small = new SyncDrawRenderer(resolveSyncDrawParams({ splits: { train: 5 }, seed: 3 }));
  const large = new SyncDrawRenderer(resolveSyncDrawParams({ splits: { train: 500 }, seed: 3 }));
  const [u, v] = [new Uint8Array(small.videoBytes), new Uint8Array(small.videoBytes)];
  for (const i of [4, 2, 0]) {
    assert.deepEqual(small.render('train', i, u), large.render('train', i, v));
    assert.deepEqual(u, v);
  }
});

test('preset single: exactly 20 buckets, requested split sizes, reader returns what was rendered', async (t) => {
  const out = tmp(t);
  const splits = { train: 300, val: 50, test: 50 };
  const m = await generateSyncDraw({ out, preset: 'single', splits, seed: 0 });
  assert.equal(m.buckets.length, 20);
  assert.deepEqual(m.splits, splits);
  assert.equal(m.generator.name, 'syncdraw-mm');
  assert.deepEqual(m.generator.params.splits, splits);
  assert.deepEqual([m.frames, m.height, m.width, m.channels], [16, 64, 64, 1]);
  const r = DatasetReader.open(out);
  t.after(() => r.close());
  for (const s of ['train', 'val', 'test'] as Split[]) assert.equal(r.videos(s).length, splits[s]);
  const renderer = new SyncDrawRenderer(resolveSyncDrawParams({ preset: 'single', splits, seed: 0 }));
  const buf = new Uint8Array(renderer.videoBytes);
  for (const e of [r.videos('train')[0]!, r.videos('val')[17]!, r.videos('test')[49]!]) {
    const meta = renderer.render(e.split, Number(e.id.split('-')[1]), buf);
    assert.equal(meta.caption, e.caption);
    assert.deepEqual(r.read(e), buf);
  }
});

/** Intensity centroid (x, y) of one (S, S) frame. */
function centroid(video: Uint8Array, t: number, S: number): [number, number, number] {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const v = video[t * S * S + y * S + x]!;
      m += v;
      mx += v * x;
      my += v * y;
    }
  }
  return [mx / m, my / m, m];
}

test('caption truth on 500 single-digit videos: the moving axis is the one the caption names', () => {
  const params = resolveSyncDrawParams({ preset: 'single', splits: { train: 500 }, seed: 11 });
  const r = new SyncDrawRenderer(params);
  const { frames: T, size: S } = params;
  const max = S - 28;
  const video = new Uint8Array(r.videoBytes); // (T, S, S, 1)
  let agree = 0;
  for (let i = 0; i < 500; i++) {
    const meta = r.render('train', i, video);
    const a = meta.attributes as unknown as SyncDrawAttributes;
    const [, digit, motion] = /^digit (\d) is moving (up and down|left and right)$/.exec(meta.caption) ?? [];
    assert.equal(Number(digit), a.digits[0], meta.caption);
    assert.equal(motion, a.motions[0]);
    const cs = Array.from({ length: T }, (_, t) => centroid(video, t, S));
    const range = (k: 0 | 1): number => Math.max(...cs.map((c) => c[k])) - Math.min(...cs.map((c) => c[k]));
    if ((range(1) > range(0) ? 'up and down' : 'left and right') === motion) agree++;
    // ink mass is conserved frame to frame (nothing clipped at the borders; tolerance 0.5%)
    for (const c of cs) assert.ok(Math.abs(c[2] - cs[0]![2]) <= 0.005 * cs[0]![2], `${meta.id}: ink ${c[2]} vs ${cs[0]![2]}`);
    // all ink lies inside the glyph box given by the attributes, and the box is inside the canvas
    const path = trajectory({ motion: a.motions[0]!, start: a.starts[0]!, velocity: a.velocities[0]! }, T, max, max);
    for (let t = 0; t < T; t++) {
      const [bx, by] = [path[2 * t]!, path[2 * t + 1]!];
      assert.ok(bx >= 0 && by >= 0 && bx + 28 <= S && by + 28 <= S, `${meta.id} frame ${t}: box at (${bx}, ${by})`);
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          if (x >= bx && x < bx + 28 && y >= by && y < by + 28) continue;
          if (video[t * S * S + y * S + x] !== 0) assert.fail(`${meta.id} frame ${t}: ink at (${x}, ${y}) outside its box`);
        }
      }
    }
  }
  assert.equal(agree, 500);
});

test('preset double: two different digits per caption, overlapping ink combined with max', () => {
  const params = resolveSyncDrawParams({ preset: 'double', splits: { train: 100 }, seed: 2 });
  const r = new SyncDrawRenderer(params);
  const { frames: T, size: S } = params;
  const video = new Uint8Array(r.videoBytes); // (T, S, S, 1)
  let overlapping = 0;
  for (let i = 0; i < 100; i++) {
    const meta = r.render('train', i, video);
    const a = meta.attributes as unknown as SyncDrawAttributes;
    assert.equal(a.preset, 'double');
    assert.notEqual(a.digits[0], a.digits[1]);
    assert.equal(meta.caption, `digit ${a.digits[0]} is moving ${a.motions[0]} and digit ${a.digits[1]} is moving ${a.motions[1]}`);
    // Recover each glyph from a frame where the two boxes do not intersect, then check every
    // frame equals the max-composite of the two glyphs at their attribute positions.
    const paths = [0, 1].map((k) => trajectory({ motion: a.motions[k]!, start: a.starts[k]!, velocity: a.velocities[k]! }, T, S - 28, S - 28));
    const pos = (k: number, t: number): [number, number] => [paths[k]![2 * t]!, paths[k]![2 * t + 1]!];
    const apart = (t: number): boolean => {
      const [[x0, y0], [x1, y1]] = [pos(0, t), pos(1, t)];
      return Math.abs(x0 - x1) >= 28 || Math.abs(y0 - y1) >= 28;
    };
    const t0 = Array.from({ length: T }, (_, t) => t).find(apart);
    if (t0 === undefined) continue;
    const glyphs = [0, 1].map((k) => {
      const [x, y] = pos(k, t0);
      return Uint8Array.from({ length: 784 }, (_, j) => video[t0 * S * S + (y + Math.floor(j / 28)) * S + x + (j % 28)]!);
    });
    for (let t = 0; t < T; t++) {
      if (!apart(t)) overlapping++;
      const expect = new Uint8Array(S * S); // (S, S)
      for (let k = 0; k < 2; k++) {
        const [x, y] = pos(k, t);
        for (let j = 0; j < 784; j++) {
          const o = (y + Math.floor(j / 28)) * S + x + (j % 28);
          expect[o] = Math.max(expect[o]!, glyphs[k]![j]!);
        }
      }
      assert.deepEqual(video.subarray(t * S * S, (t + 1) * S * S), expect, `${meta.id} frame ${t}`);
    }
  }
  assert.ok(overlapping > 0, 'no overlapping frame was checked');
});

test('preset mixed: about half single, half double; bad options are refused', () => {
  const r = new SyncDrawRenderer(resolveSyncDrawParams({ preset: 'mixed', splits: { train: 400 }, seed: 4 }));
  const video = new Uint8Array(r.videoBytes);
  let doubles = 0;
  for (let i = 0; i < 400; i++) if ((r.render('train', i, video).attributes.preset as string) === 'double') doubles++;
  assert.ok(doubles > 140 && doubles < 260, `${doubles} / 400 double`); // binomial(400, ½): ±6σ
  assert.throws(() => resolveSyncDrawParams({ size: 30 }), /size must be an integer ≥ 32/);
  assert.throws(() => resolveSyncDrawParams({ splits: { train: 0, val: 0, test: 0 } }), /all split sizes are 0/);
  assert.throws(() => resolveSyncDrawParams({ preset: 'triple' as 'single' }), /preset must be one of single, double, mixed/);
});
