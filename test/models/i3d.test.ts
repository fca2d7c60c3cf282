// Tests for src/models/i3d.ts: the state-dict keys of piergiaj/pytorch-i3d (list written from
// pytorch_i3d.py), TF-'SAME' padding by hand, the 400-d output for a (1, 3, 16, 224, 224) clip
// through a safetensors round trip, and the error for a missing checkpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { InceptionI3d, MaxPool3dSame, loadI3d, preprocessI3d, samePadding } from '../../src/models/i3d.js';
import { saveTensors } from '../../src/io/tensors.js';
import { assertNoLeak } from '../helpers/leak.js';

/** The keys of pytorch_i3d.py's InceptionI3d(400): Unit3D = conv3d.weight + bn.{weight,bias,running_mean,running_var,num_batches_tracked}. */
function referenceKeys(): string[] {
  const unit = (p: string): string[] => [`${p}.conv3d.weight`, ...['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'].map((k) => `${p}.bn.${k}`)];
  const keys = [...unit('Conv3d_1a_7x7'), ...unit('Conv3d_2b_1x1'), ...unit('Conv3d_2c_3x3')];
  for (const m of ['Mixed_3b', 'Mixed_3c', 'Mixed_4b', 'Mixed_4c', 'Mixed_4d', 'Mixed_4e', 'Mixed_4f', 'Mixed_5b', 'Mixed_5c']) {
    for (const b of ['b0', 'b1a', 'b1b', 'b2a', 'b2b', 'b3b']) keys.push(...unit(`${m}.${b}`));
  }
  keys.push('logits.conv3d.weight', 'logits.conv3d.bias');
  return keys;
}

test('InceptionI3d has exactly the state-dict keys and key shapes of piergiaj/pytorch-i3d', () =>
  assertNoLeak(() => {
    const net = new InceptionI3d();
    const sd = net.stateDict();
    try {
      assert.deepEqual([...sd.keys()].sort(), referenceKeys().sort());
      assert.deepEqual(sd.get('Conv3d_1a_7x7.conv3d.weight')!.shape, [64, 3, 7, 7, 7]);
      assert.deepEqual(sd.get('Mixed_3b.b1b.conv3d.weight')!.shape, [128, 96, 3, 3, 3]);
      assert.deepEqual(sd.get('Mixed_4b.b0.conv3d.weight')!.shape, [192, 480, 1, 1, 1]); // 128+192+96+64 inputs
      assert.deepEqual(sd.get('Mixed_5c.b3b.conv3d.weight')!.shape, [128, 832, 1, 1, 1]);
      assert.deepEqual(sd.get('logits.conv3d.weight')!.shape, [400, 1024, 1, 1, 1]);
      assert.equal(net.getSubmodule('Conv3d_1a_7x7').toString().includes('eps=0.001'), true);
    } finally {
      for (const t of sd.values()) t.dispose();
      net.dispose();
    }
  }));

test("TF 'SAME' padding: max(k − s, 0) when s divides the size, else max(k − size mod s, 0)", () => {
  assert.equal(samePadding(224, 7, 2), 5); // 2 before, 3 after
  assert.equal(samePadding(16, 7, 2), 5);
  assert.equal(samePadding(7, 3, 2), 2); // 7 mod 2 = 1 → 3 − 1
  assert.equal(samePadding(56, 1, 1), 0);
  assert.equal(samePadding(8, 3, 1), 2);
});

test('MaxPool3dSame pads zeros ⌊p/2⌋ before and the rest after (k 1×3×3, s 1×2×2 on a 1×4×4 ramp)', () =>
  assertNoLeak(() => {
    const pool = new MaxPool3dSame([1, 3, 3], [1, 2, 2]);
    const y = T.tidy(() => pool.forward(T.arange(1, 17).reshape([1, 1, 1, 4, 4]).toDType('float32')).toArray());
    // pad 1 = 0 before, 1 after on H and W; windows rows {0,1,2} / {2,3,pad}: maxima 11, 12, 15, 16
    assert.deepEqual(y, [11, 12, 15, 16]);
  }));

test('preprocessI3d maps bytes to 2x/255 − 1 at 224×224', () =>
  assertNoLeak(() => {
    const x = T.tidy(() => {
      const v = T.full([1, 2, 224, 224, 3], 255, { dtype: 'uint8' });
      const p = preprocessI3d(v);
      return { shape: p.shape, max: p.max().item(), min: p.min().item() };
    });
    assert.deepEqual(x, { shape: [1, 3, 2, 224, 224], max: 1, min: 1 });
  }));

test('loadI3d round trip: random weights saved as i3d.safetensors give 400-d features for a (1, 3, 16, 224, 224) clip', () =>
  assertNoLeak(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'i3d-'));
    try {
      const net = new InceptionI3d();
      const sd = net.stateDict();
      const nbt = 'Conv3d_1a_7x7.bn.num_batches_tracked'; // old checkpoints lack these buffers: must still load
      sd.get(nbt)!.dispose();
      sd.delete(nbt);
      saveTensors(join(dir, 'i3d.safetensors'), sd);
      const w0 = net.getParameter('Mixed_4c.b1b.conv3d.weight').toFloat32Array().slice(0, 5);
      for (const t of sd.values()) t.dispose();
      net.dispose();
      const enc = await loadI3d(dir, { device: 'cpu' });
      try {
        assert.equal(enc.name, 'i3d-k400');
        const f = T.tidy(() => {
          const clip = T.randint(0, 256, [1, 16, 224, 224, 3], { dtype: 'uint8' }); // (B, T, H, W, C)
          return enc.encodeVideos(clip);
        });
        assert.deepEqual(f.shape, [1, 400]);
        assert.ok(f.toArray().every(Number.isFinite));
        f.dispose();
        const w1 = (enc as unknown as { model: InceptionI3d }).model.getParameter('Mixed_4c.b1b.conv3d.weight').toFloat32Array().slice(0, 5);
        assert.deepEqual(Array.from(w1), Array.from(w0));
      } finally {
        enc.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('loadI3d without a checkpoint explains how to convert one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i3d-empty-'));
  try {
    await assert.rejects(loadI3d(dir), /no i3d\.safetensors or model\.safetensors.*\n.*save_file/s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
