// A restricted unpickler: the subset of the pickle protocol (2 to 5) that torch.save emits,
// and only the globals that rebuild tensors, storages and ordered dicts. Any other global is
// refused when the GLOBAL opcode names it, before anything could be called, so a malicious
// checkpoint cannot run code. Nothing here depends on libtorch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include "inpainterz.h"

namespace inp::pickle {

struct Object;
// Objects are owned by the Unpickler that made them (an arena), so reference cycles and deep
// nesting cost no recursion when they are freed. A Ref is valid while its Unpickler lives.
using Ref = Object *;

enum class Kind { None, Bool, Int, BigInt, Float, Str, Bytes, Tuple, List, Dict, Global, Storage, Tensor };

// A tensor as _rebuild_tensor_v2 describes it: a strided view into a storage.
struct TensorView {
    int32_t storage = -1; // index into the unpickler's storage table
    int32_t dtype = INP_DTYPE_UNKNOWN;
    int64_t storage_offset = 0; // in elements
    std::vector<int64_t> shape, stride;
};

struct Object {
    Kind kind = Kind::None;
    int depth = 1;              // nesting depth, bounded to refuse recursion bombs
    int64_t i = 0;              // Bool, Int, Storage (storage table index)
    double f = 0;               // Float
    std::string s;              // Str, Bytes, BigInt (little-endian two's complement), Global ("module.name")
    std::vector<Ref> items;     // Tuple, List; Dict keys and values interleaved
    std::unordered_map<std::string, size_t> index; // Dict: key -> position of the key in items
    TensorView tensor;          // Tensor

    size_t dict_size() const { return items.size() / 2; }
    const Ref &dict_key(size_t i) const { return items[2 * i]; }
    const Ref &dict_value(size_t i) const { return items[2 * i + 1]; }
    const Object *get(const std::string &key) const; // Dict lookup of a str key, nullptr if absent
};

// One storage a persistent id referred to.
struct StorageDecl {
    std::string key;   // archive key: "0", "1", ... (zip) or the legacy root key
    int32_t dtype;
    int64_t numel;     // elements, as recorded in the persistent id
};

class Unpickler {
public:
    // `display_name` names the file in every error message.
    explicit Unpickler(std::string display_name) : name_(std::move(display_name)) {}

    // Runs one pickle starting at data[0], stops at its STOP opcode and returns the result;
    // *consumed receives the number of bytes read. Storages named by persistent ids are added
    // to storages() (the same key twice refers to the same storage).
    Ref load(const uint8_t *data, size_t size, size_t *consumed);

    const std::vector<StorageDecl> &storages() const { return storages_; }

private:
    Ref make(Kind kind);
    Ref persistent_load(const Object &pid, size_t offset);
    Ref call(const Object &callable, const Object &args, size_t offset);
    [[noreturn]] void bad(const std::string &what, size_t offset) const;

    std::string name_;
    std::vector<StorageDecl> storages_;
    std::unordered_map<std::string, int32_t> storage_by_key_;
    std::deque<Object> pool_;
};

// Python's repr-ish spelling of a key or scalar for messages.
std::string describe(const Object &o);

} // namespace inp::pickle
