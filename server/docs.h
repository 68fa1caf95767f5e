// rillmark-server: the built-in Markdown answers (tests/fixtures/docs).
#ifndef RILLMARK_SERVER_DOCS_H_
#define RILLMARK_SERVER_DOCS_H_

#include <string_view>
#include <vector>

namespace rillmark::server {

struct Doc {
  std::string_view name;
  std::string_view text;
};

/// The named documents, embedded at build time.
const std::vector<Doc>& BuiltinDocs();

}  // namespace rillmark::server

#endif  // RILLMARK_SERVER_DOCS_H_
