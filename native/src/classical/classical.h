// The weight-free engine on OpenCV: GrabCut masks from boxes and points, masks carried along
// dense optical flow (DIS), and flow-guided video inpainting (pixels propagated along completed
// flow from the nearest frames that show them; patches of the frame for what no frame shows). OpenCV types stay
// inside native/src/classical and capi/classical.cpp; frames cross the C ABI as inp_image.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "runtime/run.h"

namespace cv {
class DISOpticalFlow;
}

namespace inp::classical {

// OpenCV's worker threads follow the call's count, beside libtorch's (a process-wide setting).
void apply_threads(const Run &run);

// ---- Segmentation --------------------------------------------------------------------------

struct GrabCutOptions {
    int iterations = 5;    // GrabCut iterations
    int point_radius = 0;  // radius of a point's sure disc in source pixels; 0 = 1 % of the short side, at least 3
    int max_side = 640;    // GrabCut runs on the prompt's region scaled to at most this many pixels a side
};

// One object's mask (255 = object) from points (x, y pairs; labels 1 = object, 0 = background)
// and an optional box (x0, y0, x1, y1; null), in rgb's pixels. A box seeds GrabCut's foreground
// region (outside it is sure background); points are sure discs. Without a box, only the regions
// connected to a positive point are kept. Throws INP_ERR_INVALID_ARGUMENT for prompts outside
// the frame or with nothing positive.
cv::Mat1b grabcut(const cv::Mat3b &rgb, const std::vector<float> &points, const std::vector<int32_t> &labels, const float *box,
                  const GrabCutOptions &o, const Run &run);

// cv::grabCut, reproducible: a start (GC_INIT_*) draws its k-means from OpenCV's thread-local
// RNG, whose state is whatever earlier calls on the thread left, so the same frame and seeds gave
// another mask from one run to the next. Starts run on a fixed seed; the thread's RNG is restored.
void grab_cut(const cv::Mat &img, cv::Mat1b &seeds, cv::Mat &bgd, cv::Mat &fgd, int iterations, int mode);

// ---- Flow helpers --------------------------------------------------------------------------

// Replaces the unknown pixels (nonzero in `unknown`) of a 2-channel field by the membrane
// (Laplace) interpolation of the known ones: exact for the linear fields of pans and zooms.
// Coarse to fine: each level starts from the coarser solution and relaxes with Jacobi sweeps.
void membrane_fill(cv::Mat2f &field, const cv::Mat1b &unknown);

// Fills the nonzero pixels of `hole` in `img` with patches of the rest of the picture (coarse to
// fine PatchMatch and voting; texture carries into the hole, where Telea's diffusion blurs it).
// Deterministic. Telea (with fallback_radius) where no 7x7 patch of the picture is entirely
// outside the hole.
void patch_fill(cv::Mat3b &img, const cv::Mat1b &hole, int fallback_radius);

// Dense flow from a to b (grayscale): for each pixel of a, where it is in b. Engines share the
// flows they computed, by the frames' contents (process-wide, at most 32 kept until asked for
// again): the tracker and the inpainter of one removal ask for the same ones, so each is computed
// once.
class FlowEngine {
public:
    FlowEngine();
    ~FlowEngine();
    cv::Mat2f compute(const cv::Mat1b &a, const cv::Mat1b &b);

private:
    cv::Ptr<cv::DISOpticalFlow> dis_;
};

// ---- Tracking ------------------------------------------------------------------------------

struct TrackerOptions {
    int max_side = 640;        // flow and labels are computed at the frame scaled to at most this a side
    float consistency = 1.5f;  // forward-backward flow error (working pixels) above which a pixel's warp is distrusted
    int refine_every = 1;      // GrabCut refinement of each object every N tracked frames; 0 = never
    int refine_iterations = 2;
};

// Label maps carried frame to frame along DIS flow. Each tracked frame warps the previous
// frame's objects by the backward flow where it is trustworthy (forward-backward consistent, and
// the pixel looks like where it came from); elsewhere (flat regions, uncovered background) a pixel
// follows its object's median motion, so flow errors at the edges do not accumulate, and a GrabCut
// pass every few frames pulls each edge back to the colours. Frames may come in any order (fed
// N..0, a session tracks backward).
class FlowTracker {
public:
    FlowTracker(int width, int height, const TrackerOptions &o);

    int width() const { return width_; }
    int height() const { return height_; }

    // A reference: the full label map of `rgb` (objects so far plus new ids).
    void add_reference(const cv::Mat3b &rgb, const cv::Mat1b &labels, const Run &run);
    // Tracks `rgb` into `labels` (source size); commit = false leaves the memory as it was.
    void track(const cv::Mat3b &rgb, cv::Mat1b &labels, bool commit, const Run &run);

    int64_t frames_tracked() const { return tracked_; }

private:
    cv::Mat1b gray(const cv::Mat3b &rgb) const;
    void refine(const cv::Mat3b &small_rgb, cv::Mat1b &labels, const cv::Mat2f &back, int frames) const;

    int width_, height_;
    cv::Size work_;
    TrackerOptions o_;
    FlowEngine flow_;
    cv::Mat1b prev_gray_, prev_labels_; // at the working size; empty before the first reference
    int64_t tracked_ = 0, since_refine_ = 0;
};

// ---- Inpainting ----------------------------------------------------------------------------

struct InpainterOptions {
    int window = 20;           // frames traced in each direction for a hole pixel
    float consistency = 1.0f;  // forward-backward error (flow pixels) above which a trace stops
    int dilation = 8;          // 3x3-cross dilations of each mask: twice the app's, for the flow tracker's less sure edges
    int flow_max_side = 640;   // flows are computed at the frame scaled to at most this a side
    int fill_radius = 5;       // Telea's radius where the patch fill has no patch to copy (a frame nearly all hole)
};

struct InpainterInfo {
    int64_t frames_in = 0, frames_out = 0, ready = 0, buffered_frames = 0, flow_pairs = 0;
    int64_t propagated_pixels = 0, carried_pixels = 0, spatial_pixels = 0; // how hole pixels were filled
    int64_t memory_bytes = 0;
    bool finished = false;
};

// Flow-guided video inpainting over a bounded window: frame t is final once frame t + window
// has arrived. Flows between neighbours are computed once per pair and completed inside the
// holes; each hole pixel is traced along them, forward and backward, to the nearest frames
// where it is visible (each step passing the forward-backward check), and the candidates of both
// directions are blended by distance. Pixels no frame shows take what the previous output showed
// there, carried along the flow, so content filled once stays put instead of flickering; only
// the rest is filled spatially, with patches of the frame (patch_fill).
class FlowInpainter {
public:
    FlowInpainter(int width, int height, const InpainterOptions &o);
    ~FlowInpainter();

    int width() const { return width_; }
    int height() const { return height_; }

    void push(const cv::Mat3b &rgb, const cv::Mat1b &mask, const Run &run);
    void finish(const Run &run);
    int64_t ready() const { return static_cast<int64_t>(out_.size()); }
    // Copies the next final frame into dst; returns its index.
    int64_t pop(cv::Mat3b &dst);
    InpainterInfo info() const;

private:
    struct Slot;
    void process(const Run &run);
    Slot &slot(int64_t index);
    const Slot &slot(int64_t index) const;

    int width_, height_;
    cv::Size flow_size_;
    float flow_scale_; // flow pixels per frame pixel
    InpainterOptions o_;
    FlowEngine flow_;
    std::deque<std::unique_ptr<Slot>> slots_; // frames first_ .. first_ + size - 1
    int64_t first_ = 0, next_ = 0;            // oldest held frame, next frame to finish
    cv::Mat3b prev_out_;                      // the last finished frame
    std::deque<std::pair<int64_t, cv::Mat3b>> out_;
    InpainterInfo info_;
};

// OpenCV's Telea inpainting of one frame (the per-frame baseline): the masked pixels (nonzero,
// no dilation) of rgb filled from their surroundings into dst.
void telea(const cv::Mat3b &rgb, const cv::Mat1b &mask, int radius, cv::Mat3b &dst);

} // namespace inp::classical
