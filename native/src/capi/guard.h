// The one place C++ errors become C status codes. Every exported function that can fail
// runs its body through inp::capi::guard, so no exception crosses the C ABI.
#pragma once

#include <cstdint>
#include <string>

#include "inpainterz.h"

namespace inp::capi {

// Stores the message for inp_last_error() and returns `status`.
int32_t set_error(int32_t status, const std::string &message, const std::string &detail);
void clear_error();
int32_t guard_current_exception(); // maps the in-flight exception to a status

template <typename F>
int32_t guard(F &&body) noexcept {
    try {
        clear_error();
        body();
        return INP_OK;
    } catch (...) {
        return guard_current_exception();
    }
}

// Argument checks shared by every entry point.
void require(bool ok, const char *function, const std::string &what);
// A valid image (inp::wrap_image's checks) of `channels` channels and exactly width x height,
// the size of the session it is given to.
void require_image(const inp_image *image, const char *function, const char *what, int32_t channels, int64_t width, int64_t height);

} // namespace inp::capi
