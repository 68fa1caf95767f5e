#include "entities.h"

#include <cstdint>
#include <string>

#include "entities.inc"  // generated at build time from md4c's entity.c
#include "utf8.h"

namespace rillmark::detail {
namespace {

// The names and their expansions, decoded from the front-coded names and
// the code point deltas once, on the first lookup (~29 KB of memory, only
// where entities occur; the binary holds ~9 KB gzipped).
struct Table {
  std::string names, values;
  uint16_t name[kEntityCount + 1];
  uint16_t value[kEntityCount + 1];
  Table() {
    names.reserve(kEntityNameBytes);  // no reallocation: names copy from themselves
    values.reserve(kEntityValueBytes);
    const auto* p = reinterpret_cast<const unsigned char*>(kEntityNames);
    const auto* d = reinterpret_cast<const unsigned char*>(kEntityDeltas);
    uint32_t cp = 0;
    for (int i = 0; i < kEntityCount; ++i) {
      unsigned head = *p++;
      name[i] = static_cast<uint16_t>(names.size());
      names.append(names.data() + (i ? name[i - 1] : 0), head & 31);  // the prefix shared with the name before
      while (*p) names.push_back(static_cast<char>(*p++));
      ++p;
      value[i] = static_cast<uint16_t>(values.size());
      for (int n = (head & 32) ? 2 : 1; n > 0; --n) {
        uint32_t z = 0;
        for (int shift = 0;; shift += 7) {
          z |= static_cast<uint32_t>(*d & 0x7f) << shift;
          if (!(*d++ & 0x80)) break;
        }
        cp += (z & 1) ? ~(z >> 1) : z >> 1;  // zigzag: the delta from the code point before
        AppendCodepoint(values, cp);
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
