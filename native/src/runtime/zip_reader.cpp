#include "runtime/zip_reader.h"

#include <cstring>
#include <unordered_set>

#include "runtime/error.h"

namespace inp {

namespace {

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;

uint16_t u16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24); }
uint64_t u64(const uint8_t *p) { return u32(p) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

// True when [offset, offset + length) lies inside a buffer of `size` bytes, without overflow.
bool within(uint64_t offset, uint64_t length, size_t size) { return offset <= size && length <= size - offset; }

} // namespace

std::vector<ZipEntry> read_zip_entries(const std::string &display_name, const uint8_t *data, size_t size) {
    auto bad = [&](const std::string &what) -> void {
        fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(display_name) + ": corrupt zip archive: " + what);
    };
    constexpr size_t kEocdSize = 22;
    if (size < kEocdSize) bad("file too short for an end-of-central-directory record (truncated?)");

    // The end record sits at the very end, followed by a comment of at most 65535 bytes.
    size_t eocd = SIZE_MAX;
    size_t lowest = size >= kEocdSize + 65535 ? size - kEocdSize - 65535 : 0;
    for (size_t pos = size - kEocdSize + 1; pos-- > lowest;) {
        if (u32(data + pos) == kEndOfCentralDirSig && pos + kEocdSize + u16(data + pos + 20) == size) {
            eocd = pos;
            break;
        }
    }
    if (eocd == SIZE_MAX) bad("no end-of-central-directory record (the file is truncated or not a zip)");

    uint64_t count = u16(data + eocd + 10);
    uint64_t cd_size = u32(data + eocd + 12);
    uint64_t cd_offset = u32(data + eocd + 16);
    if (count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
        // zip64: a locator just before the end record points at the 64-bit end record.
        if (eocd < 20 || u32(data + eocd - 20) != kZip64LocatorSig) bad("zip64 end-of-central-directory locator missing");
        uint64_t z64 = u64(data + eocd - 20 + 8);
        if (!within(z64, 56, size) || u32(data + z64) != kZip64EndSig) bad("zip64 end-of-central-directory record out of bounds");
        count = u64(data + z64 + 32);
        cd_size = u64(data + z64 + 40);
        cd_offset = u64(data + z64 + 48);
    }
    if (!within(cd_offset, cd_size, size)) bad("central directory (offset " + std::to_string(cd_offset) + ", " + std::to_string(cd_size) + " bytes) lies past the end of the " + std::to_string(size) + "-byte file");
    if (count > cd_size / 46) bad("central directory claims " + std::to_string(count) + " entries in " + std::to_string(cd_size) + " bytes");

    std::vector<ZipEntry> entries;
    entries.reserve(count);
    std::unordered_set<std::string> names;
    uint64_t pos = cd_offset;
    const uint64_t cd_end = cd_offset + cd_size;
    for (uint64_t i = 0; i < count; i++) {
        if (!within(pos, 46, cd_end) || u32(data + pos) != kCentralHeaderSig) bad("central directory entry " + std::to_string(i) + " is malformed");
        const uint8_t *h = data + pos;
        uint16_t method = u16(h + 10);
        uint64_t csize = u32(h + 20), usize = u32(h + 24);
        uint16_t name_len = u16(h + 28), extra_len = u16(h + 30), comment_len = u16(h + 32);
        uint64_t local = u32(h + 42);
        if (!within(pos + 46, uint64_t{name_len} + extra_len + comment_len, cd_end)) bad("central directory entry " + std::to_string(i) + " runs past the directory");
        std::string name(reinterpret_cast<const char *>(h + 46), name_len);
        // zip64 extended information: only the fields whose 32-bit slot is saturated, in order.
        const uint8_t *extra = h + 46 + name_len;
        for (size_t e = 0; e + 4 <= extra_len;) {
            uint16_t id = u16(extra + e), len = u16(extra + e + 2);
            if (e + 4 + len > extra_len) bad("extra field of " + in_quotes(name) + " runs past its entry");
            if (id == 0x0001) {
                size_t f = e + 4;
                auto take = [&](uint64_t &field) {
                    if (field != 0xFFFFFFFFu) return;
                    if (f + 8 > e + 4 + len) bad("zip64 field of " + in_quotes(name) + " is too short");
                    field = u64(extra + f);
                    f += 8;
                };
                take(usize);
                take(csize);
                take(local);
            }
            e += 4 + len;
        }
        if (method != 0) bad("member " + in_quotes(name) + " is compressed (method " + std::to_string(method) + "); torch.save writes stored members only");
        if (csize != usize) bad("member " + in_quotes(name) + " has compressed size " + std::to_string(csize) + " != size " + std::to_string(usize));
        if (!within(local, 30, size) || u32(data + local) != kLocalHeaderSig) bad("local header of " + in_quotes(name) + " at offset " + std::to_string(local) + " is missing or out of bounds");
        uint64_t data_offset = local + 30 + u16(data + local + 26) + u16(data + local + 28);
        if (!within(data_offset, usize, size)) bad("member " + in_quotes(name) + " (" + std::to_string(usize) + " bytes at offset " + std::to_string(data_offset) + ") lies past the end of the " + std::to_string(size) + "-byte file (truncated?)");
        if (!names.insert(name).second) bad("duplicate member " + in_quotes(name));
        entries.push_back({std::move(name), static_cast<size_t>(data_offset), static_cast<size_t>(usize)});
        pos += 46 + name_len + extra_len + comment_len;
    }
    return entries;
}

} // namespace inp
