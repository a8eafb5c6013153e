#include "runtime/device.h"

#include <string>

#include "runtime/error.h"

namespace inp {

c10::Device to_device(const inp_device_params &p) {
    if (p.kind == INP_DEVICE_CPU) return c10::Device(c10::kCPU);
#if defined(INP_WITH_CUDA)
    if (p.kind == INP_DEVICE_CUDA) {
        if (p.index < 0) fail(INP_ERR_INVALID_ARGUMENT, "CUDA device index must be >= 0, got " + std::to_string(p.index));
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(p.index));
    }
#else
    if (p.kind == INP_DEVICE_CUDA) fail(INP_ERR_UNSUPPORTED, "this build of Inpainterz has no CUDA support (built against a CPU libtorch)");
#endif
    fail(INP_ERR_INVALID_ARGUMENT, "unknown device kind " + std::to_string(p.kind) + "; expected INP_DEVICE_CPU (0) or INP_DEVICE_CUDA (1)");
}

c10::ScalarType compute_dtype(const inp_device_params &p) {
    if (p.dtype == INP_DTYPE_F32) return c10::kFloat;
    if (p.dtype == INP_DTYPE_BF16) return c10::kBFloat16;
    fail(INP_ERR_INVALID_ARGUMENT, "device dtype must be INP_DTYPE_F32 or INP_DTYPE_BF16, got " + std::to_string(p.dtype));
}

void check_device_params(const inp_device_params &p) {
    if (p.num_threads < 0) fail(INP_ERR_INVALID_ARGUMENT, "device num_threads must be >= 0 (0 = the calling thread's count), got " + std::to_string(p.num_threads));
    to_device(p);
    compute_dtype(p);
}

} // namespace inp
