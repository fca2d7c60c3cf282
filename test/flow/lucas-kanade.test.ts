// Dense flow on constructed videos whose true motion is known in closed form: the moved frames are
// rendered from the analytic texture at the moved coordinates (no resampling).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { FLOW_METHOD, computeFlow, forwardBackwardFlow } from '../../src/flow/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { renderFrames, texture } from './textures.js';

const H = 64;
const W = 64;

/** Mean end-point error of flows (N, 2, H, W) against truth(n, x, y) over pixels ≥ margin from the border. */
function meanEpe(flow: T.Tensor, truth: (n: number, x: number, y: number) => [number, number], margin: number): number {
  const [n, , h, w] = flow.shape as [number, number, number, number];
  const f = flow.toFloat32Array();
  let sum = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    for (let y = margin; y < h - margin; y++) {
      for (let x = margin; x < w - margin; x++) {
        const [gx, gy] = truth(k, x, y);
        sum += Math.hypot(f[((k * 2) * h + y) * w + x]! - gx, f[((k * 2 + 1) * h + y) * w + x]! - gy);
        count++;
      }
    }
  }
  return sum / count;
}

test('a static video gives zero flow', () => {
  assertNoLeak(() => T.tidy(() => {
    const tex = texture(1);
    const frames = T.tensor(renderFrames(2, H, W, (_t, x, y) => tex(x, y)), { shape: [2, 1, H, W] });
    const flow = computeFlow(frames, frames); // (2, 2, H, W)
    assert.deepEqual(flow.shape, [2, 2, H, W]);
    assert.ok(flow.abs().max().item() < 1e-6, `max |flow| = ${flow.abs().max().item()}`);
  }));
});

test('sub-pixel translations of a smooth texture: mean end-point error < 0.1 px (batched, gray and RGB)', () => {
  const shifts: [number, number][] = [[0.3, -0.7], [1.6, 0.4], [-0.45, 0.25], [-2.5, 3.2]];
  const tex = texture(7);
  // pair k: frame a(x) = tex(x), frame b(x) = tex(x − d_k), so a(x) = b(x + d_k)
  const a = renderFrames(shifts.length, H, W, (_k, x, y) => tex(x, y));
  const b = renderFrames(shifts.length, H, W, (k, x, y) => tex(x - shifts[k]![0], y - shifts[k]![1]));
  assertNoLeak(() => T.tidy(() => {
    const ta = T.tensor(a, { shape: [shifts.length, 1, H, W] });
    const tb = T.tensor(b, { shape: [shifts.length, 1, H, W] });
    const gray = computeFlow(ta, tb);
    const epe = meanEpe(gray, (k) => shifts[k]!, 8);
    assert.ok(epe < 0.1, `gray EPE ${epe}`);
    // RGB with different channel gains: the luma is the same texture up to scale
    const rgb = (t: T.Tensor): T.Tensor => T.cat([t, t.mulScalar(0.8), t.mulScalar(0.6)], { dim: 1 }); // (N, 3, H, W)
    const epeRgb = meanEpe(computeFlow(rgb(ta), rgb(tb)), (k) => shifts[k]!, 8);
    assert.ok(epeRgb < 0.1, `RGB EPE ${epeRgb}`);
  }));
});

test('a slow rotation and zoom sequence: mean end-point error < 0.3 px', () => {
  // frame t shows the texture rotated by t·1.5° and scaled by 1.015^t about the centre
  const frames = 4;
  const [cx, cy] = [(W - 1) / 2, (H - 1) / 2];
  const ang = (1.5 * Math.PI) / 180;
  const zoom = 1.015;
  const tex = texture(11);
  const video = renderFrames(frames, H, W, (t, x, y) => {
    const [c, s, k] = [Math.cos(t * ang), Math.sin(t * ang), zoom ** t];
    const [qx, qy] = [(x - cx) / k, (y - cy) / k];
    return tex(cx + c * qx + s * qy, cy - s * qx + c * qy); // inverse rotation and zoom
  });
  // content at p in frame t is at c + zoom·R(ang)(p − c) in frame t + 1
  const truth = (_n: number, x: number, y: number): [number, number] => {
    const [px, py] = [x - cx, y - cy];
    const [c, s] = [Math.cos(ang), Math.sin(ang)];
    return [cx + zoom * (c * px - s * py) - x, cy + zoom * (s * px + c * py) - y];
  };
  assertNoLeak(() => T.tidy(() => {
    const v = T.tensor(video, { shape: [frames, 1, H, W] });
    const flow = computeFlow(v.narrow(0, 0, frames - 1), v.narrow(0, 1, frames - 1)); // (3, 2, H, W)
    const epe = meanEpe(flow, truth, 8);
    assert.ok(epe < 0.3, `rotation/zoom EPE ${epe}`);
  }));
});

test('forward and backward flows of a translation are opposite, and chunking does not change results', () => {
  const tex = texture(5);
  const a = renderFrames(3, H, W, (_k, x, y) => tex(x, y));
  const b = renderFrames(3, H, W, (k, x, y) => tex(x - 1.25 + k * 0.5, y + 0.75));
  assertNoLeak(() => T.tidy(() => {
    const ta = T.tensor(a, { shape: [3, 1, H, W] });
    const tb = T.tensor(b, { shape: [3, 1, H, W] });
    const { forward, backward } = forwardBackwardFlow(ta, tb);
    const shifts: [number, number][] = [[1.25, -0.75], [0.75, -0.75], [0.25, -0.75]];
    assert.ok(meanEpe(forward, (k) => shifts[k]!, 8) < 0.1);
    assert.ok(meanEpe(backward, (k) => [-shifts[k]![0], -shifts[k]![1]], 8) < 0.1);
    const oneByOne = computeFlow(ta, tb, { chunk: 1 });
    assert.ok(oneByOne.sub(forward).abs().max().item() < 1e-4);
  }));
});

test('bad inputs are rejected with the shapes named', () => {
  T.tidy(() => {
    assert.throws(() => computeFlow(T.zeros([2, 1, 8, 8]), T.zeros([2, 1, 8, 9])), /one shape, got \[2, 1, 8, 8\] and \[2, 1, 8, 9\]/);
    assert.throws(() => computeFlow(T.zeros([2, 2, 8, 8]), T.zeros([2, 2, 8, 8])), /1 or 3 channels/);
    assert.throws(() => computeFlow(T.zeros([1, 1, 8, 8]), T.zeros([1, 1, 8, 8]), { chunk: 0 }), /chunk/);
  });
  assert.match(FLOW_METHOD, /lk/);
});
