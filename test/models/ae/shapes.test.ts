// Shapes, latent shapes, PyTorch-style state-dict keys and safetensors round trips of the three
// video autoencoders (src/models/ae), on tiny sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../../src/tensor/index.js';
import { AE_ARCHS, aeSpec, buildAutoencoder } from '../../../src/models/ae/index.js';
import { CausalVae } from '../../../src/models/ae/causal-vae.js';
import { Conv3dBase, broadcastInput } from '../../../src/models/ae/conv3d-base.js';
import { patchify, unpatchify } from '../../../src/models/ae/unet3d.js';
import { loadTensors, saveTensors } from '../../../src/io/tensors.js';
import { assertNoLeak } from '../../helpers/leak.js';
import { INPUT, TINY } from './tiny.js';

T.setNumThreads(1);

const LATENT = { 'conv3d-base': [8], unet3d: [8], 'causal-vae': [4, 3, 4, 4] };

test('each architecture maps (B, C, T, H, W) to its latent and back, gray and RGB', () =>
  assertNoLeak(() => {
    for (const arch of AE_ARCHS) {
      for (const c of [1, 3]) {
        T.manualSeed(0);
        const input: [number, number, number, number] = [c, ...INPUT.slice(1)] as [number, number, number, number];
        const ae = buildAutoencoder(arch, input, TINY[arch]);
        assert.deepEqual(ae.latentShape(input), LATENT[arch], arch);
        T.noGrad(() => T.tidy(() => {
          const x = T.rand([2, ...input]);
          const z = ae.encode(x);
          assert.deepEqual(z.shape, [2, ...LATENT[arch]], `${arch} latent`);
          const y = ae.decode(z);
          assert.deepEqual(y.shape, [2, ...input], `${arch} reconstruction`);
          assert.ok(y.min().item() >= 0 && y.max().item() <= 1, `${arch}: decode is clamped to [0, 1]`);
        }));
        ae.dispose();
      }
    }
  }));

test('wrong input or latent sizes are refused with the expected shape in the message', () =>
  assertNoLeak(() => {
    const ae = buildAutoencoder('conv3d-base', INPUT, TINY['conv3d-base']);
    T.tidy(() => {
      assert.throws(() => ae.encode(T.zeros([1, 1, 8, 32, 32])), /expected videos \(B, 1, 8, 16, 16\)/);
      assert.throws(() => ae.decode(T.zeros([1, 9])), /decode expects latents \(B, 8\)/);
      assert.throws(() => ae.latentShape([1, 16, 16, 16]), /built for \(C, T, H, W\) = \(1, 8, 16, 16\)/);
    });
    ae.dispose();
  }));

test('causal-vae: default 4× time, 8× space, 16 channels; 16 frames are padded to 17', () => {
  // Built with 2 base channels so that the check is quick; the compression does not depend on width.
  const ae = new CausalVae([1, 16, 64, 64], { ...aeSpec('causal-vae').defaults('paper').model, baseChannels: 2, numResBlocks: 1, midAttention: false } as never);
  assert.equal(ae.framePad, 1);
  assert.deepEqual(ae.latentShape([1, 16, 64, 64]), [16, 5, 8, 8]);
  assert.equal(ae.compressionRatio, (16 * 64 * 64) / (16 * 5 * 8 * 8)); // 12.8
  ae.dispose();
  const ae17 = new CausalVae([3, 17, 64, 64], { ...aeSpec('causal-vae').defaults('quick').model, baseChannels: 2, midAttention: false } as never);
  assert.equal(ae17.framePad, 0);
  assert.deepEqual(ae17.latentShape([3, 17, 64, 64]), [16, 5, 8, 8]);
  ae17.dispose();
});

test('state-dict keys are PyTorch-style (LDM / pix2pix names) and round-trip through safetensors', () =>
  assertNoLeak(() => {
    const expectKeys: Record<string, string[]> = {
      'conv3d-base': ['encoder.0.conv.weight', 'encoder.0.conv.bias', 'encoder.1.norm.weight', 'to_moments.weight', 'fc.weight', 'fc_norm.bias', 'decoder.0.conv.weight', 'decoder.1.conv.bias', 'skips.1.weight'],
      unet3d: ['encoder.conv_in.weight', 'encoder.down.0.block.0.norm1.weight', 'encoder.down.0.downsample.conv.weight', 'encoder.mid.attn_1.q.weight', 'encoder.mid.block_2.conv2.bias', 'fc_moments.weight', 'fc_z.bias', 'decoder.up.1.upsample.conv.weight', 'decoder.up.0.block.0.nin_shortcut.weight', 'decoder.conv_out.weight'],
      'causal-vae': ['encoder.conv_in.conv.weight', 'encoder.down.0.block.0.conv1.conv.weight', 'encoder.mid.attn_1.proj_out.weight', 'decoder.up.1.upsample.conv.conv.weight', 'decoder.norm_out.weight'],
    };
    const dir = mkdtempSync(join(tmpdir(), 't2v-ae-sd-'));
    try {
      for (const arch of AE_ARCHS) {
        T.manualSeed(1);
        const a = buildAutoencoder(arch, INPUT, TINY[arch]);
        T.manualSeed(2);
        const b = buildAutoencoder(arch, INPUT, TINY[arch]);
        const sd = a.stateDict();
        for (const k of expectKeys[arch]!) assert.ok(sd.has(k), `${arch}: missing key ${k}; have ${[...sd.keys()].slice(0, 8).join(', ')}…`);
        for (const k of sd.keys()) assert.match(k, /^[a-z_0-9]+(\.[a-z_0-9]+)*$/, `${arch}: key ${k}`);
        const path = join(dir, `${arch}.safetensors`);
        saveTensors(path, sd);
        for (const t of sd.values()) t.dispose();
        const { tensors } = loadTensors(path);
        b.loadStateDict(tensors);
        for (const t of tensors.values()) t.dispose();
        T.noGrad(() => T.tidy(() => {
          const x = T.rand([1, ...INPUT]);
          assert.ok(T.equal(a.encode(x), b.encode(x)), `${arch}: encode differs after the round trip`);
          const z = a.encode(x);
          assert.ok(T.equal(a.decode(z), b.decode(z)), `${arch}: decode differs after the round trip`);
        }));
        a.dispose();
        b.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('conv3d-base decoderInput broadcast: head.* replaces fc.*, shapes hold, and each cell sees z and its own coordinates', () =>
  assertNoLeak(() => {
    const ae = buildAutoencoder('conv3d-base', INPUT, { ...TINY['conv3d-base'], decoderInput: 'broadcast' }) as Conv3dBase;
    const sd = ae.stateDict();
    const keys = [...sd.keys()];
    for (const t of sd.values()) t.dispose();
    assert.ok(keys.includes('head.0.weight') && keys.includes('head.2.bias') && !keys.some((k) => k.startsWith('fc.')), keys.join(', '));
    T.tidy(() => {
      const x = T.rand([2, ...INPUT]);
      assert.deepEqual(ae.decode(ae.encode(x)).shape, [2, ...INPUT]);
    });
    // Set the per-cell MLP so that channel 0 of its output is relu(y-coordinate) + z_0 and the
    // rest are 0: head.0 copies [y, z_0] into channels 0 and 1, head.1 and head.2 add them.
    const [, t, h, w] = ae.bottleneck;
    const dz = ae.cfg.latentDim;
    T.noGrad(() => T.tidy(() => {
      for (const m of ae.head!) for (const p of m.parameters()) p.zero_();
      const w0 = ae.head!.at(0).weight; // (C_S, d_z + 3, 1, 1, 1)
      w0.select(0, 0).select(0, dz + 1).fill_(1); // channel 0 ← y coordinate (channel order t, y, x after z)
      w0.select(0, 1).select(0, 0).fill_(1); // channel 1 ← z_0
      ae.head!.at(1).weight.select(0, 0).select(0, 0).fill_(1);
      ae.head!.at(1).weight.select(0, 1).select(0, 1).fill_(1);
      ae.head!.at(2).weight.select(0, 0).select(0, 0).fill_(1);
      ae.head!.at(2).weight.select(0, 0).select(0, 1).fill_(1);
      T.tidy(() => {
        const z = T.zeros([1, dz]);
        z.select(1, 0).fill_(0.5);
        const out = broadcastInput(ae.head!, z, ae.bottleneck); // (1, C_S, t, h, w)
        const got = [...out.select(1, 0).toFloat32Array()]; // (t·h·w)
        const want: number[] = [];
        for (let a = 0; a < t; a++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) want.push(Math.max(0, h === 1 ? -1 : -1 + (2 * i) / (h - 1)) + 0.5);
        assert.deepEqual(got.map((v) => Math.round(v * 1e5) / 1e5), want.map((v) => Math.round(v * 1e5) / 1e5));
        assert.equal(out.select(1, 1).abs().sum().item(), 0);
      });
    }));
    assert.throws(() => buildAutoencoder('conv3d-base', INPUT, { ...TINY['conv3d-base'], decoderInput: 'mlp' }), /model\.decoderInput: must be 'fc' or 'broadcast', got 'mlp'/);
    ae.dispose();
  }));

test('unet3d patch: patchify folds p×p blocks into channels in pixel_unshuffle order, unpatchify inverts it, and the AE keeps its shapes', () =>
  assertNoLeak(() => {
    // (B, C, T, H, W) = (1, 2, 1, 2, 4), value = 100·c + 10·y + x, so each element names its pixel.
    const vals: number[] = [];
    for (let c = 0; c < 2; c++) for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) vals.push(100 * c + 10 * y + x);
    const x = T.tensor(vals, { shape: [1, 2, 1, 2, 4] });
    const f = patchify(x, 2); // (1, 8, 1, 1, 2)
    assert.deepEqual(f.shape, [1, 8, 1, 1, 2]);
    // Channel c·4 + i·2 + j holds pixel (y = i, x = 2·w + j) of channel c, for w = 0, 1.
    const want: number[] = [];
    for (let c = 0; c < 2; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let w = 0; w < 2; w++) want.push(100 * c + 10 * i + 2 * w + j);
    assert.deepEqual([...(f.toTypedArray() as Float32Array)], want);
    const back = unpatchify(f, 2);
    assert.deepEqual([...(back.toTypedArray() as Float32Array)], vals);
    for (const t of [x, f, back]) t.dispose();

    const input: [number, number, number, number] = [1, 8, 32, 32];
    const cfg = { baseChannels: 4, channelMult: [1, 2], temporalDown: [true], zChannels: 2, latentDim: 8, patch: 2 };
    const ae = buildAutoencoder('unet3d', input, cfg);
    const sd = ae.stateDict();
    assert.deepEqual(sd.get('encoder.conv_in.weight')!.shape.slice(0, 2), [4, 4], 'the encoder sees C·p² = 4 channels');
    assert.deepEqual(sd.get('decoder.conv_out.weight')!.shape.slice(0, 2), [4, 4], 'the decoder makes C·p² = 4 channels');
    for (const t of sd.values()) t.dispose();
    const v = T.rand([2, ...input]);
    const z = ae.encode(v);
    assert.deepEqual(z.shape, [2, 8]);
    const y = ae.decode(z);
    assert.deepEqual(y.shape, [2, ...input]);
    assert.throws(() => buildAutoencoder('unet3d', [1, 8, 34, 34], cfg), /model\.channelMult \/ model\.patch: patch 2 and 1 down-samplings need H and W divisible by 4, got 34×34/);
    assert.throws(() => buildAutoencoder('unet3d', input, { ...cfg, patch: 0 }), /model\.patch: must be an integer ≥ 1/);
    for (const t of [v, z, y]) t.dispose();
    ae.dispose();
  }));
