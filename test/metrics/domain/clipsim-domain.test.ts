import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipsimDomain } from '../../../src/metrics/domain/clipsim-domain.js';
import { getMetric } from '../../../src/metrics/registry.js';
import { evalVideo, fakeDomain, videoWith } from './fakes.js';
import { assertClose } from '../../helpers/close.js';
import { assertNoLeak } from '../../helpers/leak.js';

test('clipsim_domain: raw cosine of video and prompt embeddings by hand; mean and population std', async () => {
  const domain = fakeDomain({ east: [1, 0], north: [0, 3] });
  const videos = [
    evalVideo('a', 'east', videoWith(3, 4)), // cos = 3/5
    evalVideo('b', 'north', videoWith(3, 4)), // cos = 4/5
    evalVideo('c', 'east', videoWith(0, 2, 3, 5)), // cos = 0 (another size: encoded in its own batch)
  ];
  await assertNoLeak(async () => {
    const r = await clipsimDomain.compute({ videos, fps: 8, domain });
    assertClose(r.perVideo.map((p) => p.value), [0.6, 0.8, 0], 1e-6);
    assertClose([r.aggregate], [1.4 / 3], 1e-6);
    const m = 1.4 / 3;
    assertClose([r.aggregates!['std']!], [Math.sqrt(((0.6 - m) ** 2 + (0.8 - m) ** 2 + m ** 2) / 3)], 1e-6);
    assert.equal(r.extractor, 'domain:fake');
  });
  assert.equal(getMetric('clipsim_domain'), clipsimDomain);
  await assert.rejects(clipsimDomain.compute({ videos, fps: 8 }), /--domain/);
});
