/**
 * Tensor ownership by scopes (tfjs `tidy`): every tensor created while a scope is open is
 * tracked by it; when the scope ends, every tracked tensor is disposed except those returned
 * from the scope function or passed to `keep()`. Returned tensors move to the enclosing scope.
 * Outside any scope, tensors live until `dispose()`.
 */
import type { Tensor } from './tensor.js';

interface Scope {
  tracked: Set<Tensor>;
}

const stack: Scope[] = [];

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  const top = stack[stack.length - 1];
  if (top) top.tracked.add(t);
}

/** Called by `Tensor.dispose()`. */
export function untrack(t: Tensor): void {
  const top = stack[stack.length - 1];
  if (top) top.tracked.delete(t);
}

/** Exempt a tensor from disposal by every enclosing scope (e.g. model parameters, caches). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of stack) s.tracked.delete(t);
  return t;
}

/** Every Tensor reachable from a scope's result: a tensor, or arrays/objects/Maps of them. */
function collect(value: unknown, out: Set<Tensor>, isTensor: (v: unknown) => v is Tensor, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, isTensor, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, isTensor, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as Record<string, unknown>)) collect(v, out, isTensor, depth + 1);
  }
}

let tensorCheck: ((v: unknown) => v is Tensor) | null = null;
/** Registered by tensor.ts to avoid an import cycle. */
export function setTensorCheck(fn: (v: unknown) => v is Tensor): void {
  tensorCheck = fn;
}

/**
 * Run `fn` in a scope. Tensors it creates are freed at the end unless returned or kept.
 * Not for async functions: a scope must not span an `await` (use explicit dispose there).
 *
 * @example
 *   const y = tidy(() => x.mul(2).add(1));   // the intermediate x*2 is freed, y survives
 */
export function tidy<T>(fn: () => T): T {
  const scope: Scope = { tracked: new Set() };
  stack.push(scope);
  let result: T;
  try {
    result = fn();
    if (result instanceof Promise) throw new Error('tidy() got an async function; scopes cannot span an await');
  } catch (err) {
    stack.pop();
    for (const t of scope.tracked) t.dispose();
    throw err;
  }
  stack.pop();
  const survivors = new Set<Tensor>();
  if (tensorCheck) collect(result, survivors, tensorCheck);
  const parent = stack[stack.length - 1];
  for (const t of scope.tracked) {
    if (survivors.has(t)) parent?.tracked.add(t);
    else t.dispose();
  }
  return result;
}

/** Number of open scopes (for tests). */
export function scopeDepth(): number {
  return stack.length;
}
