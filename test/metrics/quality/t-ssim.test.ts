// Tests for t_ssim (src/metrics/quality/t-ssim.ts): consecutive-frame SSIM and x–t / y–t slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTSsim, tSsim } from '../../../src/metrics/quality/t-ssim.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { rng, video } from './videos.js';

const C1 = 0.01 ** 2;

test('t_ssim: a static video scores 1; frames alternating black/white score C1/(1+C1)', () =>
  assertNoLeak(async () => {
    const r = rng(3);
    const tex = Array.from({ length: 144 }, () => r() * 255);
    const shape = { t: 4, h: 12, w: 12, c: 1 as const };
    const r1 = await tSsim.compute({
      fps: 8,
      videos: [video('static', 'p', shape, (_t, y, x) => tex[y * 12 + x]!), video('flash', 'p', shape, (t) => (t % 2) * 255)],
    });
    assertClose(r1.perVideo.map((p) => p.value), [1, C1 / (1 + C1)], 1e-12);
    assert.match(r1.perVideo[0]!.note ?? '', /at least 11 frames/); // slices need T ≥ 11
  }));

test('t_ssim slices: rows all equal → x–t slices identical (xt = 1); columns all equal → yt = 1', () =>
  assertNoLeak(async () => {
    const r = rng(5);
    const f = Array.from({ length: 12 * 12 }, () => r() * 255); // f[t·12 + i]
    const shape = { t: 12, h: 12, w: 12, c: 1 as const };
    const res = await tSsim.compute({
      fps: 8,
      videos: [video('rows', 'p', shape, (t, _y, x) => f[t * 12 + x]!), video('cols', 'p', shape, (t, y) => f[t * 12 + y]!)],
    });
    const [rows, cols] = res.perVideo;
    assertClose([rows!.extra!.xt as number, cols!.extra!.yt as number], [1, 1], 1e-12);
    assert.ok((rows!.extra!.yt as number) < 0.9 && (cols!.extra!.xt as number) < 0.9);
    assertClose([res.aggregates!.xt!], [((rows!.extra!.xt as number) + (cols!.extra!.xt as number)) / 2], 1e-12);
    const plain = await createTSsim({ slices: false }).compute({ fps: 8, videos: [video('rows', 'p', shape, (t, _y, x) => f[t * 12 + x]!)] });
    assert.equal(plain.aggregates?.xt, undefined);
    assert.equal(plain.settings.slices, false);
  }));

test('t_ssim: a one-frame video is NaN with a note', async () => {
  const r = await tSsim.compute({ fps: 8, videos: [video('one', 'p', { t: 1, h: 12, w: 12, c: 1 }, () => 3)] });
  assert.ok(Number.isNaN(r.perVideo[0]!.value));
  assert.match(r.perVideo[0]!.note ?? '', /2 frames/);
  assert.ok(Number.isNaN(r.aggregate));
});
