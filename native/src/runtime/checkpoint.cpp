#include "runtime/checkpoint.h"

#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <c10/core/TensorOptions.h>
#include <cstring>

#include "runtime/checkpoint_parser.h"
#include "runtime/error.h"

namespace inp {

at::ScalarType to_scalar_type(int32_t dtype) {
    switch (dtype) {
    case INP_DTYPE_F32: return at::kFloat;
    case INP_DTYPE_F16: return at::kHalf;
    case INP_DTYPE_BF16: return at::kBFloat16;
    case INP_DTYPE_F64: return at::kDouble;
    case INP_DTYPE_I64: return at::kLong;
    case INP_DTYPE_I32: return at::kInt;
    case INP_DTYPE_I16: return at::kShort;
    case INP_DTYPE_I8: return at::kChar;
    case INP_DTYPE_U8: return at::kByte;
    case INP_DTYPE_BOOL: return at::kBool;
    default: fail(INP_ERR_UNSUPPORTED, "unsupported dtype code " + std::to_string(dtype));
    }
}

std::unique_ptr<Checkpoint> Checkpoint::load(const std::string &path, bool use_mmap, const Run &run) {
    std::shared_ptr<MappedFile> file = MappedFile::open(path, use_mmap);
    ParsedCheckpoint parsed = parse_checkpoint(path, file->data(), file->size());

    auto ck = std::make_unique<Checkpoint>();
    ck->path_ = path;
    ck->format_ = parsed.format;
    ck->wrapper_ = parsed.wrapper;

    // One tensor per storage. It aliases the file when the data is aligned for its dtype
    // (always, for zip files: torch aligns members to 64 bytes); legacy files store each
    // storage right after an 8-byte count, so some need a copy.
    std::vector<at::Tensor> storages;
    std::vector<bool> storage_mapped;
    storages.reserve(parsed.storages.size());
    for (const StorageBlock &s : parsed.storages) {
        auto options = at::TensorOptions().dtype(to_scalar_type(s.dtype));
        const size_t esize = dtype_size(s.dtype);
        const bool aligned = reinterpret_cast<uintptr_t>(s.data) % esize == 0;
        if (aligned) {
            // The deleter keeps the file alive as long as any tensor uses it.
            storages.push_back(at::from_blob(const_cast<uint8_t *>(s.data), {s.numel}, [file](void *) {}, options));
        } else {
            at::Tensor copy = at::empty({s.numel}, options);
            std::memcpy(copy.data_ptr(), s.data, s.num_bytes);
            storages.push_back(copy);
        }
        storage_mapped.push_back(aligned && file->is_mapped());
    }

    const int64_t total = static_cast<int64_t>(parsed.tensors.size());
    for (int64_t i = 0; i < total; i++) {
        const TensorRecord &r = parsed.tensors[i];
        const at::Tensor &base = storages.at(r.view.storage);
        if (ck->tensors_.find(r.name) != nullptr)
            fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(path) + ": key " + in_quotes(r.name) + " appears twice after removing the 'module.' prefix");
        ck->tensors_.add(r.name, base.as_strided(r.view.shape, r.view.stride, r.view.storage_offset), storage_mapped[r.view.storage]);
        run.step("checkpoint", i + 1, total);
    }

    std::vector<TensorShape> shapes;
    shapes.reserve(ck->tensors_.size());
    for (const auto &t : ck->tensors_.items()) shapes.push_back({t.name, t.tensor.sizes().vec()});
    ck->model_ = detect_model(shapes);
    return ck;
}

} // namespace inp
