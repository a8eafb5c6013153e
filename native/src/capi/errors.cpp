#include <c10/util/Exception.h>
#include <new>

#include "capi/guard.h"
#include "runtime/error.h"

namespace inp::capi {

namespace {
thread_local std::string g_message;
thread_local std::string g_detail;
} // namespace

int32_t set_error(int32_t status, const std::string &message, const std::string &detail) {
    g_message = message;
    g_detail = detail;
    return status;
}

void clear_error() {
    g_message.clear();
    g_detail.clear();
}

int32_t guard_current_exception() {
    try {
        throw;
    } catch (const inp::Error &e) {
        return set_error(e.status(), e.what(), e.what());
    } catch (const c10::OutOfMemoryError &e) {
        return set_error(INP_ERR_DEVICE, std::string("out of memory: ") + e.what_without_backtrace(), e.what());
    } catch (const c10::Error &e) {
        // TORCH_CHECK failures: libtorch refused the arguments (shapes, dtypes, devices).
        return set_error(INP_ERR_INVALID_ARGUMENT, e.what_without_backtrace(), e.what());
    } catch (const std::bad_alloc &) {
        return set_error(INP_ERR_DEVICE, "out of memory", "std::bad_alloc");
    } catch (const std::exception &e) {
        return set_error(INP_ERR_INTERNAL, std::string("internal error: ") + e.what(), e.what());
    } catch (...) {
        return set_error(INP_ERR_INTERNAL, "internal error: unknown exception", "unknown exception");
    }
}

void require(bool ok, const char *function, const std::string &what) {
    if (!ok) fail(INP_ERR_INVALID_ARGUMENT, std::string(function) + ": " + what);
}

} // namespace inp::capi

extern "C" {

const char *inp_last_error(void) { return inp::capi::g_message.c_str(); }
const char *inp_last_error_detail(void) { return inp::capi::g_detail.c_str(); }

const char *inp_status_name(int32_t status) {
    switch (status) {
    case INP_OK: return "INP_OK";
    case INP_ERR_INVALID_ARGUMENT: return "INP_ERR_INVALID_ARGUMENT";
    case INP_ERR_IO: return "INP_ERR_IO";
    case INP_ERR_CHECKPOINT: return "INP_ERR_CHECKPOINT";
    case INP_ERR_VIDEO: return "INP_ERR_VIDEO";
    case INP_ERR_UNSUPPORTED: return "INP_ERR_UNSUPPORTED";
    case INP_ERR_DEVICE: return "INP_ERR_DEVICE";
    case INP_ERR_CANCELLED: return "INP_ERR_CANCELLED";
    case INP_ERR_INTERNAL: return "INP_ERR_INTERNAL";
    default: return "INP_ERR_UNKNOWN";
    }
}

} // extern "C"
