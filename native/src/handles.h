// Tensor handle table: JS holds small integer handles, the table owns the at::Tensor.
// Handle 0 is never valid; a freed slot is recycled. The live count is what leak tests read.
#pragma once
#include <ATen/core/Tensor.h>
#include <cstdint>
#include <string>
#include <vector>

namespace t2v {

class HandleTable {
 public:
  uint32_t add(at::Tensor t) {
    uint32_t h;
    if (!free_.empty()) {
      h = free_.back();
      free_.pop_back();
      slots_[h] = std::move(t);
    } else {
      slots_.push_back(std::move(t));
      h = static_cast<uint32_t>(slots_.size() - 1);
    }
    ++live_;
    return h + 1;
  }
  // Throws std::invalid_argument naming the handle when it is unknown or already freed.
  const at::Tensor& get(int64_t handle) const {
    if (handle <= 0 || static_cast<size_t>(handle) > slots_.size() || !slots_[handle - 1].defined()) {
      throw std::invalid_argument("tensor handle " + std::to_string(handle) +
                                  " is not live (used after dispose() or outside its scope?)");
    }
    return slots_[handle - 1];
  }
  void release(int64_t handle) {
    get(handle);  // validates
    slots_[handle - 1] = at::Tensor();
    free_.push_back(static_cast<uint32_t>(handle - 1));
    --live_;
  }
  size_t live() const { return live_; }

 private:
  std::vector<at::Tensor> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

HandleTable& handles();

// "float32[2, 3] cpu" — used in every error message.
std::string describe(const at::Tensor& t);
// Canonical dtype names shared with TypeScript (src/tensor/dtype.ts keeps the same order).
const char* dtypeName(c10::ScalarType s);
c10::ScalarType dtypeFromCode(int64_t code);
int64_t dtypeCode(c10::ScalarType s);

}  // namespace t2v
