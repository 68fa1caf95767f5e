// A tiny DOM that applies MarkdownRenderer patch ops exactly as web/src's
// applier does, so native tests check the patch stream, not just the renders.
#ifndef RILLMARK_TESTS_DOM_MODEL_H_
#define RILLMARK_TESTS_DOM_MODEL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rillmark/batch.h"
#include "rillmark/markdown.h"

namespace rillmark::testing {

struct Node {
  Tag tag = Tag::kNone;  // kNone: a text node
  std::string text;
  std::vector<std::pair<AttrName, std::string>> attrs;
  std::vector<std::unique_ptr<Node>> children;
  Node* parent = nullptr;
  int mutations = 0;  // times this node or its subtree was touched
};

class DomModel {
 public:
  DomModel() { root_.tag = Tag::kP; }

  // Applies one batch; returns the number of DOM mutations it made.
  int Apply(const Batch& batch) {
    const auto& w = batch.words();
    // Strings are UTF-16 ranges; the model works in UTF-8, so map ranges back.
    BuildIndex(batch.text());
    int mutations = 0;
    Node* cursor = nullptr;
    size_t i = 0;
    auto str = [&](size_t at) { return Substr(w[at], w[at + 1]); };
    while (i < w.size()) {
      switch (w[i]) {
        case kOpOpen: {
          auto node = std::make_unique<Node>();
          node->tag = static_cast<Tag>(w[i + 1]);
          uint32_t n = w[i + 2];
          i += 3;
          for (uint32_t k = 0; k < n; ++k, i += 3) node->attrs.push_back({static_cast<AttrName>(w[i]), str(i + 1)});
          Node* parent = cursor ? cursor : &root_;
          node->parent = parent;
          cursor = node.get();
          parent->children.push_back(std::move(node));
          ++mutations;
          break;
        }
        case kOpClose:
          cursor = cursor && cursor->parent != &root_ ? cursor->parent : nullptr;
          ++i;
          break;
        case kOpText: {
          auto node = std::make_unique<Node>();
          node->text = str(i + 1);
          Node* parent = cursor ? cursor : &root_;
          node->parent = parent;
          parent->children.push_back(std::move(node));
          ++mutations;
          i += 3;
          break;
        }
        case kOpAppendText: {
          uint32_t depth = w[i + 1];
          Node* n = Resolve(&w[i + 2], depth);
          n->text += str(i + 2 + depth);
          ++mutations;
          Touch(n);
          i += 2 + depth + 2;
          break;
        }
        case kOpTruncate: {
          uint32_t depth = w[i + 1];
          const uint32_t* path = &w[i + 2];
          Node* parent = depth == 1 ? &root_ : Resolve(path, depth - 1);
          size_t base = depth == 1 ? frozen_ : 0;
          size_t k = base + path[depth - 1];
          if (k < parent->children.size()) {
            Touch(parent);
            mutations += static_cast<int>(parent->children.size() - k);
            parent->children.resize(k);
          }
          Node* up = parent;
          for (uint32_t l = depth - 1; l-- > 0;) {
            Node* anc = up->parent;
            size_t idx = (l == 0 ? frozen_ : 0) + path[l];
            if (idx + 1 < anc->children.size()) {
              mutations += static_cast<int>(anc->children.size() - idx - 1);
              anc->children.resize(idx + 1);
            }
            up = anc;
          }
          cursor = parent == &root_ ? nullptr : parent;
          i += 2 + depth;
          break;
        }
        case kOpFreeze:
          frozen_ += w[i + 1];
          i += 2;
          break;
        case kOpUnfreeze:
          frozen_ -= w[i + 1];
          i += 2;
          break;
        default:
          return -1000000;  // unknown op: fail loudly
      }
    }
    return mutations;
  }

  // Shows `text` as `p` predicts (what web/src does instead of a flush);
  // the caller then hands it to MarkdownRenderer::AppendShown.
  void ApplyPrediction(const Prediction& p, std::string_view text) {
    std::string shown(text);
    if (p.kind == Prediction::kWords) {
      size_t end = text.find_last_not_of(' ');
      shown = end == std::string_view::npos ? "" : std::string(p.spaces, ' ') + std::string(text.substr(0, end + 1));
    }
    if (!shown.empty()) Resolve(p.path.data(), static_cast<uint32_t>(p.path.size()))->text += shown;
  }

  std::string Html() const {
    std::string out;
    for (const auto& c : root_.children) Serialize(*c, &out);
    return out;
  }
  std::string VisibleText() const {
    std::string out;
    for (const auto& c : root_.children) Text(*c, &out);
    return out;
  }
  size_t frozen() const { return frozen_; }
  const Node& root() const { return root_; }

 private:
  Node* Resolve(const uint32_t* path, uint32_t depth) {
    Node* n = &root_;
    for (uint32_t l = 0; l < depth; ++l) n = n->children.at((l == 0 ? frozen_ : 0) + path[l]).get();
    return n;
  }
  void Touch(Node* n) {
    for (; n; n = n->parent) ++n->mutations;
  }
  void BuildIndex(const std::string& text) {
    text_ = text;
    unit_to_byte_.clear();
    for (size_t b = 0; b < text.size(); ++b) {
      unsigned char c = static_cast<unsigned char>(text[b]);
      if ((c & 0xC0) == 0x80) continue;
      unit_to_byte_.push_back(b);
      if (c >= 0xF0) unit_to_byte_.push_back(b);
    }
    unit_to_byte_.push_back(text.size());
  }
  std::string Substr(uint32_t b, uint32_t e) const {
    return text_.substr(unit_to_byte_[b], unit_to_byte_[e] - unit_to_byte_[b]);
  }
  static void Serialize(const Node& n, std::string* out) {
    if (n.tag == Tag::kNone) {
      for (char c : n.text) {
        switch (c) {
          case '&': *out += "&amp;"; break;
          case '<': *out += "&lt;"; break;
          case '>': *out += "&gt;"; break;
          case '"': *out += "&quot;"; break;
          default: *out += c;
        }
      }
      return;
    }
    *out += "<" + std::string(TagName(n.tag));
    for (const auto& [name, value] : n.attrs) {
      *out += " " + std::string(AttrNameString(name));
      if (value.empty() && (name == AttrName::kDisabled || name == AttrName::kChecked)) continue;
      *out += "=\"";
      for (char c : value) {
        if (c == '&') *out += "&amp;";
        else if (c == '"') *out += "&quot;";
        else if (c == '<') *out += "&lt;";
        else if (c == '>') *out += "&gt;";
        else *out += c;
      }
      *out += "\"";
    }
    *out += ">";
    bool is_void = n.tag == Tag::kHr || n.tag == Tag::kBr || n.tag == Tag::kImg || n.tag == Tag::kInput;
    for (const auto& c : n.children) Serialize(*c, out);
    if (!is_void) *out += "</" + std::string(TagName(n.tag)) + ">";
  }
  static void Text(const Node& n, std::string* out) {
    if (n.tag == Tag::kNone) *out += n.text;
    for (const auto& c : n.children) Text(*c, out);
    if (n.tag != Tag::kNone && n.tag != Tag::kEm && n.tag != Tag::kStrong && n.tag != Tag::kDel &&
        n.tag != Tag::kA && n.tag != Tag::kCode)
      *out += ' ';  // block boundaries separate words
  }

  Node root_;
  size_t frozen_ = 0;
  std::string text_;
  std::vector<size_t> unit_to_byte_;
};

}  // namespace rillmark::testing

#endif  // RILLMARK_TESTS_DOM_MODEL_H_
