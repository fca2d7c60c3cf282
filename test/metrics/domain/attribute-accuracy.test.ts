import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeAccuracy } from '../../../src/metrics/domain/attribute-accuracy.js';
import { getMetric } from '../../../src/metrics/registry.js';
import { evalVideo, fakeProbe, videoWith } from './fakes.js';

const none = { digit1: 'none', motion1: 'none' };

test('attribute_accuracy: all attributes must match; unparsable prompts are NaN with a note', async () => {
  const probe = fakeProbe({
    1: { digit0: '3', motion0: 'up and down', ...none }, // right
    2: { digit0: '3', motion0: 'left and right', ...none }, // wrong motion
    3: { digit0: '3', motion0: 'left and right', digit1: '7', motion1: 'up and down' }, // right (order-free)
  });
  const videos = [
    evalVideo('a', 'digit 3 is moving up and down', videoWith(1, 0)),
    evalVideo('b', 'digit 3 is moving up and down', videoWith(2, 0)),
    evalVideo('c', 'digit 7 is moving up and down and digit 3 is moving left and right', videoWith(3, 0)),
    evalVideo('d', 'a dog runs', videoWith(1, 0)),
  ];
  const logs: string[] = [];
  const r = await attributeAccuracy.compute({ videos, fps: 8, probe, log: (m) => logs.push(m) });
  assert.deepEqual(r.perVideo.slice(0, 3).map((p) => p.value), [1, 0, 1]);
  assert.ok(Number.isNaN(r.perVideo[3]!.value));
  assert.match(r.perVideo[3]!.note ?? '', /does not parse/);
  assert.equal(r.perVideo[1]!.extra?.['correct'], false);
  assert.equal(r.perVideo[1]!.extra?.['motion0'], 'left and right');
  assert.equal(r.aggregate, 2 / 3);
  assert.equal(r.aggregates?.['digit0'], 1);
  assert.equal(r.aggregates?.['motion0'], 2 / 3);
  assert.equal(r.aggregates?.['unparsed'], 1);
  assert.equal(r.extractor, 'probe:fake');
  assert.equal(logs.length, 1);
  assert.equal(getMetric('attribute_accuracy'), attributeAccuracy);
  await assert.rejects(attributeAccuracy.compute({ videos, fps: 8 }), /--probe/);
});
