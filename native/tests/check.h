// Shared assertions of the native C++ tests: failures are counted (main returns non-zero when
// any), printed as "FAIL ..." on stderr; passes print "ok ...".
#pragma once

#include <ATen/TensorOperators.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/abs.h>
#include <ATen/ops/max.h>
#include <c10/util/StringUtil.h>

#include <cstdio>
#include <string>

namespace inp::test {

inline int failures = 0;

inline void fail_test(const std::string &what) {
    std::fprintf(stderr, "FAIL %s\n", what.c_str());
    failures++;
}

inline void expect(bool ok, const std::string &what) {
    if (!ok) fail_test(what);
}

// Like expect, and also prints "PASS what" when it holds (tests that report every check).
inline void check(bool ok, const std::string &what) {
    if (ok) std::printf("PASS %s\n", what.c_str());
    else fail_test(what);
}

inline std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", x);
    return buf;
}

inline double max_abs_diff(const at::Tensor &a, const at::Tensor &b) { return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>(); }

// Shapes equal and max |got - want| <= atol (NaN fails).
inline void expect_close(const std::string &name, const at::Tensor &got, const at::Tensor &want, double atol) {
    if (got.sizes() != want.sizes()) {
        fail_test(name + ": shape " + c10::str(got.sizes()) + ", expected " + c10::str(want.sizes()));
        return;
    }
    const double d = got.numel() ? max_abs_diff(got, want) : 0.0;
    if (!(d <= atol)) fail_test(name + ": max |diff| " + num(d) + " > atol " + num(atol));
    else std::printf("ok   %s (max |diff| %.3g)\n", name.c_str(), d);
}

} // namespace inp::test
