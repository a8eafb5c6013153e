// inp_run inside the engine: one long call's progress reports, cancel checks and thread count.
#pragma once

#include <cstdint>

#include "inpainterz.h"

struct inp_cancel_token;

namespace inp {

// The process default of intra-op threads (inp_set_num_threads), for calls that set none.
void set_default_threads(int32_t n);
int32_t default_threads();

class Run {
public:
    // Applies the call's thread count (run->num_threads, else model_threads, else the process
    // default) on the calling thread: OpenMP keeps the count per thread, so it must be set where
    // the work runs, and set every time, or a pooled thread keeps the count of its last job.
    Run(const inp_run *run, int32_t model_threads);
    Run() = default;

    // Reports `done` of `total` units of `stage`, then throws inp::Error(INP_ERR_CANCELLED) if
    // the token is set or the callback asked to stop. Called between units, never inside one.
    void step(const char *stage, int64_t done, int64_t total) const;

    // A call with no controls (internal callers, tests).
    static const Run &none();

    // The intra-op thread count this call applied (0 for Run::none()); OpenCV takes it too.
    int32_t threads() const { return threads_; }

private:
    int32_t threads_ = 0;
    inp_progress_callback progress_ = nullptr;
    void *user_data_ = nullptr;
    const inp_cancel_token *cancel_ = nullptr;
};

} // namespace inp
