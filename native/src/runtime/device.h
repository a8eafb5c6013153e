// inp_device_params inside the engine: the one place a model's device and dtype are checked.
#pragma once

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "inpainterz.h"

namespace inp {

// The device the params name; throws inp::Error (UNSUPPORTED for CUDA in a CPU build).
c10::Device to_device(const inp_device_params &p);

// F32 or BF16 (the only compute dtypes models offer); throws INVALID_ARGUMENT otherwise.
c10::ScalarType compute_dtype(const inp_device_params &p);

// Throws INVALID_ARGUMENT for a negative thread count.
void check_device_params(const inp_device_params &p);

} // namespace inp
