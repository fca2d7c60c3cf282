import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rPrecision } from '../../../src/metrics/domain/r-precision.js';
import { getMetric } from '../../../src/metrics/registry.js';
import { evalVideo, fakeDomain, videoWith } from './fakes.js';
import { assertNoLeak } from '../../helpers/leak.js';

// Captions on the unit circle at 0°, 45° and 90°.
const domain = fakeDomain({ east: [1, 0], northeast: [1, 1], north: [0, 1], far: [-1, 0] });

test('ranks by hand: candidates = the distinct prompts of the evaluated set', async () => {
  // video (10, 1): cos east 0.995, northeast 0.778, north 0.0995 → east 1st, northeast 2nd, north 3rd
  // video (1, 10): north 1st, northeast 2nd, east 3rd
  // video (5, 5):  northeast 1st (cos 1), east = north = 0.707 tie → east ranks 3 (ties count against)
  const videos = [
    evalVideo('a', 'east', videoWith(10, 1)),
    evalVideo('b', 'northeast', videoWith(1, 10)),
    evalVideo('c', 'north', videoWith(1, 10)),
    evalVideo('d', 'east', videoWith(5, 5)),
  ];
  await assertNoLeak(async () => {
    const r = await rPrecision.compute({ videos, fps: 8, domain });
    assert.deepEqual(r.perVideo.map((p) => p.extra?.['rank']), [1, 2, 1, 3]);
    assert.deepEqual(r.perVideo.map((p) => p.value), [1, 0, 1, 0]);
    assert.equal(r.aggregate, 0.5);
    assert.equal(r.aggregates?.['r5'], 1);
    assert.equal(r.aggregates?.['candidates'], 3);
    assert.equal(r.aggregates?.['medianRank'], 1.5);
    assert.equal(r.extractor, 'domain:fake');
    assert.equal(r.higherIsBetter, true);
  });
});

test('with a reference set, its distinct captions are the candidates; unknown prompts are NaN with a note', async () => {
  const reference = { name: 'toy:test', videos: ['east', 'north', 'far', 'north'].map((p, i) => evalVideo(`r${i}`, p, videoWith(0, 0))) };
  // video (1, 10) prompted 'east': candidates east, far, north → north (0.995) > east (0.0995) > far (−0.0995): rank 2
  const videos = [evalVideo('a', 'east', videoWith(1, 10)), evalVideo('b', 'northeast', videoWith(1, 1))];
  const r = await rPrecision.compute({ videos, fps: 8, domain, reference });
  assert.equal(r.perVideo[0]!.extra?.['rank'], 2);
  assert.ok(Number.isNaN(r.perVideo[1]!.value));
  assert.match(r.perVideo[1]!.note ?? '', /not among the 3 reference captions/);
  assert.equal(r.aggregate, 0);
  assert.equal(r.aggregates?.['ranked'], 1);
  assert.match(String(r.settings['candidates']), /toy:test/);
});

test('registered, and a missing domain model is a MetricInputError naming the flag', async () => {
  assert.equal(getMetric('r_precision'), rPrecision);
  await assert.rejects(rPrecision.compute({ videos: [evalVideo('a', 'east', videoWith(1, 0))], fps: 8 }), /--domain/);
});
