#include "runtime/pickle.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "runtime/error.h"

namespace inp::pickle {

namespace {

constexpr int kMaxDepth = 1000;            // nesting a state dict never comes near
constexpr size_t kMaxObjects = 50'000'000; // ~10 GB of bookkeeping at most; real pickles hold thousands
constexpr size_t kMaxDims = INP_MAX_DIMS;

struct StorageClass {
    const char *name;
    int32_t dtype;
};
constexpr StorageClass kStorageClasses[] = {
    {"torch.FloatStorage", INP_DTYPE_F32},   {"torch.HalfStorage", INP_DTYPE_F16},
    {"torch.BFloat16Storage", INP_DTYPE_BF16}, {"torch.DoubleStorage", INP_DTYPE_F64},
    {"torch.LongStorage", INP_DTYPE_I64},    {"torch.IntStorage", INP_DTYPE_I32},
    {"torch.ShortStorage", INP_DTYPE_I16},   {"torch.CharStorage", INP_DTYPE_I8},
    {"torch.ByteStorage", INP_DTYPE_U8},     {"torch.BoolStorage", INP_DTYPE_BOOL},
};

// The callables torch.save pickles for tensors and state dicts; nothing else may be named.
constexpr const char *kAllowedCallables[] = {
    "collections.OrderedDict",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
};

int32_t storage_dtype(const std::string &global) {
    for (const auto &c : kStorageClasses)
        if (global == c.name) return c.dtype;
    return INP_DTYPE_UNKNOWN;
}

bool is_allowed_global(const std::string &global) {
    for (const char *c : kAllowedCallables)
        if (global == c) return true;
    return storage_dtype(global) != INP_DTYPE_UNKNOWN;
}

const char *kind_name(Kind k) {
    switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: case Kind::BigInt: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
    }
    return "?";
}

// Dict key identity: str and int keys only (all a state dict or optimizer state uses).
bool dict_key_id(const Object &k, std::string *out) {
    if (k.kind == Kind::Str) { *out = "s" + k.s; return true; }
    if (k.kind == Kind::Int || k.kind == Kind::Bool) { *out = "i" + std::to_string(k.i); return true; }
    return false;
}

} // namespace

const Object *Object::get(const std::string &key) const {
    auto it = index.find("s" + key);
    return it == index.end() ? nullptr : items[it->second + 1];
}

std::string describe(const Object &o) {
    switch (o.kind) {
    case Kind::Str: return in_quotes(o.s);
    case Kind::Int: case Kind::Bool: return std::to_string(o.i);
    default: return std::string("<") + kind_name(o.kind) + ">";
    }
}

void Unpickler::bad(const std::string &what, size_t offset) const {
    fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(name_) + ": " + what + " (pickle offset " + std::to_string(offset) + ")");
}

Ref Unpickler::make(Kind kind) {
    if (pool_.size() >= kMaxObjects) fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(name_) + ": pickle creates more than " + std::to_string(kMaxObjects) + " objects");
    Object &o = pool_.emplace_back();
    o.kind = kind;
    return &o;
}

Ref Unpickler::persistent_load(const Object &pid, size_t offset) {
    // zip:    ('storage', StorageClass, key, location, numel)
    // legacy: ('storage', StorageClass, root_key, location, numel, view_metadata)
    const auto &t = pid.items;
    if (pid.kind != Kind::Tuple || t.size() < 5 || t[0]->kind != Kind::Str || t[0]->s != "storage")
        bad("persistent id is not a ('storage', ...) tuple", offset);
    if (t[1]->kind != Kind::Global) bad("persistent id has no storage class", offset);
    int32_t dtype = storage_dtype(t[1]->s);
    if (dtype == INP_DTYPE_UNKNOWN) fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(name_) + ": storage class " + in_quotes(t[1]->s) + " is not supported");
    if (t[2]->kind != Kind::Str) bad("storage key is not a string", offset);
    if (t[4]->kind != Kind::Int || t[4]->i < 0) bad("storage " + in_quotes(t[2]->s) + " has no valid element count", offset);
    if (t.size() > 5 && t[5]->kind != Kind::None)
        fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(name_) + ": storage views (torch < 0.4 files) are not supported");

    const std::string &key = t[2]->s;
    auto it = storage_by_key_.find(key);
    int32_t index;
    if (it != storage_by_key_.end()) {
        index = it->second;
        const StorageDecl &d = storages_[index];
        if (d.dtype != dtype || d.numel != t[4]->i) bad("storage " + in_quotes(key) + " is declared twice with different types or sizes", offset);
    } else {
        index = static_cast<int32_t>(storages_.size());
        storages_.push_back({key, dtype, t[4]->i});
        storage_by_key_.emplace(key, index);
    }
    Ref s = make(Kind::Storage);
    s->i = index;
    return s;
}

Ref Unpickler::call(const Object &callable, const Object &args, size_t offset) {
    const std::string &fn = callable.s;
    if (callable.kind != Kind::Global) bad(std::string("cannot call a ") + kind_name(callable.kind), offset);
    if (args.kind != Kind::Tuple) bad("arguments of " + in_quotes(fn) + " are not a tuple", offset);
    const auto &a = args.items;

    if (fn == "collections.OrderedDict") {
        if (!a.empty()) bad("collections.OrderedDict called with arguments", offset);
        return make(Kind::Dict);
    }
    if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state") {
        if (a.size() < 3 || a[0]->kind != Kind::Tensor) bad(fn + " expects (tensor, requires_grad, hooks)", offset);
        return a[0];
    }
    if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor") {
        // (storage, storage_offset, size, stride[, requires_grad, backward_hooks[, metadata]])
        if (a.size() < 4 || a[0]->kind != Kind::Storage || a[1]->kind != Kind::Int || a[2]->kind != Kind::Tuple || a[3]->kind != Kind::Tuple)
            bad(fn + " expects (storage, offset, size, stride, ...)", offset);
        if (a[2]->items.size() != a[3]->items.size()) bad("tensor size and stride have different lengths", offset);
        if (a[2]->items.size() > kMaxDims) fail(INP_ERR_UNSUPPORTED, "checkpoint " + in_quotes(name_) + ": a tensor has " + std::to_string(a[2]->items.size()) + " dimensions; at most " + std::to_string(kMaxDims) + " are supported");
        Ref t = make(Kind::Tensor);
        t->tensor.storage = static_cast<int32_t>(a[0]->i);
        t->tensor.dtype = storages_[a[0]->i].dtype;
        t->tensor.storage_offset = a[1]->i;
        for (size_t d = 0; d < a[2]->items.size(); d++) {
            const Object *sz = a[2]->items[d], *st = a[3]->items[d];
            if (sz->kind != Kind::Int || st->kind != Kind::Int) bad("tensor size or stride is not an int", offset);
            t->tensor.shape.push_back(sz->i);
            t->tensor.stride.push_back(st->i);
        }
        return t;
    }
    bad(in_quotes(fn) + " cannot be called", offset);
}

Ref Unpickler::load(const uint8_t *data, size_t size, size_t *consumed) {
    std::vector<Ref> stack;
    std::vector<size_t> marks;
    std::unordered_map<uint64_t, Ref> memo;
    size_t pos = 0;
    size_t op_at = 0;

    auto need = [&](size_t n) {
        if (n > size - pos) bad("pickle ends in the middle of an opcode (file truncated?)", op_at);
    };
    auto read = [&](size_t n) {
        need(n);
        const uint8_t *p = data + pos;
        pos += n;
        return p;
    };
    auto le = [&](size_t n) {
        const uint8_t *p = read(n);
        uint64_t v = 0;
        for (size_t k = 0; k < n; k++) v |= uint64_t{p[k]} << (8 * k);
        return v;
    };
    auto pop = [&]() {
        if (stack.empty() || (!marks.empty() && stack.size() == marks.back())) bad("pickle stack underflow", op_at);
        Ref r = stack.back();
        stack.pop_back();
        return r;
    };
    auto top = [&]() -> Object & {
        if (stack.empty() || (!marks.empty() && stack.size() == marks.back())) bad("pickle stack underflow", op_at);
        return *stack.back();
    };
    auto pop_mark = [&]() {
        if (marks.empty()) bad("pickle pops a MARK that was never set", op_at);
        size_t m = marks.back();
        marks.pop_back();
        std::vector<Ref> items(stack.begin() + static_cast<std::ptrdiff_t>(m), stack.end());
        stack.resize(m);
        return items;
    };
    auto adopt = [&](Object &parent, Ref child) {
        parent.depth = std::max(parent.depth, child->depth + 1);
        if (parent.depth > kMaxDepth) bad("objects nest deeper than " + std::to_string(kMaxDepth) + " levels (recursion bomb?)", op_at);
        parent.items.push_back(child);
    };
    auto tuple_of = [&](std::vector<Ref> items) {
        Ref t = make(Kind::Tuple);
        for (Ref r : items) adopt(*t, r);
        return t;
    };
    auto set_item = [&](Object &dict, Ref key, Ref value) {
        if (dict.kind != Kind::Dict) bad(std::string("SETITEM on a ") + kind_name(dict.kind), op_at);
        std::string id;
        if (!dict_key_id(*key, &id)) bad(std::string("unsupported dict key type ") + kind_name(key->kind), op_at);
        if (!dict.index.emplace(id, dict.items.size()).second) bad("duplicate key " + describe(*key), op_at);
        adopt(dict, key);
        adopt(dict, value);
    };
    auto string_of = [&](size_t n, Kind kind) {
        need(n);
        Ref r = make(kind);
        r->s.assign(reinterpret_cast<const char *>(data + pos), n);
        pos += n;
        return r;
    };
    auto int_of = [&](int64_t v) {
        Ref r = make(Kind::Int);
        r->i = v;
        return r;
    };
    auto read_line = [&]() {
        const void *nl = std::memchr(data + pos, '\n', size - pos);
        if (nl == nullptr) bad("GLOBAL name is not terminated", op_at);
        size_t n = static_cast<const uint8_t *>(nl) - (data + pos);
        std::string s(reinterpret_cast<const char *>(data + pos), n);
        pos += n + 1;
        return s;
    };
    auto global_of = [&](const std::string &module, const std::string &name) {
        std::string full = module + "." + name;
        // Refused here, when it is named, not when it would be called: nothing outside the
        // allowlist is ever looked up, built or run.
        if (!is_allowed_global(full))
            fail(INP_ERR_CHECKPOINT, "checkpoint " + in_quotes(name_) + ": pickle global " + in_quotes(full) +
                                         " is not allowed (only torch tensor and storage rebuild functions and "
                                         "collections.OrderedDict are; this file may try to run code)");
        Ref g = make(Kind::Global);
        g->s = full;
        return g;
    };

    while (true) {
        op_at = pos;
        uint8_t op = *read(1);
        switch (op) {
        case 0x80: read(1); break;                 // PROTO
        case 0x95: read(8); break;                 // FRAME: a length hint only
        case '.': {                                 // STOP
            if (stack.size() != 1 || !marks.empty()) bad("pickle stops with " + std::to_string(stack.size()) + " objects on the stack", op_at);
            *consumed = pos;
            return stack.back();
        }
        case '(': marks.push_back(stack.size()); break; // MARK
        case '}': stack.push_back(make(Kind::Dict)); break;
        case ']': stack.push_back(make(Kind::List)); break;
        case ')': stack.push_back(make(Kind::Tuple)); break;
        case 't': stack.push_back(tuple_of(pop_mark())); break;
        case 0x85: { Ref a = pop(); stack.push_back(tuple_of({a})); break; }
        case 0x86: { Ref b = pop(), a = pop(); stack.push_back(tuple_of({a, b})); break; }
        case 0x87: { Ref c = pop(), b = pop(), a = pop(); stack.push_back(tuple_of({a, b, c})); break; }
        case 'a': {                                 // APPEND
            Ref v = pop();
            Object &l = top();
            if (l.kind != Kind::List) bad(std::string("APPEND to a ") + kind_name(l.kind), op_at);
            adopt(l, v);
            break;
        }
        case 'e': {                                 // APPENDS
            auto items = pop_mark();
            Object &l = top();
            if (l.kind != Kind::List) bad(std::string("APPENDS to a ") + kind_name(l.kind), op_at);
            for (Ref r : items) adopt(l, r);
            break;
        }
        case 's': { Ref v = pop(), k = pop(); set_item(top(), k, v); break; } // SETITEM
        case 'u': {                                 // SETITEMS
            auto items = pop_mark();
            if (items.size() % 2 != 0) bad("SETITEMS with an odd number of items", op_at);
            Object &d = top();
            for (size_t k = 0; k < items.size(); k += 2) set_item(d, items[k], items[k + 1]);
            break;
        }
        case 'J': stack.push_back(int_of(static_cast<int32_t>(le(4)))); break; // BININT
        case 'K': stack.push_back(int_of(static_cast<int64_t>(le(1)))); break; // BININT1
        case 'M': stack.push_back(int_of(static_cast<int64_t>(le(2)))); break; // BININT2
        case 0x8a: case 0x8b: {                     // LONG1, LONG4: little-endian two's complement
            uint64_t n = le(op == 0x8a ? 1 : 4);
            need(n);
            if (n <= 8) {
                uint64_t v = 0;
                for (size_t k = 0; k < n; k++) v |= uint64_t{data[pos + k]} << (8 * k);
                if (n > 0 && n < 8 && (data[pos + n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);
                pos += n;
                stack.push_back(int_of(static_cast<int64_t>(v)));
            } else {
                stack.push_back(string_of(n, Kind::BigInt));
            }
            break;
        }
        case 'G': {                                 // BINFLOAT: big-endian double
            const uint8_t *p = read(8);
            uint64_t bits = 0;
            for (int k = 0; k < 8; k++) bits = (bits << 8) | p[k];
            Ref r = make(Kind::Float);
            std::memcpy(&r->f, &bits, 8);
            stack.push_back(r);
            break;
        }
        case 'N': stack.push_back(make(Kind::None)); break;
        case 0x88: case 0x89: { Ref r = make(Kind::Bool); r->i = op == 0x88; stack.push_back(r); break; }
        case 'X': stack.push_back(string_of(le(4), Kind::Str)); break;    // BINUNICODE
        case 0x8c: stack.push_back(string_of(le(1), Kind::Str)); break;   // SHORT_BINUNICODE
        case 0x8d: stack.push_back(string_of(le(8), Kind::Str)); break;   // BINUNICODE8
        case 'T': stack.push_back(string_of(le(4), Kind::Str)); break;    // BINSTRING
        case 'U': stack.push_back(string_of(le(1), Kind::Str)); break;    // SHORT_BINSTRING
        case 'B': stack.push_back(string_of(le(4), Kind::Bytes)); break;  // BINBYTES
        case 'C': stack.push_back(string_of(le(1), Kind::Bytes)); break;  // SHORT_BINBYTES
        case 0x8e: stack.push_back(string_of(le(8), Kind::Bytes)); break; // BINBYTES8
        case 'c': {                                 // GLOBAL "module\nname\n"
            std::string module = read_line();
            std::string name = read_line();
            stack.push_back(global_of(module, name));
            break;
        }
        case 0x93: {                                // STACK_GLOBAL
            Ref name = pop(), module = pop();
            if (name->kind != Kind::Str || module->kind != Kind::Str) bad("STACK_GLOBAL needs two strings", op_at);
            stack.push_back(global_of(module->s, name->s));
            break;
        }
        case 'R': {                                 // REDUCE
            Ref args = pop(), fn = pop();
            stack.push_back(call(*fn, *args, op_at));
            break;
        }
        case 'b': {                                 // BUILD: only the state a state dict carries
            Ref state = pop();
            Object &o = top();
            if (o.kind != Kind::Dict && o.kind != Kind::Tensor) bad(std::string("BUILD on a ") + kind_name(o.kind), op_at);
            (void)state; // OrderedDict `_metadata` (module versions): not needed to load weights
            break;
        }
        case 'Q': { Ref pid = pop(); stack.push_back(persistent_load(*pid, op_at)); break; } // BINPERSID
        case 'q': memo[le(1)] = &top(); break;      // BINPUT
        case 'r': memo[le(4)] = &top(); break;      // LONG_BINPUT
        case 0x94: { uint64_t k = memo.size(); memo[k] = &top(); break; } // MEMOIZE
        case 'h': case 'j': {                       // BINGET, LONG_BINGET
            uint64_t k = le(op == 'h' ? 1 : 4);
            auto it = memo.find(k);
            if (it == memo.end()) bad("memo key " + std::to_string(k) + " was never stored", op_at);
            stack.push_back(it->second);
            break;
        }
        case '0': pop(); break;                     // POP
        case '1': pop_mark(); break;                // POP_MARK
        case '2': stack.push_back(&top()); break;   // DUP
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", op);
            bad(std::string("unsupported pickle opcode ") + hex, op_at);
        }
        }
        if (pos == size) bad("pickle ends without a STOP opcode (file truncated?)", pos);
    }
}

} // namespace inp::pickle
