#include "deaot/session.h"

#include <ATen/Parallel.h>
#include <ATen/ops/argmax.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/logit.h>
#include <ATen/ops/prod.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/upsample_bilinear2d.h>
#include <ATen/ops/upsample_nearest2d.h>

#include <algorithm>
#include <string>

#include "runtime/error.h"

namespace inp::deaot {

namespace {

at::Tensor map_of(const at::Tensor &tokens, int64_t h, int64_t w) { // [T, C] -> [1, C, h, w]
    return tokens.t().contiguous().view({1, tokens.size(1), h, w});
}

int64_t bytes_of(const at::Tensor &t) { return t.defined() ? static_cast<int64_t>(t.numel() * t.element_size()) : 0; }

// soft_logit_aggregation: background = product of the sub-engines' background probabilities,
// foreground = each sub-engine's object channels in order, clamped, back to logits.
at::Tensor merge(const std::vector<at::Tensor> &logits) {
    if (logits.size() == 1) return logits[0];
    std::vector<at::Tensor> bg, fg;
    for (const at::Tensor &l : logits) {
        const at::Tensor p = at::softmax(l, 1);
        bg.push_back(p.narrow(1, 0, 1));
        fg.push_back(p.narrow(1, 1, p.size(1) - 1));
    }
    std::vector<at::Tensor> parts{at::prod(at::cat(bg, 1), 1, true)};
    parts.insert(parts.end(), fg.begin(), fg.end());
    return at::logit(at::cat(parts, 1).clamp(1e-5, 1 - 1e-5));
}

// at::argmax(x, 1) for a float [1, C, H, W] map (C <= 256), written as u8 labels: a pass over
// the channel planes a row at a time, vectorised across pixels (libtorch's strided reduction over
// dim 1 took 38 ms at 480p here). The first maximum wins ties, as in at::argmax.
void argmax_channels(const at::Tensor &logits, uint8_t *labels, int64_t label_stride) {
    const at::Tensor x = logits.contiguous();
    const int64_t channels = x.size(1), height = x.size(2), width = x.size(3), plane = height * width;
    const float *src = x.data_ptr<float>();
    at::parallel_for(0, height, 16, [&](int64_t y0, int64_t y1) {
        std::vector<float> best(static_cast<size_t>(width));
        for (int64_t y = y0; y < y1; y++) {
            uint8_t *out = labels + y * label_stride;
            const float *row = src + y * width;
            std::copy(row, row + width, best.begin());
            std::fill(out, out + width, uint8_t{0});
            for (int64_t c = 1; c < channels; c++) {
                const float *v = row + c * plane;
                for (int64_t i = 0; i < width; i++) {
                    const bool more = v[i] > best[static_cast<size_t>(i)];
                    best[static_cast<size_t>(i)] = more ? v[i] : best[static_cast<size_t>(i)];
                    out[i] = more ? static_cast<uint8_t>(c) : out[i];
                }
            }
        }
    });
}

} // namespace

template <typename F> void Session::transaction(F &&body) {
    const nn::Bf16Products precision(m_.bf16_products);
    auto engines = engines_;
    auto enc = enc_;
    const int64_t objects = objects_, frames = frames_;
    const bool pending = tracked_pending_;
    try {
        body();
        // In place, after everything that can fail: a rolled-back call must not have written over a slot.
        for (SubEngine &e : engines_) commit(e);
    } catch (...) {
        engines_ = std::move(engines);
        enc_ = std::move(enc);
        objects_ = objects;
        frames_ = frames;
        tracked_pending_ = pending;
        throw;
    }
}

Session::Session(const Model &m, int64_t width, int64_t height, SessionOptions o) : m_(m), o_(o), width_(width), height_(height) {
    if (width < 1 || height < 1) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT session: frame size " + std::to_string(width) + "x" + std::to_string(height) + " is invalid");
    if (o.long_term_gap < 1) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT session: long_term_gap must be >= 1, got " + std::to_string(o.long_term_gap));
    if (o.memory_cap < 1 || o.max_len_long_term < 1)
        fail(INP_ERR_INVALID_ARGUMENT, "DeAOT session: the long-term memory cap must be >= 1 frame");
    if (o.max_objects < 1 || o.max_objects > 255) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT session: max_objects must be 1..255, got " + std::to_string(o.max_objects));
    std::tie(net_h_, net_w_) = network_size(height, width);
}

std::vector<at::Tensor> Session::encode(const uint8_t *rgb, int64_t row_stride, TensorList *record, const std::string &prefix) const {
    at::Tensor frame;
    const int64_t in_w = o_.network_input ? net_w_ : width_, in_h = o_.network_input ? net_h_ : height_;
    if (in_w == net_w_ && in_h == net_h_) {
        frame = at::from_blob(const_cast<uint8_t *>(rgb), {in_h, in_w, 3}, {row_stride, 3, 1}, at::TensorOptions().dtype(at::kByte));
    } else {
        frame = resize_cubic_rgb(rgb, in_w, in_h, row_stride, net_w_, net_h_);
    }
    std::vector<at::Tensor> enc = m_.encoder.forward(normalize(m_, frame));
    record_stage(record, prefix + "enc_4x", enc[0]);
    record_stage(record, prefix + "enc_8x", enc[1]);
    record_stage(record, prefix + "enc_16x", enc[2]);
    enc[3] = m_.encoder_projector(enc[3]);
    record_stage(record, prefix + "enc_16x_proj", enc[3]);
    return enc;
}

at::Tensor Session::label_tensor(const uint8_t *labels, int64_t stride) const {
    const at::Tensor l = at::from_blob(const_cast<uint8_t *>(labels), {height_, width_}, {stride, 1}, at::TensorOptions().dtype(at::kByte));
    const at::Tensor f = l.to(at::kFloat).view({1, 1, height_, width_});
    return at::upsample_nearest2d(f, {net_h_, net_w_}).to(m_.options.device());
}

at::Tensor Session::engine_ids(const at::Tensor &label, size_t engine) const {
    if (engines_.size() == 1) return label;
    // separate_mask: ids 10k+1..10k+10 become 1..10, the rest background
    const double start = static_cast<double>(engine * kMaxObjects + 1), end = start + kMaxObjects - 1;
    const at::Tensor fg = ((label >= start) & (label <= end)).to(at::kFloat);
    return (fg * label - start + 1) * fg;
}

void Session::prepend(SubEngine &e, FrameMemory memory, bool reference) {
    // Which slot the new frame takes: a frame that leaves (the oldest by the rule in force), or a new one.
    int64_t slot = -1;
    if (o_.upstream_truncation) {
        // The app's max_len_long_term: cut to the newest (max_len - 1) frames, references included.
        while (static_cast<int64_t>(e.long_term.size()) >= o_.max_len_long_term) {
            slot = e.long_term.back().index;
            e.long_term.pop_back();
        }
    } else if (!reference) {
        // Keep every reference the user gave; drop the oldest frames the model added itself.
        int64_t added = 1;
        for (const Slot &f : e.long_term) added += f.reference ? 0 : 1;
        for (auto it = e.long_term.end(); added > o_.memory_cap && it != e.long_term.begin();) {
            --it;
            if (!it->reference) {
                slot = it->index;
                it = e.long_term.erase(it);
                added--;
            }
        }
    }
    const int64_t used = static_cast<int64_t>(e.long_term.size());
    if (slot < 0) slot = used; // slots 0..used-1 are taken (one may just have been freed: then it is reused above)
    int64_t capacity = e.long_buf.empty() ? 0 : e.long_buf[0].k.size(0) / memory[0].k.size(0);
    if (slot >= capacity) {
        // Grow (doubling, up to what the rule can hold) into new buffers: the old ones stay as
        // they were until the call succeeds, for the transaction's rollback.
        int64_t references = 0;
        for (const Slot &f : e.long_term) references += f.reference ? 1 : 0;
        const int64_t bound = o_.upstream_truncation ? o_.max_len_long_term : references + (reference ? 1 : 0) + o_.memory_cap;
        capacity = std::max(slot + 1, std::min(bound, 2 * capacity));
        std::vector<LayerMemory> grown;
        auto widen = [&](const at::Tensor &old, const at::Tensor &frame) {
            std::vector<int64_t> sizes = frame.sizes().vec();
            sizes[0] *= capacity;
            at::Tensor t = at::empty(sizes, frame.options());
            if (old.defined()) t.narrow(0, 0, old.size(0)).copy_(old);
            return t;
        };
        for (size_t l = 0; l < memory.size(); l++) {
            const LayerMemory *old = e.long_buf.empty() ? nullptr : &e.long_buf[l];
            grown.push_back({widen(old ? old->k : at::Tensor(), memory[l].k), widen(old ? old->v : at::Tensor(), memory[l].v),
                             widen(old ? old->id_v : at::Tensor(), memory[l].id_v)});
        }
        e.long_buf = std::move(grown);
        // Pending frames were queued against the old buffers' slots: still the same slots.
    }
    e.long_term.push_front({slot, reference});
    e.pending.emplace_back(slot, std::move(memory));
}

void Session::commit(SubEngine &e) {
    if (e.pending.empty()) return;
    for (auto &[slot, memory] : e.pending) {
        for (size_t l = 0; l < memory.size(); l++) {
            const int64_t t = memory[l].k.size(0);
            e.long_buf[l].k.narrow(0, slot * t, t).copy_(memory[l].k);
            e.long_buf[l].v.narrow(0, slot * t, t).copy_(memory[l].v);
            e.long_buf[l].id_v.narrow(0, slot * t, t).copy_(memory[l].id_v);
        }
    }
    const int64_t t = e.pending.front().second[0].k.size(0), rows = static_cast<int64_t>(e.long_term.size()) * t;
    e.pending.clear();
    e.long_cat.clear();
    for (const LayerMemory &b : e.long_buf) e.long_cat.push_back({b.k.narrow(0, 0, rows), b.v.narrow(0, 0, rows), b.id_v.narrow(0, 0, rows)});
}

void Session::reference_pass(SubEngine &e, size_t index, const std::vector<at::Tensor> &enc, const at::Tensor &label, const Run &run,
                             TensorList *record, const std::string &prefix) {
    TensorList *rec = index == 0 ? record : nullptr;
    const at::Tensor id_emb = id_embedding(m_, engine_ids(label, index));
    record_stage(rec, prefix + "id_emb", map_of(id_emb, h16_, w16_));
    FrameMemory reference;
    e.current = lstt_reference(m_, enc[3], id_emb, h16_, w16_, &reference, run, rec, prefix);
    e.has_current = true;
    for (size_t l = 0; l < reference.size(); l++) {
        record_stage(rec, prefix + "ltm_L" + std::to_string(l) + "_K", reference[l].k.unsqueeze(1));
        record_stage(rec, prefix + "ltm_L" + std::to_string(l) + "_IDV", reference[l].id_v.unsqueeze(1));
    }
    e.short_term = reference;
    prepend(e, std::move(reference), true);
    e.last_mem_step = e.frame_step;
    if (rec != nullptr) { // the engine never decodes a reference frame; only for inspection
        const at::Tensor low = engine_logits(e, enc, rec, prefix);
        record_stage(rec, prefix + "decoder_logits_lowres", low.narrow(1, 0, e.objects + 1));
        record_stage(rec, prefix + "decoder_logits_fullres", at::upsample_bilinear2d(low, {height_, width_}, true).narrow(1, 0, e.objects + 1));
    }
}

void Session::propagate(SubEngine &e, const std::vector<at::Tensor> &enc, const Run &run, TensorList *record, const std::string &prefix) {
    e.frame_step++;
    e.current = lstt_track(m_, enc[3], e.long_cat, e.short_term, h16_, w16_, run, record, prefix);
    e.has_current = true;
}

void Session::update_short_term(SubEngine &e, size_t index, const at::Tensor &label, TensorList *record, const std::string &prefix) {
    TensorList *rec = index == 0 ? record : nullptr;
    const at::Tensor id_emb = id_embedding(m_, engine_ids(label, index));
    record_stage(rec, prefix + "id_emb", map_of(id_emb, h16_, w16_));
    FrameMemory memory;
    for (size_t l = 0; l < m_.layers.size(); l++) {
        const LayerMemory &c = e.current.current[l];
        memory.push_back({c.k, c.v, fuse_id_value(m_.layers[l], c.id_v, id_emb)});
    }
    for (size_t l = 0; l < memory.size(); l++) record_stage(rec, prefix + "stm_L" + std::to_string(l) + "_IDV", map_of(memory[l].id_v, h16_, w16_));
    e.short_term = memory;
    if (e.frame_step - e.last_mem_step >= o_.long_term_gap) {
        prepend(e, std::move(memory), false);
        e.last_mem_step = e.frame_step;
    }
}

at::Tensor Session::engine_logits(const SubEngine &e, const std::vector<at::Tensor> &enc, TensorList *record, const std::string &prefix) const {
    const at::Tensor raw = decode(m_, e.current.embedding, enc, h16_, w16_);
    record_stage(record, prefix + "decoder_raw", raw);
    if (e.objects >= kMaxObjects) return raw;
    at::Tensor logits = raw.clone();
    logits.narrow(1, e.objects + 1, kMaxObjects - e.objects).fill_(-1e10); // unused ids
    return logits;
}

void Session::add_reference(const uint8_t *rgb, int64_t row_stride, const uint8_t *labels, int64_t label_stride, const Run &run,
                            TensorList *record) {
    transaction([&] {
    const at::Tensor label = label_tensor(labels, label_stride);
    const int64_t largest = static_cast<int64_t>(at::from_blob(const_cast<uint8_t *>(labels), {height_, width_}, {label_stride, 1},
                                                               at::TensorOptions().dtype(at::kByte)).max().item<uint8_t>());
    if (largest > o_.max_objects)
        fail(INP_ERR_INVALID_ARGUMENT, "DeAOT: the label mask holds id " + std::to_string(largest) + ", above the session's object limit " + std::to_string(o_.max_objects));
    const int64_t objects = std::max(objects_, largest);
    if (objects == 0) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT: the reference label mask has no object (every pixel is 0)");
    const size_t wanted = static_cast<size_t>(std::max<int64_t>(1, (objects + kMaxObjects - 1) / kMaxObjects));
    const bool fresh_frame = !tracked_pending_;
    if (fresh_frame) enc_ = encode(rgb, row_stride, record, "");
    h16_ = enc_[3].size(2);
    w16_ = enc_[3].size(3);
    // Existing sub-engines that keep their object count refresh their short-term memory from
    // this frame, so they need its pass through the layers (the app tracks the frame first).
    for (size_t k = 0; k < engines_.size() && fresh_frame; k++) propagate(engines_[k], enc_, run, nullptr, "");
    while (engines_.size() < wanted) engines_.emplace_back();
    for (size_t k = 0; k < engines_.size(); k++) {
        SubEngine &e = engines_[k];
        const int64_t count = k + 1 < engines_.size() ? kMaxObjects : objects - static_cast<int64_t>(k) * kMaxObjects;
        if (e.objects < count) {
            e.objects = count;
            reference_pass(e, k, enc_, label, run, record, "");
        } else {
            update_short_term(e, k, label, record, "");
        }
    }
    objects_ = objects;
    tracked_pending_ = false;
    if (frames_ == 0) frames_ = 1;
    });
}

void Session::track(const uint8_t *rgb, int64_t row_stride, const TrackOutputs &out, const Run &run, TensorList *record) {
    if (engines_.empty()) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT: track() before any reference frame; call add_reference first");
    transaction([&] {
    enc_ = encode(rgb, row_stride, record, "");
    std::vector<at::Tensor> full, low;
    for (size_t k = 0; k < engines_.size(); k++) {
        SubEngine &e = engines_[k];
        propagate(e, enc_, run, k == 0 ? record : nullptr, "");
        const at::Tensor l = engine_logits(e, enc_, k == 0 ? record : nullptr, "");
        record_stage(record, "pred_lowres_e" + std::to_string(k), l.narrow(1, 0, e.objects + 1));
        low.push_back(l);
        // Only the ids in use: the others hold -1e10 and can win neither the argmax nor a softmax share.
        full.push_back(at::upsample_bilinear2d(l.narrow(1, 0, e.objects + 1), {height_, width_}, true));
    }
    const at::Tensor merged = merge(full);
    record_stage(record, "pred_prob", merged.narrow(1, 0, objects_ + 1));
    if (out.labels != nullptr) {
        if (merged.is_cpu()) {
            argmax_channels(merged, out.labels, out.label_stride);
        } else {
            at::Tensor dst = at::from_blob(out.labels, {height_, width_}, {out.label_stride, 1}, at::TensorOptions().dtype(at::kByte));
            dst.copy_(at::argmax(merged, 1).squeeze(0));
        }
    }
    if (out.probs != nullptr) {
        const at::Tensor p = at::softmax(merge(low), 1).narrow(1, 0, objects_ + 1).squeeze(0);
        at::Tensor dst = at::from_blob(out.probs, p.sizes(), at::TensorOptions().dtype(at::kByte));
        dst.copy_((p * 255.0).round_());
    }
    frames_++;
    tracked_pending_ = true;
    });
}

void Session::update_memory(const uint8_t *labels, int64_t label_stride, TensorList *record) {
    if (!tracked_pending_) fail(INP_ERR_INVALID_ARGUMENT, "DeAOT: update_memory() needs a frame just tracked (call track first)");
    const int64_t largest = static_cast<int64_t>(at::from_blob(const_cast<uint8_t *>(labels), {height_, width_}, {label_stride, 1},
                                                               at::TensorOptions().dtype(at::kByte)).max().item<uint8_t>());
    if (largest > objects_)
        fail(INP_ERR_INVALID_ARGUMENT, "DeAOT: the label holds id " + std::to_string(largest) + " but the session tracks " + std::to_string(objects_)
                                           + " objects; add new objects with add_reference");
    const at::Tensor label = label_tensor(labels, label_stride);
    transaction([&] {
        for (size_t k = 0; k < engines_.size(); k++) update_short_term(engines_[k], k, label, record, "");
        tracked_pending_ = false;
    });
}

namespace {
int64_t halve(int64_t s) { return (s - 1) / 2 + 1; } // a stride-2 conv or pool with "same" padding
} // namespace

int64_t Session::prob_width() const { return halve(halve(net_w_)); }
int64_t Session::prob_height() const { return halve(halve(net_h_)); }

int64_t Session::memory_bytes() const {
    int64_t n = 0;
    for (const SubEngine &e : engines_) {
        for (const LayerMemory &l : e.long_buf) n += bytes_of(l.k) + bytes_of(l.v) + bytes_of(l.id_v);
        for (const LayerMemory &l : e.short_term) n += bytes_of(l.k) + bytes_of(l.v) + bytes_of(l.id_v);
    }
    for (const at::Tensor &t : enc_) n += bytes_of(t);
    return n;
}

} // namespace inp::deaot
