// Load client for the server capacity benchmark: one thread, Asio (epoll),
// thousands of concurrent SSE streams. Per stream it checks that the event ids
// are exactly 1..n (no lost, no duplicated event) and records time to first
// byte and inter-event gaps; it samples the server's CPU time and peak RSS
// from /proc. Prints one JSON object.
//
//   load_client --port P --pid PID --streams N --events E --interval-ms I [--token T] [--path /v1/stream]
#include <utility>

#include <boost/asio.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  unsigned short port = 0;
  int pid = 0, streams = 100, events = 50, interval_ms = 200;
  int ramp_ms = -1;  // streams start spread over this time (default: 5 per ms)
  std::string token = "bench", path = "/v1/stream";
};

struct Result {
  std::vector<double> ttfb_ms, jitter_ms;
  int ok = 0, failed = 0, lost_or_dup = 0;
  long events = 0;
};

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(asio::io_context& io, const Options& o, Result& r) : socket_(io), o_(o), r_(r) {}
  void Start() {
    start_ = Clock::now();
    auto self = shared_from_this();
    socket_.async_connect({asio::ip::make_address("127.0.0.1"), o_.port}, [self](boost::system::error_code ec) {
      if (ec) return self->Fail();
      self->request_ = "GET " + self->o_.path + "?format=text&doc=intro&token_bytes=4&interval_ms=" +
                       std::to_string(self->o_.interval_ms) + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " +
                       self->o_.token + "\r\nAccept: text/event-stream\r\n\r\n";
      asio::async_write(self->socket_, asio::buffer(self->request_), [self](boost::system::error_code e, size_t) {
        if (e) return self->Fail();
        self->Read();
      });
    });
  }

 private:
  void Read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [self](boost::system::error_code ec, size_t n) {
      if (n) self->Consume(std::string_view(self->buf_, n));
      if (ec) return self->Finish();
      if (self->done_) return self->Finish();
      self->Read();
    });
  }
  void Consume(std::string_view bytes) {
    auto now = Clock::now();
    if (!header_done_) {
      raw_.append(bytes);
      size_t h = raw_.find("\r\n\r\n");
      if (h == std::string::npos) return;
      std::string head = raw_.substr(0, h);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      chunked_ = head.find("transfer-encoding: chunked") != std::string::npos;
      bytes = std::string_view(raw_).substr(h + 4);
      header_done_ = true;
    }
    if (!chunked_) {
      data_.append(bytes);
    } else {  // uvicorn answers with chunked transfer encoding
      chunk_buf_.append(bytes);
      for (;;) {
        if (chunk_left_ == 0) {
          size_t eol = chunk_buf_.find("\r\n");
          if (eol == std::string::npos) break;
          if (eol == 0) {  // the CRLF after a chunk's data
            chunk_buf_.erase(0, 2);
            continue;
          }
          chunk_left_ = std::stoul(chunk_buf_.substr(0, eol), nullptr, 16);
          chunk_buf_.erase(0, eol + 2);
          if (chunk_left_ == 0) {
            done_ = true;
            break;
          }
        }
        size_t take = std::min(chunk_left_, chunk_buf_.size());
        data_.append(chunk_buf_, 0, take);
        chunk_buf_.erase(0, take);
        chunk_left_ -= take;
        if (chunk_buf_.empty()) break;
      }
    }
    size_t pos;
    while ((pos = data_.find("\n\n")) != std::string::npos) {
      std::string event = data_.substr(0, pos);
      data_.erase(0, pos + 2);
      if (event.rfind("id: ", 0) != 0) continue;  // retry lines, heartbeats
      long id = std::stol(event.substr(4));
      if (id != next_id_) ++bad_;
      next_id_ = id + 1;
      ++r_.events;
      if (!got_first_) {
        got_first_ = true;
        r_.ttfb_ms.push_back(std::chrono::duration<double, std::milli>(now - start_).count());
      } else {
        double gap = std::chrono::duration<double, std::milli>(now - last_).count();
        r_.jitter_ms.push_back(std::abs(gap - o_.interval_ms));
      }
      last_ = now;
      if (event.find("data: [DONE]") != std::string::npos) done_ = true;
      if (next_id_ > o_.events) done_ = true;
    }
  }
  void Finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    if (got_first_ && next_id_ > std::min<long>(o_.events, 2)) {
      ++r_.ok;
      if (bad_) ++r_.lost_or_dup;
    } else {
      ++r_.failed;
    }
  }
  void Fail() {
    finished_ = true;
    ++r_.failed;
  }

  tcp::socket socket_;
  const Options& o_;
  Result& r_;
  std::string request_, data_, raw_, chunk_buf_;
  bool chunked_ = false;
  size_t chunk_left_ = 0;
  char buf_[4096];
  Clock::time_point start_, last_;
  bool header_done_ = false, got_first_ = false, done_ = false, finished_ = false;
  long next_id_ = 1;
  int bad_ = 0;
};

// utime + stime of a process, in seconds.
double CpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(in)), {});
  std::istringstream ss(s.substr(s.rfind(')') + 2));
  std::string f;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15; ++i) {
    ss >> f;
    if (i == 14) utime = std::stoul(f);
    if (i == 15) stime = std::stoul(f);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

long PeakRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--pid") o.pid = std::stoi(v);
    else if (k == "--streams") o.streams = std::stoi(v);
    else if (k == "--events") o.events = std::stoi(v);
    else if (k == "--interval-ms") o.interval_ms = std::stoi(v);
    else if (k == "--token") o.token = v;
    else if (k == "--path") o.path = v;
    else if (k == "--ramp-ms") o.ramp_ms = std::stoi(v);
  }
  asio::io_context io(1);
  Result r;
  double cpu0 = o.pid ? CpuSeconds(o.pid) : 0;
  auto t0 = Clock::now();
  // The doc has more events than asked: the client stops reading after
  // `events` ids (the server sees the close at once and frees the stream).
  // Streams open at a steady rate, as users arrive, not all in one instant
  // (that would measure a thundering herd, not steady-state capacity).
  int ramp = o.ramp_ms >= 0 ? o.ramp_ms : o.streams / 5;
  asio::steady_timer opener(io);
  int started = 0;
  std::function<void()> open_more = [&] {
    auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    int due = ramp > 0 ? std::min(o.streams, static_cast<int>(o.streams * (elapsed / ramp)) + 1) : o.streams;
    for (; started < due; ++started) std::make_shared<Stream>(io, o, r)->Start();
    if (started < o.streams) {
      opener.expires_after(std::chrono::milliseconds(1));
      opener.async_wait([&](boost::system::error_code) { open_more(); });
    }
  };
  open_more();
  io.run();
  double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  double cpu = o.pid ? CpuSeconds(o.pid) - cpu0 : 0;
  std::printf(
      "{\"ramp_ms\":%d,\"streams\":%d,\"events_per_stream\":%d,\"interval_ms\":%d,\"ok\":%d,\"failed\":%d,\"lost_or_duplicated\":%d,"
      "\"events\":%ld,\"wall_s\":%.2f,\"ttfb_p50_ms\":%.1f,\"ttfb_p99_ms\":%.1f,\"jitter_p50_ms\":%.2f,"
      "\"jitter_p99_ms\":%.2f,\"server_cpu_s\":%.2f,\"server_cpu_us_per_event\":%.2f,\"server_peak_rss_mb\":%.1f}\n",
      ramp, o.streams, o.events, o.interval_ms, r.ok, r.failed, r.lost_or_dup, r.events, wall, Percentile(r.ttfb_ms, 0.5),
      Percentile(r.ttfb_ms, 0.99), Percentile(r.jitter_ms, 0.5), Percentile(r.jitter_ms, 0.99), cpu,
      r.events ? cpu * 1e6 / double(r.events) : 0.0, o.pid ? double(PeakRssKb(o.pid)) / 1024.0 : -1.0);
  return r.failed || r.lost_or_dup ? 1 : 0;
}
