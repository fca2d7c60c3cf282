import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PALETTE, paletteHex, scatterImage } from '../../../src/align/diagnostics/scatter.js';
import { decodePng, encodePng } from '../../../src/media/png.js';

test('real points are discs of their bucket colour, generated ones darker crosses; the PNG round-trips', () => {
  // Three points: corners of the data box map to the margins.
  const im = scatterImage({ xy: Float64Array.of(0, 0, 10, 10, 5, 5), groups: Int32Array.of(0, 2, 4), generated: Uint8Array.of(0, 0, 1) }, { size: 101, margin: 10 });
  const at = (x: number, y: number) => Array.from(im.data.subarray((y * 101 + x) * 3, (y * 101 + x) * 3 + 3));
  // (0, 0) → pixel (10, 90) (y up); (10, 10) → (90, 10); (5, 5) → (50, 50).
  assert.deepEqual(at(10, 90), [...PALETTE[0]!]);
  assert.deepEqual(at(90, 10), [...PALETTE[2]!]);
  assert.deepEqual(at(53, 53), PALETTE[4]!.map((v) => Math.round(v * 0.6)));
  assert.deepEqual(at(30, 30), [255, 255, 255]);
  assert.equal(paletteHex(0), '#1f77b4');
  const back = decodePng(encodePng(im));
  assert.deepEqual([back.width, back.height, back.channels], [101, 101, 3]);
});
