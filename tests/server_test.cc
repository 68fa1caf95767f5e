// Integration tests: start rillmark-server on port 0 and talk to it over TCP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>

#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <string>

#include "recording_handler.h"
#include "rillmark/sse_parser.h"
#include "rillmark/token_decoder.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* kToken = "test-token";

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Server : public ::testing::Environment {
 public:
  void SetUp() override {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      execl(RILLMARK_SERVER, RILLMARK_SERVER, "--port", "0", "--token", kToken, "--static", RILLMARK_WEB, nullptr);
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256] = {};
    ASSERT_NE(fgets(line, sizeof line, f), nullptr) << "server printed nothing";
    std::string s(line);
    ASSERT_EQ(s.rfind("listening on http://127.0.0.1:", 0), 0u) << s;
    port = static_cast<unsigned short>(std::stoi(s.substr(s.rfind(':') + 1)));
  }
  void TearDown() override {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    EXPECT_TRUE(WIFEXITED(status)) << "server did not exit cleanly on SIGTERM";
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  static inline unsigned short port = 0;

 private:
  pid_t pid_ = 0;
};

struct Reply {
  unsigned status = 0;
  std::string body;
  http::fields headers;
};

// One request on a fresh connection; the body is read until the server closes
// or the message ends.
Reply Request(http::verb verb, const std::string& target, std::map<std::string, std::string> headers = {},
              const std::string& body = "", bool auth = true) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), Server::port});
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "localhost");
  if (auth) req.set(http::field::authorization, std::string("Bearer ") + kToken);
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  http::write(s, req);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  beast::error_code ec;
  http::read(s, buf, parser, ec);
  Reply r;
  r.status = parser.get().result_int();
  r.body = parser.get().body();
  r.headers = parser.get().base();
  return r;
}

Reply Get(const std::string& target, std::map<std::string, std::string> headers = {}) {
  return Request(http::verb::get, target, std::move(headers));
}

std::string Doc(const std::string& name) { return ReadFile(std::string(RILLMARK_FIXTURES "/docs/") + name + ".md"); }

struct Decoded : rillmark::TokenHandler {
  std::string text;
  int done = 0;
  std::vector<rillmark::Status> errors;
  void OnText(std::string_view t) override { text += t; }
  void OnDone() override { ++done; }
  void OnError(rillmark::Status s, std::string_view) override { errors.push_back(s); }
};

Decoded Decode(const std::string& format, const std::string& body) {
  Decoded d;
  rillmark::TokenFormat f;
  EXPECT_EQ(rillmark::TokenFormat::FromName(format, &f), rillmark::Status::kOk);
  rillmark::TokenDecoder dec(f, &d);
  dec.Feed(body);
  dec.End();
  return d;
}

uint64_t StatsField(const std::string& name) {
  std::string s = Get("/v1/stats").body;
  size_t at = s.find("\"" + name + "\":");
  return at == std::string::npos ? ~0ull : std::stoull(s.substr(at + name.size() + 3));
}

TEST(Server, AnswersHealthz) {
  Reply r = Request(http::verb::get, "/healthz", {}, "", false);
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, "ok\n");
}

TEST(Server, RequiresTheBearerTokenOnV1) {
  Reply none = Request(http::verb::get, "/v1/stream", {}, "", false);
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.headers[http::field::www_authenticate], "Bearer realm=\"rillmark\"");
  EXPECT_NE(none.body.find("\"UNAUTHORIZED\""), std::string::npos);
  Reply wrong = Request(http::verb::get, "/v1/stats", {{"Authorization", "Bearer test-tokem"}}, "", false);
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(Get("/v1/stats").status, 200u);
}

TEST(Server, AnswersTheCorsPreflightForAuthorization) {
  Reply r = Request(http::verb::options, "/v1/stream",
                    {{"Origin", "http://localhost:5173"}, {"Access-Control-Request-Method", "POST"},
                     {"Access-Control-Request-Headers", "authorization, content-type"}},
                    "", false);
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(r.headers[http::field::access_control_allow_origin], "*");
  EXPECT_NE(std::string(r.headers[http::field::access_control_allow_headers]).find("Authorization"), std::string::npos);
}

TEST(Server, ListsItsDocs) {
  Reply r = Get("/v1/docs");
  EXPECT_EQ(r.status, 200u);
  for (const char* name : {"intro", "code", "table", "lists", "mixed"})
    EXPECT_NE(r.body.find(std::string("\"") + name + "\""), std::string::npos) << name;
}

// Independent of the server's code: UTF-8-safe fixed-size tokens.
std::vector<std::string> Tokens(const std::string& s, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t e = std::min(s.size(), i + n);
    while (e < s.size() && (static_cast<unsigned char>(s[e]) & 0xC0) == 0x80) ++e;
    out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

TEST(Server, TextFormatIsByteExact) {
  std::string doc = Doc("mixed");
  std::string expected;
  size_t id = 0;
  for (const std::string& t : Tokens(doc, 7)) {
    expected += "id: " + std::to_string(++id) + "\n";
    size_t pos = 0;
    for (;;) {
      size_t nl = t.find('\n', pos);
      expected += "data: " + t.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos) + "\n";
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    expected += "\n";
  }
  expected += "id: " + std::to_string(++id) + "\ndata: [DONE]\n\n";
  Reply r = Get("/v1/stream?format=text&doc=mixed&interval_ms=0&token_bytes=7");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers[http::field::content_type], "text/event-stream; charset=utf-8");
  EXPECT_EQ(r.body, expected);
}

class FormatTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FormatTest, StreamsTheDocInTheProvidersWireFormat) {
  for (const char* doc : {"intro", "code", "mixed"}) {
    Reply r = Get(std::string("/v1/stream?interval_ms=0&token_bytes=5&split=3&doc=") + doc + "&format=" + GetParam());
    ASSERT_EQ(r.status, 200u);
    Decoded d = Decode(GetParam(), r.body);
    EXPECT_EQ(d.text, Doc(doc)) << GetParam() << " " << doc;
    EXPECT_EQ(d.done, 1);
    EXPECT_TRUE(d.errors.empty());
    // ids are 1..n without gaps
    rillmark::testing::RecordingHandler h;
    rillmark::SseParser p(&h);
    p.Feed(r.body);
    for (size_t i = 0; i < h.events.size(); ++i) ASSERT_EQ(h.events[i].id, std::to_string(i + 1));
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, FormatTest,
                         ::testing::Values("text", "openai-chat", "openai-responses", "anthropic", "adk"));

TEST(Server, BatchSendsSeveralEventsPerTickWithTheSameBytes) {
  Reply one = Get("/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=9");
  Reply batched = Get("/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=9&batch=25");
  EXPECT_EQ(batched.body, one.body);
}

TEST(Server, ResumesAfterLastEventId) {
  Reply r = Get("/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=10", {{"Last-Event-ID", "5"}});
  EXPECT_EQ(r.body.rfind("id: 6\n", 0), 0u);
  EXPECT_GE(StatsField("resumed"), 1u);
  EXPECT_NE(Get("/v1/stats").body.find("\"last_resume_id\":\"5\""), std::string::npos);
}

TEST(Server, DropAfterBreaksTheStreamAndResumeCompletesIt) {
  std::string text;
  std::string last = "";
  int connections = 0;
  for (; connections < 50; ++connections) {
    std::map<std::string, std::string> h;
    if (!last.empty()) h["Last-Event-ID"] = last;
    Reply r = Get("/v1/stream?format=openai-chat&doc=lists&interval_ms=0&token_bytes=9&drop_after=4", h);
    rillmark::testing::RecordingHandler rec;
    rillmark::SseParser p(&rec);
    p.Feed(r.body);
    p.End();
    Decoded d = Decode("openai-chat", r.body);
    text += d.text;
    if (!rec.events.empty()) last = rec.events.back().id;
    if (d.done) break;
  }
  EXPECT_GT(connections, 3);
  EXPECT_EQ(text, Doc("lists"));
}

TEST(Server, StatusFaultAnswersWithJsonError) {
  Reply r = Get("/v1/stream?status=503");
  EXPECT_EQ(r.status, 503u);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
  EXPECT_EQ(Get("/v1/stream?status=429").status, 429u);
}

TEST(Server, ContentTypeFaultOverridesTheHeader) {
  Reply r = Get("/v1/stream?interval_ms=0&content_type=text%2Fhtml");
  EXPECT_EQ(r.headers[http::field::content_type], "text/html");
}

TEST(Server, RetryAndHeartbeatsAreOnTheWire) {
  Reply r = Get("/v1/stream?format=text&doc=intro&interval_ms=20&token_bytes=400&heartbeat_ms=5&retry_ms=1234");
  EXPECT_EQ(r.body.rfind("retry: 1234\n\n", 0), 0u);
  rillmark::testing::RecordingHandler h;
  rillmark::SseParser p(&h);
  p.Feed(r.body);
  EXPECT_GE(h.comments.size(), 1u);
  EXPECT_EQ(h.retries, std::vector<uint32_t>{1234});
}

TEST(Server, HugeEventIsReportedByTheParserAndTheRestStillDecodes) {
  Reply r = Get("/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=50&huge_event_bytes=1100000");
  Decoded d = Decode("text", r.body);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0], rillmark::Status::kEventTooLarge);
  EXPECT_EQ(d.text, Doc("intro"));
}

TEST(Server, StallKeepsTheConnectionOpenButSilent) {
  auto start = std::chrono::steady_clock::now();
  Reply r = Get("/v1/stream?format=text&doc=intro&interval_ms=0&token_bytes=500&stall_ms=300");
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 300ms);  // a lower bound only: the stall cannot be shorter
  EXPECT_EQ(Decode("text", r.body).text, Doc("intro"));
}

TEST(Server, PostTakesJsonParametersAndEchoesThePrompt) {
  Reply r = Request(http::verb::post, "/v1/stream", {{"Content-Type", "application/json"}},
                    R"({"format":"anthropic","doc":"table","interval_ms":0,"token_bytes":64,"prompt":"Compare transports"})");
  ASSERT_EQ(r.status, 200u);
  Decoded d = Decode("anthropic", r.body);
  EXPECT_EQ(d.text, "> Compare transports\n\n" + Doc("table"));
}

TEST(Server, RejectsBadParameters) {
  EXPECT_EQ(Get("/v1/stream?format=nope").status, 400u);
  EXPECT_EQ(Get("/v1/stream?doc=nope").status, 400u);
  EXPECT_EQ(Get("/v1/stream?interval_ms=-1").status, 400u);
  EXPECT_EQ(Get("/v1/stream?token_bytes=abc").status, 400u);
  EXPECT_EQ(Get("/v1/stream?batch=0").status, 400u);
  EXPECT_EQ(Request(http::verb::post, "/v1/stream", {}, "{not json").status, 400u);
}

TEST(Server, FreesAStreamAtOnceWhenTheClientGoesAway) {
  {
    asio::io_context io;
    tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), Server::port});
    std::string req = std::string("GET /v1/stream?interval_ms=60000 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") +
                      kToken + "\r\n\r\n";
    asio::write(s, asio::buffer(req));
    char buf[64];
    s.read_some(asio::buffer(buf));  // the header arrived: the stream is live
  }  // closed here, while the server waits a minute for the next event
  auto deadline = std::chrono::steady_clock::now() + 5s;
  uint64_t live = ~0ull;
  while (std::chrono::steady_clock::now() < deadline && (live = StatsField("live")) != 0) std::this_thread::yield();
  EXPECT_EQ(live, 0u);
}

TEST(Server, ServesStaticFilesWithTheirTypesAndNoTraversal) {
  Reply js = Request(http::verb::get, "/src/index.js", {}, "", false);
  EXPECT_EQ(js.status, 200u);
  EXPECT_EQ(js.headers[http::field::content_type], "text/javascript; charset=utf-8");
  Reply wasm = Request(http::verb::get, "/dist/rillmark.wasm", {}, "", false);
  if (wasm.status == 200u) EXPECT_EQ(wasm.headers[http::field::content_type], "application/wasm");
  for (const char* bad : {"/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/src/../../CMakeLists.txt",
                          "/..%2fCMakeLists.txt", "/%00"}) {
    Reply r = Request(http::verb::get, bad, {}, "", false);
    EXPECT_NE(r.status, 200u) << bad;
    EXPECT_EQ(r.body.find("cmake_minimum_required"), std::string::npos) << bad;
  }
}

TEST(Server, CapsHeadersAndBodies) {
  Reply big_header = Request(http::verb::get, "/healthz", {{"X-Big", std::string(10000, 'a')}}, "", false);
  EXPECT_EQ(big_header.status, 431u);
  Reply big_body = Request(http::verb::post, "/v1/stream", {}, std::string(70000, 'a'));
  EXPECT_EQ(big_body.status, 413u);
}

// Sends raw bytes, reads until close or timeout; the server must answer 400
// or close, and never crash.
void SendRaw(const std::string& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), Server::port});
  boost::system::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);
  s.shutdown(tcp::socket::shutdown_send, ec);
  char buf[4096];
  while (!ec) s.read_some(asio::buffer(buf), ec);
}

TEST(Server, SurvivesMalformedAndTruncatedRequests) {
  std::vector<std::string> corpus = {
      "GARBAGE\r\n\r\n", "GET\r\n\r\n", "GET / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nHost\r\n\r\n",
      "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
      "POST /v1/stream HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n", "\x00\x01\x02\x03",
      "GET /v1/stream?%zz=%q HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\r\n" + std::string(20000, 'x'),
      "POST /v1/stream HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
      "GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\r\n\r\n",
      "OPTIONS * HTTP/1.1\r\n\r\n", "GET http://evil/ HTTP/1.1\r\nHost: x\r\n\r\n"};
  std::string full = std::string("POST /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ") + kToken +
                     "\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"interval_ms\":0,\"token_bytes\":1000}    ";
  for (size_t cut = 0; cut < full.size(); cut += 3) corpus.push_back(full.substr(0, cut));  // truncations
  for (size_t i = 0; i < full.size(); i += 5) {  // single-byte corruptions
    std::string c = full;
    c[i] = static_cast<char>(c[i] ^ 0x5A);
    corpus.push_back(c);
  }
  ASSERT_GE(corpus.size(), 100u);
  for (const std::string& req : corpus) SendRaw(req);
  EXPECT_EQ(Request(http::verb::get, "/healthz", {}, "", false).status, 200u);
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new Server);
  return RUN_ALL_TESTS();
}
