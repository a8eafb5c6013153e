// Video demux + decode (FFmpeg) straight into caller-owned RGB24 buffers via swscale, one frame
// at a time: memory does not grow with the video's length. Follows FFmpeg's doc/examples
// (demux_decode.c): one function per stage, send/receive loops, explicit flush.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "inpainterz.h"

namespace inp::video {

struct Info {
    int32_t width = 0, height = 0;               // as displayed (after rotation)
    int32_t coded_width = 0, coded_height = 0;   // as stored
    int32_t rotation = 0;                        // degrees clockwise to display: 0, 90, 180, 270
    int32_t sar_num = 1, sar_den = 1;            // sample aspect ratio
    double fps = 0;                              // average frame rate
    bool variable_frame_rate = false;
    int64_t frame_count = 0;
    bool frame_count_exact = false;
    double duration_s = 0;
    int32_t num_audio_streams = 0;
    int32_t bit_depth = 8;
    std::string codec, pixel_format, container, color_space, color_range;
};

class Reader {
public:
    // Throws inp::Error naming the file: INP_ERR_IO (missing, unreadable), INP_ERR_VIDEO
    // (not a video, no video stream, no decoder, absurd dimensions).
    static std::unique_ptr<Reader> open(const std::string &path);
    ~Reader();

    const Info &info() const;
    // Decodes the next frame into dst (RGB24, info().width x info().height). Returns false at
    // the end of the stream. *pts_us: presentation time in microseconds.
    bool read(const inp_image &dst, int64_t *pts_us, int64_t *index);
    // Positions the reader so the next read() returns frame `index` (0-based, in presentation
    // order): seeks to the key frame at or before it, then decodes forward.
    void seek(int64_t index);
    // True when the stream ended early with a decode or demux error (a truncated file).
    bool truncated() const;
    const std::string &truncation_message() const;

private:
    Reader();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace inp::video
