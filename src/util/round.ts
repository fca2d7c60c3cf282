/**
 * Python's `round()` for floats: halves go to the even neighbour (banker's rounding).
 * torchvision's crop offsets and VBench's dynamic-degree counts use it; Math.round does not.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
