// The one exception type native code throws on purpose. The C ABI layer (capi/) turns it,
// and every other exception, into a status code plus thread-local message.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "inpainterz.h"

namespace inp {

class Error : public std::runtime_error {
public:
    Error(int32_t status, const std::string &message) : std::runtime_error(message), status_(status) {}
    int32_t status() const noexcept { return status_; }

private:
    int32_t status_;
};

[[noreturn]] inline void fail(int32_t status, const std::string &message) { throw Error(status, message); }

// Quotes a user-supplied string for an error message, cut to a readable length.
std::string in_quotes(const std::string &s);

} // namespace inp
