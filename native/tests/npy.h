// Minimal .npy reader for native tests (format versions 1-3): little-endian float32, uint8 and
// int64 arrays in C order, as the parity fixtures store them. Anything else (big-endian,
// Fortran order, other dtypes, a truncated file) throws std::runtime_error naming the file.
#pragma once

#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace inp::test {

inline at::Tensor read_npy(const std::string &path) {
    auto bad = [&](const std::string &why) { return std::runtime_error("npy " + path + ": " + why); };
    std::ifstream f(path, std::ios::binary);
    if (!f) throw bad("cannot open (missing fixture?)");
    char magic[8];
    if (!f.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) throw bad("not an .npy file");
    const int major = static_cast<unsigned char>(magic[6]);
    uint32_t header_len = 0;
    unsigned char len[4] = {};
    if (major == 1) {
        if (!f.read(reinterpret_cast<char *>(len), 2)) throw bad("truncated header");
        header_len = len[0] | (len[1] << 8);
    } else if (major == 2 || major == 3) {
        if (!f.read(reinterpret_cast<char *>(len), 4)) throw bad("truncated header");
        header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
    } else {
        throw bad("unsupported format version " + std::to_string(major));
    }
    std::string header(header_len, '\0');
    if (!f.read(header.data(), header_len)) throw bad("truncated header");

    // The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
    auto value_of = [&](const std::string &key) {
        const size_t k = header.find("'" + key + "'");
        if (k == std::string::npos) throw bad("header has no " + key + ": " + header);
        const size_t colon = header.find(':', k);
        if (colon == std::string::npos) throw bad("malformed header: " + header);
        return colon + 1;
    };
    size_t p = header.find('\'', value_of("descr"));
    const std::string descr = header.substr(p + 1, header.find('\'', p + 1) - p - 1);
    p = value_of("fortran_order");
    if (header.compare(header.find_first_not_of(' ', p), 5, "False") != 0) throw bad("Fortran order is not supported");
    p = header.find('(', value_of("shape"));
    const size_t close = header.find(')', p);
    if (p == std::string::npos || close == std::string::npos) throw bad("malformed shape: " + header);
    std::vector<int64_t> shape;
    for (size_t i = p + 1; i < close;) {
        const size_t j = header.find_first_of(",)", i);
        const std::string item = header.substr(i, j - i);
        if (item.find_first_not_of(' ') != std::string::npos) shape.push_back(std::stoll(item));
        i = j + 1;
    }

    at::ScalarType dtype;
    if (descr == "<f4") dtype = at::kFloat;
    else if (descr == "|u1" || descr == "<u1") dtype = at::kByte;
    else if (descr == "<i8") dtype = at::kLong;
    else throw bad("unsupported dtype '" + descr + "' (float32, uint8 and int64 little-endian only)");

    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    const std::streamsize bytes = static_cast<std::streamsize>(t.nbytes());
    if (!f.read(static_cast<char *>(t.data_ptr()), bytes)) throw bad("truncated data: expected " + std::to_string(bytes) + " bytes");
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the reader assumes a little-endian host");
    return t;
}

} // namespace inp::test
