// The weight-free engine against expectations computed here: the membrane fill on fields it must
// reproduce exactly, GrabCut and the flow tracker on synthetic scenes whose true masks are known,
// and the flow inpainter on a panning scene whose true background is known (against Telea, and
// its invariants: untouched pixels, streaming order, bounded memory, errors).
//   test_classical [--bench WxH FRAMES]   (the bench prints per-stage milliseconds)
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "classical/classical.h"
#include "runtime/error.h"

using namespace inp::classical;
using inp::test::check;
using inp::test::num;

namespace {

// A large textured picture (blobs at several scales), from which frames are cut.
cv::Mat3b texture(int w, int h, uint64_t seed) {
    cv::RNG rng(seed);
    cv::Mat3f acc(h, w, cv::Vec3f(0, 0, 0));
    for (const double sigma : {1.5, 4.0, 12.0}) {
        cv::Mat3f n(h, w);
        rng.fill(n, cv::RNG::UNIFORM, 0, 255);
        cv::GaussianBlur(n, n, cv::Size(), sigma);
        cv::normalize(n, n, 0, 255, cv::NORM_MINMAX);
        acc += n / 3.0;
    }
    cv::Mat3b out;
    acc.convertTo(out, CV_8U);
    return out;
}

struct Scene {
    std::vector<cv::Mat3b> frames, background;
    std::vector<cv::Mat1b> masks;
};

// The background pans `pan` px a frame; a disc textured with another picture moves `speed` px a frame.
Scene scene(int w, int h, int n, int pan, int speed, int radius) {
    const cv::Mat3b bg = texture(w + pan * n + 8, h + 8, 7), obj = texture(2 * radius + 2, 2 * radius + 2, 99);
    Scene s;
    for (int t = 0; t < n; t++) {
        cv::Mat3b b = bg(cv::Rect(pan * t, 4, w, h)).clone();
        cv::Mat3b f = b.clone();
        cv::Mat1b m = cv::Mat1b::zeros(h, w);
        const cv::Point c(w / 4 + speed * t, h / 2);
        cv::circle(m, c, radius, 255, cv::FILLED);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (m(y, x)) f(y, x) = obj(y - c.y + radius, x - c.x + radius) * 0.5 + cv::Vec3b(0, 0, 200) * 0.5; // blue-ish, textured
            }
        }
        s.frames.push_back(f), s.background.push_back(b), s.masks.push_back(m);
    }
    return s;
}

double iou(const cv::Mat1b &a, const cv::Mat1b &b) {
    const double i = cv::countNonZero(a & b), u = cv::countNonZero(a | b);
    return u > 0 ? i / u : 1.0;
}

double psnr_in(const cv::Mat3b &got, const cv::Mat3b &want, const cv::Mat1b &where) {
    double se = 0;
    int64_t n = 0;
    for (int y = 0; y < got.rows; y++) {
        for (int x = 0; x < got.cols; x++) {
            if (!where(y, x)) continue;
            for (int c = 0; c < 3; c++) {
                const double d = double(got(y, x)[c]) - want(y, x)[c];
                se += d * d;
            }
            n += 3;
        }
    }
    return n == 0 ? 99 : 10 * std::log10(255.0 * 255.0 / std::max(se / n, 1e-10));
}

void test_membrane() {
    // A zoom's flow is linear, hence harmonic: the fill must reproduce it inside any hole.
    cv::Mat2f f(90, 160), want;
    for (int y = 0; y < f.rows; y++) {
        for (int x = 0; x < f.cols; x++) f(y, x) = cv::Vec2f(0.05f * (x - 80) + 1.f, -0.03f * (y - 45) + 0.5f);
    }
    want = f.clone();
    cv::Mat1b hole = cv::Mat1b::zeros(f.size());
    cv::circle(hole, {70, 40}, 25, 255, cv::FILLED);
    cv::rectangle(hole, cv::Rect(120, 10, 30, 70), 255, cv::FILLED);
    f.setTo(cv::Vec2f(100, -100), hole);
    membrane_fill(f, hole);
    double err = 0;
    for (int y = 0; y < f.rows; y++) {
        for (int x = 0; x < f.cols; x++) err = std::max(err, double(cv::norm(f(y, x) - want(y, x))));
    }
    check(err < 0.05, "membrane fill reproduces a linear field (max error " + num(err) + " px)");
    cv::Mat2f all(8, 8, cv::Vec2f(3, 3));
    membrane_fill(all, cv::Mat1b(8, 8, 255));
    check(cv::norm(all(3, 3)) == 0, "membrane fill with nothing known gives zero");
}

void test_grabcut() {
    const Scene s = scene(320, 180, 1, 0, 0, 30);
    const cv::Mat1b truth = s.masks[0];
    const cv::Point c(80, 90);
    const float box[4] = {c.x - 36.f, c.y - 36.f, c.x + 36.f, c.y + 36.f};
    const cv::Mat1b by_box = grabcut(s.frames[0], {}, {}, box, GrabCutOptions{}, inp::Run::none());
    check(iou(by_box, truth) > 0.9, "grabcut: box around the disc, IoU " + num(iou(by_box, truth)));
    const cv::Mat1b by_points = grabcut(s.frames[0], {80.f, 90.f, 300.f, 20.f}, {1, 0}, nullptr, GrabCutOptions{}, inp::Run::none());
    check(iou(by_points, truth) > 0.8, "grabcut: a positive point on the disc and a negative one, IoU " + num(iou(by_points, truth)));
    const float outside[4] = {300.f, 100.f, 340.f, 150.f};
    bool threw = false;
    try {
        grabcut(s.frames[0], {}, {}, outside, GrabCutOptions{}, inp::Run::none());
    } catch (const inp::Error &e) {
        threw = e.status() == INP_ERR_INVALID_ARGUMENT && std::string(e.what()).find("outside the 320x180 frame") != std::string::npos;
    }
    check(threw, "grabcut: a box past the frame's edge is refused, naming the frame size");
}

void test_tracker() {
    const int n = 12;
    const Scene s = scene(320, 180, n, 2, 5, 25);
    for (const bool backward : {false, true}) {
        FlowTracker tr(320, 180, TrackerOptions{});
        const int first = backward ? n - 1 : 0;
        tr.add_reference(s.frames[first], s.masks[first] / 255, inp::Run::none());
        double worst = 1;
        for (int k = 1; k < n; k++) {
            const int t = backward ? n - 1 - k : k;
            cv::Mat1b labels(180, 320);
            tr.track(s.frames[t], labels, true, inp::Run::none());
            worst = std::min(worst, iou(labels != 0, s.masks[t]));
        }
        check(worst > 0.8, std::string("flow tracker ") + (backward ? "backward" : "forward") + " over " + std::to_string(n) +
                               " frames: worst IoU " + num(worst));
    }
    // commit = false leaves the memory as it was: the same frame tracks to the same labels again.
    FlowTracker tr(320, 180, TrackerOptions{});
    tr.add_reference(s.frames[0], s.masks[0] / 255, inp::Run::none());
    cv::Mat1b a(180, 320), b(180, 320);
    tr.track(s.frames[1], a, false, inp::Run::none());
    tr.track(s.frames[1], b, true, inp::Run::none());
    check(cv::countNonZero(a != b) == 0 && tr.frames_tracked() == 1, "flow tracker: a prediction does not commit");
}

// The hard case for flow: a flat magenta square sliding over flat colour bars (flow inside flat
// regions is anyone's guess); the GrabCut refinement must hold on to it.
void test_tracker_flat() {
    const int w = 320, h = 180, n = 40;
    FlowTracker tr(w, h, TrackerOptions{});
    double worst = 1;
    for (int t = 0; t < n; t++) {
        cv::Mat3b f(h, w);
        for (int x = 0; x < w; x++) {
            const int bar = ((x + 2 * t) / 80) % 4;
            f.col(x).setTo(bar == 0 ? cv::Vec3b(255, 0, 0) : bar == 1 ? cv::Vec3b(0, 255, 0) : bar == 2 ? cv::Vec3b(255, 255, 0) : cv::Vec3b(0, 0, 255));
        }
        cv::Mat1b truth = cv::Mat1b::zeros(h, w);
        const cv::Rect box(40 + 4 * t, 60, 30, 30);
        truth(box).setTo(255);
        f.setTo(cv::Vec3b(255, 0, 255), truth);
        cv::Mat1b labels(h, w);
        if (t == 0) tr.add_reference(f, truth / 255, inp::Run::none());
        else tr.track(f, labels, true, inp::Run::none()), worst = std::min(worst, iou(labels != 0, truth));
    }
    check(worst > 0.8, "flow tracker holds a flat square on flat bars over " + std::to_string(n) + " frames: worst IoU " + num(worst));
}

void test_inpainter() {
    const int n = 24, w = 320, h = 180;
    const Scene s = scene(w, h, n, 3, 4, 22);
    InpainterOptions o;
    o.window = 8;
    FlowInpainter inp(w, h, o);
    std::vector<cv::Mat3b> out(n);
    std::vector<int64_t> order;
    int64_t most_held = 0;
    auto drain = [&] {
        while (inp.ready() > 0) {
            cv::Mat3b f(h, w);
            const int64_t i = inp.pop(f);
            order.push_back(i);
            out[static_cast<size_t>(i)] = f;
        }
    };
    for (int t = 0; t < n; t++) {
        inp.push(s.frames[t], s.masks[t], inp::Run::none());
        most_held = std::max(most_held, inp.info().buffered_frames);
        drain();
    }
    inp.finish(inp::Run::none());
    drain();
    bool in_order = order.size() == n;
    for (size_t i = 0; i < order.size(); i++) in_order &= order[i] == static_cast<int64_t>(i);
    check(in_order, "flow inpainter returns every frame once, in order");
    check(most_held <= 2 * o.window + 2, "flow inpainter holds at most 2 x window + 2 frames (held " + std::to_string(most_held) + ")");
    check(inp.info().flow_pairs == n - 1, "flow inpainter computes each neighbour pair's flows once");
    const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3));
    double ours = 0, telea_db = 0;
    bool untouched = true;
    for (int t = 0; t < n; t++) {
        cv::Mat1b hole;
        cv::dilate(s.masks[t], hole, kernel, cv::Point(-1, -1), o.dilation);
        cv::Mat3b diff;
        cv::absdiff(out[t], s.frames[t], diff);
        cv::Mat1b changed;
        cv::cvtColor(diff, changed, cv::COLOR_RGB2GRAY);
        untouched &= cv::countNonZero((changed != 0) & ~hole) == 0;
        cv::Mat3b t_out;
        telea(s.frames[t], hole, 5, t_out);
        ours += psnr_in(out[t], s.background[t], s.masks[t]) / n;
        telea_db += psnr_in(t_out, s.background[t], s.masks[t]) / n;
    }
    check(untouched, "flow inpainter leaves every pixel outside the dilated masks as it was");
    check(ours > telea_db + 4, "flow inpainter on a panning scene: " + num(ours) + " dB in the holes vs per-frame Telea " + num(telea_db) + " dB");
    const InpainterInfo info = inp.info();
    std::printf("     filled: %lld propagated, %lld carried, %lld spatial\n", (long long)info.propagated_pixels, (long long)info.carried_pixels,
                (long long)info.spatial_pixels);

    // A mask covering every frame whole leaves nothing to propagate from: a clear error.
    FlowInpainter full(64, 48, InpainterOptions{});
    bool threw = false;
    try {
        for (int t = 0; t < 3; t++) full.push(cv::Mat3b(48, 64, cv::Vec3b(1, 2, 3)), cv::Mat1b(48, 64, 255), inp::Run::none());
        full.finish(inp::Run::none());
    } catch (const inp::Error &e) {
        threw = std::string(e.what()).find("covers the whole frame") != std::string::npos;
    }
    check(threw, "flow inpainter refuses masks covering whole frames, saying so");
}

void bench(int w, int h, int n) {
    const Scene s = scene(w, h, n, 3, 4, static_cast<int>(std::sqrt(0.05 * w * h / 3.14159)));
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    FlowTracker tr(w, h, TrackerOptions{});
    tr.add_reference(s.frames[0], s.masks[0] / 255, inp::Run::none());
    cv::Mat1b labels(h, w);
    for (int t = 1; t < n; t++) tr.track(s.frames[t], labels, true, inp::Run::none());
    auto t1 = clock::now();
    FlowInpainter inp(w, h, InpainterOptions{});
    cv::Mat3b f(h, w);
    for (int t = 0; t < n; t++) {
        inp.push(s.frames[t], s.masks[t], inp::Run::none());
        while (inp.ready()) inp.pop(f);
    }
    inp.finish(inp::Run::none());
    while (inp.ready()) inp.pop(f);
    auto t2 = clock::now();
    const double track_ms = std::chrono::duration<double, std::milli>(t1 - t0).count() / (n - 1);
    const double fill_ms = std::chrono::duration<double, std::milli>(t2 - t1).count() / n;
    std::printf("bench %dx%d, %d frames, mask 5%%, %d OpenCV threads: track %.1f ms/frame, inpaint %.1f ms/frame\n", w, h, n, cv::getNumThreads(),
                track_ms, fill_ms);
    // The spatial fill alone (one thread), on square holes with as much context each side.
    const cv::Mat3b big = texture(w, h, 3);
    for (int side : {20, 60, 120}) {
        if (3 * side > std::min(w, h)) break;
        const cv::Rect roi(w / 2 - 3 * side / 2, h / 2 - 3 * side / 2, 3 * side, 3 * side);
        cv::Mat1b hole(roi.size(), uchar(0));
        hole(cv::Rect(side, side, side, side)).setTo(255);
        cv::Mat3b part = big(roi).clone();
        const auto t0 = std::chrono::steady_clock::now();
        patch_fill(part, hole, 5);
        std::printf("patch fill of a %dx%d hole: %.1f ms\n", side, side, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
}

} // namespace

// Flows are computed once per pair of frames across engines (the tracker's and the inpainter's):
// what a second engine gets must be what DIS computes, untouched by what the first did with its copy.
void test_flow_sharing() {
    const cv::Mat3b big = texture(400, 300, 5);
    cv::Mat1b a, b, c;
    cv::cvtColor(big(cv::Rect(10, 10, 320, 240)), a, cv::COLOR_RGB2GRAY);
    cv::cvtColor(big(cv::Rect(14, 12, 320, 240)), b, cv::COLOR_RGB2GRAY);
    cv::cvtColor(big(cv::Rect(2, 16, 320, 240)), c, cv::COLOR_RGB2GRAY);
    cv::Mat want_ab, want_ac;
    cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM)->calc(a, b, want_ab);
    cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM)->calc(a, c, want_ac);
    FlowEngine first, second;
    cv::Mat2f f = first.compute(a, b);
    check(cv::norm(f, want_ab, cv::NORM_INF) == 0, "flow sharing: the first engine's flow is DIS's");
    f.setTo(cv::Vec2f(1000, 1000)); // the inpainter completes its copy in place
    const cv::Mat2f shared = second.compute(a, b), again = second.compute(a, b), other = second.compute(a, c);
    check(cv::norm(shared, want_ab, cv::NORM_INF) == 0, "flow sharing: the second engine gets DIS's flow, not the first's changed copy");
    check(cv::norm(again, want_ab, cv::NORM_INF) == 0, "flow sharing: asked a third time, the same flow");
    check(cv::norm(other, want_ac, cv::NORM_INF) == 0 && cv::norm(other, want_ab, cv::NORM_INF) > 1,
          "flow sharing: another pair of frames gets its own flow (" + num(cv::norm(want_ac, want_ab, cv::NORM_INF)) + " px apart)");
}

// The patch fill against Telea where the truth is known: a periodic texture (diagonal stripes
// and a grid of dots) with a square hole. Patches of the rest hold exactly what is missing, so
// the fill must recover it far better than diffusion, which can only blur across.
void test_patch_fill() {
    const int w = 160, h = 120;
    cv::Mat3b truth(h, w);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            const bool stripe = ((x + y) / 4) % 2 == 0, dot = (x % 12 < 3) && (y % 12 < 3);
            truth(y, x) = dot ? cv::Vec3b(230, 40, 40) : stripe ? cv::Vec3b(200, 200, 60) : cv::Vec3b(30, 60, 140);
        }
    }
    cv::Mat1b hole(h, w, uchar(0));
    hole(cv::Rect(60, 40, 30, 28)).setTo(255);
    auto psnr_in_hole = [&](const cv::Mat3b &got) {
        double se = 0;
        int n = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                if (hole(y, x))
                    for (int c = 0; c < 3; c++) {
                        const double e = got(y, x)[c] - truth(y, x)[c];
                        se += e * e, n++;
                    }
        return 10 * std::log10(255.0 * 255.0 / std::max(se / n, 1e-10));
    };
    cv::Mat3b masked = truth.clone();
    masked.setTo(cv::Vec3b(0, 0, 0), hole);
    cv::Mat3b telea_out;
    telea(masked, hole, 5, telea_out);
    cv::Mat3b patched = masked.clone(), again = masked.clone();
    patch_fill(patched, hole, 5);
    patch_fill(again, hole, 5);
    const double pt = psnr_in_hole(telea_out), pp = psnr_in_hole(patched);
    cv::Mat1b outside = hole == 0;
    check(cv::norm(patched, truth, cv::NORM_INF, outside) == 0, "patch fill: pixels outside the hole untouched");
    check(cv::norm(patched, again, cv::NORM_INF) == 0, "patch fill: deterministic");
    check(pp >= 20 && pp >= pt + 8, "patch fill: periodic texture recovered, PSNR in the hole " + num(pp) + " dB vs Telea's " + num(pt) + " dB");
}

int main(int argc, char **argv) {
    try {
        if (argc >= 4 && std::strcmp(argv[1], "--bench") == 0) {
            int w = 0, h = 0;
            std::sscanf(argv[2], "%dx%d", &w, &h);
            bench(w, h, std::atoi(argv[3]));
            return 0;
        }
        test_membrane();
        test_flow_sharing();
        test_patch_fill();
        test_grabcut();
        test_tracker();
        test_tracker_flat();
        test_inpainter();
    } catch (const std::exception &e) {
        inp::test::fail_test(std::string("unexpected exception: ") + e.what());
    }
    std::printf("%s\n", inp::test::failures == 0 ? "all classical checks passed" : "classical checks FAILED");
    return inp::test::failures == 0 ? 0 : 1;
}
