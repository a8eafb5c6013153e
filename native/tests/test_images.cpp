// inp_image_resize against Pillow's Image.resize (native/tests/data/resize, written by
// tools/make_resize_fixtures.py with Pillow 12.3.0): every filter, RGB and masks, up and down,
// bit for bit; and its argument checks. Usage: test_images DATA_DIR (native/tests/data/resize).
#include <cstdio>
#include <string>
#include <vector>

#include "inpainterz.h"
#include <ATen/ops/zeros_like.h>

#include "check.h"
#include "npy.h"

namespace {

using namespace inp::test; // failures, check

inp_image image_of(at::Tensor &t) {
    const int32_t c = t.dim() == 3 ? static_cast<int32_t>(t.size(2)) : 1;
    return inp_image{t.data_ptr<uint8_t>(), static_cast<int32_t>(t.size(1)), static_cast<int32_t>(t.size(0)), c, t.size(1) * c};
}

} // namespace

int main(int argc, char **argv) {
    const std::string dir = argc > 1 ? argv[1] : "native/tests/data/resize";
    try {
        const char *filters[] = {"nearest", "bilinear", "bicubic"};
        for (const std::string kind : {"rgb", "mask"}) {
            at::Tensor src = inp::test::read_npy(dir + "/" + kind + ".npy").contiguous();
            for (const char *size : {"20x11", "53x80", "120x37", "101x61"}) {
                for (int f = 0; f < 3; f++) {
                    const at::Tensor want = inp::test::read_npy(dir + "/" + kind + "_" + filters[f] + "_" + size + ".npy");
                    at::Tensor got = at::zeros_like(want).contiguous();
                    inp_image s = image_of(src), d = image_of(got);
                    const int32_t rc = inp_image_resize(&s, &d, f);
                    const int64_t diff = rc == INP_OK ? got.ne(want).sum().item<int64_t>() : -1;
                    check(rc == INP_OK && diff == 0, kind + " " + filters[f] + " to " + size + ": " + std::to_string(diff) + " values differ from Pillow");
                }
            }
        }
        at::Tensor rgb = inp::test::read_npy(dir + "/rgb.npy").contiguous(), mask = inp::test::read_npy(dir + "/mask.npy").contiguous();
        inp_image a = image_of(rgb), b = image_of(mask);
        auto refused = [](const std::string &what, int32_t rc) { check(rc == INP_ERR_INVALID_ARGUMENT, what + ": " + inp_last_error()); };
        refused("channels differ", inp_image_resize(&a, &b, INP_RESIZE_NEAREST));
        refused("unknown filter", inp_image_resize(&a, &a, 7));
        refused("NULL src", inp_image_resize(nullptr, &a, 0));
    } catch (const std::exception &e) {
        check(false, e.what());
    }
    std::printf("%s: %d failure(s)\n", failures == 0 ? "OK" : "FAILED", failures);
    return failures == 0 ? 0 : 1;
}
