#include "runtime/run.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <new>
#include <string>

#include "runtime/error.h"

struct inp_cancel_token {
    std::atomic<bool> cancelled{false};
};

namespace inp {

namespace {
std::atomic<int32_t> g_default_threads{0}; // inp_set_num_threads; 0 = libtorch's default
} // namespace

void set_default_threads(int32_t n) {
    g_default_threads.store(n);
    at::set_num_threads(n);
}

int32_t default_threads() {
    const int32_t n = g_default_threads.load();
    return n > 0 ? n : at::intraop_default_num_threads();
}

Run::Run(const inp_run *run, int32_t model_threads) {
    int32_t threads = model_threads;
    if (run != nullptr) {
        progress_ = run->progress;
        user_data_ = run->user_data;
        cancel_ = run->cancel;
        if (run->num_threads < 0) fail(INP_ERR_INVALID_ARGUMENT, "inp_run.num_threads must be >= 0, got " + std::to_string(run->num_threads));
        if (run->num_threads > 0) threads = run->num_threads;
    }
    if (threads < 0) fail(INP_ERR_INVALID_ARGUMENT, "inp_device_params.num_threads must be >= 0, got " + std::to_string(threads));
    // Always set: a count an earlier job left on this (pooled) thread must not leak into this call.
    if (threads == 0) threads = default_threads();
    if (at::get_num_threads() != threads) at::set_num_threads(threads);
    threads_ = threads;
    step(nullptr, 0, 0); // a token set before the call stops it before any work
}

void Run::step(const char *stage, int64_t done, int64_t total) const {
    // The report first: a cancel requested from inside it stops the call right after this unit.
    const bool callback_stop = stage != nullptr && progress_ != nullptr && !progress_(stage, done, total, user_data_);
    if (callback_stop || (cancel_ != nullptr && cancel_->cancelled.load(std::memory_order_acquire))) {
        std::string where = stage == nullptr ? std::string("before it started")
                                             : std::string("during ") + stage + " after " + std::to_string(done) + " of " + std::to_string(total);
        fail(INP_ERR_CANCELLED, "cancelled " + where);
    }
}

const Run &Run::none() {
    static const Run r;
    return r;
}

} // namespace inp

extern "C" {

int32_t inp_cancel_token_init(inp_cancel_token **ret_token) {
    if (ret_token == nullptr) return INP_ERR_INVALID_ARGUMENT;
    *ret_token = new (std::nothrow) inp_cancel_token();
    return *ret_token == nullptr ? INP_ERR_DEVICE : INP_OK;
}

void inp_cancel_token_free(inp_cancel_token *token) { delete token; }

void inp_cancel_token_cancel(inp_cancel_token *token) {
    if (token != nullptr) token->cancelled.store(true, std::memory_order_release);
}

bool inp_cancel_token_is_cancelled(const inp_cancel_token *token) {
    return token != nullptr && token->cancelled.load(std::memory_order_acquire);
}

inp_run inp_run_default_params(void) {
    inp_run r{};
    r.progress = nullptr;
    r.user_data = nullptr;
    r.cancel = nullptr;
    r.num_threads = 0;
    return r;
}

} // extern "C"
