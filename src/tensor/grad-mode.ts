/**
 * Grad-mode scopes (torch.no_grad / torch.enable_grad): turn autograd recording off or on for
 * the duration of `fn`, restoring the previous mode even when `fn` throws.
 */
import { native } from './native.js';

function withGradMode<T>(on: boolean, fn: () => T): T {
  const prev = native.setGradEnabled(on);
  try {
    const r = fn();
    if (r instanceof Promise) throw new Error('noGrad()/enableGrad() got an async function; grad mode cannot span an await');
    return r;
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Run `fn` without recording operations for autograd. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run `fn` with autograd recording, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled();
}
