// C++ peer of `npm run bench -- engine`: the same matmul and conv3d forward+backward through
// libtorch directly, with the same thread count, so the TypeScript figures have a reference.
// Usage: engine_bench <threads> <matmul_iters> <conv_iters>; prints one JSON line.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  int mmIters = argc > 2 ? std::atoi(argv[2]) : 20;
  int convIters = argc > 3 ? std::atoi(argv[3]) : 5;
  at::set_num_threads(threads);
  at::manual_seed(0);

  // 1. matmul 1024^3, float32: 2*n^3 FLOP.
  const int64_t n = 1024;
  at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  for (int i = 0; i < 3; ++i) at::matmul(a, b);
  std::vector<double> mm;
  for (int i = 0; i < mmIters; ++i) {
    double t0 = now();
    at::Tensor c = at::matmul(a, b);
    mm.push_back(now() - t0);
  }
  double mmGflops = 2.0 * n * n * n / median(mm) / 1e9;

  // 2. conv3d forward + backward: batch 16, 32->32 channels, 16x32x32, kernel 3, padding 1.
  at::Tensor x = at::randn({16, 32, 16, 32, 32}).set_requires_grad(true);
  at::Tensor w = (at::randn({32, 32, 3, 3, 3}) * 0.05).set_requires_grad(true);
  at::Tensor bias = at::zeros({32}).set_requires_grad(true);
  auto step = [&]() {
    at::Tensor y = at::conv3d(x, w, bias, {1, 1, 1}, {1, 1, 1});
    y.sum().backward();
    x.mutable_grad().reset();
    w.mutable_grad().reset();
    bias.mutable_grad().reset();
  };
  step();
  std::vector<double> cv;
  for (int i = 0; i < convIters; ++i) {
    double t0 = now();
    step();
    cv.push_back(now() - t0);
  }
  // forward MACs = B*Cout*T*H*W*Cin*27; backward (input + weight grads) = 2x forward.
  double fwdFlop = 2.0 * 16 * 32 * 16 * 32 * 32 * 32 * 27;
  double convGflops = 3.0 * fwdFlop / median(cv) / 1e9;
  std::printf("{\"matmul_gflops\": %.3f, \"conv3d_train_gflops\": %.3f, \"threads\": %d}\n", mmGflops, convGflops,
              at::get_num_threads());
  return 0;
}
