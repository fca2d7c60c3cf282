// Tests for src/optim/optimizer.ts through SGD, Adam and AdamW: the state-dict layout, resuming
// bit for bit, load validation, zeroGrad, native-call cost and tensor leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';
import { native } from '../../src/tensor/native.js';
import { Adam } from '../../src/optim/adam.js';
import { AdamW } from '../../src/optim/adamw.js';
import { SGD } from '../../src/optim/sgd.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import type { OptimizerLike, StateDict } from '../../src/optim/optimizer.js';
import { bytes, disposeAll, param, setGrad } from './helpers.js';

type AnyOptimizer = OptimizerLike;
const MAKERS: [string, (ps: Tensor[]) => AnyOptimizer][] = [
  ['SGD (Nesterov, weight decay)', (ps) => new SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ['Adam (AMSGrad, L2)', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true, weightDecay: 1e-2 })],
  ['AdamW', (ps) => new AdamW(ps, { lr: 0.01, weightDecay: 0.1 })],
];

/** Deterministic float32 gradients for step t. */
function gradValues(t: number, n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.7 * t + 0.3 * i + k) * (1 + k));
}

function makeParams(): Tensor[] {
  return [param([0.1, -0.2, 0.3, 0.4], 'float32'), param([1, 2, -3], 'float32')];
}

function stepWith(opt: AnyOptimizer, ps: Tensor[], t: number): void {
  ps.forEach((p, k) => setGrad(p, gradValues(t, p.numel, k)));
  opt.step();
  opt.zeroGrad();
}

test('Adam state dict has PyTorch layout', () => {
  const [a, b] = [param([1, 2]), param([[1, 2], [3, 4]].flat())];
  const opt = new Adam([a!, b!]);
  setGrad(a!, [1, 1]);
  setGrad(b!, [1, 1, 1, 1]);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(sd.meta, {
    optimizer: 'Adam',
    param_groups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0, 1] }],
  });
  assert.deepEqual([...sd.tensors.keys()].sort(), [
    'state.0.exp_avg', 'state.0.exp_avg_sq', 'state.0.step', 'state.1.exp_avg', 'state.1.exp_avg_sq', 'state.1.step',
  ]);
  const step = sd.tensors.get('state.0.step')!;
  assert.deepEqual([step.shape, step.dtype, step.item()], [[], 'float64', 1]);
  assert.deepEqual(sd.tensors.get('state.0.exp_avg')!.shape, [2]);
  opt.dispose();
  a!.dispose();
  b!.dispose();
});

for (const [label, make] of MAKERS) {
  test(`${label}: save → load into a fresh optimizer → next steps identical bit for bit`, () => {
    const before = T.liveTensors();
    // Uninterrupted run: 6 steps.
    const pa = makeParams();
    const a = make(pa);
    for (let t = 0; t < 6; t++) stepWith(a, pa, t);

    // Interrupted run: 3 steps, state dict (meta through JSON, as in a file), fresh optimizer, 3 steps.
    const pb = makeParams();
    const b = make(pb);
    for (let t = 0; t < 3; t++) stepWith(b, pb, t);
    const sd = b.stateDict();
    const pc = pb.map((p) => T.noGrad(() => T.clone(p)).requiresGrad_());
    const c = make(pc);
    c.loadStateDict({ tensors: sd.tensors, meta: JSON.parse(JSON.stringify(sd.meta)) as StateDict['meta'] });
    b.dispose(); // the loaded state must not share tensors with b
    for (let t = 3; t < 6; t++) stepWith(c, pc, t);

    pa.forEach((p, k) => assert.ok(bytes(p).equals(bytes(pc[k]!)), `parameter ${k} differs after resuming`));
    const sa = a.stateDict().tensors;
    const sc = c.stateDict().tensors;
    assert.deepEqual([...sc.keys()].sort(), [...sa.keys()].sort());
    for (const [k, t] of sa) assert.ok(bytes(t).equals(bytes(sc.get(k)!)), `${k} differs after resuming`);
    a.dispose();
    c.dispose();
    disposeAll([...pa, ...pb, ...pc]);
    assert.equal(T.liveTensors(), before, 'tensors leaked');
  });
}

test('loadStateDict restores hyper-parameters and validates counts, shapes and names', () => {
  const ps = makeParams();
  const opt = new Adam(ps, { lr: 0.01 });
  stepWith(opt, ps, 0);
  const good = opt.stateDict();
  const meta = (edit: (m: { param_groups: Record<string, unknown>[] }) => void): StateDict['meta'] => {
    const m = JSON.parse(JSON.stringify(good.meta)) as { param_groups: Record<string, unknown>[] };
    edit(m);
    return m as unknown as StateDict['meta'];
  };
  const fresh = new Adam(makeParams(), { lr: 0.5 });
  fresh.loadStateDict({ tensors: good.tensors, meta: meta((m) => (m.param_groups[0]!['lr'] = 0.123)) });
  assert.equal(fresh.lr, 0.123);

  const one = param([1, 2, 3, 4], 'float32');
  const small = new Adam([one]);
  assert.throws(() => small.loadStateDict(good), /param group 0 has 2 parameters in the state but 1 in this optimizer/);

  const wrongShape = [param([1, 2, 3], 'float32'), param([1, 2, 3], 'float32')];
  const ws = new Adam(wrongShape);
  assert.throws(() => ws.loadStateDict(good), /state\.0\.exp_avg has shape \[4\] but parameter 0 has shape \[3\]/);

  const extra = new Map(good.tensors);
  extra.set('state.0.momentum_buffer', good.tensors.get('state.0.exp_avg')!);
  assert.throws(() => fresh.loadStateDict({ tensors: extra, meta: good.meta }), /Adam has no state entry "momentum_buffer"; valid entries are step, exp_avg/);
  const missing = new Map(good.tensors);
  missing.delete('state.1.exp_avg_sq');
  assert.throws(() => fresh.loadStateDict({ tensors: missing, meta: good.meta }), /parameter 1 has state but lacks state\.1\.exp_avg_sq/);
  assert.throws(
    () => fresh.loadStateDict({ tensors: good.tensors, meta: meta((m) => (m.param_groups[0]!['betas'] = [0.9])) }),
    /betas must be a list of 2 finite numbers/,
  );
  assert.throws(() => fresh.loadStateDict({ tensors: good.tensors, meta: meta((m) => m.param_groups.push({})) }), /the state has 2 param groups but this optimizer has 1/);

  // A refused load changes nothing.
  const live = T.liveTensors();
  const lrBefore = fresh.lr;
  assert.throws(() => fresh.loadStateDict({ tensors: missing, meta: meta((m) => (m.param_groups[0]!['lr'] = 9)) }));
  assert.equal(T.liveTensors(), live);
  assert.equal(fresh.lr, lrBefore);
  for (const o of [opt, fresh, small, ws]) o.dispose();
  disposeAll([...ps, one, ...wrongShape]);
});

test('zeroGrad clears every gradient', () => {
  const ps = makeParams();
  const opt = new SGD(ps, { lr: 0.1 });
  ps.forEach((p) => setGrad(p, Array.from({ length: p.numel }, () => 1)));
  opt.zeroGrad();
  assert.deepEqual(ps.map((p) => p.grad), [null, null]);
  opt.dispose();
  disposeAll(ps);
});

test('a step costs the same number of native op calls for 3 and 30 parameters (foreach kernels)', () => {
  const count = (n: number, make: (ps: Tensor[]) => AnyOptimizer): number => {
    const ps = Array.from({ length: n }, (_, i) => param([i, 1, 2], 'float32'));
    const opt = make(ps);
    ps.forEach((p) => setGrad(p, [0.1, 0.2, 0.3]));
    opt.step(); // creates state
    ps.forEach((p) => setGrad(p, [0.1, 0.2, 0.3]));
    const orig = native.callOp;
    let calls = 0;
    native.callOp = (id, args) => {
      calls++;
      return orig.call(native, id, args);
    };
    try {
      opt.step();
    } finally {
      native.callOp = orig;
    }
    opt.dispose();
    disposeAll(ps);
    return calls;
  };
  // Adam without AMSGrad (AMSGrad's maximum is per parameter: the engine has no _foreach_maximum_).
  for (const [label, make] of [MAKERS[0]!, MAKERS[2]!, ['Adam', (ps: Tensor[]) => new Adam(ps)] as const]) {
    assert.equal(count(30, make), count(3, make), `${label}: op calls grew with the parameter count`);
  }
});

test('10 training steps (backward, clip, step, zeroGrad) leave the live-tensor count unchanged', () => {
  for (const [label, make] of MAKERS) {
    const ps = makeParams();
    const target = ps.map((p) => T.zerosLike(p));
    const opt = make(ps);
    const trainStep = (): void => {
      T.tidy(() => {
        ps.forEach((p, k) => p.sub(target[k]!).square().sum().backward());
      });
      clipGradNorm(ps, 1.0);
      opt.step();
      opt.zeroGrad();
    };
    trainStep(); // creates the optimizer state
    const live = T.liveTensors();
    for (let i = 0; i < 10; i++) trainStep();
    assert.equal(T.liveTensors(), live, `${label} leaked tensors`);
    opt.dispose();
    disposeAll([...ps, ...target]);
  }
});
