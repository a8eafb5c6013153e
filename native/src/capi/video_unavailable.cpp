// The video section of the C ABI in a build without FFmpeg (cmake -DINPAINTERZ_VIDEO=OFF, for
// machines that only run the models, such as a GPU box without FFmpeg headers): every call
// fails with INP_ERR_UNSUPPORTED, so the ABI stays complete and callers get a clear message.
#include "capi/guard.h"
#include "runtime/error.h"

namespace {
int32_t unavailable(const char *fn) {
    return inp::capi::guard([&] { inp::fail(INP_ERR_UNSUPPORTED, std::string(fn) + ": this build has no video I/O (built with INPAINTERZ_VIDEO=OFF)"); });
}
} // namespace

extern "C" {

int32_t inp_video_reader_init(const char *, inp_video_reader **) { return unavailable("inp_video_reader_init"); }
void inp_video_reader_free(inp_video_reader *) {}
int32_t inp_video_reader_info(const inp_video_reader *, inp_video_info *) { return unavailable("inp_video_reader_info"); }
int32_t inp_video_reader_read_frame(inp_video_reader *, inp_image *, int32_t *, int64_t *, int64_t *) { return unavailable("inp_video_reader_read_frame"); }
int32_t inp_video_reader_seek(inp_video_reader *, int64_t) { return unavailable("inp_video_reader_seek"); }
int32_t inp_video_reader_truncated(const inp_video_reader *, int32_t *, const char **) { return unavailable("inp_video_reader_truncated"); }
inp_video_writer_params inp_video_writer_default_params(void) { return inp_video_writer_params{}; }
int32_t inp_video_writer_init(const char *, int32_t, int32_t, const inp_video_writer_params *, inp_video_writer **) {
    return unavailable("inp_video_writer_init");
}
int32_t inp_video_writer_notes(const inp_video_writer *, const char **) { return unavailable("inp_video_writer_notes"); }
int32_t inp_video_writer_write_frame(inp_video_writer *, const inp_image *, int64_t) { return unavailable("inp_video_writer_write_frame"); }
int32_t inp_video_writer_finish(inp_video_writer *) { return unavailable("inp_video_writer_finish"); }
void inp_video_writer_free(inp_video_writer *) {}

} // extern "C"
