// Tests for src/nn/module.ts: registration order and PyTorch's key order, modes, gradients,
// dtype/device moves, ownership (tidy, dispose) and lookups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { BatchNorm2d, Dropout, Linear, Module, ModuleList } from '../../src/nn/index.js';
import { assertNoLeak } from '../helpers/leak.js';

/** A module with its own parameter and buffer registered around children, like many PyTorch models. */
class Net extends Module {
  readonly encoder: ModuleList<Linear>;
  readonly norm: BatchNorm2d;
  readonly drop: Dropout;
  constructor() {
    super();
    this.registerParameter('scale', T.ones([1]));
    this.encoder = this.registerModule('encoder', new ModuleList([new Linear(2, 3), new Linear(3, 2, { bias: false })]));
    this.registerBuffer('table', T.arange(0, 4));
    this.registerBuffer('scratch', T.zeros([2]), false);
    this.norm = this.registerModule('norm', new BatchNorm2d(2));
    this.drop = this.registerModule('drop', new Dropout(0.1));
  }
}

test('keys follow PyTorch: own parameters, own persistent buffers, then children in registration order', () =>
  assertNoLeak(() => {
    const net = new Net();
    assert.deepEqual([...net.namedParameters().keys()], ['scale', 'encoder.0.weight', 'encoder.0.bias', 'encoder.1.weight', 'norm.weight', 'norm.bias']);
    assert.deepEqual([...net.namedBuffers().keys()], ['table', 'scratch', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked']);
    T.tidy(() => {
      assert.deepEqual([...net.stateDict().keys()], [
        'scale', 'table', 'encoder.0.weight', 'encoder.0.bias', 'encoder.1.weight',
        'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked',
      ]);
    });
    assert.deepEqual([...net.namedChildren().keys()], ['encoder', 'norm', 'drop']);
    assert.equal(net.numParameters(), 1 + 6 + 3 + 6 + 2 + 2);
    assert.equal(net.getParameter('encoder.1.weight'), net.encoder.at(1).weight);
    assert.equal(net.getSubmodule('encoder.0'), net.encoder.at(0));
    assert.throws(() => net.getSubmodule('decoder'), /Net has no submodule 'decoder'.*children: encoder, norm, drop/);
    T.tidy(() => assert.throws(() => net.registerBuffer('scale', T.zeros([1])), /'scale' is already registered/));
    net.dispose();
  }));

test('parameters require grad and survive the tidy() they were built in; dispose() frees everything', () => {
  const before = T.liveTensors();
  const net = T.tidy(() => new Net());
  assert.ok(net.parameters().every((p) => p.requiresGrad && p.isLeaf));
  assert.ok(net.buffers().every((b) => !b.requiresGrad));
  assert.equal(T.liveTensors() - before, 6 + 5);
  net.dispose();
  assert.equal(T.liveTensors(), before);
});

test('train()/eval() reach every descendant', () =>
  assertNoLeak(() => {
    const net = new Net();
    assert.ok([...net.namedModules().values()].every((m) => m.training));
    net.eval();
    assert.ok([...net.namedModules().values()].every((m) => !m.training));
    net.train();
    assert.ok(net.drop.training && net.norm.training);
    net.dispose();
  }));

test('zeroGrad() clears gradients; requiresGrad_(false) freezes', () =>
  assertNoLeak(() => {
    const fc = new Linear(3, 2);
    T.tidy(() => fc.forward(T.ones([4, 3])).sum().backward());
    T.tidy(() => assert.deepEqual(fc.bias!.grad!.toArray(), [4, 4]));
    fc.zeroGrad();
    assert.ok(fc.parameters().every((p) => p.grad === null));
    fc.requiresGrad_(false);
    assert.ok(fc.parameters().every((p) => !p.requiresGrad));
    T.tidy(() => assert.equal(fc.forward(T.ones([1, 3])).requiresGrad, false));
    fc.dispose();
  }));

test('double() converts floating parameters and buffers in place, keeps values, requires_grad and int buffers', () =>
  assertNoLeak(() => {
    const net = new Net();
    const w = net.encoder.at(0).weight.toArray();
    net.double();
    assert.ok(net.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p.isLeaf));
    assert.equal(net.norm.numBatchesTracked!.dtype, 'int64');
    assert.equal(net.norm.runningMean!.dtype, 'float64');
    assert.equal(net.getParameter('encoder.0.weight'), net.encoder.at(0).weight);
    assert.deepEqual(net.encoder.at(0).weight.toArray(), w);
    net.to('cpu').float();
    assert.ok(net.parameters().every((p) => p.dtype === 'float32' && p.device === 'cpu'));
    net.dispose();
  }));

test('setParameter replaces (and frees) a parameter; tied parameters are listed once', () =>
  assertNoLeak(() => {
    const fc = new Linear(2, 2);
    fc.setParameter('bias', T.tensor([1, 2]));
    const net = new Net();
    net.setBuffer('table', T.arange(0, 2));
    T.tidy(() => assert.deepEqual(net.stateDict().get('table')!.toArray(), [0, 1]));
    net.dispose();
    assert.deepEqual(fc.bias!.toArray(), [1, 2]);
    assert.ok(fc.bias!.requiresGrad);
    T.tidy(() => assert.throws(() => fc.setParameter('gain', T.ones([2])), /Linear has no parameter 'gain'; registered: weight, bias/));

    class Tied extends Module {
      constructor(readonly a: Linear, readonly b: Linear) {
        super();
        this.registerModule('a', a);
        this.registerModule('b', b);
      }
    }
    const shared = new Linear(2, 2);
    const tied = new Tied(shared, shared);
    assert.deepEqual([...tied.namedParameters().keys()], ['a.weight', 'a.bias']);
    T.tidy(() => assert.deepEqual([...tied.stateDict().keys()], ['a.weight', 'a.bias', 'b.weight', 'b.bias']));
    tied.double();
    assert.equal(tied.a.weight, tied.b.weight);
    tied.dispose();
    fc.dispose();
  }));
