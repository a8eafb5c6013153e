#include "video/writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <strings.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "runtime/error.h"
#include "video/convert.h"

namespace inp::video {

namespace {

std::string av_error(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

// An audio stream the output container cannot carry as is: decoded, resampled to the AAC
// encoder's sample format and re-encoded, 1024-sample frames at a time.
struct AacTranscode {
    AVCodecContext *dec = nullptr, *enc = nullptr;
    SwrContext *swr = nullptr;
    AVAudioFifo *fifo = nullptr;
    int64_t next_pts = 0; // in samples
    bool started = false; // next_pts set from the first decoded frame
    ~AacTranscode() {
        avcodec_free_context(&dec);
        avcodec_free_context(&enc);
        swr_free(&swr);
        if (fifo != nullptr) av_audio_fifo_free(fifo);
    }
};

// A text subtitle stream the output container cannot carry as is: decoded and re-encoded to
// the container's text format (mov_text in .mp4, SubRip in .mkv).
struct SubtitleTranscode {
    AVCodecContext *dec = nullptr, *enc = nullptr;
    ~SubtitleTranscode() {
        avcodec_free_context(&dec);
        avcodec_free_context(&enc);
    }
};

// Copies `src` into `*dst` but the keys starting with any of `skip` (case-insensitive): tags
// that describe the source's own encoding (its encoder, brands, Matroska's per-stream statistics)
// and would be false of the output.
void copy_tags(AVDictionary **dst, const AVDictionary *src, std::initializer_list<const char *> skip) {
    const AVDictionaryEntry *e = nullptr;
    while ((e = av_dict_get(src, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
        bool keep = true;
        for (const char *k : skip) keep = keep && strncasecmp(e->key, k, std::strlen(k)) != 0;
        if (keep) av_dict_set(dst, e->key, e->value, 0);
    }
}

// The source's streams carried over: audio and subtitle packets are read from it as the video
// is written, so that the output stays interleaved.
struct SourceCopy {
    AVFormatContext *in = nullptr;
    std::vector<int> out_index;                         // per input stream: output stream index, or -1
    std::vector<std::unique_ptr<AacTranscode>> aac;     // per input stream: set when re-encoded
    std::vector<std::unique_ptr<SubtitleTranscode>> subs; // per input stream: set when converted
    std::vector<AVPacket *> preroll;                    // per input stream: the last decode-only packet so far
    std::vector<bool> shown;                            // per input stream: a presented packet was copied
    std::vector<int64_t> last_dts;                      // per output stream
    bool keep_preroll = false;                          // the output writes edit lists (mp4, mov)
    bool done = false, drained = false;
    ~SourceCopy() {
        for (AVPacket *&p : preroll) av_packet_free(&p);
        if (in != nullptr) avformat_close_input(&in);
    }
};

} // namespace

struct Writer::Impl {
    std::string path, tmp_path;
    AVFormatContext *out = nullptr;
    AVCodecContext *enc = nullptr;
    AVStream *vstream = nullptr;
    std::unique_ptr<Converter> converter;
    AVFrame *frame = nullptr;
    AVFrame *rgb = av_frame_alloc(); // wraps the caller's frame
    AVPacket *pkt = nullptr;
    SourceCopy source;
    std::string notes; // what of the source was not kept as it was
    int width = 0, height = 0;
    AVPixelFormat pix_fmt = AV_PIX_FMT_YUV420P;
    int64_t index = 0;
    int64_t last_pts = -1;
    bool header_written = false, finished = false;
    WriterOptions options;

    [[noreturn]] void bad(int status, const std::string &what) const { fail(status, "output " + in_quotes(path) + ": " + what); }
    void open_source();

    ~Impl() {
        av_frame_free(&frame);
        av_frame_free(&rgb);
        av_packet_free(&pkt);
        avcodec_free_context(&enc);
        if (out != nullptr) {
            if (out->pb != nullptr) avio_closep(&out->pb);
            avformat_free_context(out);
        }
        if (!finished && !tmp_path.empty()) ::unlink(tmp_path.c_str());
    }

    void write_packets() {
        while (true) {
            int r = avcodec_receive_packet(enc, pkt);
            if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return;
            if (r < 0) bad(INP_ERR_VIDEO, "encoding failed: " + av_error(r));
            // Without a duration the mp4 muxer drops the last frame.
            if (pkt->duration == 0) pkt->duration = static_cast<int64_t>(1e6 / options.fps + 0.5);
            av_packet_rescale_ts(pkt, enc->time_base, vstream->time_base);
            pkt->stream_index = vstream->index;
            const double t = pkt->dts == AV_NOPTS_VALUE ? 0 : pkt->dts * av_q2d(vstream->time_base);
            r = av_interleaved_write_frame(out, pkt);
            if (r < 0) bad(r == AVERROR(ENOSPC) ? INP_ERR_IO : INP_ERR_VIDEO, "writing failed: " + av_error(r));
            copy_source_until(t + 0.5); // keep the source's streams just ahead of the video
        }
    }

    // Encodes what the FIFO holds in whole encoder frames (all of it, and the encoder's tail, when flushing).
    void aac_encode(AacTranscode &t, int oi, bool flush) {
        AVFrame *f = av_frame_alloc();
        while (av_audio_fifo_size(t.fifo) >= t.enc->frame_size || (flush && av_audio_fifo_size(t.fifo) > 0)) {
            const int n = std::min(av_audio_fifo_size(t.fifo), t.enc->frame_size);
            f->nb_samples = n;
            f->format = t.enc->sample_fmt;
            f->sample_rate = t.enc->sample_rate;
            av_channel_layout_copy(&f->ch_layout, &t.enc->ch_layout);
            if (av_frame_get_buffer(f, 0) < 0) bad(INP_ERR_VIDEO, "out of memory re-encoding audio");
            av_audio_fifo_read(t.fifo, reinterpret_cast<void **>(f->data), n);
            f->pts = t.next_pts;
            t.next_pts += n;
            if (avcodec_send_frame(t.enc, f) < 0) bad(INP_ERR_VIDEO, "the AAC encoder refused audio");
            av_frame_unref(f);
            aac_write(t, oi);
        }
        av_frame_free(&f);
        if (flush) {
            avcodec_send_frame(t.enc, nullptr);
            aac_write(t, oi);
        }
    }

    void aac_write(AacTranscode &t, int oi) {
        AVPacket *p = av_packet_alloc();
        while (avcodec_receive_packet(t.enc, p) == 0) {
            av_packet_rescale_ts(p, t.enc->time_base, out->streams[oi]->time_base);
            p->stream_index = oi;
            const int r = av_interleaved_write_frame(out, p);
            if (r < 0) {
                av_packet_free(&p);
                bad(INP_ERR_VIDEO, "writing re-encoded audio failed: " + av_error(r));
            }
        }
        av_packet_free(&p);
    }

    // Decodes a packet (NULL = flush), resamples into the FIFO, encodes whole frames.
    void aac_feed(AacTranscode &t, int oi, const AVPacket *packet) {
        if (avcodec_send_packet(t.dec, packet) < 0 && packet != nullptr) return; // a damaged packet: skip it
        AVFrame *f = av_frame_alloc();
        while (avcodec_receive_frame(t.dec, f) == 0) {
            if (!t.started && f->pts != AV_NOPTS_VALUE) // audio that starts late stays late
                t.next_pts = av_rescale_q(f->pts, t.dec->pkt_timebase, AVRational{1, t.enc->sample_rate});
            t.started = true;
            uint8_t **buf = nullptr;
            const int max_out = swr_get_out_samples(t.swr, f->nb_samples);
            av_samples_alloc_array_and_samples(&buf, nullptr, t.enc->ch_layout.nb_channels, max_out, t.enc->sample_fmt, 0);
            const int got = swr_convert(t.swr, buf, max_out, const_cast<const uint8_t **>(f->extended_data), f->nb_samples);
            if (got > 0) av_audio_fifo_write(t.fifo, reinterpret_cast<void **>(buf), got);
            av_freep(&buf[0]);
            av_freep(&buf);
            av_frame_unref(f);
        }
        av_frame_free(&f);
        aac_encode(t, oi, false);
    }

    // Writes one source packet (consumed) to output stream oi, in the source's presented timeline:
    // the reader's video times share it. One that would step back in time (decode-only packets of
    // a later edit, in files with several) is dropped: the muxer refuses it.
    int copy_packet(AVPacket *a, const AVStream *is, int oi) {
        av_packet_rescale_ts(a, is->time_base, out->streams[oi]->time_base);
        return write_source_packet(a, oi);
    }

    // Writes a packet (consumed) already in output stream oi's time base.
    int write_source_packet(AVPacket *a, int oi) {
        a->stream_index = oi;
        a->pos = -1;
        int64_t &last = source.last_dts[oi];
        const bool strict = !(out->oformat->flags & AVFMT_TS_NONSTRICT);
        if (a->dts != AV_NOPTS_VALUE && last != AV_NOPTS_VALUE && (a->dts < last || (strict && a->dts == last))) {
            av_packet_unref(a);
            return 0;
        }
        if (a->dts != AV_NOPTS_VALUE) last = a->dts;
        return av_interleaved_write_frame(out, a);
    }

    // Decodes a text subtitle packet and writes it re-encoded to output stream oi.
    void subtitle_convert(SubtitleTranscode &t, int oi, const AVPacket *packet) {
        AVSubtitle sub{};
        int got = 0;
        if (avcodec_decode_subtitle2(t.dec, &sub, &got, const_cast<AVPacket *>(packet)) < 0 || got == 0) return; // a damaged packet: skip it
        if (sub.pts == AV_NOPTS_VALUE) sub.pts = av_rescale_q(packet->pts, t.dec->pkt_timebase, AV_TIME_BASE_Q);
        // As the encoders want it: the start in pts, the display time from 0.
        sub.pts += av_rescale_q(sub.start_display_time, AVRational{1, 1000}, AV_TIME_BASE_Q);
        sub.end_display_time -= sub.start_display_time;
        sub.start_display_time = 0;
        std::vector<uint8_t> buf(1 << 16);
        const int n = sub.num_rects > 0 ? avcodec_encode_subtitle(t.enc, buf.data(), static_cast<int>(buf.size()), &sub) : 0;
        const int64_t pts = sub.pts;
        const uint32_t duration_ms = sub.end_display_time;
        avsubtitle_free(&sub);
        if (n <= 0) return;
        AVPacket *p = av_packet_alloc();
        if (p == nullptr || av_new_packet(p, n) < 0) {
            av_packet_free(&p);
            bad(INP_ERR_VIDEO, "out of memory converting subtitles");
        }
        std::memcpy(p->data, buf.data(), static_cast<size_t>(n));
        const AVRational tb = out->streams[oi]->time_base;
        p->pts = p->dts = av_rescale_q(pts, AV_TIME_BASE_Q, tb);
        p->duration = av_rescale_q(duration_ms, AVRational{1, 1000}, tb);
        const int r = write_source_packet(p, oi);
        av_packet_free(&p);
        if (r < 0) bad(INP_ERR_VIDEO, "writing converted subtitles failed: " + av_error(r));
    }

    // Copies the source's packets whose timestamps are before `seconds` (all when < 0).
    void copy_source_until(double seconds) {
        if (source.in == nullptr || source.drained) return;
        AVPacket *a = av_packet_alloc();
        while (!source.done) {
            int r = av_read_frame(source.in, a);
            if (r < 0) {
                source.done = true;
                break;
            }
            const int oi = source.out_index[a->stream_index];
            if (oi < 0) {
                av_packet_unref(a);
                continue;
            }
            AVStream *is = source.in->streams[a->stream_index];
            const double t = a->dts == AV_NOPTS_VALUE ? 0 : a->dts * av_q2d(is->time_base);
            if (AacTranscode *tc = source.aac[a->stream_index].get()) {
                aac_feed(*tc, oi, a);
                av_packet_unref(a);
                if (seconds >= 0 && t >= seconds) break;
                continue;
            }
            if (SubtitleTranscode *tc = source.subs[a->stream_index].get()) {
                subtitle_convert(*tc, oi, a);
                av_packet_unref(a);
                if (seconds >= 0 && t >= seconds) break;
                continue;
            }
            const int si = a->stream_index;
            if (a->flags & AV_PKT_FLAG_DISCARD) {
                // Decode-only: before the source's edit list starts, so not presented. The one
                // just before the first presented packet primes the decoder (AAC frames
                // overlap); an mp4 or mov output's own edit list hides it, others would play it.
                if (source.keep_preroll && !source.shown[si]) {
                    av_packet_unref(source.preroll[si]);
                    av_packet_move_ref(source.preroll[si], a);
                } else {
                    av_packet_unref(a);
                }
                continue;
            }
            // The first presented packet may start before the edit (a negative time): the mp4
            // muxer then writes an edit list that skips the difference, as `ffmpeg -c copy` does.
            r = source.preroll[si]->data != nullptr ? copy_packet(source.preroll[si], is, oi) : 0;
            source.shown[si] = true;
            if (r >= 0) r = copy_packet(a, is, oi);
            if (r < 0) {
                av_packet_free(&a);
                bad(INP_ERR_VIDEO, "copying the source's " + std::string(av_get_media_type_string(is->codecpar->codec_type)) + " failed: " + av_error(r));
            }
            if (seconds >= 0 && t >= seconds) break;
        }
        av_packet_free(&a);
        if (seconds < 0) { // the end (even when reading ended earlier): drain decoders, resamplers and encoders
            source.drained = true;
            for (size_t i = 0; i < source.aac.size(); i++) {
                AacTranscode *tc = source.aac[i].get();
                if (tc == nullptr) continue;
                aac_feed(*tc, source.out_index[i], nullptr);
                const int tail = swr_get_out_samples(tc->swr, 0);
                if (tail > 0) {
                    uint8_t **buf = nullptr;
                    av_samples_alloc_array_and_samples(&buf, nullptr, tc->enc->ch_layout.nb_channels, tail, tc->enc->sample_fmt, 0);
                    const int got = swr_convert(tc->swr, buf, tail, nullptr, 0);
                    if (got > 0) av_audio_fifo_write(tc->fifo, reinterpret_cast<void **>(buf), got);
                    av_freep(&buf[0]);
                    av_freep(&buf);
                }
                aac_encode(*tc, source.out_index[i], true);
            }
        }
    }
};

// Sets up re-encoding of source stream `is` to AAC into output stream `os`.
std::unique_ptr<AacTranscode> open_aac(const AVStream *is, AVStream *os, AVFormatContext *out, const std::function<void(const std::string &)> &bad);

// Sets up converting text subtitle stream `is` to the first text format the container takes;
// null when it takes none or the stream cannot be decoded (then it is dropped, not fatal).
std::unique_ptr<SubtitleTranscode> open_subtitles(const AVStream *is, const AVFormatContext *out) {
    const AVCodec *dc = avcodec_find_decoder(is->codecpar->codec_id);
    if (dc == nullptr) return nullptr;
    for (AVCodecID id : {AV_CODEC_ID_MOV_TEXT, AV_CODEC_ID_SUBRIP, AV_CODEC_ID_ASS, AV_CODEC_ID_WEBVTT}) {
        const AVCodec *ec = avcodec_find_encoder(id);
        if (ec == nullptr || avformat_query_codec(out->oformat, id, FF_COMPLIANCE_NORMAL) != 1) continue;
        auto t = std::make_unique<SubtitleTranscode>();
        t->dec = avcodec_alloc_context3(dc);
        t->enc = avcodec_alloc_context3(ec);
        if (t->dec == nullptr || t->enc == nullptr || avcodec_parameters_to_context(t->dec, is->codecpar) < 0) return nullptr;
        t->dec->pkt_timebase = is->time_base;
        if (avcodec_open2(t->dec, dc, nullptr) < 0) return nullptr;
        // The text encoders take the decoder's ASS header (styles); without one, a default.
        if (t->dec->subtitle_header != nullptr) {
            t->enc->subtitle_header = static_cast<uint8_t *>(av_mallocz(static_cast<size_t>(t->dec->subtitle_header_size) + 1));
            if (t->enc->subtitle_header == nullptr) return nullptr;
            std::memcpy(t->enc->subtitle_header, t->dec->subtitle_header, static_cast<size_t>(t->dec->subtitle_header_size));
            t->enc->subtitle_header_size = t->dec->subtitle_header_size;
        }
        t->enc->time_base = AV_TIME_BASE_Q;
        if (out->oformat->flags & AVFMT_GLOBALHEADER) t->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        if (avcodec_open2(t->enc, ec, nullptr) < 0) return nullptr;
        return t;
    }
    return nullptr;
}

// Reads the source's streams and sets up the output's: audio and subtitles copied (or converted),
// chapters, the container's and the video stream's tags.
void Writer::Impl::open_source() {
    int r = avformat_open_input(&source.in, options.source.c_str(), nullptr, nullptr);
    if (r < 0) bad(INP_ERR_VIDEO, "cannot open the source " + in_quotes(options.source) + ": " + av_error(r));
    avformat_find_stream_info(source.in, nullptr);
    AVFormatContext *in = source.in;
    auto note = [&](const std::string &line) { notes += (notes.empty() ? "" : "\n") + line; };
    auto describe = [&](unsigned i) {
        const AVStream *is = in->streams[i];
        const char *type = av_get_media_type_string(is->codecpar->codec_type);
        return std::string("stream #") + std::to_string(i) + " (" + (type != nullptr ? type : "unknown") + ", " + avcodec_get_name(is->codecpar->codec_id) + ")";
    };
    const int video = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    for (unsigned i = 0; i < in->nb_streams; i++) {
        const AVStream *is = in->streams[i];
        const AVMediaType type = is->codecpar->codec_type;
        const bool fits = avformat_query_codec(out->oformat, is->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1;
        int oi = -1;
        std::unique_ptr<AacTranscode> aac;
        std::unique_ptr<SubtitleTranscode> subs;
        if (type == AVMEDIA_TYPE_AUDIO || (type == AVMEDIA_TYPE_SUBTITLE && fits)) {
            AVStream *os = avformat_new_stream(out, nullptr);
            if (os == nullptr) bad(INP_ERR_VIDEO, "out of memory");
            if (fits) {
                avcodec_parameters_copy(os->codecpar, is->codecpar); // bit for bit
                os->codecpar->codec_tag = 0;
                os->time_base = is->time_base;
            } else {
                // The container cannot carry this codec: re-encode to AAC rather than drop it.
                if (avformat_query_codec(out->oformat, AV_CODEC_ID_AAC, FF_COMPLIANCE_NORMAL) != 1)
                    bad(INP_ERR_UNSUPPORTED, std::string("the ") + out->oformat->name + " container can carry neither the source's " +
                                                 avcodec_get_name(is->codecpar->codec_id) + " audio nor AAC; write .mkv");
                aac = open_aac(is, os, out, [&](const std::string &what) { bad(INP_ERR_VIDEO, "re-encoding audio to AAC: " + what); });
                note(describe(i) + " re-encoded to AAC: the " + out->oformat->name + " container cannot carry it");
            }
            copy_tags(&os->metadata, is->metadata, {"DURATION", "BPS", "NUMBER_OF_", "_STATISTICS_"});
            os->disposition = is->disposition;
            oi = os->index;
        } else if (type == AVMEDIA_TYPE_SUBTITLE) {
            const AVCodecDescriptor *d = avcodec_descriptor_get(is->codecpar->codec_id);
            if (d != nullptr && (d->props & AV_CODEC_PROP_TEXT_SUB)) subs = open_subtitles(is, out);
            if (subs != nullptr) {
                AVStream *os = avformat_new_stream(out, nullptr);
                if (os == nullptr) bad(INP_ERR_VIDEO, "out of memory");
                avcodec_parameters_from_context(os->codecpar, subs->enc);
                os->time_base = AVRational{1, 1000};
                copy_tags(&os->metadata, is->metadata, {"DURATION", "BPS", "NUMBER_OF_", "_STATISTICS_"});
                os->disposition = is->disposition;
                oi = os->index;
                note(describe(i) + " converted to " + avcodec_get_name(os->codecpar->codec_id) + ": the " + out->oformat->name + " container cannot carry it");
            } else {
                note(describe(i) + " dropped: the " + out->oformat->name + " container cannot carry it" +
                     (d != nullptr && (d->props & AV_CODEC_PROP_TEXT_SUB) ? "" : " (bitmap subtitles: .mkv can)"));
            }
        } else if (static_cast<int>(i) != video && !(is->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            note(describe(i) + " dropped: only the video, audio and subtitles are kept");
        }
        source.out_index.push_back(oi);
        source.aac.push_back(std::move(aac));
        source.subs.push_back(std::move(subs));
        source.preroll.push_back(av_packet_alloc());
        source.shown.push_back(false);
    }
    source.last_dts.assign(out->nb_streams, AV_NOPTS_VALUE);
    const AVClass *muxer = out->oformat->priv_class;
    source.keep_preroll = muxer != nullptr && av_opt_find(&muxer, "use_editlist", nullptr, 0, AV_OPT_SEARCH_FAKE_OBJ) != nullptr;

    // Tags: creation time, title, location, language...; not those that describe the source's encoding.
    copy_tags(&out->metadata, in->metadata, {"encoder", "major_brand", "minor_version", "compatible_brands"});
    // Phones write QuickTime metadata keys (com.apple.quicktime.make, .model, .software...): an
    // mp4/mov output keeps them only written the same way.
    if (av_dict_get(in->metadata, "com.", nullptr, AV_DICT_IGNORE_SUFFIX) != nullptr && out->priv_data != nullptr &&
        av_opt_find(out->priv_data, "movflags", nullptr, 0, 0) != nullptr)
        av_opt_set(out->priv_data, "movflags", "+use_metadata_tags", 0);
    if (video >= 0) copy_tags(&vstream->metadata, in->streams[video]->metadata, {"encoder", "DURATION", "BPS", "NUMBER_OF_", "_STATISTICS_", "rotate"});
    // Chapters, in the source's timeline, which the output's timestamps keep.
    if (in->nb_chapters > 0) {
        out->chapters = static_cast<AVChapter **>(av_calloc(in->nb_chapters, sizeof(AVChapter *)));
        if (out->chapters == nullptr) bad(INP_ERR_VIDEO, "out of memory");
        for (unsigned i = 0; i < in->nb_chapters; i++) {
            const AVChapter *c = in->chapters[i];
            auto *d = static_cast<AVChapter *>(av_mallocz(sizeof(AVChapter)));
            if (d == nullptr) bad(INP_ERR_VIDEO, "out of memory");
            out->chapters[out->nb_chapters++] = d; // freed with the context
            d->id = c->id;
            d->time_base = c->time_base;
            d->start = c->start;
            d->end = c->end;
            av_dict_copy(&d->metadata, c->metadata, 0);
        }
    }
}

std::unique_ptr<AacTranscode> open_aac(const AVStream *is, AVStream *os, AVFormatContext *out, const std::function<void(const std::string &)> &bad) {
    auto t = std::make_unique<AacTranscode>();
    const AVCodec *dc = avcodec_find_decoder(is->codecpar->codec_id);
    const AVCodec *ec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (dc == nullptr) bad(std::string("no decoder for the source's ") + avcodec_get_name(is->codecpar->codec_id) + " audio");
    if (ec == nullptr) bad("this FFmpeg build has no AAC encoder");
    t->dec = avcodec_alloc_context3(dc);
    avcodec_parameters_to_context(t->dec, is->codecpar);
    t->dec->pkt_timebase = is->time_base;
    if (avcodec_open2(t->dec, dc, nullptr) < 0) bad("cannot open the audio decoder");
    t->enc = avcodec_alloc_context3(ec);
    t->enc->sample_rate = t->dec->sample_rate;
    av_channel_layout_copy(&t->enc->ch_layout, &t->dec->ch_layout);
    if (t->enc->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) av_channel_layout_default(&t->enc->ch_layout, t->dec->ch_layout.nb_channels);
    t->enc->sample_fmt = ec->sample_fmts[0];
    t->enc->bit_rate = 192000;
    t->enc->time_base = AVRational{1, t->enc->sample_rate};
    if (out->oformat->flags & AVFMT_GLOBALHEADER) t->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(t->enc, ec, nullptr) < 0) bad("cannot open the AAC encoder");
    avcodec_parameters_from_context(os->codecpar, t->enc);
    os->time_base = t->enc->time_base;
    if (swr_alloc_set_opts2(&t->swr, &t->enc->ch_layout, t->enc->sample_fmt, t->enc->sample_rate, &t->dec->ch_layout, t->dec->sample_fmt,
                            t->dec->sample_rate, 0, nullptr) < 0 || swr_init(t->swr) < 0)
        bad("cannot set up audio resampling");
    t->fifo = av_audio_fifo_alloc(t->enc->sample_fmt, t->enc->ch_layout.nb_channels, 1);
    return t;
}

Writer::Writer() : impl_(std::make_unique<Impl>()) {}
Writer::~Writer() = default;

std::unique_ptr<Writer> Writer::open(const std::string &path, int width, int height, const WriterOptions &o) {
    std::unique_ptr<Writer> w(new Writer());
    Impl &m = *w->impl_;
    m.path = path;
    m.options = o;
    if (width < 1 || height < 1 || width > 16384 || height > 16384) m.bad(INP_ERR_INVALID_ARGUMENT, "size " + std::to_string(width) + "x" + std::to_string(height) + " is out of range");
    if (o.fps <= 0 || o.fps > 1000) m.bad(INP_ERR_INVALID_ARGUMENT, "frame rate " + std::to_string(o.fps) + " is out of range");
    if (o.crf < 0 || o.crf > 51) m.bad(INP_ERR_INVALID_ARGUMENT, "crf " + std::to_string(o.crf) + " is out of range 0..51");
    m.width = width;
    m.height = height;
    // 4:2:0 cannot carry an odd width or height (H.264 crops in 2-pixel steps there): such
    // sizes are encoded 4:4:4 (High 4:4:4 profile) so the picture keeps every pixel.
    m.pix_fmt = (width % 2 != 0 || height % 2 != 0) ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P;

    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) m.bad(INP_ERR_IO, "folder " + in_quotes(dir) + " does not exist");
    if (::access(dir.c_str(), W_OK) != 0) m.bad(INP_ERR_IO, "folder " + in_quotes(dir) + " is not writable");
    const size_t dot = path.find_last_of('.');
    const std::string ext = dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot);
    m.tmp_path = path + ".part-" + std::to_string(::getpid()) + ext;

    // The muxer is chosen from the final name, not the temporary one.
    int r = avformat_alloc_output_context2(&m.out, nullptr, nullptr, path.c_str());
    if (r < 0 || m.out == nullptr) m.bad(INP_ERR_VIDEO, "no container format for this file name (use .mp4, .mkv or .mov): " + av_error(r));
    const bool hevc = o.codec == "hevc";
    if (!hevc && o.codec != "h264") m.bad(INP_ERR_INVALID_ARGUMENT, "codec " + in_quotes(o.codec) + " is not one of h264, hevc");
    const char *encoder = hevc ? "libx265" : "libx264";
    const AVCodec *codec = avcodec_find_encoder_by_name(encoder);
    if (codec == nullptr) m.bad(INP_ERR_UNSUPPORTED, std::string("this FFmpeg build has no ") + encoder + " encoder");
    m.vstream = avformat_new_stream(m.out, nullptr);
    m.enc = avcodec_alloc_context3(codec);
    m.frame = av_frame_alloc();
    m.pkt = av_packet_alloc();
    if (m.vstream == nullptr || m.enc == nullptr || m.frame == nullptr || m.pkt == nullptr) m.bad(INP_ERR_VIDEO, "out of memory");
    const AVRational rate = av_d2q(o.fps, 1 << 16);
    m.enc->width = width;
    m.enc->height = height;
    m.enc->pix_fmt = m.pix_fmt;
    m.enc->time_base = AVRational{1, 1000000}; // microsecond timestamps keep per-frame times exact
    m.enc->framerate = rate;
    m.enc->color_range = AVCOL_RANGE_MPEG;
    m.enc->colorspace = AVCOL_SPC_BT709;
    m.enc->color_primaries = AVCOL_PRI_BT709;
    m.enc->color_trc = AVCOL_TRC_BT709;
    if (m.out->oformat->flags & AVFMT_GLOBALHEADER) m.enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(m.enc->priv_data, "preset", o.preset.c_str(), 0);
    av_opt_set(m.enc->priv_data, "crf", std::to_string(o.crf).c_str(), 0);
    if (hevc) av_opt_set(m.enc->priv_data, "x265-params", "log-level=error", 0); // x265 prints its settings otherwise
    r = avcodec_open2(m.enc, codec, nullptr);
    if (r < 0) m.bad(INP_ERR_VIDEO, std::string("cannot open the ") + (hevc ? "HEVC" : "H.264") + " encoder (preset " + in_quotes(o.preset) + "): " + av_error(r));
    avcodec_parameters_from_context(m.vstream->codecpar, m.enc);
    // hvc1 (parameter sets in the sample description) is the tag Apple's players require.
    if (hevc && avformat_query_codec(m.out->oformat, AV_CODEC_ID_HEVC, FF_COMPLIANCE_NORMAL) == 1 && m.out->oformat->codec_tag != nullptr &&
        av_codec_get_id(m.out->oformat->codec_tag, MKTAG('h', 'v', 'c', '1')) == AV_CODEC_ID_HEVC)
        m.vstream->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1');
    m.vstream->time_base = m.enc->time_base;
    m.vstream->avg_frame_rate = rate;
    if (o.rotation % 360 != 0) {
        uint8_t *matrix = av_stream_new_side_data(m.vstream, AV_PKT_DATA_DISPLAYMATRIX, sizeof(int32_t) * 9);
        if (matrix != nullptr) av_display_rotation_set(reinterpret_cast<int32_t *>(matrix), -o.rotation);
    }

    if (!o.source.empty()) m.open_source();
    r = avio_open(&m.out->pb, m.tmp_path.c_str(), AVIO_FLAG_WRITE);
    if (r < 0) m.bad(INP_ERR_IO, "cannot create " + in_quotes(m.tmp_path) + ": " + av_error(r));
    r = avformat_write_header(m.out, nullptr);
    if (r < 0) m.bad(INP_ERR_VIDEO, "cannot write the header: " + av_error(r));
    m.header_written = true;

    m.frame->format = m.enc->pix_fmt;
    m.frame->width = width;
    m.frame->height = height;
    r = av_frame_get_buffer(m.frame, 0);
    if (r < 0) m.bad(INP_ERR_VIDEO, "out of memory for a frame");
    m.converter = std::make_unique<Converter>(width, height, AV_PIX_FMT_RGB24, m.pix_fmt, AVCOL_SPC_BT709, false, "output " + in_quotes(path));
    return w;
}

void Writer::write(const inp_image &rgb, int64_t pts_us) {
    Impl &m = *impl_;
    if (m.finished) m.bad(INP_ERR_INVALID_ARGUMENT, "write after finish");
    if (rgb.width != m.width || rgb.height != m.height || rgb.channels != 3)
        m.bad(INP_ERR_INVALID_ARGUMENT, "frame is " + std::to_string(rgb.width) + "x" + std::to_string(rgb.height) + "x" + std::to_string(rgb.channels) +
                                            ", the output is " + std::to_string(m.width) + "x" + std::to_string(m.height) + "x3");
    int r = av_frame_make_writable(m.frame);
    if (r < 0) m.bad(INP_ERR_VIDEO, "frame buffer busy: " + av_error(r));
    wrap_rgb(m.rgb, rgb.data, m.width, m.height, rgb.row_stride);
    m.converter->convert(m.frame, m.rgb);
    int64_t pts = pts_us >= 0 ? pts_us : static_cast<int64_t>(static_cast<double>(m.index) * 1e6 / m.options.fps + 0.5);
    if (pts <= m.last_pts) m.bad(INP_ERR_INVALID_ARGUMENT, "frame " + std::to_string(m.index) + " has time " + std::to_string(pts) + " us, not after the previous frame's " + std::to_string(m.last_pts));
    m.frame->pts = pts;
    m.last_pts = pts;
    m.index++;
    r = avcodec_send_frame(m.enc, m.frame);
    if (r < 0) m.bad(INP_ERR_VIDEO, "encoder refused frame " + std::to_string(m.index - 1) + ": " + av_error(r));
    m.write_packets();
}

const std::string &Writer::notes() const { return impl_->notes; }

void Writer::finish() {
    Impl &m = *impl_;
    if (m.finished) return;
    int r = avcodec_send_frame(m.enc, nullptr); // flush
    if (r < 0 && r != AVERROR_EOF) m.bad(INP_ERR_VIDEO, "flushing the encoder failed: " + av_error(r));
    m.write_packets();
    m.copy_source_until(-1);
    r = av_write_trailer(m.out);
    if (r < 0) m.bad(r == AVERROR(ENOSPC) ? INP_ERR_IO : INP_ERR_VIDEO, "writing the trailer failed: " + av_error(r));
    r = avio_closep(&m.out->pb);
    if (r < 0) m.bad(INP_ERR_IO, "closing the file failed (disk full?): " + av_error(r));
    if (::rename(m.tmp_path.c_str(), m.path.c_str()) != 0) m.bad(INP_ERR_IO, std::string("cannot rename the finished file into place: ") + std::strerror(errno));
    m.finished = true;
}

} // namespace inp::video
