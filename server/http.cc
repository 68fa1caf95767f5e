#include "http.h"

#include <boost/beast.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "docs.h"
#include "events.h"

namespace rillmark::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

constexpr size_t kHeaderLimit = 8 * 1024;
constexpr size_t kBodyLimit = 64 * 1024;
constexpr auto kHeaderTimeout = 10s;  // a client has this long to send a whole request
constexpr auto kIdleTimeout = 30s;    // between requests on a kept-alive connection

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view q) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= q.size()) {
    size_t amp = q.find('&', pos);
    std::string_view part = q.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      out[PercentDecode(part.substr(0, eq))] = eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

// Compares in time independent of where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string JsonError(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  w.EndObject();
  return buf.GetString();
}

void Cors(http::fields& f) {
  f.set(http::field::access_control_allow_origin, "*");
  f.set(http::field::access_control_allow_headers, "Authorization, Content-Type, Last-Event-ID");
  f.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
  f.set(http::field::access_control_max_age, "600");
}

Response Make(unsigned status, std::string body, std::string_view type, unsigned version, bool keep) {
  Response res{static_cast<http::status>(status), version};
  res.set(http::field::server, "rillmark-server");
  res.set(http::field::content_type, beast::string_view(type.data(), type.size()));
  res.set(http::field::cache_control, "no-store");
  Cors(res.base());
  res.keep_alive(keep);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::string_view MimeType(const std::filesystem::path& p) {
  static const std::map<std::string, std::string_view> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".wasm", "application/wasm"}, {".json", "application/json"}, {".svg", "image/svg+xml"},
      {".png", "image/png"}, {".ico", "image/x-icon"}, {".md", "text/markdown; charset=utf-8"},
      {".map", "application/json"}, {".txt", "text/plain; charset=utf-8"}};
  auto it = kTypes.find(p.extension().string());
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

struct StreamParams {
  std::string format = "text", doc = "intro", prompt, content_type = "text/event-stream; charset=utf-8";
  long interval_ms = 30, jitter_ms = 0, token_bytes = 4, split = 0, heartbeat_ms = 0, retry_ms = -1,
       drop_after = 0, status = 0, stall_ms = 0, stall_after = 1, huge_event_bytes = 0, batch = 1;
};

// Reads parameters from the query string, then from a JSON body (which wins).
bool ReadParams(const Request& req, std::string_view query, StreamParams* p, std::string* error) {
  std::map<std::string, std::string> kv = ParseQuery(query);
  if (req.method() == http::verb::post && !req.body().empty()) {
    rapidjson::Document d;
    d.Parse(req.body().data(), req.body().size());
    if (d.HasParseError() || !d.IsObject()) {
      *error = "body is not a JSON object";
      return false;
    }
    for (auto& m : d.GetObject()) {
      std::string key(m.name.GetString(), m.name.GetStringLength());
      if (m.value.IsString()) kv[key] = std::string(m.value.GetString(), m.value.GetStringLength());
      else if (m.value.IsInt64()) kv[key] = std::to_string(m.value.GetInt64());
    }
  }
  struct Num {
    const char* name;
    long* field;
    long lo, hi;
  };
  Num nums[] = {{"interval_ms", &p->interval_ms, 0, 60000},     {"jitter_ms", &p->jitter_ms, 0, 60000},
                {"token_bytes", &p->token_bytes, 1, 1 << 20},   {"split", &p->split, 0, 1 << 20},
                {"heartbeat_ms", &p->heartbeat_ms, 0, 600000},  {"retry_ms", &p->retry_ms, 0, 600000},
                {"drop_after", &p->drop_after, 0, 1 << 30},     {"status", &p->status, 100, 599},
                {"stall_ms", &p->stall_ms, 0, 600000},          {"stall_after", &p->stall_after, 0, 1 << 30},
                {"huge_event_bytes", &p->huge_event_bytes, 0, 64 << 20}, {"batch", &p->batch, 1, 10000}};
  for (const Num& n : nums) {
    auto it = kv.find(n.name);
    if (it == kv.end() || it->second.empty()) continue;
    char* end = nullptr;
    long v = std::strtol(it->second.c_str(), &end, 10);
    if (*end != '\0' || v < n.lo || v > n.hi) {
      *error = std::string(n.name) + " must be an integer in [" + std::to_string(n.lo) + ", " + std::to_string(n.hi) + "]";
      return false;
    }
    *n.field = v;
  }
  if (auto it = kv.find("format"); it != kv.end()) p->format = it->second;
  if (auto it = kv.find("doc"); it != kv.end()) p->doc = it->second;
  if (auto it = kv.find("content_type"); it != kv.end()) p->content_type = it->second;
  if (auto it = kv.find("prompt"); it != kv.end()) p->prompt = it->second.substr(0, 500);
  return true;
}

// Streams with the same answer share one immutable event list: thousands of
// concurrent streams then cost a socket, a timer and a coroutine frame each.
// The cache is bounded (cleared when full; live streams keep their list).
std::shared_ptr<const std::vector<std::string>> CachedEvents(const std::string& format, const std::string& text,
                                                             long token_bytes) {
  static std::map<std::string, std::shared_ptr<const std::vector<std::string>>> cache;
  std::string key = format + '\0' + std::to_string(token_bytes) + '\0' + text;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  auto events = std::make_shared<std::vector<std::string>>();
  if (!BuildEvents(format, text, static_cast<size_t>(token_bytes), events.get())) return nullptr;
  if (cache.size() >= 64) cache.clear();
  cache.emplace(std::move(key), events);
  return events;
}

// The answer's events: the doc, after the echoed prompt if any. (A plain
// function, so the text lives on its stack, not in a stream's coroutine frame.)
std::shared_ptr<const std::vector<std::string>> EventsFor(const StreamParams& p, std::string_view doc) {
  std::string text;
  if (!p.prompt.empty()) {
    text = "> ";
    for (char c : p.prompt) text += (c == '\n' || c == '\r') ? ' ' : c;
    text += "\n\n";
  }
  text += doc;
  return CachedEvents(p.format, text, p.token_bytes);
}

// The stream's response header, serialized (close-delimited raw body).
std::string StreamHeader(const StreamParams& p, unsigned version) {
  http::response<http::empty_body> res{http::status::ok, version};
  res.set(http::field::server, "rillmark-server");
  res.set(http::field::content_type, p.content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Accel-Buffering", "no");
  Cors(res.base());
  res.keep_alive(false);
  std::ostringstream os;
  os << res.base();
  return os.str();
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, const Config& config, Stats& stats)
      : socket_(std::move(socket)), config_(config), stats_(stats), timer_(socket_.get_executor()) {}

  // Serves requests until the connection closes. `self` keeps the connection
  // alive for the whole coroutine (the caller's shared_ptr is gone by then).
  static awaitable<void> Run(std::shared_ptr<Connection> self) { co_await self->Serve(); }

 private:
  awaitable<void> Serve() {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    bool first = true;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(kHeaderLimit);
      parser.body_limit(kBodyLimit);
      // Slow or silent clients are closed: a deadline for the whole request.
      asio::steady_timer deadline(socket_.get_executor());
      deadline.expires_after(first ? kHeaderTimeout : kIdleTimeout);
      deadline.async_wait([self](error_code ec) {
        if (!ec) self->Close();
      });
      error_code ec;
      co_await http::async_read(socket_, buffer, parser, asio::redirect_error(use_awaitable, ec));
      deadline.cancel();
      first = false;
      if (ec) {
        unsigned status = ec == http::error::header_limit ? 431 : ec == http::error::body_limit ? 413 : 400;
        bool silent = ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
                      ec == asio::error::bad_descriptor || ec == asio::error::connection_reset ||
                      (ec == http::error::partial_message && parser.got_some() == false);
        if (!silent && socket_.is_open())
          co_await Send(Make(status, JsonError("BAD_REQUEST", ec.message()), "application/json", 11, false));
        Close();
        co_return;
      }
      Request req = parser.release();
      buffer.shrink_to_fit();  // a stream may live for minutes: keep idle memory small
      bool keep = co_await Handle(req);
      if (!keep || !socket_.is_open()) {
        Close();
        co_return;
      }
    }
  }

 private:
  void Close() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  awaitable<bool> Send(Response res) {
    error_code ec;
    co_await http::async_write(socket_, res, asio::redirect_error(use_awaitable, ec));
    co_return !ec && res.keep_alive();
  }

  awaitable<bool> Handle(Request& req) {
    std::string_view target(req.target().data(), req.target().size());
    size_t q = target.find('?');
    std::string path = PercentDecode(target.substr(0, q));
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    unsigned v = req.version();
    bool keep = req.keep_alive();

    if (req.method() == http::verb::options) {
      Response res = Make(204, "", "text/plain", v, keep);
      res.content_length(0);
      co_return co_await Send(std::move(res));
    }
    if (path == "/healthz") co_return co_await Send(Make(200, "ok\n", "text/plain; charset=utf-8", v, keep));
    if (path.rfind("/v1/", 0) == 0) {
      std::string_view auth(req[http::field::authorization].data(), req[http::field::authorization].size());
      if (auth.rfind("Bearer ", 0) != 0 || !ConstantTimeEquals(auth.substr(7), config_.token)) {
        Response res = Make(401, JsonError("UNAUTHORIZED", "a valid Bearer token is required"), "application/json", v, keep);
        res.set(http::field::www_authenticate, "Bearer realm=\"rillmark\"");
        co_return co_await Send(std::move(res));
      }
      if (path == "/v1/stats") co_return co_await Send(Make(200, StatsJson(), "application/json", v, keep));
      if (path == "/v1/docs") co_return co_await Send(Make(200, DocsJson(), "application/json", v, keep));
      if (path == "/v1/stream" && (req.method() == http::verb::get || req.method() == http::verb::post))
        co_return co_await Stream(req, query);
      co_return co_await Send(Make(404, JsonError("NOT_FOUND", "no such endpoint"), "application/json", v, keep));
    }
    if (!config_.static_dir.empty() && (req.method() == http::verb::get || req.method() == http::verb::head))
      co_return co_await Static(req, path);
    co_return co_await Send(Make(404, JsonError("NOT_FOUND", "not found"), "application/json", v, keep));
  }

  std::string StatsJson() const {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("live"); w.Uint64(stats_.live);
    w.Key("started"); w.Uint64(stats_.started);
    w.Key("finished"); w.Uint64(stats_.finished);
    w.Key("aborted"); w.Uint64(stats_.aborted);
    w.Key("resumed"); w.Uint64(stats_.resumed);
    w.Key("last_resume_id"); w.String(stats_.last_resume_id.c_str());
    w.EndObject();
    return buf.GetString();
  }

  static std::string DocsJson() {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartArray();
    for (const Doc& d : BuiltinDocs()) {
      w.StartObject();
      w.Key("name"); w.String(d.name.data(), static_cast<rapidjson::SizeType>(d.name.size()));
      w.Key("bytes"); w.Uint64(d.text.size());
      w.EndObject();
    }
    w.EndArray();
    return buf.GetString();
  }

  awaitable<bool> Static(const Request& req, const std::string& path) {
    namespace fs = std::filesystem;
    unsigned v = req.version();
    bool keep = req.keep_alive();
    if (path.find('\0') != std::string::npos || path.find("..") != std::string::npos || path.empty() || path[0] != '/')
      co_return co_await Send(Make(400, JsonError("BAD_PATH", "bad path"), "application/json", v, keep));
    error_code ignored;
    fs::path root = fs::weakly_canonical(config_.static_dir);
    fs::path file = fs::weakly_canonical(root / path.substr(1));
    std::string rel = file.lexically_relative(root).string();
    if (rel.empty() || rel.rfind("..", 0) == 0)
      co_return co_await Send(Make(403, JsonError("FORBIDDEN", "outside the static root"), "application/json", v, keep));
    std::error_code fec;
    if (fs::is_directory(file, fec)) {
      if (path.back() != '/') {
        Response res = Make(301, "", "text/plain", v, keep);
        res.set(http::field::location, path + "/");
        co_return co_await Send(std::move(res));
      }
      if (!fs::exists(file / "index.html") && fs::exists(file / "demo" / "index.html")) {
        Response res = Make(302, "", "text/plain", v, keep);
        res.set(http::field::location, path + "demo/");
        co_return co_await Send(std::move(res));
      }
      file /= "index.html";
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) co_return co_await Send(Make(404, JsonError("NOT_FOUND", "not found"), "application/json", v, keep));
    std::ostringstream ss;
    ss << in.rdbuf();
    Response res = Make(200, req.method() == http::verb::head ? "" : ss.str(), MimeType(file), v, keep);
    res.set(http::field::cache_control, "no-cache");
    co_return co_await Send(std::move(res));
  }

  // Writes `bytes` in `split`-byte pieces (0: at once); false when the client is gone.
  awaitable<bool> Write(std::string_view bytes, long split) {
    size_t piece = split > 0 ? static_cast<size_t>(split) : bytes.size();
    for (size_t i = 0; i < bytes.size(); i += piece) {
      error_code ec;
      co_await asio::async_write(socket_, asio::buffer(bytes.substr(i, piece)), asio::redirect_error(use_awaitable, ec));
      if (ec || gone_) co_return false;
    }
    co_return true;
  }

  // Sleeps until `t`; false when the client went away meanwhile.
  awaitable<bool> SleepUntil(std::chrono::steady_clock::time_point t) {
    timer_.expires_at(t);
    error_code ec;
    co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    co_return !gone_;
  }

  awaitable<bool> Stream(Request& req, std::string_view query) {
    unsigned v = req.version();
    StreamParams p;
    std::string error;
    if (!ReadParams(req, query, &p, &error))
      co_return co_await Send(Make(400, JsonError("BAD_PARAMETER", error), "application/json", v, req.keep_alive()));
    if (p.status) {
      Response res = Make(static_cast<unsigned>(p.status), JsonError("FAULT", "status requested by the client"),
                          "application/json", v, req.keep_alive());
      if (p.status == 429 || p.status == 503) res.set(http::field::retry_after, "1");
      co_return co_await Send(std::move(res));
    }
    const Doc* doc = nullptr;
    for (const Doc& d : BuiltinDocs())
      if (d.name == p.doc) doc = &d;
    if (!doc) co_return co_await Send(Make(400, JsonError("BAD_PARAMETER", "unknown doc"), "application/json", v, req.keep_alive()));
    std::shared_ptr<const std::vector<std::string>> shared = EventsFor(p, doc->text);
    if (!shared)
      co_return co_await Send(Make(400, JsonError("BAD_PARAMETER", "unknown format"), "application/json", v, req.keep_alive()));
    const std::vector<std::string>& events = *shared;

    // Resume after the last event the client has (Last-Event-ID).
    size_t next = 0;
    std::string_view last(req["Last-Event-ID"].data(), req["Last-Event-ID"].size());
    if (!last.empty()) {
      ++stats_.resumed;
      stats_.last_resume_id = std::string(last.substr(0, 64));
      char* end = nullptr;
      std::string tmp(last);
      unsigned long long id = std::strtoull(tmp.c_str(), &end, 10);
      if (*end == '\0') next = std::min<size_t>(id, events.size());
    }

    // The body is close-delimited raw bytes, so split=1 really sends every byte alone.
    {
      std::string header = StreamHeader(p, v);
      req = Request{};  // nothing of the request is needed any more
      p.format.clear(), p.format.shrink_to_fit(), p.prompt.clear(), p.prompt.shrink_to_fit();
      p.doc.clear(), p.doc.shrink_to_fit(), p.content_type.clear(), p.content_type.shrink_to_fit();
      if (!co_await Write(header, 0)) co_return false;
    }
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);

    ++stats_.live;
    ++stats_.started;
    struct LiveGuard {
      Stats& s;
      ~LiveGuard() { --s.live; }
    } guard{stats_};
    // A client that goes away is noticed at once (readable: EOF or reset),
    // not at the next write: its timer is cancelled and the stream freed.
    auto self = shared_from_this();
    socket_.async_wait(tcp::socket::wait_read, [self](error_code) {
      self->gone_ = true;
      self->timer_.cancel();
    });

    bool ok = true;
    if (p.retry_ms >= 0) ok = co_await Write("retry: " + std::to_string(p.retry_ms) + "\n\n", p.split);
    if (ok && p.huge_event_bytes > 0) {
      std::string huge = "data: " + std::string(static_cast<size_t>(p.huge_event_bytes), 'x') + "\n\n";
      ok = co_await Write(huge, p.split);
    }
    std::mt19937 rng(std::random_device{}());
    auto now = std::chrono::steady_clock::now;
    auto next_event = now();
    auto next_beat = now() + std::chrono::milliseconds(p.heartbeat_ms);
    long sent = 0;
    bool stalled = false;
    std::string burst;
    while (ok && next < events.size()) {
      if (p.heartbeat_ms > 0 && next_beat < next_event) {
        ok = co_await SleepUntil(next_beat) && co_await Write(": ping\n\n", p.split);
        next_beat += std::chrono::milliseconds(p.heartbeat_ms);
        continue;
      }
      if (!(ok = co_await SleepUntil(next_event))) break;
      // Up to `batch` events leave in one write (bursts), never past a drop point.
      size_t count = std::min<size_t>(static_cast<size_t>(p.batch), events.size() - next);
      if (p.drop_after > 0) count = std::min<size_t>(count, static_cast<size_t>(std::max(1L, p.drop_after - sent)));
      if (count == 1) {
        ok = co_await Write(events[next], p.split);
      } else {
        burst.clear();
        for (size_t k = 0; k < count; ++k) burst += events[next + k];
        ok = co_await Write(burst, p.split);
      }
      if (!ok) break;
      next += count;
      sent += static_cast<long>(count);
      if (p.drop_after > 0 && sent >= p.drop_after && next < events.size()) {
        // Fault: the connection breaks mid-answer (RST, no clean end).
        socket_.set_option(asio::socket_base::linger(true, 0), ec);
        Close();
        ok = false;
        break;
      }
      long jitter = p.jitter_ms > 0 ? static_cast<long>(rng() % static_cast<unsigned>(p.jitter_ms + 1)) : 0;
      next_event = now() + std::chrono::milliseconds(p.interval_ms + jitter);
      if (p.stall_ms > 0 && !stalled && sent >= p.stall_after) {
        stalled = true;
        next_event += std::chrono::milliseconds(p.stall_ms);
        next_beat = next_event + std::chrono::milliseconds(p.heartbeat_ms);  // silence while stalled
      }
    }
    if (ok) {
      ++stats_.finished;
    } else {
      ++stats_.aborted;
    }
    co_return false;
  }

  tcp::socket socket_;
  const Config& config_;
  Stats& stats_;
  asio::steady_timer timer_;
  bool gone_ = false;
};

}  // namespace

awaitable<void> AcceptLoop(tcp::acceptor& acceptor, const Config& config, Stats& stats) {
  auto executor = co_await asio::this_coro::executor;
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. EMFILE: try again
    auto start = [&](tcp::socket s) {
      auto c = std::make_shared<Connection>(std::move(s), config, stats);
      asio::co_spawn(executor, Connection::Run(std::move(c)), asio::detached);
    };
    start(std::move(socket));
    // Drain what else is already queued before serving the streams again.
    acceptor.non_blocking(true, ec);
    for (int i = 0; i < 256; ++i) {
      tcp::socket more(executor);
      acceptor.accept(more, ec);
      if (ec) break;
      start(std::move(more));
    }
    acceptor.non_blocking(false, ec);
  }
}

}  // namespace rillmark::server
