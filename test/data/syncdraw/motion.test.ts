import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bounce, sampleMotion, trajectory, type MotionParams } from '../../../src/data/syncdraw/motion.js';
import { Rng } from '../../../src/data/syncdraw/rng.js';

/** Reference: step the position frame by frame, reflecting at the walls (independent of `bounce`). */
function simulate(p0: number, v0: number, max: number, frames: number): number[] {
  const out: number[] = [];
  let p = p0;
  let v = v0;
  for (let t = 0; t < frames; t++) {
    out.push(p);
    p += v;
    // one reflection per step suffices while |v| < max
    if (p < 0) {
      p = -p;
      v = -v;
    } else if (p > max) {
      p = 2 * max - p;
      v = -v;
    }
  }
  return out;
}

test('closed-form bounce equals a frame-by-frame reflecting simulation', () => {
  const rng = Rng.fromSeed(5);
  for (let k = 0; k < 200; k++) {
    const max = rng.int(4, 60);
    const p0 = rng.int(0, max + 1);
    const v = rng.uniform(-Math.min(5, max - 0.01), Math.min(5, max - 0.01));
    const ref = simulate(p0, v, max, 40);
    ref.forEach((p, t) => assert.ok(Math.abs(bounce(p0 + v * t, max) - p) < 1e-9, `max ${max} p0 ${p0} v ${v} t ${t}`));
  }
  assert.equal(bounce(7, 0), 0);
});

test('trajectory stays inside [0, max] and moves only along the named axis', () => {
  const rng = Rng.fromSeed(6);
  const max = 36;
  for (let k = 0; k < 500; k++) {
    const m = sampleMotion(k % 2 ? 'up and down' : 'left and right', rng, max, max);
    const speed = Math.abs(m.velocity[0] + m.velocity[1]);
    assert.ok(speed >= 2 && speed <= 5, `speed ${speed}`);
    const path = trajectory(m, 16, max, max); // (T, 2)
    const still = m.motion === 'up and down' ? 0 : 1;
    for (let t = 0; t < 16; t++) {
      assert.ok(path[2 * t]! >= 0 && path[2 * t]! <= max && path[2 * t + 1]! >= 0 && path[2 * t + 1]! <= max);
      assert.equal(path[2 * t + still], m.start[still]);
    }
  }
});

test('a hand-checked bounce: start 30, +4 px/frame, max 36', () => {
  const m: MotionParams = { motion: 'left and right', start: [30, 3], velocity: [4, 0] };
  const xs = Array.from(trajectory(m, 6, 36, 36)).filter((_, i) => i % 2 === 0);
  assert.deepEqual(xs, [30, 34, 34, 30, 26, 22]); // 30→34→38 reflects to 34→30…
});
