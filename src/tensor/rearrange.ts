/**
 * einops-style `rearrange` (Rogozhnikov 2022, "Einops"): reorder, merge and split axes with a
 * pattern such as 'b c t h w -> (b t) c h w' or 'b (h p1) (w p2) c -> b (h w) (p1 p2 c)'.
 * Implemented as reshape → permute → reshape; sizes of split axes come from `sizes`.
 */
import { Tensor } from './tensor.js';
import { tidy } from './scope.js';

type Group = string[]; // axis names inside one parenthesised group (or a single axis)

function parseSide(side: string, pattern: string): Group[] {
  const groups: Group[] = [];
  const re = /\(([^)]*)\)|([A-Za-z_][A-Za-z0-9_]*|1)/g;
  const cleaned = side.trim();
  let consumed = '';
  for (const m of cleaned.matchAll(re)) {
    consumed += m[0];
    if (m[1] !== undefined) groups.push(m[1].trim().split(/\s+/).filter((x) => x.length > 0));
    else groups.push(m[2] === '1' ? [] : [m[2]!]);
  }
  if (consumed.replace(/\s+/g, '') !== cleaned.replace(/\s+/g, '')) throw new Error(`rearrange: cannot parse '${side}' in pattern '${pattern}'`);
  return groups;
}

/**
 * @example
 *   rearrange(x, 'b c t h w -> (b t) c h w')            // (2,3,4,5,5) → (8,3,5,5)
 *   rearrange(x, 'b (t c) h w -> b c t h w', { t: 4 })  // split an axis with a known size
 */
export function rearrange(x: Tensor, pattern: string, sizes: Record<string, number> = {}): Tensor {
  const parts = pattern.split('->');
  if (parts.length !== 2) throw new Error(`rearrange: pattern needs exactly one '->', got '${pattern}'`);
  const lhs = parseSide(parts[0]!, pattern);
  const rhs = parseSide(parts[1]!, pattern);
  const shape = x.shape;
  if (lhs.length !== shape.length) {
    throw new Error(`rearrange: pattern '${parts[0]!.trim()}' has ${lhs.length} axes but the tensor has shape [${shape.join(', ')}]`);
  }
  // 1. Resolve every elementary axis size.
  const size = new Map<string, number>(Object.entries(sizes));
  lhs.forEach((g, i) => {
    const dim = shape[i]!;
    const unknown = g.filter((a) => !size.has(a));
    const known = g.filter((a) => size.has(a)).reduce((p, a) => p * size.get(a)!, 1);
    if (unknown.length > 1) throw new Error(`rearrange: axes ${unknown.join(', ')} in '(${g.join(' ')})' need sizes`);
    if (unknown.length === 1) {
      if (dim % known !== 0) throw new Error(`rearrange: dimension ${dim} is not divisible by ${known} for '(${g.join(' ')})'`);
      size.set(unknown[0]!, dim / known);
    } else if (known !== dim) throw new Error(`rearrange: group '(${g.join(' ')})' has size ${known} but the dimension is ${dim}`);
  });
  const lhsAxes = lhs.flat();
  const rhsAxes = rhs.flat();
  if (new Set(lhsAxes).size !== lhsAxes.length || new Set(rhsAxes).size !== rhsAxes.length) throw new Error(`rearrange: repeated axis in '${pattern}'`);
  const missing = lhsAxes.filter((a) => !rhsAxes.includes(a)).concat(rhsAxes.filter((a) => !lhsAxes.includes(a)));
  if (missing.length) throw new Error(`rearrange: axes ${missing.join(', ')} appear on one side only of '${pattern}'`);
  // 2. Split to elementary axes, 3. permute into output order, 4. merge groups.
  return tidy(() => {
    const elem = x.reshape(lhsAxes.map((a) => size.get(a)!));
    const perm = rhsAxes.map((a) => lhsAxes.indexOf(a));
    const moved = perm.every((p, i) => p === i) ? elem : elem.permute(perm);
    return moved.reshape(rhs.map((g) => g.reduce((p, a) => p * size.get(a)!, 1)));
  });
}
