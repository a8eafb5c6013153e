// Same-size pixel-format conversion with swscale, slice-threaded (the "threads" option) so
// RGB <-> YUV of 1080p frames does not serialize the pipeline on one core.
#pragma once

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
}

#include <cstdint>
#include <string>

struct SwsContext;

namespace inp::video {

class Converter {
public:
    // colorspace: an AVColorSpace (AVCOL_SPC_UNSPECIFIED = swscale's default, BT.601);
    // the YUV side's range is limited unless yuv_full_range; RGB is always full range.
    // Throws inp::Error(INP_ERR_UNSUPPORTED) naming `what` when swscale cannot convert.
    Converter(int width, int height, AVPixelFormat src, AVPixelFormat dst, int colorspace, bool yuv_full_range, const std::string &what);
    ~Converter();
    Converter(const Converter &) = delete;
    Converter &operator=(const Converter &) = delete;

    // dst must have its planes set (and buf[0] set, even to a non-owning buffer).
    void convert(AVFrame *dst, const AVFrame *src);
    AVPixelFormat src_format() const { return src_; }

private:
    SwsContext *ctx_ = nullptr;
    AVPixelFormat src_;
};

// Points an AVFrame at caller memory (packed RGB24) without taking ownership.
void wrap_rgb(AVFrame *f, uint8_t *data, int width, int height, int64_t stride);

} // namespace inp::video
