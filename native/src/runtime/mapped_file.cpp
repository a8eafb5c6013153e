#include "runtime/mapped_file.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/error.h"

namespace inp {

namespace {
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};
} // namespace

std::shared_ptr<MappedFile> MappedFile::open(const std::string &path, bool use_mmap) {
    Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd < 0) fail(INP_ERR_IO, "cannot open " + in_quotes(path) + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0) fail(INP_ERR_IO, "cannot stat " + in_quotes(path) + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(INP_ERR_IO, in_quotes(path) + " is a directory, not a file");
    if (!S_ISREG(st.st_mode)) fail(INP_ERR_IO, in_quotes(path) + " is not a regular file");

    std::shared_ptr<MappedFile> file(new MappedFile());
    file->path_ = path;
    file->size_ = static_cast<size_t>(st.st_size);
    if (file->size_ == 0) return file; // callers report "empty file" with their own context
    if (use_mmap) {
        // MAP_PRIVATE + PROT_WRITE: copy-on-write pages, so an in-place write to a tensor that
        // aliases the mapping changes only this process's copy and never faults.
        void *p = ::mmap(nullptr, file->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.fd, 0);
        if (p == MAP_FAILED) fail(INP_ERR_IO, "cannot map " + in_quotes(path) + ": " + std::strerror(errno));
        file->data_ = static_cast<uint8_t *>(p);
        file->mapped_ = true;
        return file;
    }
    // 64-byte alignment, like the zip format's storage alignment, so tensors can alias it.
    void *p = std::aligned_alloc(64, (file->size_ + 63) / 64 * 64);
    if (p == nullptr) fail(INP_ERR_IO, "out of memory reading " + in_quotes(path));
    file->data_ = static_cast<uint8_t *>(p);
    size_t done = 0;
    while (done < file->size_) {
        ssize_t n = ::read(f.fd, file->data_ + done, file->size_ - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(INP_ERR_IO, "cannot read " + in_quotes(path) + ": " + (n < 0 ? std::strerror(errno) : "file shrank while reading"));
        done += static_cast<size_t>(n);
    }
    return file;
}

MappedFile::~MappedFile() {
    if (data_ == nullptr) return;
    if (mapped_) ::munmap(data_, size_);
    else std::free(data_);
}

} // namespace inp
