// libFuzzer target for the checkpoint parser: any byte string must produce either a parsed
// checkpoint or an inp::Error, never a crash, hang, leak or out-of-bounds read.
// Built and run by scripts/fuzz.sh (clang -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>

#include "runtime/checkpoint_parser.h"
#include "runtime/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try {
        inp::ParsedCheckpoint parsed = inp::parse_checkpoint("fuzz.pth", data, size);
        // Touch every accepted storage byte range so ASan checks the bounds the parser vouched for.
        volatile uint8_t sink = 0;
        for (const auto &s : parsed.storages)
            if (s.num_bytes > 0) sink = sink ^ s.data[0] ^ s.data[s.num_bytes - 1];
        (void)sink;
    } catch (const inp::Error &) {
    }
    return 0;
}
