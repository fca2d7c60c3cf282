import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../src/io/npy.js';
import { FfmpegError, decodeVideo, encodeMp4, ffmpegTools, probeVideo, readVideoFile } from '../../src/media/ffmpeg.js';
import { writeGif } from '../../src/media/gif.js';
import { noise, rawFrames, tempDir, testsrc } from './clips.js';

test('ffmpegTools finds ffmpeg and ffprobe', () => {
  const t = ffmpegTools();
  assert.match(t.ffmpeg, /ffmpeg$/);
  assert.match(t.ffprobe, /ffprobe$/);
});

test('probeVideo reads size, fps, duration and frame count', async () => {
  const { dir, cleanup } = tempDir('probe');
  try {
    const path = join(dir, 'a.mp4');
    testsrc(path, '96x72', 25, 1);
    const p = await probeVideo(path);
    assert.deepEqual([p.width, p.height, p.fps, p.frameCount, p.codec], [96, 72, 25, 25, 'h264']);
    assert.ok(Math.abs(p.durationSec - 1) < 0.05, `duration ${p.durationSec}`);
    assert.equal((await probeVideo(path, { countFrames: true })).frameCount, 25);
  } finally {
    cleanup();
  }
});

test('decodeVideo: full size, stride, window, resize + centre crop, gray', async () => {
  const { dir, cleanup } = tempDir('decode');
  try {
    const path = join(dir, 'a.mp4');
    testsrc(path, '96x72', 25, 1);
    const full = await decodeVideo(path, { channels: 3 });
    assert.deepEqual([full.frames, full.height, full.width, full.channels], [25, 72, 96, 3]);
    assert.deepEqual(full.data, new Uint8Array(rawFrames(path, 'rgb24')), 'same bytes as a plain ffmpeg decode');
    const s = await decodeVideo(path, { channels: 1, stride: 2, size: { height: 32, width: 32 } });
    assert.deepEqual([s.frames, s.height, s.width, s.channels], [13, 32, 32, 1]);
    const w = await decodeVideo(path, { channels: 3, startSec: 0.4, endSec: 0.8 });
    assert.equal(w.frames, 10, '0.4 s at 25 fps');
    const tall = await decodeVideo(path, { channels: 3, size: { height: 40, width: 20 } });
    assert.deepEqual([tall.height, tall.width], [40, 20]);
    const capped = await decodeVideo(path, { channels: 1, maxFrames: 3 });
    assert.equal(capped.frames, 3);
  } finally {
    cleanup();
  }
});

test('encodeMp4 then decode keeps size and frame count (odd sizes padded to even)', async () => {
  const { dir, cleanup } = tempDir('mp4');
  try {
    const T = 9, H = 48, W = 64;
    const data = new Uint8Array(T * H * W * 3); // (T, H, W, 3): a bright square moving right
    for (let t = 0; t < T; t++) for (let y = 10; y < 30; y++) for (let x = 4 * t; x < 4 * t + 16; x++) data.fill(220, ((t * H + y) * W + x) * 3, ((t * H + y) * W + x) * 3 + 3);
    const path = join(dir, 'x.mp4');
    await encodeMp4({ frames: T, height: H, width: W, channels: 3, data }, path, 8);
    const p = await probeVideo(path);
    assert.deepEqual([p.width, p.height, p.fps, p.frameCount], [W, H, 8, T]);
    const back = await readVideoFile(path, { channels: 3 });
    assert.deepEqual([back.frames, back.height, back.width], [T, H, W]);
    let err = 0;
    for (let i = 0; i < data.length; i++) err += Math.abs(back.data[i]! - data[i]!);
    assert.ok(err / data.length < 6, `mean abs error ${err / data.length}`);
    const odd = join(dir, 'odd.mp4');
    await encodeMp4({ frames: 2, height: 7, width: 9, channels: 1, data: noise(2 * 7 * 9) }, odd, 8);
    assert.deepEqual([(await probeVideo(odd)).width, (await probeVideo(odd)).height], [10, 8]);
  } finally {
    cleanup();
  }
});

test('readVideoFile dispatches on the extension: .npy (T,H,W,C) and (T,H,W), .gif, errors', async () => {
  const { dir, cleanup } = tempDir('read');
  try {
    const data = noise(3 * 4 * 5 * 3, 9);
    writeNpy(join(dir, 'a.npy'), { dtype: 'u1', shape: [3, 4, 5, 3], data });
    const a = await readVideoFile(join(dir, 'a.npy'));
    assert.deepEqual([a.frames, a.height, a.width, a.channels], [3, 4, 5, 3]);
    assert.deepEqual(a.data, data);
    writeNpy(join(dir, 'b.npy'), { dtype: 'u1', shape: [3, 4, 5], data: data.subarray(0, 60) });
    assert.equal((await readVideoFile(join(dir, 'b.npy'))).channels, 1);
    writeNpy(join(dir, 'f.npy'), { dtype: 'f4', shape: [1, 2, 2], data: new Uint8Array(16) });
    await assert.rejects(readVideoFile(join(dir, 'f.npy')), /f\.npy: expected a uint8 array .* got dtype f4/);
    const gray = noise(2 * 6 * 8, 2);
    writeGif(join(dir, 'g.gif'), { frames: 2, height: 6, width: 8, channels: 1, data: gray });
    const g = await readVideoFile(join(dir, 'g.gif'), { channels: 1 });
    assert.deepEqual(g.data, gray);
    await assert.rejects(readVideoFile(join(dir, 'x.txt')), /unsupported video extension '\.txt'/);
    writeFileSync(join(dir, 'bad.avi'), noise(4000, 5));
    await assert.rejects(readVideoFile(join(dir, 'bad.avi')), (e: unknown) => {
      assert.ok(e instanceof FfmpegError);
      assert.match(e.message, /bad\.avi/);
      assert.ok(e.stderrTail.length > 0, 'carries ffmpeg stderr');
      return true;
    });
  } finally {
    cleanup();
  }
});

test('a missing ffmpeg gives an error that says to install the Debian package', () => {
  const script = `import('${new URL('../../src/media/ffmpeg.js', import.meta.url).href}').then((m) => m.ffmpegTools())` +
    `.catch((e) => { process.stdout.write(e.message); })`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
  assert.match(out, /ffmpeg was not found on PATH .*install the Debian package ffmpeg/);
});
