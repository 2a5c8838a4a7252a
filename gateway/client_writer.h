#pragma once
// Streams the served backend's response to the client as it arrives (SSE and chunked bodies are
// never buffered), keeping a bounded copy for the diff.
#include <string>
#include <utility>
#include <vector>

#include "core/http_message.h"
#include "gateway/asio.h"
#include "gateway/forwarding.h"
#include "gateway/upstream/upstream_pool.h"

namespace parity::gateway {

struct ClientWriterOptions {
  bool head_request = false;
  bool keep_alive = true;            // the client asked for keep-alive and we are not draining
  unsigned version = 11;             // the client's HTTP version
  std::string request_id;
  std::size_t capture_limit = 0;     // body bytes to keep for the diff (0 = keep none)
  std::chrono::milliseconds write_timeout{30000};
  std::vector<std::pair<std::string, std::string>> extra_headers;  // set on the response (CORS)
};

template <class Stream>
class ClientWriter final : public upstream::ResponseHandler {
 public:
  ClientWriter(Stream& stream, ClientWriterOptions options) : stream_(stream), options_(std::move(options)) {}

  asio::awaitable<bool> on_head(upstream::ResponseHead& head) override {
    res_.base() = head;
    res_.version(options_.version);
    const int status = static_cast<int>(head.result_int());
    const bool has_length = head.find(http::field::content_length) != head.end() &&
                            head.find(http::field::transfer_encoding) == head.end();
    remove_hop_by_hop(res_.base());
    captured_.status = status;
    if (options_.capture_limit > 0) {
      for (const auto& field : res_.base()) {
        captured_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
    }
    if (res_.find("X-Request-ID") == res_.end()) res_.set("X-Request-ID", bsv(options_.request_id));
    for (const auto& [name, value] : options_.extra_headers) res_.set(bsv(name), bsv(value));
    body_expected_ = !options_.head_request && status >= 200 && status != 204 && status != 304;
    if (body_expected_ && !has_length) {
      // The backend delimited its body by chunks or by closing: re-frame for our client.
      if (options_.version >= 11) res_.chunked(true);
      else options_.keep_alive = false;
    }
    res_.keep_alive(options_.keep_alive);
    // A body of known length goes out with its head in one write (one TLS record, one syscall: the
    // head alone was a quarter of the gateway's CPU). Streams of unknown length — chunked, SSE,
    // close-delimited — get their head at once, so the client sees them start.
    if (body_expected_ && has_length) co_return true;
    co_return co_await write_head();
  }

  asio::awaitable<bool> on_body(std::string_view piece) override {
    capture(piece);
    if (!body_expected_) co_return true;
    res_.body().data = const_cast<char*>(piece.data());
    res_.body().size = piece.size();
    res_.body().more = true;
    co_return co_await write_body();
  }

  asio::awaitable<bool> on_end() override {
    if (!body_expected_) co_return true;
    res_.body().data = nullptr;
    res_.body().size = 0;
    res_.body().more = false;
    co_return co_await write_body();  // writes a deferred head of an empty body too
  }

  bool keep_alive() const { return options_.keep_alive; }
  HttpResponse take_capture() { return std::move(captured_); }

 private:
  asio::awaitable<bool> write_head() {
    error_code ec;
    beast::get_lowest_layer(stream_).expires_after(options_.write_timeout);
    co_await http::async_write_header(stream_, serializer_, await_ec(ec));
    co_return !ec;
  }

  // Writes the body piece set in res_ (and the head first if it is still pending).
  asio::awaitable<bool> write_body() {
    error_code ec;
    beast::get_lowest_layer(stream_).expires_after(options_.write_timeout);
    co_await http::async_write(stream_, serializer_, await_ec(ec));
    if (ec == http::error::need_buffer) ec = {};
    co_return !ec;
  }

  void capture(std::string_view piece) {
    std::size_t room = options_.capture_limit - std::min(options_.capture_limit, captured_.body.size());
    if (piece.size() > room) captured_.body_truncated = true;
    captured_.body.append(piece.substr(0, room));
  }

  Stream& stream_;
  ClientWriterOptions options_;
  http::response<http::buffer_body> res_;
  http::response_serializer<http::buffer_body> serializer_{res_};
  bool body_expected_ = true;
  HttpResponse captured_;
};

}  // namespace parity::gateway
