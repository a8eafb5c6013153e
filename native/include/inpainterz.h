/*
 * inpainterz.h — the C ABI of the Inpainterz native engine.
 *
 * Plain C99. Every function is declared here and nowhere else; the Java bindings
 * (java/.../nativeapi) mirror this file one to one.
 *
 * Thread safety
 *   - Every function may be called from any thread.
 *   - A handle may be used by several threads at once unless its section says otherwise;
 *     freeing a handle while another thread uses it is the caller's bug.
 *   - The last error text is thread-local: read it on the thread that got the status code,
 *     before calling anything else.
 *
 * Errors
 *   Every fallible function returns an int32_t status (INP_OK = 0 or an INP_ERR_* code) and
 *   writes its results through trailing ret_ pointers, which are left untouched on failure.
 *   No C++ exception, abort or signal crosses this boundary.
 *
 * Params structs
 *   Every params struct has a *_default_params() function, the only place its defaults live:
 *   start from it and change what you need. A NULL params pointer means the defaults.
 *
 * Long calls
 *   Every call that can take more than a second takes a `const inp_run *run` (NULL = none):
 *   a progress callback, a caller-created cancel token and a thread count for that call. Its
 *   comment says where it reports progress and checks the token ("checks: ..."), so the
 *   worst-case latency of a cancel is one such unit of work.
 *
 * Usage
 *   inp_checkpoint_params p = inp_checkpoint_default_params();
 *   inp_checkpoint *ck = NULL;
 *   if (inp_checkpoint_init("ckpt/sam_vit_b_01ec64.pth", &p, NULL, &ck) != INP_OK) {
 *       fprintf(stderr, "%s\n", inp_last_error());
 *       return 1;
 *   }
 *   inp_model_info info;
 *   inp_checkpoint_model_info(ck, &info);      // family, variant, tensor count
 *   const inp_tensors *sd = NULL;
 *   inp_checkpoint_tensors(ck, &sd);           // borrowed from ck
 *   int64_t n = 0;
 *   inp_tensors_count(sd, &n);
 *   for (int64_t i = 0; i < n; i++) {
 *       inp_tensor_info t;
 *       inp_tensors_info(sd, i, &t);           // t.name is borrowed too
 *   }
 *   inp_checkpoint_free(ck);
 */
#ifndef INPAINTERZ_H
#define INPAINTERZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(INP_BUILD)
#    define INP_API __declspec(dllexport)
#  else
#    define INP_API __declspec(dllimport)
#  endif
#else
#  define INP_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on every incompatible change of a declaration below (the Java side refuses to run
 * against a library whose number differs from the one it was compiled with). */
#define INP_ABI_VERSION 3

/* ---------------------------------------------------------------------------------------
 * Status codes
 * ------------------------------------------------------------------------------------- */
enum inp_status {
    INP_OK = 0,
    INP_ERR_INVALID_ARGUMENT = 1, /* a NULL pointer, an out-of-range value, mismatched sizes */
    INP_ERR_IO = 2,               /* a file is missing, unreadable or unwritable */
    INP_ERR_CHECKPOINT = 3,       /* a checkpoint is malformed, truncated or not allowed */
    INP_ERR_VIDEO = 4,            /* a video cannot be demuxed, decoded or encoded */
    INP_ERR_UNSUPPORTED = 5,      /* valid input this build cannot handle (dtype, codec, device) */
    INP_ERR_DEVICE = 6,           /* the compute device failed (CUDA error, out of memory) */
    INP_ERR_CANCELLED = 7,        /* a progress callback returned false or a cancel flag was set */
    INP_ERR_INTERNAL = 8          /* a bug: an unexpected C++ exception; the message says where */
};

/* Short stable name of a status code ("INP_ERR_IO"); "INP_ERR_UNKNOWN" for any other value.
 * Returns a static string. */
INP_API const char *inp_status_name(int32_t status);

/* The message of the last failed call on this thread, without a C++ backtrace, e.g.
 * "checkpoint 'x.pth': pickle global 'os.system' is not allowed". Empty when none.
 * Borrowed: valid until the next inp_* call on this thread. */
INP_API const char *inp_last_error(void);

/* The same message with whatever detail libtorch attached (backtrace, source location).
 * Borrowed: valid until the next inp_* call on this thread. */
INP_API const char *inp_last_error_detail(void);

/* ---------------------------------------------------------------------------------------
 * Library
 * ------------------------------------------------------------------------------------- */

/* INP_ABI_VERSION of the library that is loaded. */
INP_API int32_t inp_abi_version(void);

/* Human-readable build facts: "inpainterz 0.1.0; torch 2.13.0; cuda: no; openmp: yes".
 * Returns a static string. */
INP_API const char *inp_build_info(void);

/* Intra-op CPU threads of model code. OpenMP keeps the count per thread, so every model call
 * sets it on its calling thread at the start: inp_run.num_threads if > 0, else the model's
 * inp_device_params.num_threads if > 0, else this process default. Concurrent jobs with
 * different counts do not disturb each other, and no count leaks from one call to the next.
 * n >= 1 sets the process default (and the calling thread's count).
 *   INP_ERR_INVALID_ARGUMENT  n < 1 (nothing changed) */
INP_API int32_t inp_set_num_threads(int32_t n);
/* The count in effect on the calling thread; called from a progress callback, the count of the
 * model call that is running. */
INP_API int32_t inp_get_num_threads(void);

/* ---------------------------------------------------------------------------------------
 * Progress and cancellation: one shape for every long call.
 *
 * A cancel token is made by the caller and belongs to one call or one job (several calls),
 * never to a model: a model serves many jobs at once, and cancelling one job's token touches
 * no other. Any thread may set it at any time. A call that sees it set (or whose progress
 * callback returns false) stops at its next check, returns INP_ERR_CANCELLED, leaves nothing
 * behind, and leaves its handles usable for the next call. A token stays set.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_cancel_token inp_cancel_token;

/* ret_token: new, unset; free with inp_cancel_token_free once no call uses it. */
INP_API int32_t inp_cancel_token_init(inp_cancel_token **ret_token);
INP_API void inp_cancel_token_free(inp_cancel_token *token);
/* Sets the token. Thread-safe, idempotent; NULL is a no-op. */
INP_API void inp_cancel_token_cancel(inp_cancel_token *token);
/* true once inp_cancel_token_cancel was called; false for NULL. */
INP_API bool inp_cancel_token_is_cancelled(const inp_cancel_token *token);

/* Progress callback: called on the calling thread after each unit of work of `stage` (a stable
 * name such as "checkpoint", "sam.encoder", "sam.amg"). Return true to go on, false to cancel. */
typedef bool (*inp_progress_callback)(const char *stage, int64_t done, int64_t total, void *user_data);

/* Controls of one long call. */
typedef struct inp_run {
    inp_progress_callback progress; /* NULL (default) = no reports */
    void *user_data;                /* passed to progress, never dereferenced */
    inp_cancel_token *cancel;       /* NULL (default) = not cancellable; not retained */
    int32_t num_threads;            /* > 0: intra-op CPU threads for this call, overriding the
                                       model's; 0 (default) = the model's */
} inp_run;

INP_API inp_run inp_run_default_params(void);

/* ---------------------------------------------------------------------------------------
 * Element types, shared by checkpoints and tensors
 * ------------------------------------------------------------------------------------- */
enum inp_dtype {
    INP_DTYPE_UNKNOWN = 0,
    INP_DTYPE_F32 = 1,
    INP_DTYPE_F16 = 2,
    INP_DTYPE_BF16 = 3,
    INP_DTYPE_F64 = 4,
    INP_DTYPE_I64 = 5,
    INP_DTYPE_I32 = 6,
    INP_DTYPE_I16 = 7,
    INP_DTYPE_I8 = 8,
    INP_DTYPE_U8 = 9,
    INP_DTYPE_BOOL = 10
};

/* ---------------------------------------------------------------------------------------
 * Tensor lists: ordered named tensors. A checkpoint's state dict is one (borrowed from the
 * checkpoint); a caller-made one passed as `record` to a model call receives that call's
 * intermediate results by stage name (used by the parity self-test and for debugging).
 * ------------------------------------------------------------------------------------- */
typedef struct inp_tensors inp_tensors;

#define INP_MAX_DIMS 8

typedef struct inp_tensor_info {
    const char *name;              /* borrowed, valid while the list is unchanged and alive */
    int32_t dtype;                 /* inp_dtype */
    int32_t ndim;                  /* 0..INP_MAX_DIMS */
    int64_t shape[INP_MAX_DIMS];   /* first ndim entries are valid */
    int64_t num_bytes;             /* element count x element size (contiguous size) */
    bool is_mapped;                /* true when the tensor points into a mapped file (no copy) */
} inp_tensor_info;

/* A new empty list.  ret_tensors: new handle, free with inp_tensors_free. */
INP_API int32_t inp_tensors_init(inp_tensors **ret_tensors);

/* Frees a list made by inp_tensors_init. NULL is a no-op. Never pass a borrowed list. */
INP_API void inp_tensors_free(inp_tensors *tensors);

INP_API int32_t inp_tensors_count(const inp_tensors *tensors, int64_t *ret_count);

/* Facts of tensor i, in list order.
 *   INP_ERR_INVALID_ARGUMENT  i is out of range [0, count) */
INP_API int32_t inp_tensors_info(const inp_tensors *tensors, int64_t index, inp_tensor_info *ret_info);

/* Index of the tensor named `name`, or -1 in *ret_index when there is none. */
INP_API int32_t inp_tensors_find(const inp_tensors *tensors, const char *name, int64_t *ret_index);

/* Copies tensor i, contiguous and row-major in its own dtype, into dst.
 *   dst   caller buffer of dst_bytes bytes; not retained.
 *   INP_ERR_INVALID_ARGUMENT  i out of range, or dst_bytes != the tensor's num_bytes */
INP_API int32_t inp_tensors_copy(const inp_tensors *tensors, int64_t index, void *dst, size_t dst_bytes);

/* ---------------------------------------------------------------------------------------
 * Checkpoints: torch.save files (zip and legacy formats) read by a restricted unpickler.
 *
 * Only the globals torch.save emits for tensors, storages and ordered dicts are allowed;
 * any other global (os.system, builtins.eval, ...) is refused before anything is built,
 * so a malicious file cannot run code. The file is memory-mapped and tensors point into
 * the mapping when dtype and alignment allow (copy-on-write: writing to one never touches
 * the file). A wrapper dict ('state_dict', 'model', 'module') and a 'module.' key prefix
 * are unwrapped; the remaining tensors are the checkpoint's state dict.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_checkpoint inp_checkpoint;

enum inp_checkpoint_format {
    INP_CHECKPOINT_FORMAT_ZIP = 1,   /* torch.save default since torch 1.6 */
    INP_CHECKPOINT_FORMAT_LEGACY = 2 /* _use_new_zipfile_serialization=False */
};

typedef struct inp_checkpoint_params {
    bool use_mmap; /* true: map the file (default); false: read it into memory */
} inp_checkpoint_params;

INP_API inp_checkpoint_params inp_checkpoint_default_params(void);

/* Opens and validates a checkpoint.
 *   path      UTF-8 file path; not retained.
 *   params    NULL = defaults; not retained.
 *   run       NULL, or progress/cancel; checks: after each tensor built (stage "checkpoint").
 *   ret_ckpt  new handle, free with inp_checkpoint_free.
 * Returns:
 *   INP_ERR_INVALID_ARGUMENT  path or ret_ckpt is NULL
 *   INP_ERR_IO                the file is missing, a directory or unreadable
 *   INP_ERR_CHECKPOINT        malformed or refused content; the message names the file and
 *                             the key, global or offset at fault
 *   INP_ERR_UNSUPPORTED       a storage dtype or byte order this reader does not handle
 *   INP_ERR_CANCELLED         cancelled through run
 * On failure *ret_ckpt is untouched and nothing stays mapped. */
INP_API int32_t inp_checkpoint_init(const char *path, const inp_checkpoint_params *params, const inp_run *run,
                                    inp_checkpoint **ret_ckpt);

/* Frees the handle and unmaps the file. NULL is a no-op. */
INP_API void inp_checkpoint_free(inp_checkpoint *ckpt);

enum inp_model_family {
    INP_MODEL_UNKNOWN = 0,
    INP_MODEL_SAM = 1,
    INP_MODEL_DEAOT = 2,
    INP_MODEL_E2FGVI = 3
};

typedef struct inp_model_info {
    int32_t family;          /* inp_model_family */
    int32_t format;          /* inp_checkpoint_format */
    const char *variant;     /* e.g. "vit_b", "DeAOT-T (MobileNetV2, 1 layer)", "E2FGVI (8 blocks)";
                                borrowed, valid until inp_checkpoint_free */
    const char *wrapper;     /* how the state dict was found: "" (top level), "state_dict",
                                "model", plus "+module." when that prefix was stripped; borrowed */
    int64_t num_tensors;     /* tensors in the state dict */
    int64_t num_elements;    /* sum of their element counts (parameters and buffers) */
    int64_t num_bytes;       /* sum of their sizes in bytes */
} inp_model_info;

/* What the checkpoint holds, read from its keys and shapes.
 *   ret_info  filled on success; its strings are borrowed from ckpt. */
INP_API int32_t inp_checkpoint_model_info(const inp_checkpoint *ckpt, inp_model_info *ret_info);

/* The state dict as a tensor list.
 *   ret_tensors  borrowed: valid until inp_checkpoint_free(ckpt); do not free it. */
INP_API int32_t inp_checkpoint_tensors(const inp_checkpoint *ckpt, const inp_tensors **ret_tensors);

/* ---------------------------------------------------------------------------------------
 * Frames and masks: caller-owned memory that native code reads and writes in place.
 *
 * Native code wraps these buffers without copying for the duration of a call and
 * never keeps the pointer after it returns.
 * ------------------------------------------------------------------------------------- */

/* An 8-bit image, HWC: channels = 3 for RGB24 frames, 1 for masks (0 = background,
 * anything else = object). Rows are row_stride bytes apart (>= width * channels). */
typedef struct inp_image {
    uint8_t *data;      /* caller-owned; not retained after the call */
    int32_t width;      /* pixels, >= 1 */
    int32_t height;     /* pixels, >= 1 */
    int32_t channels;   /* 1 or 3 */
    int64_t row_stride; /* bytes between rows */
} inp_image;

/* The address native code sees when it wraps image as a tensor (its data_ptr), so a caller
 * can verify that nothing was copied. Writes it to *ret_address. */
INP_API int32_t inp_image_native_address(const inp_image *image, uint64_t *ret_address);

/* Dilates a mask with a 3x3 cross (the structuring element of the upstream inpainting app),
 * `iterations` times; pixels outside the image count as background.
 *   src, dst    masks (channels = 1) of the same width and height; may be the same buffer.
 *               Both not retained. dst is written only on success.
 *   iterations  >= 0 (0 copies src to dst)
 *   INP_ERR_INVALID_ARGUMENT  NULL data, channels != 1, sizes differ, iterations < 0 */
INP_API int32_t inp_mask_dilate(const inp_image *src, int32_t iterations, inp_image *dst);

enum inp_resize_filter {
    INP_RESIZE_NEAREST = 0,  /* Pillow NEAREST: the pixel at floor((x + 0.5) * in / out) (masks) */
    INP_RESIZE_BILINEAR = 1, /* Pillow BILINEAR (antialiased when shrinking; SAM's resize) */
    INP_RESIZE_BICUBIC = 2   /* Pillow BICUBIC (Pillow's default for RGB; the inpainting app's) */
};

/* Resizes src to dst's own width and height exactly as Pillow's Image.resize(size, filter) does
 * (bit for bit). src and dst have the same channels (1 or 3) and must not overlap; not retained.
 *   INP_ERR_INVALID_ARGUMENT  NULL data, channels differ or are not 1 or 3, an unknown filter */
INP_API int32_t inp_image_resize(const inp_image *src, inp_image *dst, int32_t filter);

enum inp_region_mode {
    INP_REGIONS_HOLES = 0,  /* fill background regions smaller than min_area */
    INP_REGIONS_ISLANDS = 1 /* remove object regions smaller than min_area (the largest stays if all are) */
};

/* Removes small regions of a mask (8-connectivity), as SAM's automatic mask generator does for
 * min_mask_region_area: src and dst are masks (channels 1) of one size, may be the same buffer;
 * dst gets 255 for object pixels. *ret_changed (may be NULL): 1 when anything changed. */
INP_API int32_t inp_mask_remove_small_regions(const inp_image *src, int64_t min_area, int32_t mode, inp_image *dst,
                                              int32_t *ret_changed);

/* ---------------------------------------------------------------------------------------
 * Video reading: FFmpeg demux + decode into caller RGB24 buffers, one frame at a time.
 * A reader is stateful: use it from one thread at a time.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_video_reader inp_video_reader;

typedef struct inp_video_info {
    int32_t width, height;             /* as displayed, after rotation: the frame buffer size */
    int32_t coded_width, coded_height; /* as stored */
    int32_t rotation;                  /* degrees clockwise applied to display: 0, 90, 180, 270 */
    int32_t sar_num, sar_den;          /* sample (pixel) aspect ratio */
    int32_t bit_depth;                 /* bits per component of the source */
    int32_t num_audio_streams;
    double fps;                        /* average frame rate; 0 when unknown */
    bool variable_frame_rate;          /* frame times vary: judged from the index's presented
                                          entries for mp4/mov, else from the declared rates or
                                          the first 64 frames' time gaps (Matroska declares none) */
    bool frame_count_exact;            /* frame_count is what the reader will yield, from the index
                                          after the edit list (mp4/mov), not an estimate */
    int64_t frame_count;
    double duration_s;
    const char *codec;                 /* decoder name ("h264"); borrowed, valid until free */
    const char *pixel_format;          /* source pixel format ("yuv420p10le"); borrowed */
    const char *container;             /* demuxer name ("mov,mp4,m4a,3gp,3g2,mj2"); borrowed */
    const char *color_space;           /* "bt709", "bt470bg", "unknown"...; borrowed */
    const char *color_range;           /* "tv", "pc", "unknown"; borrowed */
} inp_video_info;

/* Opens a video file.
 *   ret_reader  new handle, free with inp_video_reader_free.
 *   INP_ERR_IO           missing, a directory, unreadable
 *   INP_ERR_VIDEO        not a video FFmpeg can demux, no video stream, absurd dimensions
 *   INP_ERR_UNSUPPORTED  no decoder for its codec in this FFmpeg build */
INP_API int32_t inp_video_reader_init(const char *path, inp_video_reader **ret_reader);
INP_API void inp_video_reader_free(inp_video_reader *reader);
INP_API int32_t inp_video_reader_info(const inp_video_reader *reader, inp_video_info *ret_info);

/* Decodes the next frame (presentation order) into dst: RGB24 (channels 3) of exactly
 * info.width x info.height, converted with the stream's colour matrix and range, rotation
 * applied. dst is not retained.
 *   ret_got     1 when a frame was written, 0 at the end of the stream (dst untouched)
 *   ret_pts_us  presentation time in microseconds (-1 when unknown); may be NULL
 *   ret_index   0-based index of the frame; may be NULL
 * A file that ends early (truncated) ends the stream normally; inp_video_reader_truncated
 * then says so. */
INP_API int32_t inp_video_reader_read_frame(inp_video_reader *reader, inp_image *dst, int32_t *ret_got, int64_t *ret_pts_us,
                                            int64_t *ret_index);

/* Positions the reader so the next read returns frame `index`: seeks to the key frame at or
 * before it, then decodes forward.
 *   INP_ERR_INVALID_ARGUMENT  index < 0 */
INP_API int32_t inp_video_reader_seek(inp_video_reader *reader, int64_t index);

/* 1 in *ret_truncated when demuxing stopped on an error before the end (a cut file) or a
 * packet could not be decoded; *ret_message (borrowed, may be NULL) says what happened. */
INP_API int32_t inp_video_reader_truncated(const inp_video_reader *reader, int32_t *ret_truncated, const char **ret_message);

/* ---------------------------------------------------------------------------------------
 * Video writing: RGB24 frames -> H.264 (libx264) or HEVC (libx265), BT.709, in any container
 * FFmpeg muxes (.mp4, .mkv, .mov). From a source file (usually the input video) it keeps what
 * the container can carry: audio packet for packet (re-encoded to AAC only when the container
 * cannot carry its codec), subtitles (text ones converted to the container's text format when
 * needed), chapters, and the container's and the video stream's metadata (creation time,
 * title, language...). What it could not keep as it was is listed by inp_video_writer_notes.
 * Output goes to a temporary file beside the target and is renamed into place by
 * inp_video_writer_finish; freeing an unfinished writer removes it, so a failed or cancelled
 * render never leaves a file at the output path. Use a writer from one thread at a time.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_video_writer inp_video_writer;

typedef enum inp_video_codec {
    INP_VIDEO_CODEC_H264 = 0, /* libx264 */
    INP_VIDEO_CODEC_HEVC = 1  /* libx265 */
} inp_video_codec;

typedef struct inp_video_writer_params {
    int32_t crf;              /* constant rate factor 0..51 (default 18; lower = better) */
    const char *preset;       /* encoder preset, ultrafast..veryslow (default "medium"); not retained */
    double fps;               /* output frame rate (default 25); frames without a time get index / fps */
    const char *source;       /* keep this file's audio, subtitles, chapters and metadata, or NULL; not retained */
    int32_t rotation;         /* display rotation to record, degrees clockwise (default 0) */
    int32_t codec;            /* inp_video_codec (default INP_VIDEO_CODEC_H264) */
} inp_video_writer_params;

INP_API inp_video_writer_params inp_video_writer_default_params(void);

/* Starts writing `path` (its extension picks the container) at width x height. Even sizes are
 * encoded 4:2:0; an odd width or height, which 4:2:0 cannot carry without changing the picture,
 * is encoded 4:4:4 (H.264 High 4:4:4, HEVC Main 4:4:4).
 *   ret_writer  new handle, free with inp_video_writer_free.
 *   INP_ERR_IO                folder missing or not writable
 *   INP_ERR_VIDEO             no container for the extension, encoder refused the settings
 *   INP_ERR_INVALID_ARGUMENT  size, fps or crf out of range, codec not an inp_video_codec
 *   INP_ERR_UNSUPPORTED       this FFmpeg build has no encoder for the codec */
INP_API int32_t inp_video_writer_init(const char *path, int32_t width, int32_t height, const inp_video_writer_params *params,
                                      inp_video_writer **ret_writer);

/* What of the source was not kept as it was, one line each, "" when everything was: streams
 * dropped because the container cannot carry them (a bitmap subtitle in .mp4, a data track) and
 * streams converted (audio to AAC, text subtitles to the container's text format). Known once
 * the writer is open; borrowed, valid until the writer is freed. */
INP_API int32_t inp_video_writer_notes(const inp_video_writer *writer, const char **ret_message);

/* Encodes one frame (RGB24, the writer's size); not retained.
 *   pts_us  presentation time in microseconds (strictly increasing), or -1 for index / fps */
INP_API int32_t inp_video_writer_write_frame(inp_video_writer *writer, const inp_image *frame, int64_t pts_us);

/* Flushes the encoder, copies the rest of the source's streams, writes the trailer and renames the file into
 * place. On failure nothing is left at the output path (the temporary file goes with free). */
INP_API int32_t inp_video_writer_finish(inp_video_writer *writer);

/* Frees the writer; an unfinished output is deleted. NULL is a no-op. */
INP_API void inp_video_writer_free(inp_video_writer *writer);

/* ---------------------------------------------------------------------------------------
 * Devices: one struct, embedded in every model's params.
 * ------------------------------------------------------------------------------------- */
enum inp_device {
    INP_DEVICE_CPU = 0,
    INP_DEVICE_CUDA = 1
};

typedef struct inp_device_params {
    int32_t kind;        /* inp_device (default INP_DEVICE_CPU) */
    int32_t index;       /* CUDA ordinal (default 0) */
    int32_t dtype;       /* INP_DTYPE_F32 (default), or INP_DTYPE_BF16 for the model's heavy parts
                            (opt-in: faster, results differ slightly; each model says which parts) */
    int32_t num_threads; /* intra-op CPU threads, applied on the calling thread at the start of
                            every call of the model; 0 (default) = the calling thread's count */
} inp_device_params;

INP_API inp_device_params inp_device_default_params(void);

/* ---------------------------------------------------------------------------------------
 * SAM (Segment Anything v1): a prompt (points, boxes, an earlier mask) on an image -> masks.
 *
 * A model is loaded once and may be used by many threads at once; per-image state lives in
 * an embedding handle (computed once by inp_sam_set_image, reused by any number of prompts).
 * ------------------------------------------------------------------------------------- */
typedef struct inp_sam inp_sam;
typedef struct inp_sam_embedding inp_sam_embedding;

typedef struct inp_sam_params {
    inp_device_params device; /* defaults: inp_device_default_params(); dtype BF16 runs the image
                                 encoder in bfloat16, several times faster on CPUs with
                                 AVX512-BF16/AMX and on GPUs, masks differing slightly (opt-in) */
} inp_sam_params;

INP_API inp_sam_params inp_sam_default_params(void);

/* Loads vit_b, vit_l or vit_h (read from the keys and shapes) from an official checkpoint.
 *   path     UTF-8; not retained. The file stays mapped while the model lives.
 *   run      NULL, or progress/cancel; checks: after each tensor read (stage "checkpoint").
 *   ret_sam  new handle, free with inp_sam_free.
 *   INP_ERR_IO / INP_ERR_CHECKPOINT  as inp_checkpoint_init, plus a missing, unexpected or
 *                                    mis-shaped key (the message names it), or a checkpoint
 *                                    of another model family
 *   INP_ERR_UNSUPPORTED              CUDA asked for in a build without it */
INP_API int32_t inp_sam_init(const char *path, const inp_sam_params *params, const inp_run *run, inp_sam **ret_sam);

/* The same from an open checkpoint, so a file is read once. The model keeps what it needs of
 * the mapping alive; ckpt may be freed before the model. */
INP_API int32_t inp_sam_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_sam_params *params, inp_sam **ret_sam);
INP_API void inp_sam_free(inp_sam *sam);

/* The variant: "vit_b", "vit_l", "vit_h" or "custom ViT (...)". Borrowed, valid until inp_sam_free. */
INP_API const char *inp_sam_variant(const inp_sam *sam);

/* SamPredictor.set_image: resize (Pillow-exact bilinear) so the long side is 1024, normalize,
 * pad, encode.
 *   image          RGB24 (channels 3); not retained.
 *   run            NULL, or progress/cancel; checks: after each encoder block (stage "sam.encoder").
 *   record         NULL, or a list that receives the stages: input_image_resized, input_tensor,
 *                  patch_embed, block_<i>, image_embedding
 *   ret_embedding  new handle, free with inp_sam_embedding_free; independent of `image`. */
INP_API int32_t inp_sam_set_image(const inp_sam *sam, const inp_image *image, const inp_run *run, inp_tensors *record,
                                  inp_sam_embedding **ret_embedding);
INP_API void inp_sam_embedding_free(inp_sam_embedding *embedding);

/* A prompt, in original-image pixels, (x, y). At least one of points, boxes, mask_input. */
typedef struct inp_sam_prompt {
    const float *points;         /* num_points x 2, or NULL when num_points = 0 */
    const int32_t *point_labels; /* num_points: 1 = object, 0 = background */
    int32_t num_points;
    const float *boxes;          /* num_boxes x 4 (x0, y0, x1, y1), or NULL when num_boxes = 0 */
    int32_t num_boxes;           /* > 1: one prediction per box (then num_points must be 0) */
    const float *mask_input;     /* 256 x 256 low-res logits of an earlier prediction, or NULL */
    bool multimask_output;       /* true: 3 masks per prediction, false: 1 */
} inp_sam_prompt;

/* Caller buffers for the results; any may be NULL. B = max(1, num_boxes) predictions of
 * C = 3 (multimask) or 1 masks each, at the image's original size H x W. Not retained. */
typedef struct inp_sam_outputs {
    uint8_t *masks;          /* B x C x H x W: 255 where the logit is > 0, else 0 */
    float *mask_logits;      /* B x C x H x W */
    float *iou_predictions;  /* B x C (unbounded scores, higher is better) */
    float *low_res_logits;   /* B x C x 256 x 256 (usable as a later mask_input) */
} inp_sam_outputs;

/* SamPredictor.predict.
 *   record  NULL, or a list that receives: point_coords_transformed, box_transformed,
 *           sparse_embeddings, dense_embeddings, dense_pe, decoder_hs, decoder_hyper_in,
 *           iou_predictions_all, low_res_logits, iou_predictions, masks_logits
 *   INP_ERR_INVALID_ARGUMENT  an empty prompt, a coordinate that is NaN, infinite or outside
 *                             the image, a label other than 0/1, an inverted box, points
 *                             together with several boxes */
INP_API int32_t inp_sam_predict(const inp_sam *sam, const inp_sam_embedding *embedding, const inp_sam_prompt *prompt,
                                const inp_sam_outputs *outputs, inp_tensors *record);

/* Automatic mask generation ("segment everything", SamAutomaticMaskGenerator): a grid of
 * single-point prompts over the image (and over crop layers), filtered by predicted IoU and
 * stability and de-duplicated by box NMS. Defaults are upstream's. */
typedef struct inp_sam_amg_params {
    int32_t points_per_side;                /* default 32 */
    int32_t points_per_batch;               /* default 64 (memory, not results) */
    double pred_iou_thresh;                 /* default 0.88; <= 0 disables the filter */
    double stability_score_thresh;          /* default 0.95; <= 0 disables the filter */
    double stability_score_offset;          /* default 1.0 */
    double box_nms_thresh;                  /* default 0.7 */
    int32_t crop_n_layers;                  /* default 0 */
    int32_t crop_n_points_downscale_factor; /* default 1 */
    double crop_nms_thresh;                 /* default 0.7 */
    double crop_overlap_ratio;              /* default 512 / 1500 */
    int64_t min_mask_region_area;           /* default 0; > 0 fills holes and removes islands smaller
                                               than this, then de-duplicates again */
} inp_sam_amg_params;

INP_API inp_sam_amg_params inp_sam_amg_default_params(void);

typedef struct inp_sam_masks inp_sam_masks;

typedef struct inp_sam_mask_info {
    int64_t bbox[4];       /* x, y, w, h (w = x1 - x0 of the inclusive box, as upstream) */
    int64_t area;          /* pixels */
    float predicted_iou;
    float stability_score;
    double point[2];       /* the prompt point (x, y), original pixels */
    int64_t crop_box[4];   /* x, y, w, h of the crop the mask came from */
} inp_sam_mask_info;

/* Every mask of an RGB24 image, in upstream's output order.
 *   run        NULL, or progress/cancel; checks: after each encoder block of each crop
 *              (stage "sam.encoder") and after each group of at most 4 prompts (stage "sam.amg",
 *              counted over all crops)
 *   record     NULL, or a list that receives "amg_candidates": [N, 13] float64, one row per
 *              candidate before any filter (crop, point index, mask token 1..3, IoU, stability,
 *              positive pixels, box x0 y0 x1 y1 in the crop frame, near a crop edge, passes the
 *              IoU filter, passes the IoU and the stability filters)
 *   ret_masks  new handle, free with inp_sam_masks_free. */
INP_API int32_t inp_sam_generate(const inp_sam *sam, const inp_image *image, const inp_sam_amg_params *params, const inp_run *run,
                                 inp_tensors *record, inp_sam_masks **ret_masks);
/* Self-test of the generator's own logic without a model: runs it on a width x height image
 * with the parity fixture's formula predictor (sam/tiny README, amg_synthetic_crop1) in place
 * of SAM. Same outputs, record and checks ("sam.amg") as inp_sam_generate. */
INP_API int32_t inp_sam_generate_synthetic(int32_t width, int32_t height, const inp_sam_amg_params *params, const inp_run *run,
                                           inp_tensors *record, inp_sam_masks **ret_masks);

INP_API int32_t inp_sam_masks_count(const inp_sam_masks *masks, int64_t *ret_count);
INP_API int32_t inp_sam_masks_info(const inp_sam_masks *masks, int64_t index, inp_sam_mask_info *ret_info);
/* Copies mask i (image height x width bytes, 255 = object) into dst of dst_bytes bytes. */
INP_API int32_t inp_sam_masks_copy(const inp_sam_masks *masks, int64_t index, uint8_t *dst, size_t dst_bytes);
INP_API void inp_sam_masks_free(inp_sam_masks *masks);

/* ---------------------------------------------------------------------------------------
 * DeAOT (aot-benchmark, as the tracking app drives it): label maps carried through a video.
 *
 * A model is loaded once and may serve many sessions on many threads at once; a session is
 * one video's memory and allows one call at a time (it may move between threads). Objects
 * are ids 1..max_objects of 8-bit label maps (0 = background); every 10 objects run in a
 * sub-engine of their own on the same model. Frames may come in any order: fed from the
 * prompt frame down to 0, a session tracks backward.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_deaot inp_deaot;
typedef struct inp_deaot_session inp_deaot_session;

typedef struct inp_deaot_params {
    inp_device_params device; /* defaults: inp_device_default_params(); dtype BF16 (CPU only, opt-in)
                                 runs the propagation layers' matrix products in bfloat16: faster
                                 on CPUs with AVX512-BF16 or AMX, labels differing slightly; on
                                 CUDA, BF16 is INP_ERR_UNSUPPORTED */
} inp_deaot_params;

INP_API inp_deaot_params inp_deaot_default_params(void);

/* Loads R50-DeAOT-L, DeAOT-T/S/B/L (read from the keys and shapes; official release files with
 * their 'state_dict' wrapper load unchanged).
 *   run  NULL, or progress/cancel; checks: after each tensor read (stage "checkpoint").
 *   INP_ERR_CHECKPOINT  not a DeAOT checkpoint, or a missing, unexpected or mis-shaped key */
INP_API int32_t inp_deaot_init(const char *path, const inp_deaot_params *params, const inp_run *run, inp_deaot **ret_model);
INP_API int32_t inp_deaot_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_deaot_params *params, inp_deaot **ret_model);
/* Sessions keep the model alive: it is freed with the last of them. */
INP_API void inp_deaot_free(inp_deaot *model);
/* "DeAOT-T (MobileNetV2, 1 layer)", "R50-DeAOT-L (ResNet-50, 3 layers)", ...; borrowed. */
INP_API const char *inp_deaot_variant(const inp_deaot *model);

typedef struct inp_deaot_session_params {
    int32_t long_term_gap;       /* a tracked frame joins long-term memory every this many frames
                                    (default 9999, the app's: in practice only references) */
    int32_t memory_cap;          /* long-term frames the model added itself, at most (default 10);
                                    the oldest goes first, references the caller gave always stay */
    int32_t max_objects;         /* highest object id accepted, 1..255 (default 255) */
    bool upstream_truncation;    /* parity: the app's max_len_long_term rule (oldest frames first,
                                    references included) in place of memory_cap (default false) */
    int32_t max_len_long_term;   /* with upstream_truncation: frames kept (default 9999) */
    bool network_input;          /* frames arrive already resized to the network size (parity;
                                    default false: frames are width x height) */
} inp_deaot_session_params;

INP_API inp_deaot_session_params inp_deaot_session_default_params(void);

/* A session for a video of width x height (frames and label maps of that size).
 *   ret_session  new handle, free with inp_deaot_session_free. */
INP_API int32_t inp_deaot_session_init(const inp_deaot *model, int32_t width, int32_t height, const inp_deaot_session_params *params,
                                       inp_deaot_session **ret_session);
INP_API void inp_deaot_session_free(inp_deaot_session *session);

/* The reference frame, or objects added on a later frame: labels (channels 1, the video's size)
 * is the full label map, tracked objects as predicted plus the new ids; the object count becomes
 * the largest id seen. Sub-engines that gain objects take this frame as a new reference; the
 * others refresh their short-term memory with it.
 *   run     checks: after each layer of each sub-engine (stage "deaot.layers")
 *   record  NULL, or receives enc_4x, enc_8x, enc_16x, enc_16x_proj, id_emb, L<i>_tgt, L<i>_tgt_id,
 *           lstt_out, ltm_L0_K, ltm_L0_IDV, decoder_raw, decoder_logits_lowres/fullres (sub-engine 0)
 *   INP_ERR_INVALID_ARGUMENT  wrong sizes, an id above max_objects, no object at all */
INP_API int32_t inp_deaot_session_add_reference(inp_deaot_session *session, const inp_image *frame, const inp_image *labels,
                                                const inp_run *run, inp_tensors *record);

/* Tracks one frame (RGB24, the video's size): writes the label map into labels (channels 1; may
 * be NULL) and, when probs is not NULL, the per-object probabilities as u8 (x 255), (objects + 1)
 * x prob_height x prob_width at the decoder's resolution (inp_deaot_session_info; struct inp_deaot_info). Memory is
 * unchanged until inp_deaot_session_update_memory (or add_reference) follows.
 *   run     checks: after each layer of each sub-engine (stage "deaot.layers")
 *   record  NULL, or receives the encoder stages, L<i>_lt_out/st_out/sa_out/tgt/tgt_id,
 *           lstt_out, decoder_raw (sub-engine 0), pred_lowres_e<k> and pred_prob (the merged
 *           logits of ids 0..objects at the video's size)
 *   INP_ERR_INVALID_ARGUMENT  no reference yet, wrong sizes, probs_bytes not the size above */
INP_API int32_t inp_deaot_session_track(inp_deaot_session *session, const inp_image *frame, const inp_run *run, inp_image *labels,
                                        uint8_t *probs, size_t probs_bytes, inp_tensors *record);

/* Commits the frame just tracked to memory with its label map (the prediction, or a correction
 * with no new ids): short-term memory always, long-term every long_term_gap frames.
 *   record  NULL, or receives id_emb and stm_L0_IDV */
INP_API int32_t inp_deaot_session_update_memory(inp_deaot_session *session, const inp_image *labels, inp_tensors *record);

typedef struct inp_deaot_info {
    int32_t objects;           /* object count (largest id so far) */
    int32_t sub_engines;       /* ceil(objects / 10) */
    int32_t network_width, network_height; /* the app's resize of the frame size */
    int32_t prob_width, prob_height;       /* the decoder's grid, where probs are given */
    int64_t frames;            /* frames given so far (the reference counts) */
    int64_t long_term_frames;  /* frames in sub-engine 0's long-term memory */
    int64_t memory_bytes;      /* every tensor the session holds */
} inp_deaot_info;

INP_API int32_t inp_deaot_session_info(const inp_deaot_session *session, inp_deaot_info *ret_info);

/* The app's frame resize (cv2 INTER_CUBIC as the fixtures define it) of an RGB24 frame to the
 * network size of its own size: dst is RGB24 of network_width x network_height. */
INP_API int32_t inp_deaot_resize_frame(const inp_image *src, inp_image *dst);

/* ---------------------------------------------------------------------------------------
 * E2FGVI (MCG-NKU/E2FGVI, with the inpainting app's window loop): fills the masked regions of
 * a clip. E2FGVI runs at 432x240 only; E2FGVI-HQ at any size it can mirror-pad to multiples of
 * 108x60.
 *
 * A model is loaded once and may serve many sessions on many threads at once; a session is one
 * clip and allows one call at a time. Frames stream through a session: push them in order with
 * their masks, pop the frames that are final (composited, in order), finish at the end of the
 * clip and pop the rest. Windows sit at frames f = 0, s, 2s, ... (s = neighbor_stride), take the
 * local frames [f - s, f + s] and the references (multiples of ref_stride) within
 * [f - ref_radius, f + ref_radius], and run in order once frame f + max(s, ref_radius) has
 * arrived (or at finish); a frame is final once no later window covers it. A session holds about
 * ref_radius + 2 x neighbor_stride frames, so its memory does not depend on the clip's length.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_e2fgvi inp_e2fgvi;
typedef struct inp_e2fgvi_session inp_e2fgvi_session;

typedef struct inp_e2fgvi_params {
    inp_device_params device; /* defaults: inp_device_default_params(); dtype BF16 is the opt-in
                                 bfloat16 path (SPyNet, warping and the deformable conv stay
                                 float32; faster on CPUs with AVX512-BF16 or AMX, and on GPUs) */
} inp_e2fgvi_params;

INP_API inp_e2fgvi_params inp_e2fgvi_default_params(void);

/* Loads E2FGVI or E2FGVI-HQ with any number of transformer blocks (read from the keys; the
 * official E2FGVI-CVPR22.pth in the legacy torch.save format and E2FGVI-HQ-CVPR22.pth load
 * unchanged; SPyNet's weights are inside them).
 *   run  NULL, or progress/cancel; checks: after each tensor read (stage "checkpoint").
 *   INP_ERR_CHECKPOINT  not an E2FGVI checkpoint, or a missing, unexpected or mis-shaped key */
INP_API int32_t inp_e2fgvi_init(const char *path, const inp_e2fgvi_params *params, const inp_run *run, inp_e2fgvi **ret_model);
INP_API int32_t inp_e2fgvi_init_from_checkpoint(const inp_checkpoint *ckpt, const inp_e2fgvi_params *params, inp_e2fgvi **ret_model);
/* Sessions keep the model alive: it is freed with the last of them. */
INP_API void inp_e2fgvi_free(inp_e2fgvi *model);
/* "E2FGVI (8 blocks)", "E2FGVI-HQ (8 blocks)"; borrowed. */
INP_API const char *inp_e2fgvi_variant(const inp_e2fgvi *model);
/* true for E2FGVI-HQ (any size), false for E2FGVI (432x240 only). */
INP_API bool inp_e2fgvi_is_hq(const inp_e2fgvi *model);

typedef struct inp_e2fgvi_session_params {
    int32_t neighbor_stride; /* local frames of a window: [f - s, f + s] (default 5, the app's) */
    int32_t ref_stride;      /* reference frames are multiples of this (default 10) */
    int32_t ref_radius;      /* R: references within [f - R, f + R] of the window's frame (default
                                60); -1 = every reference of the clip, as upstream (the session
                                then holds the whole clip until finish) */
    int32_t dilation;        /* 3x3-cross dilations of each mask (default 4, the app's) */
    bool reuse;              /* compute encoder features and flows once per frame (default true);
                                false recomputes them per window, as upstream */
} inp_e2fgvi_session_params;

INP_API inp_e2fgvi_session_params inp_e2fgvi_session_default_params(void);

/* A session for a clip of width x height (frames and masks of that size, at the model's working
 * resolution).
 *   INP_ERR_INVALID_ARGUMENT  E2FGVI and a size that does not pad to 432x240; a size HQ cannot
 *                             mirror-pad (below half of the padded size); bad params */
INP_API int32_t inp_e2fgvi_session_init(const inp_e2fgvi *model, int32_t width, int32_t height, const inp_e2fgvi_session_params *params,
                                        inp_e2fgvi_session **ret_session);
INP_API void inp_e2fgvi_session_free(inp_e2fgvi_session *session);

/* Adds the next frame (RGB24) and its mask (channels 1, nonzero = to fill, before dilation),
 * then runs the windows that became ready. *ret_ready (may be NULL): frames ready to pop. A
 * cancelled push keeps the frame; its windows run in the next push or finish.
 *   run  checks: per window and inside it (stages "e2fgvi.encoder", "e2fgvi.flow",
 *        "e2fgvi.propagation", "e2fgvi.transformer", "e2fgvi.window")
 *   INP_ERR_INVALID_ARGUMENT  wrong sizes or channels, a push after finish */
INP_API int32_t inp_e2fgvi_session_push(inp_e2fgvi_session *session, const inp_image *frame, const inp_image *mask, const inp_run *run,
                                        int64_t *ret_ready);
/* Ends the clip and runs the remaining windows; then every frame is ready.
 *   INP_ERR_INVALID_ARGUMENT  no frame was pushed (an empty clip) */
INP_API int32_t inp_e2fgvi_session_finish(inp_e2fgvi_session *session, const inp_run *run, int64_t *ret_ready);
/* Copies the next final frame into dst (RGB24, the session's size) and its index into
 * *ret_index (may be NULL).
 *   INP_ERR_INVALID_ARGUMENT  no frame is ready, or dst has the wrong size */
INP_API int32_t inp_e2fgvi_session_pop(inp_e2fgvi_session *session, inp_image *dst, int64_t *ret_index);

typedef struct inp_e2fgvi_info {
    int64_t frames_in;        /* frames pushed */
    int64_t frames_out;       /* frames popped */
    int64_t ready;            /* frames ready to pop */
    int64_t windows;          /* windows run */
    int64_t buffered_frames;  /* frames the session holds */
    int64_t memory_bytes;     /* every tensor the session holds */
    int64_t encoder_frames;   /* frames encoded so far (with reuse: once each) */
    int64_t flow_pairs;       /* frame pairs given to SPyNet so far (with reuse: once each) */
    int32_t padded_width, padded_height; /* the model's input size */
    bool finished;
} inp_e2fgvi_info;

INP_API int32_t inp_e2fgvi_session_info(const inp_e2fgvi_session *session, inp_e2fgvi_info *ret_info);

/* One window through the model as upstream's forward runs it (parity, benchmarks):
 *   masked   float32 [frames, 3, height, width] in [-1, 1], already masked and padded
 *   pred     float32 [frames, 3, height, width] out, after tanh
 *   run      checks: between stages
 *   record   NULL, or receives every stage of the fixtures (inter_*, window0_flows_*, window0_pred)
 *   INP_ERR_INVALID_ARGUMENT  sizes the model does not take, num_local outside 2..frames */
INP_API int32_t inp_e2fgvi_forward(const inp_e2fgvi *model, const float *masked, int64_t frames, int64_t height, int64_t width,
                                   int64_t num_local, const inp_run *run, float *pred, inp_tensors *record);

/* ---------------------------------------------------------------------------------------
 * The weight-free engine (OpenCV): GrabCut masks, masks carried along dense optical flow (DIS),
 * flow-guided inpainting. No checkpoint; frames and masks are inp_image as everywhere else.
 * Calls use run->num_threads (else the process default) for OpenCV's threads too.
 * ------------------------------------------------------------------------------------- */
typedef struct inp_grabcut_params {
    int32_t iterations;   /* GrabCut iterations (default 5) */
    int32_t point_radius; /* radius in frame pixels of each point's sure disc; 0 (default) = 1 % of
                             the frame's short side, at least 3 */
    int32_t max_side;     /* GrabCut runs on the prompt's region scaled to at most this many pixels
                             a side (default 640) */
} inp_grabcut_params;

INP_API inp_grabcut_params inp_grabcut_default_params(void);

/* One object's mask from its prompts on frame (RGB24): points (num_points x, y pairs, frame
 * pixels) with labels (1 = object, 0 = background) become sure discs; a box (x0, y0, x1, y1, or
 * NULL) seeds GrabCut's foreground region, outside it being background. Without a box only the
 * regions connected to a positive point are kept. dst: channels 1, the frame's size, 255 = object.
 *   run  checks: after each iteration (stage "grabcut")
 *   INP_ERR_INVALID_ARGUMENT  a point or box outside the frame, a box under 2 pixels a side,
 *                             no box and no positive point, labels other than 0 and 1 */
INP_API int32_t inp_grabcut_segment(const inp_image *frame, const float *points, const int32_t *labels, int64_t num_points,
                                    const float *box, const inp_grabcut_params *params, const inp_run *run, inp_image *dst);

typedef struct inp_flow_tracker inp_flow_tracker;

typedef struct inp_flow_tracker_params {
    int32_t max_side;          /* flow and labels at the frame scaled to at most this a side (default 640) */
    float consistency;         /* forward-backward flow error, in working pixels, above which a pixel's
                                  warp is distrusted (as it is when the pixel it came from looks
                                  different): it then follows its object's median motion (default 1.5) */
    int32_t refine_every;      /* GrabCut refinement of each object's edge every N tracked frames
                                  (default 1: every frame); 0 = never */
    int32_t refine_iterations; /* GrabCut iterations of a refinement (default 2) */
} inp_flow_tracker_params;

INP_API inp_flow_tracker_params inp_flow_tracker_default_params(void);

/* A tracking session for width x height frames and label maps (channels 1, ids 1..255, 0 =
 * background). Frames may come in any order: fed N..0 it tracks backward.
 *   INP_ERR_INVALID_ARGUMENT  a size below 1x1, bad params */
INP_API int32_t inp_flow_tracker_init(int32_t width, int32_t height, const inp_flow_tracker_params *params, inp_flow_tracker **ret_tracker);
INP_API void inp_flow_tracker_free(inp_flow_tracker *tracker);
/* A reference: the full label map of frame (tracked objects, corrections and new ids). */
INP_API int32_t inp_flow_tracker_add_reference(inp_flow_tracker *tracker, const inp_image *frame, const inp_image *labels, const inp_run *run);
/* Tracks frame (RGB24) from the last committed frame into labels. commit = false leaves the
 * session as it was (follow with add_reference to correct the prediction).
 *   run  checks: after the flows, the warp and a refinement ("track.flow", "track.warp", "track.refine")
 *   INP_ERR_INVALID_ARGUMENT  wrong sizes or channels, no reference yet */
INP_API int32_t inp_flow_tracker_track(inp_flow_tracker *tracker, const inp_image *frame, bool commit, const inp_run *run, inp_image *labels);

typedef struct inp_flow_inpainter inp_flow_inpainter;

typedef struct inp_flow_inpainter_params {
    int32_t window;        /* frames traced in each direction for a hole pixel (default 20); frame t
                              is final once frame t + window has arrived */
    float consistency;     /* forward-backward flow error, in flow pixels, that stops a trace (default 1.0) */
    int32_t dilation;      /* 3x3-cross dilations of each mask (default 8: twice the app's, for the
                              weight-free tracker's less sure edges) */
    int32_t flow_max_side; /* flows at the frame scaled to at most this a side (default 640) */
    int32_t fill_radius;   /* Telea's radius where the patch fill has nothing to copy (default 5) */
} inp_flow_inpainter_params;

INP_API inp_flow_inpainter_params inp_flow_inpainter_default_params(void);

/* A session for a clip of width x height frames. Flows between neighbours are computed once per
 * pair and completed inside the holes; each hole pixel is traced along them, forward and
 * backward, to the nearest frames that show it, every step passing the forward-backward check,
 * and both directions' candidates are blended by distance. Pixels that no frame within the
 * window shows take what the previous output showed there, carried along the flow (so what was
 * filled once does not flicker); the rest is filled with patches of the frame (coarse-to-fine
 * PatchMatch: texture, where Telea's diffusion would blur). Holds 2 x window + 1 frames.
 *   INP_ERR_INVALID_ARGUMENT  a size below 1x1, bad params */
INP_API int32_t inp_flow_inpainter_init(int32_t width, int32_t height, const inp_flow_inpainter_params *params,
                                        inp_flow_inpainter **ret_inpainter);
INP_API void inp_flow_inpainter_free(inp_flow_inpainter *inpainter);
/* Adds the next frame (RGB24) and its mask (channels 1, nonzero = to fill, before dilation);
 * frames whose dilated masks are empty pass through unchanged. *ret_ready (may be NULL): frames
 * ready to pop. Outside the dilated mask every output pixel is the input's.
 *   run  checks: after the flows and each finished frame ("inpaint.flow", "inpaint.frame")
 *   INP_ERR_INVALID_ARGUMENT  wrong sizes or channels, a push after finish, a frame whose mask
 *                             covers it whole with no other frame showing what is behind it */
INP_API int32_t inp_flow_inpainter_push(inp_flow_inpainter *inpainter, const inp_image *frame, const inp_image *mask, const inp_run *run,
                                        int64_t *ret_ready);
/* Ends the clip and finishes every frame.
 *   INP_ERR_INVALID_ARGUMENT  no frame was pushed */
INP_API int32_t inp_flow_inpainter_finish(inp_flow_inpainter *inpainter, const inp_run *run, int64_t *ret_ready);
/* Copies the next final frame into dst (RGB24, the session's size) and its index into *ret_index
 * (may be NULL).
 *   INP_ERR_INVALID_ARGUMENT  no frame is ready, or dst has the wrong size */
INP_API int32_t inp_flow_inpainter_pop(inp_flow_inpainter *inpainter, inp_image *dst, int64_t *ret_index);

typedef struct inp_flow_inpainter_stats {
    int64_t frames_in, frames_out, ready, buffered_frames;
    int64_t flow_pairs;        /* neighbour pairs whose flows were computed (once each) */
    int64_t propagated_pixels; /* hole pixels taken from frames that show them */
    int64_t carried_pixels;    /* hole pixels carried from the previous output */
    int64_t spatial_pixels;    /* hole pixels filled spatially (patches of the frame) */
    int64_t memory_bytes;      /* every buffer the session holds */
    bool finished;
} inp_flow_inpainter_stats;

INP_API int32_t inp_flow_inpainter_info(const inp_flow_inpainter *inpainter, inp_flow_inpainter_stats *ret_info);

/* OpenCV's Telea inpainting of one frame, the per-frame baseline: the masked pixels (nonzero,
 * no dilation) of frame filled from their surroundings into dst (RGB24, the frame's size; may be
 * frame itself). */
INP_API int32_t inp_telea_inpaint(const inp_image *frame, const inp_image *mask, int32_t radius, inp_image *dst);

/* ---------------------------------------------------------------------------------------
 * Diagnostics
 * ------------------------------------------------------------------------------------- */

/* DeAOT's local-window ops alone, for benchmarks and checks (patch x patch window, P = patch):
 *   aggregate = false: out [n, P*P, h, w] = the spatial correlation of a = q and b = k [n, c, h, w]
 *   aggregate = true:  out [n, c, h, w] = the window sum of a = attn [n, P*P, h, w] times b = v [n, c, h, w]
 * reference = true computes the same numbers with the pure-ATen zero-pad + unfold oracle (the
 * dense path upstream falls back to without the correlation extension), slowly.
 * float32 row-major caller buffers; not retained.
 *   INP_ERR_INVALID_ARGUMENT  a NULL buffer, a negative size, an even patch */
INP_API int32_t inp_spatial_correlation(const float *a, const float *b, int64_t n, int64_t c, int64_t h, int64_t w, int32_t patch,
                                        bool aggregate, bool reference, float *out);

/* E2FGVI's modulated deformable convolution (DCNv2, as mmcv's modulated_deform_conv2d computes
 * it) alone, for benchmarks and checks. Square stride, padding and dilation; the output is
 * Ho x Wo with Ho = (h + 2 * padding - dilation * (kh - 1) - 1) / stride + 1, Wo likewise.
 * Row-major float32 caller buffers, not retained:
 *   input   [n, c_in, h, w]
 *   offset  [n, deform_groups * 2 * kh * kw, Ho, Wo]: for deform group g and tap k = i * kw + j,
 *           channel g * 2 * kh * kw + 2 * k is dy (rows) and the next one dx (columns)
 *   mask    [n, deform_groups * kh * kw, Ho, Wo]: channel g * kh * kw + k scales that sample
 *   weight  [c_out, c_in / groups, kh, kw]
 *   bias    [c_out], or NULL for none
 *   out     [n, c_out, Ho, Wo], written on success
 * Input channel c belongs to deform group c / (c_in / deform_groups). A sample at (y, x) is 0
 * when y <= -1, y >= h, x <= -1 or x >= w, else bilinear with corners outside the map read as 0.
 * reference = true computes the same numbers with the pure-ATen oracle (columns from explicit
 * gathers, one GEMM per group), slowly. Runs on the CPU with the process default thread count
 * (inp_set_num_threads).
 *   INP_ERR_INVALID_ARGUMENT  a NULL buffer (other than bias), a negative size, kh or kw < 1,
 *                             stride or dilation < 1, padding < 0, groups or deform_groups < 1,
 *                             c_in not divisible by groups or deform_groups, c_out not divisible
 *                             by groups, or an empty output (the dilated kernel is larger than
 *                             the padded input); out is left untouched
 *   INP_ERR_DEVICE            out of memory (the reference needs several column-sized
 *                             temporaries: ~1 GB at 256 channels, 3x3, 120x216) */
INP_API int32_t inp_modulated_deform_conv(const float *input, const float *offset, const float *mask, const float *weight,
                                          const float *bias /* NULL = none */, int64_t n, int64_t c_in, int64_t h, int64_t w,
                                          int64_t c_out, int64_t kh, int64_t kw, int32_t stride, int32_t padding, int32_t dilation,
                                          int32_t groups, int32_t deform_groups, bool reference, float *out);

/* out[m x n] = a[m x k] @ b[k2 x n] in float32 through libtorch's GEMM, on the calling
 * thread's intra-op pool. Used to measure the machine's GEMM rate next to model timings.
 * Shapes are checked by libtorch itself (not before), so a mismatch reports libtorch's own
 * message: "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)".
 *   a, b, out  row-major caller buffers; not retained.
 *   INP_ERR_INVALID_ARGUMENT  a NULL buffer, a negative size, or shapes that do not multiply */
INP_API int32_t inp_matmul_f32(const float *a, int64_t m, int64_t k, const float *b, int64_t k2,
                               int64_t n, float *out);

#ifdef __cplusplus
}
#endif

#endif /* INPAINTERZ_H */
