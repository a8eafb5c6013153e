#include "capi/guard.h"
#include "runtime/error.h"
#include "runtime/image_tensor.h"
#include "video/reader.h"
#include "video/writer.h"

using inp::capi::guard;
using inp::capi::require;

struct inp_video_reader {
    std::unique_ptr<inp::video::Reader> impl;
};

struct inp_video_writer {
    std::unique_ptr<inp::video::Writer> impl;
};

extern "C" {

int32_t inp_video_reader_init(const char *path, inp_video_reader **ret_reader) {
    return guard([&] {
        require(path != nullptr && ret_reader != nullptr, "inp_video_reader_init", "path and ret_reader must not be NULL");
        auto r = std::make_unique<inp_video_reader>();
        r->impl = inp::video::Reader::open(path);
        *ret_reader = r.release();
    });
}

void inp_video_reader_free(inp_video_reader *reader) { delete reader; }

int32_t inp_video_reader_info(const inp_video_reader *reader, inp_video_info *ret_info) {
    return guard([&] {
        require(reader != nullptr && ret_info != nullptr, "inp_video_reader_info", "reader and ret_info must not be NULL");
        const inp::video::Info &i = reader->impl->info();
        inp_video_info o{};
        o.width = i.width;
        o.height = i.height;
        o.coded_width = i.coded_width;
        o.coded_height = i.coded_height;
        o.rotation = i.rotation;
        o.sar_num = i.sar_num;
        o.sar_den = i.sar_den;
        o.bit_depth = i.bit_depth;
        o.num_audio_streams = i.num_audio_streams;
        o.fps = i.fps;
        o.variable_frame_rate = i.variable_frame_rate;
        o.frame_count_exact = i.frame_count_exact;
        o.frame_count = i.frame_count;
        o.duration_s = i.duration_s;
        o.codec = i.codec.c_str();
        o.pixel_format = i.pixel_format.c_str();
        o.container = i.container.c_str();
        o.color_space = i.color_space.c_str();
        o.color_range = i.color_range.c_str();
        *ret_info = o;
    });
}

int32_t inp_video_reader_read_frame(inp_video_reader *reader, inp_image *dst, int32_t *ret_got, int64_t *ret_pts_us, int64_t *ret_index) {
    return guard([&] {
        require(reader != nullptr && ret_got != nullptr, "inp_video_reader_read_frame", "reader and ret_got must not be NULL");
        inp::wrap_image(dst, "inp_video_reader_read_frame", "dst"); // validates the descriptor
        *ret_got = reader->impl->read(*dst, ret_pts_us, ret_index) ? 1 : 0;
    });
}

int32_t inp_video_reader_seek(inp_video_reader *reader, int64_t index) {
    return guard([&] {
        require(reader != nullptr, "inp_video_reader_seek", "reader must not be NULL");
        reader->impl->seek(index);
    });
}

int32_t inp_video_reader_truncated(const inp_video_reader *reader, int32_t *ret_truncated, const char **ret_message) {
    return guard([&] {
        require(reader != nullptr && ret_truncated != nullptr, "inp_video_reader_truncated", "reader and ret_truncated must not be NULL");
        *ret_truncated = reader->impl->truncated() ? 1 : 0;
        if (ret_message != nullptr) *ret_message = reader->impl->truncation_message().c_str();
    });
}

inp_video_writer_params inp_video_writer_default_params(void) {
    inp_video_writer_params p{};
    p.crf = 18;
    p.preset = "medium";
    p.fps = 25;
    p.source = nullptr;
    p.rotation = 0;
    p.codec = INP_VIDEO_CODEC_H264;
    return p;
}

int32_t inp_video_writer_init(const char *path, int32_t width, int32_t height, const inp_video_writer_params *params,
                              inp_video_writer **ret_writer) {
    return guard([&] {
        require(path != nullptr && ret_writer != nullptr, "inp_video_writer_init", "path and ret_writer must not be NULL");
        const inp_video_writer_params p = params != nullptr ? *params : inp_video_writer_default_params();
        inp::video::WriterOptions o;
        o.crf = p.crf;
        o.preset = p.preset != nullptr ? p.preset : "medium";
        o.fps = p.fps;
        o.source = p.source != nullptr ? p.source : "";
        o.rotation = p.rotation;
        require(p.codec == INP_VIDEO_CODEC_H264 || p.codec == INP_VIDEO_CODEC_HEVC, "inp_video_writer_init",
                "codec " + std::to_string(p.codec) + " is not an inp_video_codec");
        o.codec = p.codec == INP_VIDEO_CODEC_HEVC ? "hevc" : "h264";
        auto w = std::make_unique<inp_video_writer>();
        w->impl = inp::video::Writer::open(path, width, height, o);
        *ret_writer = w.release();
    });
}

int32_t inp_video_writer_notes(const inp_video_writer *writer, const char **ret_message) {
    return guard([&] {
        require(writer != nullptr && ret_message != nullptr, "inp_video_writer_notes", "writer and ret_message must not be NULL");
        *ret_message = writer->impl->notes().c_str();
    });
}

int32_t inp_video_writer_write_frame(inp_video_writer *writer, const inp_image *frame, int64_t pts_us) {
    return guard([&] {
        require(writer != nullptr, "inp_video_writer_write_frame", "writer must not be NULL");
        inp::wrap_image(frame, "inp_video_writer_write_frame", "frame");
        writer->impl->write(*frame, pts_us);
    });
}

int32_t inp_video_writer_finish(inp_video_writer *writer) {
    return guard([&] {
        require(writer != nullptr, "inp_video_writer_finish", "writer must not be NULL");
        writer->impl->finish();
    });
}

void inp_video_writer_free(inp_video_writer *writer) { delete writer; }

} // extern "C"
