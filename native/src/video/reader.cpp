#include "video/reader.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sys/stat.h>
#include <vector>

#include "runtime/error.h"
#include "video/convert.h"

namespace inp::video {

namespace {

constexpr int kMaxSide = 16384; // refuse absurd dimensions before allocating for them

std::string av_error(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

struct FormatCloser {
    void operator()(AVFormatContext *c) const { avformat_close_input(&c); }
};
struct CodecFreer {
    void operator()(AVCodecContext *c) const { avcodec_free_context(&c); }
};
struct PacketFreer {
    void operator()(AVPacket *p) const { av_packet_free(&p); }
};
struct FrameFreer {
    void operator()(AVFrame *f) const { av_frame_free(&f); }
};

// Copies an RGB24 image rotated clockwise by `rotation` degrees into dst.
void rotate_rgb(const uint8_t *src, int w, int h, int64_t src_stride, int rotation, const inp_image &dst) {
    for (int y = 0; y < h; y++) {
        const uint8_t *row = src + y * src_stride;
        for (int x = 0; x < w; x++) {
            int dx, dy;
            switch (rotation) {
            case 90: dx = h - 1 - y; dy = x; break;
            case 180: dx = w - 1 - x; dy = h - 1 - y; break;
            default: dx = y; dy = w - 1 - x; break; // 270
            }
            std::memcpy(dst.data + dy * dst.row_stride + dx * 3, row + x * 3, 3);
        }
    }
}

// Rounding to a coarse clock makes a constant rate's gaps differ by a tick (29.97 fps on mov's
// common 600 Hz clock: 20 and 21), and mov scales small timescales up: allow 1/16 of a frame.
bool gaps_vary(int64_t lo, int64_t hi) { return lo <= hi && hi - lo > std::max<int64_t>(1, lo / 16); }

// Containers such as Matroska declare no frame rate, so a variable one shows only in the
// timestamps: the first presented packets' gaps are compared, then the demuxer is rewound.
bool varying_frame_intervals(AVFormatContext *fmt, int stream_index) {
    constexpr size_t kFrames = 64, kReorder = 16; // H.264/HEVC reorder at most 16 frames
    std::vector<int64_t> pts;
    bool eof = true;
    AVPacket *p = av_packet_alloc();
    while (av_read_frame(fmt, p) >= 0) {
        // Decode-only packets (before an edit list's start) are never shown.
        if (p->stream_index == stream_index && p->pts != AV_NOPTS_VALUE && !(p->flags & AV_PKT_FLAG_DISCARD)) pts.push_back(p->pts);
        av_packet_unref(p);
        if (pts.size() == kFrames + kReorder) {
            eof = false;
            break;
        }
    }
    av_packet_free(&p);
    const AVStream *st = fmt->streams[stream_index];
    av_seek_frame(fmt, stream_index, st->start_time != AV_NOPTS_VALUE ? st->start_time : 0, AVSEEK_FLAG_BACKWARD);
    std::sort(pts.begin(), pts.end()); // decode order -> presentation order
    // A frame decoded after the window may be shown inside it: its slot would look like a gap.
    if (!eof) pts.resize(kFrames);
    if (pts.size() < 3) return false;
    int64_t lo = INT64_MAX, hi = 0;
    for (size_t i = 1; i < pts.size(); i++) {
        const int64_t d = pts[i] - pts[i - 1];
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    return gaps_vary(lo, hi);
}

// What the mov demuxer's index says the decoder will present. With an edit list (applied to the
// index by default: advanced_editlist), the samples before the edit that decoding needs, from
// the key frame on, stay flagged AVINDEX_DISCARD_FRAME and the decoder drops their frames;
// samples past the edit's end are left out. nb_frames and avg_frame_rate count them all.
struct Presented {
    int64_t frames = 0;
    bool varying = false;
};
bool presented_from_index(const AVFormatContext *fmt, AVStream *st, Presented *out) {
    if (std::strncmp(fmt->iformat->name, "mov,", 4) != 0) return false;
    const int n = avformat_index_get_entries_count(st);
    // More entries than the moov lists: fragments, whose edit lists the index does not show.
    if (n <= 0 || st->nb_frames <= 0 || n > st->nb_frames) return false;
    int64_t lo = INT64_MAX, hi = 0;
    bool prev_shown = false;
    int64_t prev_ts = 0;
    for (int i = 0; i < n; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        const bool shown = !(e->flags & AVINDEX_DISCARD_FRAME);
        if (shown) {
            out->frames++;
            // Decode-time gaps between neighbouring shown samples are their durations.
            if (prev_shown) {
                lo = std::min(lo, e->timestamp - prev_ts);
                hi = std::max(hi, e->timestamp - prev_ts);
            }
        }
        prev_shown = shown;
        prev_ts = e->timestamp;
    }
    out->varying = gaps_vary(lo, hi);
    return true;
}

} // namespace

struct Reader::Impl {
    std::string path;
    std::unique_ptr<AVFormatContext, FormatCloser> fmt;
    std::unique_ptr<AVCodecContext, CodecFreer> dec;
    std::unique_ptr<AVPacket, PacketFreer> pkt{av_packet_alloc()};
    std::unique_ptr<AVFrame, FrameFreer> frame{av_frame_alloc()};
    std::unique_ptr<Converter> converter;
    std::unique_ptr<AVFrame, FrameFreer> rgb{av_frame_alloc()}; // wraps the caller's buffer
    std::vector<uint8_t> rotated; // coded-size RGB before rotation
    AVStream *stream = nullptr;
    int stream_index = -1;
    Info info;
    bool draining = false, finished = false, truncated = false;
    std::string truncation;
    int64_t next_index = 0;  // index of the next frame read() returns
    int64_t skip_before_pts = AV_NOPTS_VALUE; // after a seek: drop frames before this pts

    [[noreturn]] void bad(int status, const std::string &what) const { fail(status, "video " + in_quotes(path) + ": " + what); }

    // Receives the next decoded frame into `frame`; false at the end of the stream.
    bool decode_next() {
        while (true) {
            int r = avcodec_receive_frame(dec.get(), frame.get());
            if (r == 0) return true;
            if (r == AVERROR_EOF) return false;
            if (r != AVERROR(EAGAIN)) {
                // A damaged frame (typically the partial last one of a cut file): note it and
                // go on as the ffmpeg command line does.
                // Then feed the next packet, so a decoder stuck on an error cannot loop here.
                truncated = true;
                truncation = "a frame could not be decoded: " + av_error(r);
            }
            if (draining) return false;
            // The decoder wants input: demux the next packet of our stream.
            r = av_read_frame(fmt.get(), pkt.get());
            if (r < 0) {
                if (r != AVERROR_EOF) {
                    truncated = true;
                    truncation = "demuxing stopped early: " + av_error(r);
                }
                draining = true;
                avcodec_send_packet(dec.get(), nullptr); // flush: the decoder returns what it holds
                continue;
            }
            if (pkt->stream_index == stream_index) {
                r = avcodec_send_packet(dec.get(), pkt.get());
                if (r < 0 && r != AVERROR(EAGAIN)) {
                    truncated = true; // a damaged packet: keep going with the next one
                    truncation = "a packet could not be decoded: " + av_error(r);
                }
            }
            av_packet_unref(pkt.get());
        }
    }

    void convert(const inp_image &dst) {
        AVFrame *f = frame.get();
        if (f->width != info.coded_width || f->height != info.coded_height)
            bad(INP_ERR_VIDEO, "frame size changed mid-stream from " + std::to_string(info.coded_width) + "x" + std::to_string(info.coded_height) + " to " +
                                   std::to_string(f->width) + "x" + std::to_string(f->height));
        if (!converter || converter->src_format() != f->format) {
            converter = std::make_unique<Converter>(f->width, f->height, static_cast<AVPixelFormat>(f->format), AV_PIX_FMT_RGB24, f->colorspace,
                                                    f->color_range == AVCOL_RANGE_JPEG, "video " + in_quotes(path));
        }
        if (info.rotation != 0) {
            rotated.resize(static_cast<size_t>(f->width) * f->height * 3);
            wrap_rgb(rgb.get(), rotated.data(), f->width, f->height, f->width * 3);
        } else {
            wrap_rgb(rgb.get(), dst.data, f->width, f->height, dst.row_stride);
        }
        converter->convert(rgb.get(), f);
        if (info.rotation != 0) rotate_rgb(rotated.data(), f->width, f->height, f->width * 3, info.rotation, dst);
    }

    int64_t pts_of(const AVFrame *f) const {
        int64_t pts = f->best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) pts = f->pts;
        return pts;
    }
};

Reader::Reader() : impl_(std::make_unique<Impl>()) {}
Reader::~Reader() = default;

std::unique_ptr<Reader> Reader::open(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(INP_ERR_IO, "video " + in_quotes(path) + " does not exist");
    if (S_ISDIR(st.st_mode)) fail(INP_ERR_IO, "video " + in_quotes(path) + " is a directory, not a file");
    if (st.st_size == 0) fail(INP_ERR_VIDEO, "video " + in_quotes(path) + " is empty (0 bytes)");

    std::unique_ptr<Reader> reader(new Reader());
    Impl &m = *reader->impl_;
    m.path = path;
    AVFormatContext *raw = nullptr;
    int r = avformat_open_input(&raw, path.c_str(), nullptr, nullptr);
    if (r < 0) m.bad(r == AVERROR(EACCES) ? INP_ERR_IO : INP_ERR_VIDEO, "cannot open: " + av_error(r));
    m.fmt.reset(raw);
    r = avformat_find_stream_info(raw, nullptr);
    if (r < 0) m.bad(INP_ERR_VIDEO, "cannot read stream information: " + av_error(r));

    const AVCodec *codec = nullptr;
    m.stream_index = av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (m.stream_index == AVERROR_STREAM_NOT_FOUND) m.bad(INP_ERR_VIDEO, "has no video stream");
    if (m.stream_index == AVERROR_DECODER_NOT_FOUND || codec == nullptr) {
        const AVStream *s = raw->streams[av_find_best_stream(raw, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0)];
        char tag[AV_FOURCC_MAX_STRING_SIZE] = {0};
        av_fourcc_make_string(tag, s->codecpar->codec_tag);
        const std::string name = s->codecpar->codec_id == AV_CODEC_ID_NONE ? std::string("with tag '") + tag + "' (unknown)" : avcodec_get_name(s->codecpar->codec_id);
        m.bad(INP_ERR_UNSUPPORTED, "no decoder for codec " + name + " in this FFmpeg build");
    }
    if (m.stream_index < 0) m.bad(INP_ERR_VIDEO, "cannot select a video stream: " + av_error(m.stream_index));
    m.stream = raw->streams[m.stream_index];
    const AVCodecParameters *par = m.stream->codecpar;
    if (par->width <= 0 || par->height <= 0 || par->width > kMaxSide || par->height > kMaxSide)
        m.bad(INP_ERR_VIDEO, "has unsupported dimensions " + std::to_string(par->width) + "x" + std::to_string(par->height) + " (1 to " + std::to_string(kMaxSide) + " per side)");

    m.dec.reset(avcodec_alloc_context3(codec));
    if (!m.dec) m.bad(INP_ERR_VIDEO, "out of memory allocating the decoder");
    avcodec_parameters_to_context(m.dec.get(), par);
    m.dec->thread_count = 0; // FFmpeg picks
    r = avcodec_open2(m.dec.get(), codec, nullptr);
    if (r < 0) m.bad(INP_ERR_VIDEO, std::string("cannot open the ") + codec->name + " decoder: " + av_error(r));

    Info &in = m.info;
    in.coded_width = par->width;
    in.coded_height = par->height;
    const uint8_t *matrix = av_stream_get_side_data(m.stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
    if (matrix != nullptr) {
        const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t *>(matrix));
        if (!std::isnan(ccw)) in.rotation = ((static_cast<int>(std::lround(-ccw)) % 360) + 360) % 360;
        if (in.rotation % 90 != 0) in.rotation = 0; // only right angles are applied
    }
    const bool swap = in.rotation == 90 || in.rotation == 270;
    in.width = swap ? in.coded_height : in.coded_width;
    in.height = swap ? in.coded_width : in.coded_height;
    const AVRational sar = av_guess_sample_aspect_ratio(raw, m.stream, nullptr);
    in.sar_num = sar.num > 0 ? sar.num : 1;
    in.sar_den = sar.den > 0 ? sar.den : 1;
    const AVRational rate = av_guess_frame_rate(raw, m.stream, nullptr);
    in.fps = rate.num > 0 && rate.den > 0 ? av_q2d(rate) : 0;
    if (m.stream->duration != AV_NOPTS_VALUE) in.duration_s = m.stream->duration * av_q2d(m.stream->time_base);
    else if (raw->duration != AV_NOPTS_VALUE) in.duration_s = raw->duration / static_cast<double>(AV_TIME_BASE);
    Presented shown;
    if (presented_from_index(raw, m.stream, &shown)) {
        in.frame_count = shown.frames;
        in.frame_count_exact = true;
        in.variable_frame_rate = shown.varying;
    } else {
        in.variable_frame_rate = (m.stream->r_frame_rate.num > 0 && m.stream->avg_frame_rate.num > 0 &&
                                  av_cmp_q(m.stream->r_frame_rate, m.stream->avg_frame_rate) != 0) ||
                                 varying_frame_intervals(raw, m.stream_index);
        // mov's nb_frames would count samples an edit list hides: only other containers' is used.
        if (m.stream->nb_frames > 0 && std::strncmp(raw->iformat->name, "mov,", 4) != 0) {
            in.frame_count = m.stream->nb_frames;
            in.frame_count_exact = true;
        } else {
            in.frame_count = static_cast<int64_t>(std::llround(in.duration_s * in.fps));
        }
    }
    for (unsigned i = 0; i < raw->nb_streams; i++)
        if (raw->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) in.num_audio_streams++;
    in.codec = codec->name;
    const char *pf = av_get_pix_fmt_name(static_cast<AVPixelFormat>(par->format));
    in.pixel_format = pf != nullptr ? pf : "unknown";
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(par->format));
    in.bit_depth = desc != nullptr ? desc->comp[0].depth : 8;
    in.container = raw->iformat->name;
    in.color_space = av_color_space_name(par->color_space) ? av_color_space_name(par->color_space) : "unknown";
    in.color_range = av_color_range_name(par->color_range) ? av_color_range_name(par->color_range) : "unknown";
    return reader;
}

const Info &Reader::info() const { return impl_->info; }
bool Reader::truncated() const { return impl_->truncated; }
const std::string &Reader::truncation_message() const { return impl_->truncation; }

bool Reader::read(const inp_image &dst, int64_t *pts_us, int64_t *index) {
    Impl &m = *impl_;
    if (dst.width != m.info.width || dst.height != m.info.height || dst.channels != 3)
        fail(INP_ERR_INVALID_ARGUMENT, "video " + in_quotes(m.path) + ": the frame buffer is " + std::to_string(dst.width) + "x" + std::to_string(dst.height) + "x" +
                                           std::to_string(dst.channels) + ", the video needs " + std::to_string(m.info.width) + "x" + std::to_string(m.info.height) + "x3");
    if (m.finished) return false;
    while (true) {
        if (!m.decode_next()) {
            m.finished = true;
            return false;
        }
        const int64_t pts = m.pts_of(m.frame.get());
        if (m.skip_before_pts != AV_NOPTS_VALUE && pts != AV_NOPTS_VALUE && pts < m.skip_before_pts) {
            av_frame_unref(m.frame.get());
            continue; // decoding forward from the key frame to the requested one
        }
        m.skip_before_pts = AV_NOPTS_VALUE;
        m.convert(dst);
        if (pts_us != nullptr) *pts_us = pts == AV_NOPTS_VALUE ? -1 : av_rescale_q(pts, m.stream->time_base, AVRational{1, 1000000});
        if (index != nullptr) *index = m.next_index;
        m.next_index++;
        av_frame_unref(m.frame.get());
        return true;
    }
}

void Reader::seek(int64_t index) {
    Impl &m = *impl_;
    if (index < 0) fail(INP_ERR_INVALID_ARGUMENT, "video " + in_quotes(m.path) + ": frame index " + std::to_string(index) + " is negative");
    if (m.info.fps <= 0) fail(INP_ERR_UNSUPPORTED, "video " + in_quotes(m.path) + " has no frame rate; it can only be read from the start");
    const int64_t start = m.stream->start_time != AV_NOPTS_VALUE ? m.stream->start_time : 0;
    // Presentation time of frame `index` at the average rate, in stream time base.
    const int64_t target = start + av_rescale_q(index, av_inv_q(av_d2q(m.info.fps, 1 << 20)), m.stream->time_base);
    const int r = av_seek_frame(m.fmt.get(), m.stream_index, target, AVSEEK_FLAG_BACKWARD);
    if (r < 0) fail(INP_ERR_VIDEO, "video " + in_quotes(m.path) + ": cannot seek to frame " + std::to_string(index) + ": " + av_error(r));
    avcodec_flush_buffers(m.dec.get());
    m.draining = m.finished = false;
    // Half a frame of slack absorbs timestamp rounding.
    m.skip_before_pts = target - av_rescale_q(1, av_inv_q(av_d2q(m.info.fps * 2, 1 << 20)), m.stream->time_base);
    m.next_index = index;
}

} // namespace inp::video
