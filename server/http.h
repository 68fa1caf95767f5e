// rillmark-server: the HTTP side (Boost.Beast, one coroutine per connection).
#ifndef RILLMARK_SERVER_HTTP_H_
#define RILLMARK_SERVER_HTTP_H_

#include <utility>  // before Asio: g++ 12 needs it for Asio's coroutine support

#include <boost/asio.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace rillmark::server {

struct Config {
  std::string token;                  ///< Bearer token required on /v1/*
  std::filesystem::path static_dir;   ///< empty: no static files
};

/// Counters for /v1/stats (single-threaded io_context: no atomics needed).
struct Stats {
  uint64_t live = 0, started = 0, finished = 0, aborted = 0, resumed = 0;
  std::string last_resume_id;  ///< the Last-Event-ID of the latest resumed stream
};

/// Accepts connections on `acceptor` until it is closed. Each connection runs
/// as its own coroutine; pending accepts are drained before going back to the
/// streams so time to first byte stays low under load.
boost::asio::awaitable<void> AcceptLoop(boost::asio::ip::tcp::acceptor& acceptor, const Config& config, Stats& stats);

}  // namespace rillmark::server

#endif  // RILLMARK_SERVER_HTTP_H_
