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
// Usage: test_e2fgvi [PARITY_DIR] [--device cuda] [--bench (stage timings only)]. $INPAINTERZ_PARITY_DIR wins over PARITY_DIR;
// a missing folder or file is a failure, never a skip.
#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/ops/abs.h>
#include <ATen/ops/ones.h>
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
#include "npy.h"
#include "runtime/checkpoint.h"
#include "runtime/error.h"
#include "runtime/run.h"
#include "runtime/tensor_list.h"

using inp::test::read_npy;

namespace {

int failures = 0;
c10::Device device = c10::kCPU;

void check(bool ok, const std::string &what) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", what.c_str());
    if (!ok) failures++;
}

std::string slurp(const std::string &path) {
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot read " + path + " (missing fixture?)");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// case.json -> tolerances -> tensors -> name -> atol (a narrow reader: the file is the
// generator's own, with one "atol" per tensor entry).
double atol_of(const std::string &json, const std::string &name) {
    const size_t t = json.find("\"tolerances\"");
    const size_t k = json.find("\"" + name + "\": {", t);
    const size_t a = json.find("\"atol\":", k);
    if (t == std::string::npos || k == std::string::npos || a == std::string::npos) throw std::runtime_error("case.json has no atol for " + name);
    return std::stod(json.substr(a + 7, 32));
}

void stages(const std::string &dir) {
    const std::string json = slurp(dir + "/case.json");
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
        const double err = (got - want).abs().max().item<double>(), tol = atol_of(json, item.name);
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

// --bench: stage timings of one window of 11 local + 6 reference frames at the fixture's size.
void bench(const std::string &dir) {
    auto ck = inp::Checkpoint::load(dir + "/weights.pth", true, inp::Run::none());
    const auto m = inp::e2fgvi::load(*ck, at::TensorOptions().dtype(at::kFloat).device(device));
    const at::Tensor in0 = read_npy(dir + "/window0_input.npy")[0];
    const int64_t L = 11, T = 17, H = in0.size(2), W = in0.size(3);
    const at::Tensor x = in0.repeat({3, 1, 1, 1}).slice(0, 0, T).contiguous();
    using clock = std::chrono::steady_clock;
    auto time = [](const char *what, auto &&f) {
        const auto t0 = clock::now();
        auto r = f();
        std::printf("  %-28s %7.3f s\n", what, std::chrono::duration<double>(clock::now() - t0).count());
        return r;
    };
    for (int rep = 0; rep < 2; rep++) {
        std::printf("window T=%lld (L=%lld) at %lldx%lld, %d threads, %zu blocks\n", (long long)T, (long long)L, (long long)W, (long long)H,
                    at::get_num_threads(), m->blocks.size());
        const at::Tensor q = time("flow frames", [&] { return inp::e2fgvi::flow_frames(x.slice(0, 0, L)); });
        const at::Tensor f1 = time("spynet (L-1 pairs, both ways)", [&] {
            inp::e2fgvi::flow(*m, q.slice(0, 1, L), q.slice(0, 0, L - 1));
            return inp::e2fgvi::flow(*m, q.slice(0, 0, L - 1), q.slice(0, 1, L));
        });
        const at::Tensor enc = time("encoder (T frames)", [&] { return inp::e2fgvi::encode(*m, x); });
        const at::Tensor local = time("propagation", [&] { return m->feat_prop(enc.slice(0, 0, L), f1, f1, inp::Run::none()); });
        time("hallucinate (decode L)", [&] { return inp::e2fgvi::hallucinate(*m, local, enc.slice(0, L, T), L, inp::Run::none()); });
        const int64_t h = H / 4, w = W / 4;
        const at::Tensor tok = at::zeros({T, h / 3, w / 3, 512}).normal_();
        time("one transformer block", [&] { return m->blocks[0](tok, h, w); });
        time("decoder (L frames)", [&] { return inp::e2fgvi::decode(*m, enc.slice(0, 0, L)); });
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
            bench(root + "/e2fgvi/e2fgvi_d2");
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
