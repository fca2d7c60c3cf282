import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableMetrics, buildContext, checkNeeds, type ModelLoaders } from '../../src/metrics/context.js';
import { getMetric } from '../../src/metrics/registry.js';
import { MetricInputError, type MetricDef } from '../../src/metrics/types.js';
import { FakeClip } from './fake-clip.js';

function fakeLoaders(calls: string[]): ModelLoaders {
  const fail = (what: string) => async (dir: string): Promise<never> => { calls.push(`${what}:${dir}`); throw new Error(`no ${what} here`); };
  return {
    clip: async (dir) => { calls.push(`clip:${dir}`); return new FakeClip(); },
    domain: fail('domain'), probe: fail('probe'), i3d: fail('i3d'),
    dino: async (dir) => { calls.push(`dino:${dir}`); return { name: 'fake-dino', encodeFrames: (x) => x }; },
    reference: async (dir, split) => { calls.push(`reference:${dir}:${split}`); return { name: `${dir}:${split}`, videos: [] }; },
  };
}

const wantsDino: MetricDef = {
  name: 'wants_dino', summary: '', reference: '', needs: ['reference'], wants: ['dino', 'clip'], higherIsBetter: true,
  compute: async () => { throw new Error('unused'); },
};

test('checkNeeds names the metric, the need and the flag for every missing need', () => {
  assert.throws(() => checkNeeds([getMetric('clipsim'), getMetric('cscv'), wantsDino], {}), (e: unknown) => {
    assert.ok(e instanceof MetricInputError);
    assert.match(e.message, /metric 'clipsim' needs a CLIP model \('clip'\): pass --clip DIR/);
    assert.match(e.message, /metric 'cscv' needs .*--clip DIR/);
    assert.match(e.message, /metric 'wants_dino' needs a reference data set \('reference'\): pass --reference DATASET_DIR/);
    return true;
  });
  checkNeeds([getMetric('clipsim')], { clip: 'm/clip' });
});

test('buildContext loads each model once, wants only when their flag is given', async () => {
  const calls: string[] = [];
  const metrics = [getMetric('clipsim'), getMetric('clip_temp'), wantsDino];
  const ctx = await buildContext(metrics, [], { clip: 'm/clip', reference: 'data/x', referenceSplit: 'val' }, { fps: 12, loaders: fakeLoaders(calls) });
  assert.deepEqual(calls, ['clip:m/clip', 'reference:data/x:val']);
  assert.equal(ctx.fps, 12);
  assert.equal(ctx.clip?.name, 'fake-clip');
  assert.equal(ctx.dino, undefined);
  const calls2: string[] = [];
  const ctx2 = await buildContext([wantsDino], [], { reference: 'data/x', dino: 'm/dino' }, { loaders: fakeLoaders(calls2) });
  assert.deepEqual(calls2, ['dino:m/dino', 'reference:data/x:test']);
  assert.equal(ctx2.dino?.name, 'fake-dino');
  assert.equal(ctx2.fps, 8);
});

test('a loader failure names the folder and the flag', async () => {
  const m: MetricDef = { ...wantsDino, name: 'needs_i3d', needs: ['i3d'], wants: [] };
  await assert.rejects(buildContext([m], [], { i3d: 'm/i3d' }, { loaders: fakeLoaders([]) }),
    (e: unknown) => e instanceof MetricInputError && /could not load an I3D model from 'm\/i3d' \(--i3d\): no i3d here/.test(e.message));
});

test('availableMetrics keeps the metrics whose needs the flags provide', () => {
  const all = [getMetric('clipsim'), wantsDino];
  assert.deepEqual(availableMetrics(all, { clip: 'x' }).map((m) => m.name), ['clipsim']);
  assert.deepEqual(availableMetrics(all, { reference: 'y' }).map((m) => m.name), ['wants_dino']);
  assert.deepEqual(availableMetrics(all, {}), []);
});
