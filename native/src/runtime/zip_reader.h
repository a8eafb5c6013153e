// Reads the member table of an uncompressed ("stored") zip archive held in memory, the
// container torch.save writes. Every size and offset is checked against the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace inp {

struct ZipEntry {
    std::string name;
    size_t data_offset; // offset of the member's bytes in the archive buffer
    size_t size;
};

// Throws inp::Error(INP_ERR_CHECKPOINT) with `display_name` and the fault on malformed input:
// no end-of-central-directory record, entries or data past the end, compressed members,
// duplicate member names.
std::vector<ZipEntry> read_zip_entries(const std::string &display_name, const uint8_t *data, size_t size);

} // namespace inp
