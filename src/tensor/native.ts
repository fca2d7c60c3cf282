/**
 * The typed face of the native addon (native/src/*.cc): a handful of functions over integer
 * tensor handles, as in tfjs-node. Only src/tensor and src/dist (collectives) call it directly.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A schema argument as libtorch reports it (used by the op generator). */
export interface NativeArgSchema {
  name: string;
  type: string;
  kwargOnly: boolean;
  mutable: boolean;
  n?: number;
  default?: string;
}
export interface NativeOpSchema {
  name: string;
  overload: string;
  args: NativeArgSchema[];
  returns: { name: string; type: string }[];
  schema: string;
}

/** A value an op can return: tensors come back as handles. */
export type NativeValue = number | boolean | string | null | undefined | NativeValue[];
/** A value an op accepts (boxed to an IValue by the op's schema). */
export type NativeArg = number | boolean | string | null | undefined | NativeArg[];

export interface NativeBinding {
  fromBuffer(data: ArrayBufferView, dtypeCode: number, shape: number[], device?: string): number;
  toBuffer(handle: number): ArrayBuffer;
  item(handle: number): number;
  free(handle: number): void;
  liveCount(): number;
  /** [dtypeCode, shape, device, requiresGrad, isContiguous, isLeaf] */
  meta(handle: number): [number, number[], string, boolean, boolean, boolean];
  shape(handle: number): number[];
  dtype(handle: number): number;
  setRequiresGrad(handle: number, on: boolean): void;
  backward(handle: number, grad: number | null, retainGraph: boolean | null, createGraph: boolean): void;
  grad(handle: number): number | null;
  setGrad(handle: number, grad: number | null): void;
  setGradEnabled(on: boolean): boolean;
  isGradEnabled(): boolean;
  manualSeed(seed: number): void;
  getRngState(): number;
  setRngState(handle: number): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  cudaAvailable(): boolean;
  version(): { torch: string; config: string; parallel: string };
  resolveOp(name: string, overload: string): number;
  callOp(opId: number, args: NativeArg[]): NativeValue;
  listOps(): NativeOpSchema[];
  // c10d (native/src/dist.cc): process-group ids, tensors by handle, collectives in place.
  distInit(opts: { host: string; port: number; rank: number; worldSize: number; timeoutMs: number; backend: string; interface?: string }): number;
  distAllReduce(group: number, handles: number[], op: string): void;
  distBroadcast(group: number, handles: number[], root: number): void;
  distAllGather(group: number, handle: number): number[];
  distBarrier(group: number): void;
  distDestroy(group: number): void;
  distBackends(): string[];
}

function load(): NativeBinding {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/src/tensor -> repo root is three levels up; src/tensor (ts-node style) is two.
  const candidates = [join(here, '../../../native/build/Release/t2v_native.node'), join(here, '../../native/build/Release/t2v_native.node')];
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new Error(
      `t2vlab native addon not built (looked for ${candidates[0]}). Run \`bash scripts/setup.sh\` ` +
        '(installs libtorch and builds it) or `npm run build:native`.',
    );
  }
  const require = createRequire(import.meta.url);
  return require(path) as NativeBinding;
}

export const native: NativeBinding = load();
