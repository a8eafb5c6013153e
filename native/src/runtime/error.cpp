#include "runtime/error.h"

#include <cstdio>

namespace inp {

std::string in_quotes(const std::string &s) {
    constexpr size_t kMax = 200;
    std::string out = "'";
    for (size_t i = 0; i < s.size() && i < kMax; i++) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > kMax) out += "...";
    return out + "'";
}

} // namespace inp
