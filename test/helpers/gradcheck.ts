// A float64 finite-difference gradient checker, after torch.autograd.gradcheck.
//
// The output y = fn() is reduced to the scalar L = Σ y ⊙ R with a fixed pseudo-random R, so one
// backward() gives ∂L/∂θ for every element θ of every checked tensor, and each element is then
// compared with the central difference (L(θ + ε) − L(θ − ε)) / 2ε:
//   |analytic − numeric| ≤ atol + rtol·|numeric|.
import * as T from '../../src/tensor/index.js';
import type { Tensor } from '../../src/tensor/index.js';

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

export interface GradcheckReport {
  /** Number of elements compared. */
  checked: number;
  maxAbsError: number;
}

/** Deterministic values in [−1, 1) (an LCG), so the check never touches libtorch's RNG. */
function projection(n: number): Float64Array {
  const out = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

/**
 * Check the gradient of `fn` with respect to every element of every tensor in `wrt` (float64
 * leaves that require grad, e.g. an input and a module's `namedParameters()`). Throws an Error
 * listing the worst mismatches; returns how many elements were checked.
 */
export function gradcheck(fn: () => Tensor, wrt: Map<string, Tensor>, opts: GradcheckOptions = {}): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-4;
  for (const [name, t] of wrt) {
    if (t.dtype !== 'float64') throw new Error(`gradcheck: '${name}' is ${t.dtype}; use float64 (t.double(), module.double())`);
    if (!t.requiresGrad || !t.isLeaf) throw new Error(`gradcheck: '${name}' must be a leaf that requires grad`);
  }
  // Tiny shapes and hundreds of forwards: one intra-op thread avoids oversubscribing a shared
  // machine (where two spinning threads made each op ~20× slower); restored at the end.
  const threads = T.getNumThreads();
  T.setNumThreads(1);
  const shape = T.noGrad(() => T.tidy(() => fn().shape));
  const R = T.tensor(projection(shape.reduce((a, b) => a * b, 1)), { shape }); // output's shape, float64
  try {
    // 1. Analytic gradients by backward().
    for (const t of wrt.values()) t.setGrad(null);
    T.tidy(() => fn().mul(R).sum().backward());
    const analytic = new Map<string, number[]>();
    for (const [name, t] of wrt) {
      const g = t.grad;
      analytic.set(name, g ? g.toArray() : new Array<number>(t.numel).fill(0));
      g?.dispose();
      t.setGrad(null);
    }
    // 2. Central differences, one element at a time.
    const loss = (): number => T.noGrad(() => T.tidy(() => fn().mul(R).sum().item()));
    const failures: string[] = [];
    let checked = 0;
    let maxAbsError = 0;
    for (const [name, t] of wrt) {
      const values = t.toArray();
      const a = analytic.get(name)!;
      T.noGrad(() =>
        T.tidy(() => {
          const flat = t.view([-1]); // (numel) view of t
          values.forEach((v, i) => {
            T.tidy(() => {
              const el = flat.select(0, i); // () view of element i
              el.fill_(v + eps);
              const plus = loss();
              el.fill_(v - eps);
              const minus = loss();
              el.fill_(v);
              const numeric = (plus - minus) / (2 * eps);
              const err = Math.abs(a[i]! - numeric);
              maxAbsError = Math.max(maxAbsError, err);
              checked++;
              if (!(err <= atol + rtol * Math.abs(numeric))) failures.push(`${name}[${i}]: analytic ${a[i]}, numeric ${numeric}, |diff| ${err.toExponential(2)}`);
            });
          });
        }),
      );
    }
    if (failures.length > 0) {
      throw new Error(`gradcheck: ${failures.length} of ${checked} gradient elements differ (atol ${atol}, rtol ${rtol}):\n  ${failures.slice(0, 10).join('\n  ')}`);
    }
    return { checked, maxAbsError };
  } finally {
    R.dispose();
    T.setNumThreads(threads);
  }
}
