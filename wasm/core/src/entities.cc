#include "entities.h"

#include <cstdint>
#include <string>

#include "entities.inc"  // generated at build time from md4c's entity.c

namespace rillmark::detail {
namespace {

// The names and their expansions, decoded from the front-coded table once,
// on the first lookup (~29 KB of memory, only where entities occur; the
// binary holds ~9.7 KB gzipped).
struct Table {
  std::string names, values;
  uint16_t name[kEntityCount + 1];
  uint16_t value[kEntityCount + 1];
  Table() {
    names.reserve(kEntityNameBytes);  // no reallocation: names copy from themselves
    values.reserve(kEntityValueBytes);
    const auto* p = reinterpret_cast<const unsigned char*>(kEntityData);
    for (int i = 0; i < kEntityCount; ++i) {
      unsigned head = *p++;
      name[i] = static_cast<uint16_t>(names.size());
      names.append(names.data() + (i ? name[i - 1] : 0), head & 31);  // the prefix shared with the name before
      while (*p) names.push_back(static_cast<char>(*p++));
      ++p;
      value[i] = static_cast<uint16_t>(values.size());
      for (int cp = (head & 32) ? 2 : 1; cp > 0; --cp) {
        size_t len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        values.append(reinterpret_cast<const char*>(p), len);
        p += len;
      }
    }
    name[kEntityCount] = static_cast<uint16_t>(names.size());
    value[kEntityCount] = static_cast<uint16_t>(values.size());
  }
  std::string_view Name(int i) const { return std::string_view(names).substr(name[i], name[i + 1] - name[i]); }
  std::string_view Value(int i) const { return std::string_view(values).substr(value[i], value[i + 1] - value[i]); }
};
static_assert(kEntityNameBytes < 65536 && kEntityValueBytes < 65536, "offsets are 16-bit");

}  // namespace

std::string_view LookupEntity(std::string_view name) {
  static const Table table;
  int lo = 0, hi = kEntityCount;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    std::string_view m = table.Name(mid);
    if (m == name) return table.Value(mid);
    if (m < name) lo = mid + 1;
    else hi = mid;
  }
  return {};
}

}  // namespace rillmark::detail
