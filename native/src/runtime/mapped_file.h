// A whole file held read-only in memory: memory-mapped (copy-on-write, so a tensor that
// points into it can be written without touching the file) or read into a heap buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace inp {

class MappedFile {
public:
    // Throws inp::Error(INP_ERR_IO) naming the path when it is missing, a directory or unreadable.
    static std::shared_ptr<MappedFile> open(const std::string &path, bool use_mmap);
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    const uint8_t *data() const { return data_; }
    uint8_t *mutable_data() { return data_; }
    size_t size() const { return size_; }
    bool is_mapped() const { return mapped_; }
    const std::string &path() const { return path_; }

private:
    MappedFile() = default;
    std::string path_;
    uint8_t *data_ = nullptr;
    size_t size_ = 0;
    bool mapped_ = false;
};

} // namespace inp
