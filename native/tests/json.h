// Minimal JSON reader for native tests: enough of RFC 8259 for the fixtures' case.json (objects,
// arrays, numbers, strings with the common escapes, true/false/null). Anything malformed throws
// std::runtime_error naming the file and the byte offset. \uXXXX escapes are kept as '?'.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace inp::test {

struct Json {
    enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<Json> items;                           // Array
    std::vector<std::pair<std::string, Json>> members; // Object, in file order

    // The member `key` of an object, or nullptr.
    const Json *find(const std::string &key) const {
        if (kind != Kind::Object) return nullptr;
        for (const auto &[k, v] : members)
            if (k == key) return &v;
        return nullptr;
    }

    // The value at a path of object keys; throws naming the path when a step is missing.
    const Json &at(std::initializer_list<std::string> path) const {
        const Json *j = this;
        std::string where;
        for (const std::string &key : path) {
            where += "/" + key;
            j = j->find(key);
            if (j == nullptr) throw std::runtime_error("json: no " + where);
        }
        return *j;
    }

    double as_number() const {
        if (kind != Kind::Number) throw std::runtime_error("json: not a number");
        return number;
    }
    int64_t as_int() const {
        const double d = as_number();
        if (d != static_cast<double>(static_cast<int64_t>(d))) throw std::runtime_error("json: not an integer: " + std::to_string(d));
        return static_cast<int64_t>(d);
    }
    std::vector<int64_t> as_ints() const {
        if (kind != Kind::Array) throw std::runtime_error("json: not an array");
        std::vector<int64_t> v;
        for (const Json &x : items) v.push_back(x.as_int());
        return v;
    }
};

namespace json_detail {

struct Parser {
    const std::string &s;
    const std::string &name;
    size_t i = 0;

    [[noreturn]] void bad(const std::string &why) const {
        throw std::runtime_error("json " + name + ": " + why + " at byte " + std::to_string(i));
    }
    void ws() {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) i++;
    }
    bool eat(char c) {
        ws();
        if (i < s.size() && s[i] == c) return ++i, true;
        return false;
    }
    void expect(char c) {
        if (!eat(c)) bad(std::string("expected '") + c + "'");
    }
    bool word(const char *w) {
        const std::string t(w);
        if (s.compare(i, t.size(), t) != 0) return false;
        i += t.size();
        return true;
    }
    std::string str() {
        expect('"');
        std::string out;
        while (true) {
            if (i >= s.size()) bad("unterminated string");
            const char c = s[i++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i >= s.size()) bad("unterminated escape");
            const char e = s[i++];
            switch (e) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'u':
                if (i + 4 > s.size()) bad("short \\u escape");
                i += 4;
                out += '?';
                break;
            default: out += e; // \" \\ \/
            }
        }
    }
    Json value() {
        ws();
        if (i >= s.size()) bad("unexpected end");
        Json j;
        const char c = s[i];
        if (c == '{') {
            j.kind = Json::Kind::Object;
            i++;
            if (eat('}')) return j;
            do {
                ws();
                std::string key = str();
                expect(':');
                j.members.emplace_back(std::move(key), value());
            } while (eat(','));
            expect('}');
        } else if (c == '[') {
            j.kind = Json::Kind::Array;
            i++;
            if (eat(']')) return j;
            do j.items.push_back(value());
            while (eat(','));
            expect(']');
        } else if (c == '"') {
            j.kind = Json::Kind::String;
            j.string = str();
        } else if (word("true")) {
            j.kind = Json::Kind::Bool, j.boolean = true;
        } else if (word("false")) {
            j.kind = Json::Kind::Bool;
        } else if (word("null")) {
        } else if (word("NaN")) { // Python's json.dump writes these three
            j.kind = Json::Kind::Number, j.number = std::numeric_limits<double>::quiet_NaN();
        } else if (word("Infinity")) {
            j.kind = Json::Kind::Number, j.number = std::numeric_limits<double>::infinity();
        } else if (word("-Infinity")) {
            j.kind = Json::Kind::Number, j.number = -std::numeric_limits<double>::infinity();
        } else {
            const char *begin = s.c_str() + i;
            char *end = nullptr;
            j.kind = Json::Kind::Number;
            j.number = std::strtod(begin, &end);
            if (end == begin) bad("unexpected character '" + std::string(1, c) + "'");
            i += static_cast<size_t>(end - begin);
        }
        return j;
    }
};

} // namespace json_detail

inline Json parse_json(const std::string &text, const std::string &name = "<string>") {
    json_detail::Parser p{text, name};
    Json j = p.value();
    p.ws();
    if (p.i != text.size()) p.bad("trailing characters");
    return j;
}

inline Json read_json(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("json " + path + ": cannot open (missing fixture?)");
    const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return parse_json(text, path);
}

} // namespace inp::test
