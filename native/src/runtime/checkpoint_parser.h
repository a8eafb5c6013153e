// Turns the bytes of a torch.save file (zip or legacy format) into a validated table of
// storages and named strided tensors, without libtorch. The fuzz target drives this layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/pickle.h"

namespace inp {

struct StorageBlock {
    const uint8_t *data; // inside the buffer given to parse_checkpoint
    size_t num_bytes;
    int32_t dtype;
    int64_t numel;
};

struct TensorRecord {
    std::string name;
    pickle::TensorView view; // view.storage indexes ParsedCheckpoint::storages
};

struct ParsedCheckpoint {
    int32_t format = 0; // inp_checkpoint_format
    std::string wrapper; // "" | "state_dict" | "model" | ... plus "+module." when stripped
    std::vector<StorageBlock> storages;
    std::vector<TensorRecord> tensors; // state-dict order
};

size_t dtype_size(int32_t dtype);
const char *dtype_name(int32_t dtype);

// Throws inp::Error naming `display_name` (and the key, offset or global at fault):
// INP_ERR_CHECKPOINT for malformed or refused content, INP_ERR_UNSUPPORTED for valid
// content this reader does not handle (big-endian files, exotic storages).
ParsedCheckpoint parse_checkpoint(const std::string &display_name, const uint8_t *data, size_t size);

} // namespace inp
