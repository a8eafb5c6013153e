// H.264 (libx264) or HEVC (libx265) encoding of RGB24 frames into any container FFmpeg muxes,
// keeping a source file's audio, subtitles, chapters and metadata where the container can carry
// them (audio packet for packet). Everything goes to a temporary file
// beside the target, renamed over it only by finish(): a failed or abandoned render leaves
// nothing at the output path. Memory stays bounded: the source's packets are interleaved as
// video is written.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "inpainterz.h"

namespace inp::video {

struct WriterOptions {
    int crf = 18;
    std::string preset = "medium";
    double fps = 25;          // frame rate (and time base) of the output
    std::string source;       // keep this file's audio, subtitles, chapters and metadata ("" = none)
    int rotation = 0;         // display rotation to record (degrees clockwise)
    std::string codec = "h264"; // or "hevc"
};

class Writer {
public:
    // Throws inp::Error naming the path: INP_ERR_IO (folder missing or not writable),
    // INP_ERR_VIDEO (no muxer for the extension, encoder refused the settings).
    static std::unique_ptr<Writer> open(const std::string &path, int width, int height, const WriterOptions &options);
    ~Writer(); // without finish(): the temporary file is removed

    // What of the source was not kept as it was (dropped or converted streams), one line each.
    const std::string &notes() const;

    // pts_us < 0: frame index / fps.
    void write(const inp_image &rgb, int64_t pts_us);
    // Flushes the encoder, copies the rest of the source's streams, writes the trailer and renames.
    void finish();

private:
    Writer();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace inp::video
