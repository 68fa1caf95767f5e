// RapidJSON parsing as the token decoder does it (private header; also used
// by bench/json_choice so the library comparison measures the same thing).
#ifndef RILLMARK_SRC_JSON_PARSE_H_
#define RILLMARK_SRC_JSON_PARSE_H_

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <cstddef>
#include <cstdint>

namespace rillmark::detail {

// Builds the document from the reader's events, except that numbers keep
// their type but not their value (0): no decoder reads a number, and not
// converting them leaves RapidJSON's strtod and its power-of-ten tables
// (~3 KB of Wasm) out of the package.
struct NumbersWithoutValue {
  rapidjson::Document& doc;
  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int) { return doc.Int(0); }
  bool Uint(unsigned) { return doc.Int(0); }
  bool Int64(int64_t) { return doc.Int(0); }
  bool Uint64(uint64_t) { return doc.Int(0); }
  bool Double(double) { return doc.Int(0); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return doc.Int(0); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
  bool StartObject() { return doc.StartObject(); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool EndObject(rapidjson::SizeType n) { return doc.EndObject(n); }
  bool StartArray() { return doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return doc.EndArray(n); }
};

/// Parses the NUL-terminated `json` in place into `doc` (strings point into
/// `json`, which must outlive the values). Returns the parse result.
inline rapidjson::ParseResult ParseJsonInsitu(rapidjson::Document& doc, rapidjson::Reader& reader, char* json) {
  rapidjson::ParseResult result;
  auto parse = [&](rapidjson::Document& d) {
    NumbersWithoutValue handler{d};
    rapidjson::InsituStringStream in(json);
    result = reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag>(in, handler);
    return !result.IsError();
  };
  doc.Populate(parse);
  return result;
}

}  // namespace rillmark::detail

#endif  // RILLMARK_SRC_JSON_PARSE_H_
