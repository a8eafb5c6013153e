// The tracking app's DeAOT engine (aot_tracker.py DeAOTTrackerInferEngine over aot-benchmark's
// DeAOTEngine): one video's memories, in sub-engines of at most 10 objects each.
#pragma once

#include <ATen/core/Tensor.h>

#include <deque>
#include <vector>

#include "deaot/deaot.h"

namespace inp::deaot {

struct SessionOptions {
    int64_t long_term_gap = 9999;  // a tracked frame enters long-term memory every this many frames
    int64_t memory_cap = 10;       // long-term frames the model added itself (references are kept)
    bool upstream_truncation = false; // parity: the app's max_len_long_term rule instead of the cap
    int64_t max_len_long_term = 9999; // with upstream_truncation: frames kept, references included
    int64_t max_objects = 255;     // ids 1..max_objects
    bool network_input = false;    // frames arrive already at network size (parity)
};

struct TrackOutputs {
    uint8_t *labels = nullptr;     // H x W (rows label_stride bytes apart), or nullptr
    int64_t label_stride = 0;
    uint8_t *probs = nullptr;      // (N + 1) x h4 x w4 softmax x 255 at the decoder's resolution, or nullptr
};

class Session {
public:
    Session(const Model &m, int64_t width, int64_t height, SessionOptions o);

    // add_reference_frame (first call) / add_reference_frame_incremental (later calls): labels
    // is the full H x W label map (tracked objects plus new ids); the object count becomes the
    // largest id seen so far.
    void add_reference(const uint8_t *rgb, int64_t row_stride, const uint8_t *labels, int64_t label_stride, const Run &run, TensorList *record);
    // match_propogate_one_frame + decode_current_logits + argmax; memory is left as it was.
    void track(const uint8_t *rgb, int64_t row_stride, const TrackOutputs &out, const Run &run, TensorList *record);
    // update_memory with the label of the frame just tracked (the prediction, or a correction).
    void update_memory(const uint8_t *labels, int64_t label_stride, TensorList *record);

    int64_t objects() const { return objects_; }
    bool network_input() const { return o_.network_input; }
    int64_t frames_tracked() const { return frames_; }
    int64_t width() const { return width_; }
    int64_t height() const { return height_; }
    int64_t network_width() const { return net_w_; }
    int64_t network_height() const { return net_h_; }
    // The decoder's output grid (4x below the network input), where probs are given.
    int64_t prob_width() const;
    int64_t prob_height() const;
    int64_t sub_engines() const { return static_cast<int64_t>(engines_.size()); }
    int64_t long_term_frames(size_t engine) const { return static_cast<int64_t>(engines_.at(engine).long_term.size()); }
    int64_t memory_bytes() const; // every tensor the session holds

private:
    // Calls either finish or leave the session as it was (a cancel, a bad label mid-way).
    template <typename F> void transaction(F &&body);

    // Long-term memory lives in one buffer per layer and tensor, a slot of T rows per frame, so
    // that a steady state (the cap reached) writes each new frame over the oldest one in place
    // and allocates nothing. Attention does not depend on the frames' order, so slots need not
    // follow it.
    struct Slot {
        int64_t index = 0;   // rows [index * T, (index + 1) * T) of the buffers
        bool reference = false;
    };
    struct SubEngine {
        int64_t objects = 0;
        int64_t frame_step = 0, last_mem_step = 0;
        std::deque<Slot> long_term;         // newest first
        std::vector<LayerMemory> long_buf;  // per layer: capacity slots
        std::vector<LayerMemory> long_cat;  // per layer: the slots in use (views of long_buf)
        std::vector<std::pair<int64_t, FrameMemory>> pending; // frames to write at commit: slot, memory
        FrameMemory short_term;
        LsttOutput current;                 // the last pass, for update_memory
        bool has_current = false;
    };

    std::vector<at::Tensor> encode(const uint8_t *rgb, int64_t row_stride, TensorList *record, const std::string &prefix) const;
    at::Tensor label_tensor(const uint8_t *labels, int64_t stride) const; // [1, 1, nh, nw] float, network size
    at::Tensor engine_ids(const at::Tensor &label, size_t engine) const;  // label as ids of sub-engine k, 1..10
    void prepend(SubEngine &e, FrameMemory memory, bool reference);
    static void commit(SubEngine &e); // writes the pending frames into their slots
    void reference_pass(SubEngine &e, size_t index, const std::vector<at::Tensor> &enc, const at::Tensor &label, const Run &run,
                        TensorList *record, const std::string &prefix);
    void propagate(SubEngine &e, const std::vector<at::Tensor> &enc, const Run &run, TensorList *record, const std::string &prefix);
    void update_short_term(SubEngine &e, size_t index, const at::Tensor &label, TensorList *record, const std::string &prefix);
    at::Tensor engine_logits(const SubEngine &e, const std::vector<at::Tensor> &enc, TensorList *record, const std::string &prefix) const;

    const Model &m_;
    SessionOptions o_;
    int64_t width_, height_, net_w_, net_h_, h16_ = 0, w16_ = 0;
    int64_t objects_ = 0, frames_ = 0;
    std::vector<SubEngine> engines_;
    std::vector<at::Tensor> enc_;  // the current frame's encoder outputs
    bool tracked_pending_ = false; // track() ran and neither update_memory nor add_reference followed
};

} // namespace inp::deaot
