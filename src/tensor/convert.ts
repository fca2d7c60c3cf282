/**
 * Handwritten conversions attached to Tensor: dtype and device moves with friendly names.
 */
import { Tensor } from './tensor.js';
import { toDTypeOp, toDevice, toOther } from './ops.generated.js';
import type { DType } from './dtype.js';

declare module './tensor.js' {
  interface Tensor {
    /** A copy (or this tensor's storage when already of that dtype) converted to `dtype`. */
    toDType(dtype: DType): Tensor;
    /** Move to a device ('cpu', 'cuda', 'cuda:1'), keeping the dtype. */
    to(device: string): Tensor;
    /** Convert to the dtype and device of `other`. */
    toLike(other: Tensor): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
  }
}

Tensor.prototype.toDType = function (this: Tensor, dtype: DType): Tensor {
  return toDTypeOp(this, dtype);
};
Tensor.prototype.to = function (this: Tensor, device: string): Tensor {
  return toDevice(this, device, this.dtype);
};
Tensor.prototype.toLike = function (this: Tensor, other: Tensor): Tensor {
  return toOther(this, other);
};
Tensor.prototype.float = function (this: Tensor): Tensor {
  return toDTypeOp(this, 'float32');
};
Tensor.prototype.double = function (this: Tensor): Tensor {
  return toDTypeOp(this, 'float64');
};
Tensor.prototype.long = function (this: Tensor): Tensor {
  return toDTypeOp(this, 'int64');
};
