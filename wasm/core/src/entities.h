// HTML named character references (the table md4c's renderer uses).
#ifndef RILLMARK_ENTITIES_H_
#define RILLMARK_ENTITIES_H_

#include <string_view>

namespace rillmark::detail {

/// The UTF-8 expansion of the named entity `name` (without '&' and ';'), or
/// an empty view when HTML has no such entity.
std::string_view LookupEntity(std::string_view name);

}  // namespace rillmark::detail

#endif  // RILLMARK_ENTITIES_H_
