#include "runtime/checkpoint_parser.h"

#include <cstring>
#include <unordered_map>

#include "runtime/error.h"
#include "runtime/zip_reader.h"

namespace inp {

namespace {

using pickle::Kind;
using pickle::Object;

[[noreturn]] void bad(const std::string &file, const std::string &what) {
    fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(file) + ": " + what);
}

bool starts_with(const std::string &s, const std::string &prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::string hex_head(const uint8_t *data, size_t size) {
    std::string out;
    for (size_t i = 0; i < size && i < 8; i++) {
        char b[4];
        std::snprintf(b, sizeof b, "%02x", data[i]);
        out += (i ? " " : "") + std::string(b);
    }
    return out;
}

// Reads the storages of a zip checkpoint: member "<archive>/data/<key>" per declared key.
void zip_storages(const std::string &file, const uint8_t *data, const std::vector<ZipEntry> &entries, const std::string &prefix,
                  const std::vector<pickle::StorageDecl> &decls, ParsedCheckpoint *out) {
    std::unordered_map<std::string, const ZipEntry *> by_name;
    for (const auto &z : entries) by_name.emplace(z.name, &z);
    for (const auto &d : decls) {
        const std::string member = prefix + "data/" + d.key;
        auto found = by_name.find(member);
        const ZipEntry *e = found == by_name.end() ? nullptr : found->second;
        if (e == nullptr) bad(file, "storage " + in_quotes(d.key) + " has no archive member " + in_quotes(member));
        unsigned __int128 need = static_cast<unsigned __int128>(d.numel) * dtype_size(d.dtype);
        if (need != e->size) bad(file, "storage " + in_quotes(d.key) + " holds " + std::to_string(e->size) + " bytes, expected " + std::to_string(static_cast<uint64_t>(need)) + " (" + std::to_string(d.numel) + " x " + dtype_name(d.dtype) + ")");
        out->storages.push_back({data + e->data_offset, e->size, d.dtype, d.numel});
    }
}

ParsedCheckpoint parse_zip(const std::string &file, const uint8_t *data, size_t size, const pickle::Object **root, pickle::Unpickler &up) {
    auto entries = read_zip_entries(file, data, size);
    const ZipEntry *pkl = nullptr;
    for (const auto &e : entries) {
        const auto n = e.name.size();
        if (n >= 9 && e.name.compare(n - 9, 9, "/data.pkl") == 0 && e.name.find('/') == n - 9) {
            if (pkl != nullptr) bad(file, "archive holds more than one data.pkl");
            pkl = &e;
        }
    }
    if (pkl == nullptr) bad(file, "zip archive has no '<name>/data.pkl' member: not a torch.save checkpoint");
    const std::string prefix = pkl->name.substr(0, pkl->name.size() - 8);
    for (const auto &e : entries)
        if (e.name == prefix + "byteorder" && !(e.size == 6 && std::memcmp(data + e.data_offset, "little", 6) == 0))
            fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(file) + ": byte order is not little-endian");

    size_t used = 0;
    *root = up.load(data + pkl->data_offset, pkl->size, &used);
    ParsedCheckpoint out;
    out.format = INP_CHECKPOINT_FORMAT_ZIP;
    zip_storages(file, data, entries, prefix, up.storages(), &out);
    return out;
}

// Legacy layout: pickle(magic) pickle(protocol) pickle(sys_info) pickle(object)
// pickle([storage keys]) then per key: int64 element count + raw bytes.
ParsedCheckpoint parse_legacy(const std::string &file, const uint8_t *data, size_t size, const pickle::Object **root, pickle::Unpickler &up) {
    static const uint8_t kMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19}; // 0x1950a86a20f9469cfc6c
    size_t pos = 0, used = 0;
    pickle::Unpickler header(file);
    const Object *magic = header.load(data, size, &used);
    if (magic->kind != Kind::BigInt || magic->s.size() != sizeof kMagic || std::memcmp(magic->s.data(), kMagic, sizeof kMagic) != 0)
        bad(file, "not a PyTorch checkpoint: the legacy-format magic number is missing");
    pos += used;
    const Object *protocol = header.load(data + pos, size - pos, &used);
    if (protocol->kind != Kind::Int || protocol->i != 1001)
        fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(file) + ": legacy protocol version " + pickle::describe(*protocol) + " is not supported (expected 1001)");
    pos += used;
    const Object *sys_info = header.load(data + pos, size - pos, &used);
    pos += used;
    if (sys_info->kind == Kind::Dict) {
        const Object *little = sys_info->get("little_endian");
        if (little != nullptr && little->kind == Kind::Bool && little->i == 0)
            fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(file) + ": byte order is big-endian");
    }
    *root = up.load(data + pos, size - pos, &used);
    pos += used;
    const Object *keys = header.load(data + pos, size - pos, &used);
    pos += used;
    if (keys->kind != Kind::List) bad(file, "legacy storage key list is missing");

    const auto &decls = up.storages();
    std::vector<const StorageBlock *> by_decl(decls.size(), nullptr);
    std::unordered_map<std::string, size_t> decl_index;
    for (size_t d = 0; d < decls.size(); d++) decl_index.emplace(decls[d].key, d);
    ParsedCheckpoint out;
    out.format = INP_CHECKPOINT_FORMAT_LEGACY;
    out.storages.resize(decls.size());
    for (const Object *k : keys->items) {
        if (k->kind != Kind::Str) bad(file, "legacy storage key is not a string");
        auto found = decl_index.find(k->s);
        size_t d = found == decl_index.end() ? decls.size() : found->second;
        if (d == decls.size()) bad(file, "legacy storage key " + in_quotes(k->s) + " is not used by any tensor");
        if (by_decl[d] != nullptr) bad(file, "legacy storage key " + in_quotes(k->s) + " is listed twice");
        if (size - pos < 8) bad(file, "storage " + in_quotes(k->s) + " is cut off at offset " + std::to_string(pos) + " (file truncated?)");
        int64_t numel = 0;
        std::memcpy(&numel, data + pos, 8);
        pos += 8;
        if (numel != decls[d].numel) bad(file, "storage " + in_quotes(k->s) + " holds " + std::to_string(numel) + " elements, the pickle declares " + std::to_string(decls[d].numel));
        unsigned __int128 nbytes = static_cast<unsigned __int128>(numel) * dtype_size(decls[d].dtype);
        if (nbytes > size - pos) bad(file, "storage " + in_quotes(k->s) + " (" + std::to_string(static_cast<uint64_t>(nbytes)) + " bytes at offset " + std::to_string(pos) + ") runs past the end of the " + std::to_string(size) + "-byte file (truncated?)");
        out.storages[d] = {data + pos, static_cast<size_t>(nbytes), decls[d].dtype, numel};
        by_decl[d] = &out.storages[d];
        pos += static_cast<size_t>(nbytes);
    }
    for (size_t d = 0; d < decls.size(); d++)
        if (by_decl[d] == nullptr) bad(file, "storage " + in_quotes(decls[d].key) + " has no data");
    return out;
}

// Picks the state dict out of the checkpoint's top-level object.
const Object *find_state_dict(const std::string &file, const Object *root, std::string *wrapper) {
    if (root->kind != Kind::Dict) bad(file, "top-level object is a " + pickle::describe(*root) + ", expected a dict of tensors");
    for (const char *key : {"state_dict", "model", "module", "model_state_dict", "net"}) {
        const Object *inner = root->get(key);
        if (inner != nullptr && inner->kind == Kind::Dict) {
            *wrapper = key;
            return inner;
        }
    }
    wrapper->clear();
    return root;
}

void check_view(const std::string &file, const std::string &key, const pickle::TensorView &v, const StorageBlock &s) {
    if (v.storage_offset < 0) bad(file, "tensor " + in_quotes(key) + " has a negative storage offset");
    unsigned __int128 last = static_cast<unsigned __int128>(v.storage_offset), numel = 1;
    for (size_t d = 0; d < v.shape.size(); d++) {
        if (v.shape[d] < 0 || v.stride[d] < 0) bad(file, "tensor " + in_quotes(key) + " has a negative size or stride");
        numel *= static_cast<uint64_t>(v.shape[d]);
        if (v.shape[d] > 0) last += static_cast<unsigned __int128>(v.shape[d] - 1) * static_cast<uint64_t>(v.stride[d]);
        if (numel > (unsigned __int128)1 << 62 || last > (unsigned __int128)1 << 62) bad(file, "tensor " + in_quotes(key) + " has an absurd size");
    }
    if (numel > 0 && last >= static_cast<uint64_t>(s.numel))
        bad(file, "tensor " + in_quotes(key) + " reaches element " + std::to_string(static_cast<uint64_t>(last)) + " of a storage of " + std::to_string(s.numel) + " elements");
}

} // namespace

size_t dtype_size(int32_t dtype) {
    switch (dtype) {
    case INP_DTYPE_F64: case INP_DTYPE_I64: return 8;
    case INP_DTYPE_F32: case INP_DTYPE_I32: return 4;
    case INP_DTYPE_F16: case INP_DTYPE_BF16: case INP_DTYPE_I16: return 2;
    case INP_DTYPE_I8: case INP_DTYPE_U8: case INP_DTYPE_BOOL: return 1;
    default: return 0;
    }
}

const char *dtype_name(int32_t dtype) {
    switch (dtype) {
    case INP_DTYPE_F32: return "float32";
    case INP_DTYPE_F16: return "float16";
    case INP_DTYPE_BF16: return "bfloat16";
    case INP_DTYPE_F64: return "float64";
    case INP_DTYPE_I64: return "int64";
    case INP_DTYPE_I32: return "int32";
    case INP_DTYPE_I16: return "int16";
    case INP_DTYPE_I8: return "int8";
    case INP_DTYPE_U8: return "uint8";
    case INP_DTYPE_BOOL: return "bool";
    default: return "unknown";
    }
}

ParsedCheckpoint parse_checkpoint(const std::string &file, const uint8_t *data, size_t size) {
    if (size == 0) bad(file, "file is empty (0 bytes)");
    pickle::Unpickler up(file);
    const Object *root = nullptr;
    ParsedCheckpoint out;
    if (size >= 4 && std::memcmp(data, "PK\x03\x04", 4) == 0) out = parse_zip(file, data, size, &root, up);
    else if (data[0] == 0x80) out = parse_legacy(file, data, size, &root, up);
    else bad(file, "not a PyTorch checkpoint (starts with bytes " + hex_head(data, size) + "; expected a zip archive or a legacy pickle)");

    const Object *sd = find_state_dict(file, root, &out.wrapper);
    bool all_module = sd->dict_size() > 0;
    for (size_t i = 0; i < sd->dict_size(); i++) {
        const Object *k = sd->dict_key(i);
        if (k->kind != Kind::Str) bad(file, "state dict key " + pickle::describe(*k) + " is not a string");
        all_module = all_module && starts_with(k->s, "module.");
    }
    if (all_module) out.wrapper += "+module.";
    for (size_t i = 0; i < sd->dict_size(); i++) {
        const std::string &key = sd->dict_key(i)->s;
        const Object *v = sd->dict_value(i);
        if (v->kind != Kind::Tensor) bad(file, "key " + in_quotes(key) + " holds a " + pickle::describe(*v) + ", not a tensor");
        check_view(file, key, v->tensor, out.storages.at(v->tensor.storage));
        out.tensors.push_back({all_module ? key.substr(7) : key, v->tensor});
    }
    if (out.tensors.empty()) bad(file, "state dict holds no tensors");
    return out;
}

} // namespace inp
