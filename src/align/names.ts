/**
 * Names of the joint-family alignment methods (methods.ts builds them). Kept apart from the
 * engine so that the CLI can list and check them without loading libtorch.
 */
export const ALIGN_METHODS = ['progressive-bucket', 'clip-infonce', 'imagebind', 'codi', 'nonprog-bucket', 'nonprog-infonce', 'vicreg', 'byol'] as const;
export type AlignMethod = (typeof ALIGN_METHODS)[number];

export function isAlignMethod(name: string): name is AlignMethod {
  return (ALIGN_METHODS as readonly string[]).includes(name);
}
