#include "entities.h"

#include <cstdint>

#include "entities.inc"  // generated at build time from md4c's entity.c

namespace rillmark::detail {
namespace {

// Where each name and each expansion starts: built once, on the first
// lookup (17 KB of memory instead of 41 KB of data in the binary).
struct Index {
  uint16_t name[kEntityCount + 1];
  uint16_t value[kEntityCount + 1];
  Index() {
    uint32_t n = 0, v = 0;
    for (int i = 0; i < kEntityCount; ++i) {
      name[i] = static_cast<uint16_t>(n);
      value[i] = static_cast<uint16_t>(v);
      while (kEntityNames[n] != '\n') ++n;
      while (kEntityValues[v] != '\0') ++v;
      ++n;
      ++v;
    }
    name[kEntityCount] = static_cast<uint16_t>(n);
    value[kEntityCount] = static_cast<uint16_t>(v);
  }
  std::string_view Name(int i) const { return {kEntityNames + name[i], size_t(name[i + 1] - name[i] - 1)}; }
  std::string_view Value(int i) const { return {kEntityValues + value[i], size_t(value[i + 1] - value[i] - 1)}; }
};
static_assert(sizeof(kEntityNames) < 65536 && sizeof(kEntityValues) < 65536, "offsets are 16-bit");

}  // namespace

std::string_view LookupEntity(std::string_view name) {
  static const Index index;
  int lo = 0, hi = kEntityCount;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    std::string_view m = index.Name(mid);
    if (m == name) return index.Value(mid);
    if (m < name) lo = mid + 1;
    else hi = mid;
  }
  return {};
}

}  // namespace rillmark::detail
