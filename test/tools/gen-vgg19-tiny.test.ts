// The VGG19 test fixture is reproducible: test/fixtures/vgg19-tiny is exactly what tools/gen-vgg19-tiny.ts writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

test('test/fixtures/vgg19-tiny/vgg19.safetensors is exactly what tools/gen-vgg19-tiny.ts generates', () => {
  const r = spawnSync(process.execPath, [join(root, 'dist/tools/gen-vgg19-tiny.js'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
