/**
 * ImageNet normalisation (torchvision's mean and std per RGB channel), shared by the pretrained
 * image networks that expect it (DINO, VGG19).
 */
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/** (N, 3, H, W) RGB in [0, 1] → (x − mean) / std per channel, in x's dtype and device. */
export function imagenetNormalize(x: Tensor): Tensor {
  return T.tidy(() => {
    const mean = T.tensor(Float32Array.from(IMAGENET_MEAN), { shape: [1, 3, 1, 1] }).to(x.device).toDType(x.dtype); // (1, 3, 1, 1)
    const std = T.tensor(Float32Array.from(IMAGENET_STD), { shape: [1, 3, 1, 1] }).to(x.device).toDType(x.dtype); // (1, 3, 1, 1)
    return x.sub(mean).div(std); // (N, 3, H, W)
  });
}
