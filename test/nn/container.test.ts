// Tests for src/nn/container.ts: PyTorch's child names ('0', '1', …) and keys, chaining, printing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Conv2d, GroupNorm, Linear, ModuleList, Sequential, SiLU, Tanh } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';
import { assertClose } from '../helpers/close.js';

test("Sequential names children '0', '1', … and chains forward", () =>
  assertNoLeak(() => {
    const mlp = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1));
    assert.deepEqual([...mlp.namedParameters()].map(([k, p]) => [k, p.shape]), [
      ['0.weight', [8, 2]], ['0.bias', [8]], ['2.weight', [1, 8]], ['2.bias', [1]],
    ]);
    assert.equal(mlp.length, 3);
    assert.ok(mlp.at(-1) instanceof Linear);
    T.tidy(() => {
      const x = T.randn([5, 2]);
      const manual = mlp.at(2).forward(T.tanh(mlp.at(0).forward(x))); // (5, 1)
      assertClose(mlp.forward(x).toArray(), manual.toArray(), 0);
    });
    assert.equal(
      mlp.toString(),
      'Sequential(\n  (0): Linear(in_features=2, out_features=8, bias=True)\n  (1): Tanh()\n  (2): Linear(in_features=8, out_features=1, bias=True)\n)',
    );
    mlp.dispose();
  }));

test('ModuleList registers its modules under indices; nested keys follow PyTorch', () =>
  assertNoLeak(() => {
    const blocks = new ModuleList([new Sequential(new Conv2d(3, 4, 3), new GroupNorm(2, 4), new SiLU())]);
    blocks.append(new Sequential(new Conv2d(4, 4, 1)));
    assert.equal(blocks.length, 2);
    assert.deepEqual([...blocks.namedParameters('blocks').keys()], [
      'blocks.0.0.weight', 'blocks.0.0.bias', 'blocks.0.1.weight', 'blocks.0.1.bias', 'blocks.1.0.weight', 'blocks.1.0.bias',
    ]);
    assert.deepEqual([...blocks.namedModules().keys()], ['', '0', '0.0', '0.1', '0.2', '1', '1.0']);
    assert.equal([...blocks].length, 2);
    assert.throws(() => blocks.at(5), /index 5 is out of range for 2 modules/);
    blocks.dispose();
  }));

test('an empty Sequential returns a new handle of its input', () =>
  assertNoLeak(() => {
    const id = new Sequential();
    T.tidy(() => {
      const x = T.tensor([1, 2]);
      const y = id.forward(x);
      assert.notEqual(y, x);
      assert.deepEqual(y.toArray(), [1, 2]);
    });
  }));
