// The inpainting app's window loop (inpainting.py over E2FGVI, as test.py) made streaming:
// frames go in one at a time and leave, composited, as soon as no later window touches them.
//
// Windows sit at f = 0, s, 2s, ... (s = neighbour stride): local frames [f - s, f + s], plus the
// reference frames, multiples of the reference stride, within [f - R, f + R] (R = ref_radius;
// upstream takes the whole clip, which is the same set while the clip has at most R + 1 frames).
// A window runs once frame f + max(s, R) has arrived (or the clip ended), so the session holds
// about R + 2s frames: memory and work per frame do not depend on the clip's length. Per-frame
// work (the encoder, quarter-size flow frames, SPyNet per frame pair) is computed once and
// reused by every window that shares the frame. Blending is upstream's: the first window that
// covers a frame stores its composite, each later one averages 0.5 / 0.5 with what is stored;
// pixels outside the dilated mask stay the source's exactly.
#pragma once

#include <ATen/core/Tensor.h>

#include <deque>
#include <map>

#include "e2fgvi/e2fgvi.h"

namespace inp::e2fgvi {

struct SessionOptions {
    int64_t neighbor_stride = 5; // upstream test.py / the app
    int64_t ref_stride = 10;
    int64_t ref_radius = 60;     // R; < 0 = every reference of the clip (upstream; needs the whole clip first)
    int64_t dilation = 4;        // 3x3-cross iterations applied to each mask (the app's 4)
    bool reuse = true;           // compute per-frame work once (false: per window, as upstream)
};

struct SessionInfo {
    int64_t frames_in = 0, frames_out = 0, windows = 0;
    int64_t buffered_frames = 0;           // frames held (input, features or output)
    int64_t padded_width = 0, padded_height = 0;
    int64_t memory_bytes = 0;              // every tensor the session holds
    int64_t encoder_frames = 0, flow_pairs = 0; // per-frame work done (reuse saves the rest)
};

class Session {
public:
    Session(const Model &m, int64_t width, int64_t height, SessionOptions o);

    // Adds the next frame (RGB24) and its mask (nonzero = hole, before dilation), then runs the
    // windows that became ready. A cancelled call keeps the frame; the windows run on the next call.
    void push(const uint8_t *rgb, int64_t rgb_stride, const uint8_t *mask, int64_t mask_stride, const Run &run);
    // The clip has ended: runs the remaining windows.
    void finish(const Run &run);
    // Frames final and not yet taken, in order.
    int64_t ready() const { return static_cast<int64_t>(out_.size()); }
    // Copies the next final frame into dst (RGB24, rows dst_stride bytes apart) and returns its index.
    int64_t pop(uint8_t *dst, int64_t dst_stride);
    bool finished() const { return finished_; }
    SessionInfo info() const;
    int64_t width() const { return w_; }
    int64_t height() const { return h_; }

private:
    struct Frame {
        at::Tensor rgb;     // [h, w, 3] uint8
        at::Tensor mask;    // [h, w] bool, dilated
        at::Tensor enc;     // [1, 128, H/4, W/4] (cached)
        at::Tensor quarter; // [1, 3, H/4, W/4] flow frame (cached)
        at::Tensor comp;    // [h, w, 3] float32 composite, once a window covered it
    };
    struct Pair { at::Tensor forward, backward; }; // SPyNet(i, i + 1), SPyNet(i + 1, i)

    bool window_ready(int64_t f) const;
    void run_window(int64_t f, const Run &run);
    void release(int64_t next_f); // drops what no window from next_f on needs

    const Model &m_;
    int64_t w_, h_, ph_, pw_;
    SessionOptions o_;
    std::map<int64_t, Frame> frames_;
    std::map<int64_t, Pair> pairs_;
    std::deque<std::pair<int64_t, at::Tensor>> out_; // final frames [h, w, 3] uint8
    int64_t pushed_ = 0, next_window_ = 0, next_final_ = 0, windows_ = 0, popped_ = 0;
    int64_t encoded_ = 0, flowed_ = 0;
    bool finished_ = false;
};

} // namespace inp::e2fgvi
