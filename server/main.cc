// rillmark-server: an SSE test server that streams LLM-like token streams.
//
//   rillmark-server [--host 127.0.0.1] [--port 0] --token SECRET [--static DIR]
//
// Prints "listening on http://HOST:PORT" once ready (port 0 picks a free one).
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "http.h"

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  rillmark::server::Config config;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "rillmark-server: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--host") host = value("--host");
    else if (a == "--port") port = static_cast<unsigned short>(std::stoi(value("--port")));
    else if (a == "--token") config.token = value("--token");
    else if (a == "--static") config.static_dir = value("--static");
    else if (a == "--help" || a == "-h") {
      std::puts("usage: rillmark-server [--host 127.0.0.1] [--port 0] --token SECRET [--static DIR]");
      return 0;
    } else {
      std::fprintf(stderr, "rillmark-server: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  if (config.token.empty()) {
    std::fprintf(stderr, "rillmark-server: --token SECRET is required\n");
    return 2;
  }
  try {
    asio::io_context io(1);
    tcp::endpoint endpoint(asio::ip::make_address(host), port);
    tcp::acceptor acceptor(io);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    rillmark::server::Stats stats;
    asio::co_spawn(io, rillmark::server::AcceptLoop(acceptor, config, stats), asio::detached);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int sig) {
      std::fprintf(stderr, "rillmark-server: signal %d, shutting down\n", sig);
      boost::system::error_code ignored;
      acceptor.close(ignored);
      io.stop();
    });
    auto bound = acceptor.local_endpoint();
    std::cout << "listening on http://" << bound.address().to_string() << ":" << bound.port() << std::endl;
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rillmark-server: %s\n", e.what());
    return 1;
  }
  return 0;
}
