#include "e2fgvi/session.h"

#include <ATen/ops/cat.h>
#include <ATen/ops/flip.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/tanh.h>
#include <ATen/ops/where.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/mask_ops.h"
#include "runtime/error.h"

namespace inp::e2fgvi {
namespace {

int64_t padded(int64_t n, int64_t mod) { return n + (mod - n % mod) % mod; }

// Upstream's mirror padding: append the flipped map and crop (valid while pad <= size).
at::Tensor mirror_pad(const at::Tensor &x, int64_t ph, int64_t pw) {
    at::Tensor y = x;
    if (ph > y.size(2)) y = at::cat({y, y.flip({2})}, 2).slice(2, 0, ph);
    if (pw > y.size(3)) y = at::cat({y, y.flip({3})}, 3).slice(3, 0, pw);
    return y;
}

int64_t bytes(const at::Tensor &t) { return t.defined() ? static_cast<int64_t>(t.nbytes()) : 0; }

} // namespace

Session::Session(const Model &m, int64_t width, int64_t height, SessionOptions o) : m_(m), w_(width), h_(height), o_(o) {
    if (width < 1 || height < 1) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI session size must be positive, got " + std::to_string(width) + "x" + std::to_string(height));
    if (o.neighbor_stride < 1 || o.ref_stride < 1 || o.dilation < 0)
        fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI session: neighbor_stride and ref_stride must be >= 1 and dilation >= 0");
    ph_ = padded(height, kModH);
    pw_ = padded(width, kModW);
    if (ph_ - height > height || pw_ - width > width)
        fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI cannot pad " + std::to_string(width) + "x" + std::to_string(height) + " to " + std::to_string(pw_) +
                                           "x" + std::to_string(ph_) + " (multiples of 108x60) by mirroring: frames must be at least " +
                                           std::to_string((pw_ + 1) / 2) + "x" + std::to_string((ph_ + 1) / 2));
    check_input_size(m, ph_, pw_);
}

void Session::push(const uint8_t *rgb, int64_t rgb_stride, const uint8_t *mask, int64_t mask_stride, const Run &run) {
    if (finished_) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI session: push after finish");
    Frame fr;
    fr.rgb = at::from_blob(const_cast<uint8_t *>(rgb), {h_, w_, 3}, {rgb_stride, 3, 1}, at::kByte).clone();
    const at::Tensor m = at::from_blob(const_cast<uint8_t *>(mask), {h_, w_}, {mask_stride, 1}, at::kByte).ne(0).to(at::kByte);
    fr.mask = ops::dilate_cross(m, o_.dilation).ne(0);
    frames_.emplace(pushed_++, std::move(fr));
    while (window_ready(next_window_)) run_window(next_window_, run);
}

void Session::finish(const Run &run) {
    if (pushed_ == 0) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI session: the clip is empty (no frame was pushed)");
    finished_ = true;
    while (next_window_ < pushed_) run_window(next_window_, run);
}

bool Session::window_ready(int64_t f) const {
    if (f >= pushed_) return false;
    if (finished_) return true;
    if (o_.ref_radius < 0) return false; // every reference of the clip: wait for its end
    return pushed_ > f + std::max(o_.neighbor_stride, o_.ref_radius);
}

void Session::run_window(int64_t f, const Run &run) {
    const int64_t s = o_.neighbor_stride, T = pushed_; // T: frames known (all of them once finished)
    std::vector<int64_t> ids;
    for (int64_t i = std::max<int64_t>(0, f - s); i < std::min(T, f + s + 1); i++) ids.push_back(i);
    const int64_t L = static_cast<int64_t>(ids.size()), first = ids.front(), last = ids.back();
    const int64_t lo = o_.ref_radius < 0 ? 0 : f - o_.ref_radius, hi = o_.ref_radius < 0 ? T - 1 : std::min(T - 1, f + o_.ref_radius);
    for (int64_t i = ((std::max<int64_t>(0, lo) + o_.ref_stride - 1) / o_.ref_stride) * o_.ref_stride; i <= hi; i += o_.ref_stride)
        if (i < first || i > last) ids.push_back(i);

    const auto opt = m_.options.dtype(at::kFloat); // inputs and flow frames are float32
    auto input_of = [&](const Frame &fr) { // masked, padded, [1, 3, H, W] in [-1, 1]
        const at::Tensor x = fr.rgb.permute({2, 0, 1}).unsqueeze(0).to(opt).div(255.0) * 2.0 - 1.0;
        return mirror_pad(x * (1 - fr.mask.to(opt)), ph_, pw_);
    };
    // Per-frame work: the encoder for every frame of the window, flow frames for the locals.
    std::vector<at::Tensor> enc(ids.size()), quarter(L);
    {
        std::vector<at::Tensor> in;
        std::vector<size_t> todo;
        for (size_t k = 0; k < ids.size(); k++) {
            Frame &fr = frames_.at(ids[k]);
            const bool need_q = static_cast<int64_t>(k) < L && !(o_.reuse && fr.quarter.defined());
            const bool need_e = !(o_.reuse && fr.enc.defined());
            if (!need_q && !need_e) continue;
            const at::Tensor x = input_of(fr);
            if (need_q) {
                const at::Tensor q = flow_frames(x);
                if (o_.reuse) fr.quarter = q;
                quarter[k] = q;
            }
            if (need_e) {
                in.push_back(x);
                todo.push_back(k);
            }
        }
        if (!in.empty()) {
            const at::Tensor e = encode(m_, at::cat(in, 0));
            encoded_ += static_cast<int64_t>(todo.size());
            for (size_t j = 0; j < todo.size(); j++) {
                enc[todo[j]] = e.slice(0, j, j + 1);
                if (o_.reuse) frames_.at(ids[todo[j]]).enc = enc[todo[j]].clone(); // not a view of the batch
            }
        }
        for (size_t k = 0; k < ids.size(); k++) {
            const Frame &fr = frames_.at(ids[k]);
            if (!enc[k].defined()) enc[k] = fr.enc;
            if (static_cast<int64_t>(k) < L && !quarter[k].defined()) quarter[k] = fr.quarter;
        }
    }
    run.step("e2fgvi.encoder", f, T);
    // SPyNet per pair of consecutive local frames, both ways.
    at::Tensor fwd, bwd;
    if (L > 1) {
        std::vector<at::Tensor> a, b;
        std::vector<int64_t> todo;
        for (int64_t k = 0; k + 1 < L; k++)
            if (!(o_.reuse && pairs_.count(ids[k]))) {
                a.push_back(quarter[k]);
                b.push_back(quarter[k + 1]);
                todo.push_back(k);
            }
        std::map<int64_t, Pair> fresh;
        if (!todo.empty()) {
            const at::Tensor qa = at::cat(a, 0), qb = at::cat(b, 0);
            const at::Tensor pf = flow(m_, qa, qb), pb = flow(m_, qb, qa);
            flowed_ += static_cast<int64_t>(todo.size());
            for (size_t j = 0; j < todo.size(); j++) fresh[todo[j]] = Pair{pf.slice(0, j, j + 1), pb.slice(0, j, j + 1)};
        }
        std::vector<at::Tensor> fl, bl;
        for (int64_t k = 0; k + 1 < L; k++) {
            auto it = fresh.find(k);
            const Pair p = it != fresh.end() ? it->second : pairs_.at(ids[k]);
            if (o_.reuse && it != fresh.end()) pairs_[ids[k]] = Pair{p.forward.clone(), p.backward.clone()};
            fl.push_back(p.forward);
            bl.push_back(p.backward);
        }
        fwd = at::cat(fl, 0);
        bwd = at::cat(bl, 0);
    }
    run.step("e2fgvi.flow", f, T);
    const at::Tensor all = at::cat(enc, 0);
    const at::Tensor local = m_.feat_prop(all.slice(0, 0, L), fwd, bwd, run);
    const at::Tensor pred = at::tanh(hallucinate(m_, local, all.slice(0, L, all.size(0)), L, run));
    // The app's post-processing: crop, (p + 1) / 2 * 255 truncated to uint8, composite, blend.
    const at::Tensor u8 = ((pred.slice(2, 0, h_).slice(3, 0, w_) + 1) / 2).mul(255.0).to(at::kCPU).to(at::kByte).permute({0, 2, 3, 1});
    for (int64_t k = 0; k < L; k++) {
        Frame &fr = frames_.at(ids[k]);
        const at::Tensor img = at::where(fr.mask.unsqueeze(2), u8[k], fr.rgb).to(at::kFloat);
        fr.comp = fr.comp.defined() ? fr.comp * 0.5 + img * 0.5 : img;
    }
    windows_++;
    next_window_ = f + s;
    // Frames no later window covers are final.
    const int64_t final_end = next_window_ >= T && finished_ ? T : std::min(T, next_window_ - s);
    for (; next_final_ < final_end; next_final_++) {
        Frame &fr = frames_.at(next_final_);
        out_.emplace_back(next_final_, fr.comp.to(at::kByte).contiguous()); // truncation, as astype(uint8)
        fr.comp = at::Tensor();
    }
    if (next_final_ == T && finished_) { // the clip is done: everything left was output
        frames_.clear();
        pairs_.clear();
    }
    release(next_window_);
    run.step("e2fgvi.window", f + 1, finished_ ? T : 0);
}

void Session::release(int64_t next_f) {
    const int64_t s = o_.neighbor_stride;
    for (auto it = frames_.begin(); it != frames_.end();) {
        const int64_t j = it->first;
        if (j >= next_f - s || j >= next_final_) break; // needed as a local frame, or not final yet
        const bool ref = j % o_.ref_stride == 0 && (o_.ref_radius < 0 || j >= next_f - o_.ref_radius);
        if (!ref) {
            it = frames_.erase(it);
            continue;
        }
        Frame &fr = it->second; // a future reference: its features (and its pixels, for reuse = false)
        fr.quarter = at::Tensor();
        if (o_.reuse && fr.enc.defined()) fr.rgb = at::Tensor();
        ++it;
    }
    for (auto it = pairs_.begin(); it != pairs_.end();) it = it->first < next_f - s ? pairs_.erase(it) : std::next(it);
}

int64_t Session::pop(uint8_t *dst, int64_t dst_stride) {
    if (out_.empty()) fail(INP_ERR_INVALID_ARGUMENT, "E2FGVI session: no final frame is ready");
    const auto [index, img] = std::move(out_.front());
    out_.pop_front();
    const uint8_t *src = img.const_data_ptr<uint8_t>();
    for (int64_t y = 0; y < h_; y++) std::memcpy(dst + y * dst_stride, src + y * w_ * 3, static_cast<size_t>(w_ * 3));
    popped_++;
    return index;
}

SessionInfo Session::info() const {
    SessionInfo i;
    i.frames_in = pushed_;
    i.frames_out = popped_;
    i.windows = windows_;
    i.padded_width = pw_;
    i.padded_height = ph_;
    i.encoder_frames = encoded_;
    i.flow_pairs = flowed_;
    i.buffered_frames = static_cast<int64_t>(frames_.size() + out_.size());
    for (const auto &[j, f] : frames_) i.memory_bytes += bytes(f.rgb) + bytes(f.mask) + bytes(f.enc) + bytes(f.quarter) + bytes(f.comp);
    for (const auto &[j, p] : pairs_) i.memory_bytes += bytes(p.forward) + bytes(p.backward);
    for (const auto &[j, t] : out_) i.memory_bytes += bytes(t);
    return i;
}

} // namespace inp::e2fgvi
