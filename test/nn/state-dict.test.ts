// Tests for Module.stateDict / loadStateDict (src/nn/module.ts): ownership of the returned
// handles, a bit-exact round trip through safetensors, and PyTorch-style load errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as T from '../../src/tensor/index.js';
import { BatchNorm2d, Conv2d, Linear, Sequential, SiLU } from '../../src/nn/index.js';
import { loadTensors, saveTensors } from '../../src/io/tensors.js';
import { assertNoLeak } from '../helpers/leak.js';

/** A small conv net with every kind of state: weights, biases, float and int64 buffers. */
function convNet(seed: number): Sequential {
  T.manualSeed(seed);
  return new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new SiLU(), new Conv2d(4, 2, 3, { stride: 2 }));
}

function sameBytes(a: T.Tensor, b: T.Tensor): boolean {
  const x = T.toBytes(a);
  const y = T.toBytes(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

test('stateDict returns new detached handles that share storage; disposing them leaves the model intact', () =>
  assertNoLeak(() => {
    const fc = new Linear(2, 2);
    const sd = fc.stateDict();
    const w = sd.get('weight')!;
    assert.notEqual(w, fc.weight);
    assert.equal(w.requiresGrad, false);
    T.noGrad(() => fc.weight.fill_(7));
    assert.deepEqual(w.toArray(), [7, 7, 7, 7]); // same storage
    for (const t of sd.values()) t.dispose();
    assert.deepEqual(fc.weight.toArray(), [7, 7, 7, 7]);
    fc.dispose();
  }));

test('state dict round trip through safetensors is bit-exact and the loaded model gives identical outputs', () =>
  assertNoLeak(() => {
    const dir = mkdtempSync(join(tmpdir(), 't2v-nn-'));
    const a = convNet(1);
    const b = convNet(2);
    try {
      T.tidy(() => {
        a.forward(T.randn([3, 2, 6, 6])); // one training step moves the BatchNorm running stats
        const file = join(dir, 'net.safetensors');
        const sd = a.stateDict();
        saveTensors(file, sd, { format: 'pt' });
        const { tensors } = loadTensors(file);
        assert.deepEqual([...tensors.keys()].sort(), [...sd.keys()].sort());
        for (const [k, t] of sd) {
          const u = tensors.get(k)!;
          assert.equal(u.dtype, t.dtype, k);
          assert.deepEqual(u.shape, t.shape, k);
          assert.ok(sameBytes(u, t), `${k} differs after the round trip`);
        }
        assert.equal(tensors.get('1.num_batches_tracked')!.item(), 1);
        assert.deepEqual(b.loadStateDict(tensors), { missingKeys: [], unexpectedKeys: [] });
        for (const [k, t] of b.stateDict()) assert.ok(sameBytes(t, sd.get(k)!), `${k} not loaded`);
        a.eval();
        b.eval();
        const x = T.randn([2, 2, 6, 6]);
        assert.ok(sameBytes(a.forward(x), b.forward(x)), 'outputs differ');
      });
    } finally {
      a.dispose();
      b.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }));

test('strict loadStateDict throws one error naming missing keys, unexpected keys and size mismatches', () =>
  assertNoLeak(() => {
    const net = new Sequential(new Linear(4, 4), new SiLU(), new Linear(4, 2));
    const before = net.getParameter('0.weight').toArray();
    T.tidy(() => {
      const sd = net.stateDict();
      sd.get('2.bias')!.dispose();
      sd.delete('2.bias');
      sd.set('3.weight', T.zeros([2]));
      sd.set('0.weight', T.ones([3, 4]));
      assert.throws(() => net.loadStateDict(sd), (err: Error) => {
        assert.match(err.message, /^Error\(s\) in loading state_dict for Sequential:/);
        assert.match(err.message, /Missing key\(s\) in state_dict: "2\.bias"\./);
        assert.match(err.message, /Unexpected key\(s\) in state_dict: "3\.weight"\./);
        assert.ok(err.message.includes('size mismatch for 0.weight: copying a param with shape [3, 4] from checkpoint, the shape in current model is [4, 4].'), err.message);
        assert.match(err.message, /strict: false/);
        return true;
      });
    });
    assert.deepEqual(net.getParameter('0.weight').toArray(), before, 'a failed load changes nothing');
    net.dispose();
  }));

test('non-strict loadStateDict reports missing/unexpected keys, loads the rest, and still rejects shape mismatches', () =>
  assertNoLeak(() => {
    const net = new Sequential(new Linear(2, 2), new Linear(2, 1));
    T.tidy(() => {
      const partial = new Map([['0.weight', T.tensor([[1, 2], [3, 4]], { dtype: 'float64' })], ['head.weight', T.zeros([1])]]);
      assert.deepEqual(net.loadStateDict(partial, { strict: false }), {
        missingKeys: ['0.bias', '1.weight', '1.bias'],
        unexpectedKeys: ['head.weight'],
      });
      assert.equal(net.getParameter('0.weight').dtype, 'float32', 'float64 values converted to the parameter dtype');
      assert.deepEqual(net.getParameter('0.weight').toArray(), [1, 2, 3, 4]);
      assert.ok(net.getParameter('0.weight').requiresGrad);
      const wrong = new Map([['1.weight', T.zeros([2, 2])]]);
      assert.throws(() => net.loadStateDict(wrong, { strict: false }), /size mismatch for 1\.weight: copying a param with shape \[2, 2\] from checkpoint, the shape in current model is \[1, 2\]/);
    });
    net.dispose();
  }));
