// E2FGVI parity with the upstream fixtures (e2fgvi/e2fgvi_d2, e2fgvi/e2fgvi_hq_d2), natively, so
// that it also runs where there is no JVM (the GPU machine):
//   stages_*   window 0 through the model, every recorded stage within its case.json atol,
//   loop_*     the app's whole window loop through a streaming session (every reference, as
//              upstream; with and without reuse), the uint8 output as case.json recommends:
//              equal outside the dilated masks, within 1 level inside, at most 1 % differing,
//   bounded_*  a session with a small reference radius differs from the upstream loop only
//              where its reference set differs, and holds fewer frames,
//   bf16_*     the opt-in bfloat16 path within 40 dB PSNR of float32 inside the masks,
//   errors_*   sizes E2FGVI cannot take, an empty clip, the wrong checkpoint family.
// Usage: test_e2fgvi [PARITY_DIR] [--device cuda] | --bench CKPT WxH T L [bf16] (stage timings only). $INPAINTERZ_PARITY_DIR wins over PARITY_DIR;
// a missing folder or file is a failure, never a skip.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/ops/abs.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/rand.h>
#include <ATen/ops/zeros.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "e2fgvi/e2fgvi.h"
#include "e2fgvi/session.h"
#include "check.h"
#include "json.h"
#include "npy.h"
#include "runtime/checkpoint.h"
#include "runtime/error.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

using inp::test::read_npy;

namespace {

using namespace inp::test; // failures, check
c10::Device device = c10::kCPU;

void stages(const std::string &dir) {
    const Json json = read_json(dir + "/case.json");
    auto ck = inp::Checkpoint::load(dir + "/weights.pth", true, inp::Run::none());
    const auto m = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kFloat).device(device));
    const at::Tensor in = read_npy(dir + "/window0_input.npy");
    const int64_t L = in.size(1) - 1; // window 0 of these clips: local 0..5 and one reference
    inp::TensorList rec;
    const auto t0 = std::chrono::steady_clock::now();
    inp::e2fgvi::forward(*m, in[0].to(device), L, inp::Run::none(), &rec);
    std::printf("  window 0 forward %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    int compared = 0;
    for (const auto &item : rec.items()) {
        const std::string file = dir + "/" + item.name + ".npy";
        if (!std::ifstream(file)) continue; // a stage the fixture does not store
        const at::Tensor want = read_npy(file);
        const at::Tensor got = item.tensor.to(at::kCPU).reshape(want.sizes());
        const double err = (got - want).abs().max().item<double>(), tol = json.at({"tolerances", "tensors", item.name, "atol"}).number;
        char line[256];
        std::snprintf(line, sizeof line, "stage %s/%s: max |diff| %.3g (atol %.3g)", dir.substr(dir.rfind('/') + 1).c_str(), item.name.c_str(), err, tol);
        check(err <= tol, line);
        compared++;
    }
    check(compared == 24, "stages compared: " + std::to_string(compared) + " of 24");
}

// Runs the app's loop over the fixture clip through a session; returns the frames [T, h, w, 3].
at::Tensor loop(const inp::e2fgvi::Model &m, const at::Tensor &frames, const at::Tensor &masks, inp::e2fgvi::SessionOptions o,
                inp::e2fgvi::SessionInfo *info = nullptr) {
    const int64_t T = frames.size(0), h = frames.size(1), w = frames.size(2);
    inp::e2fgvi::Session s(m, w, h, o);
    at::Tensor out = at::zeros({T, h, w, 3}, at::kByte);
    int64_t next = 0;
    auto drain = [&] {
        while (s.ready() > 0) {
            const int64_t i = s.pop(out[next].data_ptr<uint8_t>(), w * 3);
            if (i != next) throw std::runtime_error("frames out of order");
            next++;
        }
    };
    for (int64_t t = 0; t < T; t++) {
        s.push(frames[t].data_ptr<uint8_t>(), w * 3, masks[t].data_ptr<uint8_t>(), w, inp::Run::none());
        drain();
    }
    s.finish(inp::Run::none());
    drain();
    if (next != T) throw std::runtime_error("session returned " + std::to_string(next) + " of " + std::to_string(T) + " frames");
    if (info != nullptr) *info = s.info();
    return out;
}

void compare_frames(const std::string &what, const at::Tensor &got, const at::Tensor &want, const at::Tensor &mask_dilated) {
    const at::Tensor diff = (got.to(at::kInt) - want.to(at::kInt)).abs();
    const at::Tensor in = mask_dilated.ne(0).unsqueeze(3).expand_as(diff);
    const int64_t outside = diff.masked_select(in.logical_not()).ne(0).sum().item<int64_t>();
    const at::Tensor inside = diff.masked_select(in);
    const int64_t n_in = inside.numel(), n_diff = inside.ne(0).sum().item<int64_t>();
    const int64_t max_in = n_in > 0 ? inside.max().item<int64_t>() : 0;
    char line[256];
    std::snprintf(line, sizeof line, "%s: outside the masks %lld differ; inside %lld of %lld differ (max %lld)", what.c_str(),
                  static_cast<long long>(outside), static_cast<long long>(n_diff), static_cast<long long>(n_in), static_cast<long long>(max_in));
    check(outside == 0 && max_in <= 1 && n_diff <= n_in / 100, line);
}

void loops(const std::string &dir) {
    auto ck = inp::Checkpoint::load(dir + "/weights.pth", true, inp::Run::none());
    const auto m = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kFloat).device(device));
    const at::Tensor frames = read_npy(dir + "/frames.npy"), masks = read_npy(dir + "/masks.npy");
    const at::Tensor want = read_npy(dir + "/comp_frames.npy"), dilated = read_npy(dir + "/masks_dilated.npy");
    const std::string name = dir.substr(dir.rfind('/') + 1);
    for (bool reuse : {true, false}) {
        inp::e2fgvi::SessionOptions o;
        o.reuse = reuse;
        inp::e2fgvi::SessionInfo info;
        const auto t0 = std::chrono::steady_clock::now();
        const at::Tensor got = loop(*m, frames, masks, o, &info);
        std::printf("  loop %.1f s, %lld encoder frames, %lld flow pairs\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                    static_cast<long long>(info.encoder_frames), static_cast<long long>(info.flow_pairs));
        compare_frames("loop " + name + (reuse ? " (reuse)" : " (no reuse)"), got, want, dilated);
        if (reuse) check(info.encoder_frames == frames.size(0) && info.flow_pairs == frames.size(0) - 1, "reuse: every frame encoded once, every pair flowed once");
    }
}

// The opt-in bfloat16 path against float32 on the fixture clips: PSNR inside the dilated masks.
void bf16(const std::string &dir) {
    auto ck = inp::Checkpoint::load(dir + "/weights.pth", true, inp::Run::none());
    const auto m32 = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kFloat).device(device));
    const auto m16 = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kBFloat16).device(device));
    const at::Tensor frames = read_npy(dir + "/frames.npy"), masks = read_npy(dir + "/masks.npy"), dilated = read_npy(dir + "/masks_dilated.npy");
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const at::Tensor a = loop(*m32, frames, masks, {});
    const auto t1 = clock::now();
    const at::Tensor b = loop(*m16, frames, masks, {});
    const auto t2 = clock::now();
    const at::Tensor in = dilated.ne(0).unsqueeze(3).expand_as(a);
    const double mse = (a.to(at::kDouble) - b.to(at::kDouble)).pow(2).masked_select(in).mean().item<double>();
    const double psnr = mse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
    const int64_t outside = (a.ne(b)).logical_and(in.logical_not()).sum().item<int64_t>();
    char line[256];
    std::snprintf(line, sizeof line, "bf16 %s: PSNR in the masks %.1f dB vs float32 (>= 40), %lld values differ outside; %.1f s vs %.1f s",
                  dir.substr(dir.rfind('/') + 1).c_str(), psnr, static_cast<long long>(outside), std::chrono::duration<double>(t2 - t1).count(),
                  std::chrono::duration<double>(t1 - t0).count());
    check(psnr >= 40.0 && outside == 0, line);
}

template <typename F> void expect_error(const std::string &what, int32_t status, F &&f) {
    try {
        f();
        check(false, what + ": no error");
    } catch (const inp::Error &e) {
        check(e.status() == status, what + ": " + e.what());
    }
}

void errors(const std::string &root) {
    auto ck = inp::Checkpoint::load(root + "/e2fgvi/e2fgvi_d2/weights.pth", true, inp::Run::none());
    const auto m = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kFloat).device(device));
    auto hq_ck = inp::Checkpoint::load(root + "/e2fgvi/e2fgvi_hq_d2/weights.pth", true, inp::Run::none());
    const auto hq = inp::e2fgvi::load(*hq_ck, at::TensorOptions().dtype(at::kFloat).device(device));
    expect_error("E2FGVI at 864x480", INP_ERR_INVALID_ARGUMENT, [&] { inp::e2fgvi::Session(*m, 864, 480, {}); });
    expect_error("HQ at 40x20 (cannot mirror-pad to 108x60)", INP_ERR_INVALID_ARGUMENT, [&] { inp::e2fgvi::Session(*hq, 40, 20, {}); });
    expect_error("empty clip", INP_ERR_INVALID_ARGUMENT, [&] { inp::e2fgvi::Session(*hq, 190, 100, {}).finish(inp::Run::none()); });
    auto sam = inp::Checkpoint::load(root + "/sam/tiny/weights.pth", true, inp::Run::none());
    expect_error("a SAM checkpoint", INP_ERR_CHECKPOINT, [&] { inp::e2fgvi::load(*sam, at::TensorOptions()); });
    check(hq->hq && !m->hq && m->blocks.size() == 2 && hq->blocks.size() == 2, "variants and block counts read from the checkpoints");
}

// --bench CKPT WxH T L [bf16]: stage timings of one window of T frames (L local) at W x H, and
// what a steady-state window of a streaming session costs (5 new frames encoded, 5 new flow
// pairs, with reuse) next to what upstream recomputes per window (all T frames, L - 1 pairs both
// ways, T frames decoded).
void bench(const std::string &ckpt, int64_t W, int64_t H, int64_t T, int64_t L, bool bf16) {
    auto ck = inp::Checkpoint::load(ckpt, true, inp::Run::none());
    const auto m = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(bf16 ? at::kBFloat16 : at::kFloat).device(device));
    const at::Tensor x = at::rand({T, 3, H, W}) * 2 - 1;
    using clock = std::chrono::steady_clock;
    auto time = [](const char *what, auto &&f) {
        const auto t0 = clock::now();
        auto r = f();
        const double s = std::chrono::duration<double>(clock::now() - t0).count();
        std::printf("  %-34s %8.3f s\n", what, s);
        return std::make_pair(r, s);
    };
    for (int rep = 0; rep < 2; rep++) {
        std::printf("%s, window T=%lld (L=%lld) at %lldx%lld, %s, %d threads\n", m->variant.c_str(), (long long)T, (long long)L, (long long)W,
                    (long long)H, bf16 ? "bf16" : "fp32", at::get_num_threads());
        const auto [q, t_q] = time("flow frames (L)", [&] { return inp::e2fgvi::flow_frames(x.slice(0, 0, L)); });
        const auto [fl, t_f] = time("spynet (L-1 pairs, both ways)", [&] {
            inp::e2fgvi::flow(*m, q.slice(0, 1, L), q.slice(0, 0, L - 1));
            return inp::e2fgvi::flow(*m, q.slice(0, 0, L - 1), q.slice(0, 1, L));
        });
        const auto [enc, t_e] = time("encoder (T frames)", [&] { return inp::e2fgvi::encode(*m, x); });
        const auto [local, t_p] = time("propagation", [&] { return m->feat_prop(enc.slice(0, 0, L), fl, fl, inp::Run::none()); });
        const auto [out, t_h] = time("transformer + decoder (L decoded)", [&] { return inp::e2fgvi::hallucinate(*m, local, enc.slice(0, L, T), L, inp::Run::none()); });
        const auto [dec, t_d] = time("  of which decoder (L frames)", [&] { return inp::e2fgvi::decode(*m, enc.slice(0, 0, L)); });
        const double per_e = t_e / T, per_f = t_f / (L - 1), per_d = t_d / L;
        const double stream = 5 * per_e + 5 * per_f + t_p + t_h;
        const double upstream_like = t_e + t_f + t_p + t_h + (T - L) * per_d;
        std::printf("  => streaming window (5 new frames, reuse): %.2f s = %.2f s per output frame; recomputing as upstream: %.2f s\n", stream,
                    stream / 5, upstream_like);
    }
}

} // namespace

int main(int argc, char **argv) {
    std::string root = argc > 1 && argv[1][0] != '-' ? argv[1] : "../shared/parity";
    if (const char *env = std::getenv("INPAINTERZ_PARITY_DIR")) root = env;
    for (int i = 1; i + 1 < argc; i++)
        if (std::string(argv[i]) == "--device" && std::string(argv[i + 1]) == "cuda") device = c10::Device(c10::kCUDA, 0);
    for (int i = 1; i < argc; i++)
        if (std::string(argv[i]) == "--bench") {
            if (i + 4 >= argc) {
                std::fprintf(stderr, "usage: test_e2fgvi --bench CKPT WxH T L [bf16]\n");
                return 2;
            }
            const std::string size = argv[i + 2];
            const int64_t w = std::stoll(size.substr(0, size.find('x'))), h = std::stoll(size.substr(size.find('x') + 1));
            bench(argv[i + 1], w, h, std::stoll(argv[i + 3]), std::stoll(argv[i + 4]), i + 5 < argc && std::string(argv[i + 5]) == "bf16");
            return 0;
        }
    at::globalContext().setAllowTF32CuBLAS(false);
    at::globalContext().setAllowTF32CuDNN(false);
    const std::vector<std::pair<std::string, std::function<void()>>> tests = {
        {"stages_e2fgvi", [&] { stages(root + "/e2fgvi/e2fgvi_d2"); }},
        {"stages_hq", [&] { stages(root + "/e2fgvi/e2fgvi_hq_d2"); }},
        {"loop_hq", [&] { loops(root + "/e2fgvi/e2fgvi_hq_d2"); }},
        {"loop_e2fgvi", [&] { loops(root + "/e2fgvi/e2fgvi_d2"); }},
        {"bf16_hq", [&] { bf16(root + "/e2fgvi/e2fgvi_hq_d2"); }},
        {"bf16_e2fgvi", [&] { bf16(root + "/e2fgvi/e2fgvi_d2"); }},
        {"errors", [&] { errors(root); }},
    };
    for (const auto &[name, fn] : tests) {
        std::printf("== %s\n", name.c_str());
        try {
            fn();
        } catch (const std::exception &e) {
            check(false, name + ": " + e.what());
        }
    }
    std::printf("%s: %d failure(s)\n", failures == 0 ? "OK" : "FAILED", failures);
    return failures == 0 ? 0 : 1;
}
