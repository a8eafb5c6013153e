#include "video/convert.h"

extern "C" {
#include <libavutil/buffer.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <thread>

#include "runtime/error.h"

namespace inp::video {

Converter::Converter(int width, int height, AVPixelFormat src, AVPixelFormat dst, int colorspace, bool yuv_full_range, const std::string &what)
    : src_(src) {
    ctx_ = sws_alloc_context();
    if (ctx_ == nullptr) fail(INP_ERR_VIDEO, what + ": out of memory for the pixel converter");
    av_opt_set_int(ctx_, "srcw", width, 0);
    av_opt_set_int(ctx_, "srch", height, 0);
    av_opt_set_int(ctx_, "src_format", src, 0);
    av_opt_set_int(ctx_, "dstw", width, 0);
    av_opt_set_int(ctx_, "dsth", height, 0);
    av_opt_set_int(ctx_, "dst_format", dst, 0);
    // Plain bicubic, as the ffmpeg command line converts with by default, so frames match
    // `ffmpeg -pix_fmt rgb24` of the same file.
    av_opt_set_int(ctx_, "sws_flags", SWS_BICUBIC, 0);
    av_opt_set_int(ctx_, "threads", std::max(1u, std::thread::hardware_concurrency()), 0);
    if (sws_init_context(ctx_, nullptr, nullptr) < 0) {
        sws_freeContext(ctx_);
        ctx_ = nullptr;
        fail(INP_ERR_UNSUPPORTED, what + ": cannot convert " + av_get_pix_fmt_name(src) + " to " + av_get_pix_fmt_name(dst));
    }
    const int *coefficients = sws_getCoefficients(colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : colorspace);
    int *inv, *table, src_range, dst_range, brightness, contrast, saturation;
    sws_getColorspaceDetails(ctx_, &inv, &src_range, &table, &dst_range, &brightness, &contrast, &saturation);
    // inv_table describes a YUV source, table a YUV destination; RGB is full range.
    if (src == AV_PIX_FMT_RGB24) sws_setColorspaceDetails(ctx_, inv, 1, coefficients, yuv_full_range, brightness, contrast, saturation);
    else sws_setColorspaceDetails(ctx_, coefficients, yuv_full_range, table, dst_range, brightness, contrast, saturation);
}

Converter::~Converter() { sws_freeContext(ctx_); }

void Converter::convert(AVFrame *dst, const AVFrame *src) {
    const int r = sws_scale_frame(ctx_, dst, src);
    if (r < 0) fail(INP_ERR_VIDEO, "pixel conversion failed");
}

void wrap_rgb(AVFrame *f, uint8_t *data, int width, int height, int64_t stride) {
    static uint8_t dummy;
    f->format = AV_PIX_FMT_RGB24;
    f->width = width;
    f->height = height;
    f->data[0] = data;
    f->linesize[0] = static_cast<int>(stride);
    // sws_scale_frame allocates a destination without buf[0]; a non-owning reference keeps it
    // writing into the caller's memory.
    if (f->buf[0] == nullptr) f->buf[0] = av_buffer_create(&dummy, 1, [](void *, uint8_t *) {}, nullptr, AV_BUFFER_FLAG_READONLY);
}

} // namespace inp::video
