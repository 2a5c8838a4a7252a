#pragma once
// Streams the served backend's response to the client as it arrives (SSE and chunked bodies are
// never buffered), keeping a bounded copy for the diff.
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "core/http_message.h"
#include "gateway/asio.h"
#include "gateway/forwarding.h"
#include "gateway/upstream/upstream_pool.h"
#include "gateway/upstream/wire_format.h"

namespace parity::gateway {

struct ClientWriterOptions {
  bool head_request = false;
  bool keep_alive = true;            // the client asked for keep-alive and we are not draining
  unsigned version = 11;             // the client's HTTP version
  std::string request_id;
  std::size_t capture_limit = 0;     // body bytes to keep for the diff (0 = keep none)
  upstream::MayKeep may_keep;        // asked before each kept piece; a refusal ends the capture, not the response
  std::chrono::milliseconds write_timeout{30000};
  std::vector<std::pair<std::string, std::string>> extra_headers;  // set on the response (CORS)
};

template <class Stream>
class ClientWriter final : public upstream::ResponseHandler {
 public:
  ClientWriter(Stream& stream, ClientWriterOptions options) : stream_(stream), options_(std::move(options)) {}

  // The head is rewritten in place (it belongs to this exchange's parser, which frames the backend's
  // body from its own state, not from these fields).
  asio::awaitable<bool> on_head(upstream::ResponseHead& head) override {
    const int status = static_cast<int>(head.result_int());
    const bool has_length = head.find(http::field::content_length) != head.end() &&
                            head.find(http::field::transfer_encoding) == head.end();
    remove_hop_by_hop(head);
    head.version(options_.version);
    captured_.status = status;
    if (options_.capture_limit > 0) {
      for (const auto& field : head) {
        captured_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
    }
    if (head.find("X-Request-ID") == head.end()) head.set("X-Request-ID", bsv(options_.request_id));
    for (const auto& [name, value] : options_.extra_headers) head.set(bsv(name), bsv(value));
    const bool body_expected = !options_.head_request && status >= 200 && status != 204 && status != 304;
    if (!body_expected) {
      framing_ = Framing::none;
    } else if (has_length) {
      framing_ = Framing::length;
    } else if (options_.version >= 11) {
      // The backend delimited its body by chunks or by closing: re-frame for our client.
      framing_ = Framing::chunked;
      head.set(http::field::transfer_encoding, "chunked");
    } else {
      framing_ = Framing::close;
      options_.keep_alive = false;
    }
    // Connection was removed with the other hop-by-hop headers; say only what differs from the default.
    if (options_.version >= 11 && !options_.keep_alive) head.set(http::field::connection, "close");
    if (options_.version < 11 && options_.keep_alive) head.set(http::field::connection, "keep-alive");
    wire_.clear();
    upstream::append_response_head(wire_, head);
    // A body of known length goes out with its head in one write (one TLS record, one syscall).
    // Streams of unknown length — chunked, SSE, close-delimited — get their head at once, so the
    // client sees them start.
    if (framing_ == Framing::length) {
      head_pending_ = true;
      co_return true;
    }
    co_return co_await write(std::array{asio::const_buffer(wire_.data(), wire_.size())});
  }

  asio::awaitable<bool> on_body(std::string_view piece) override {
    capture(piece);
    if (piece.empty()) co_return true;
    const asio::const_buffer body(piece.data(), piece.size());
    switch (framing_) {
      case Framing::none:
        co_return true;
      case Framing::length:
        if (head_pending_) {
          head_pending_ = false;
          co_return co_await write(std::array{asio::const_buffer(wire_.data(), wire_.size()), body});
        }
        co_return co_await write(std::array{body});
      case Framing::chunked: {
        wire_.clear();
        upstream::append_chunk_size(wire_, piece.size());
        const asio::const_buffer crlf(upstream::kCrlf.data(), upstream::kCrlf.size());
        co_return co_await write(std::array{asio::const_buffer(wire_.data(), wire_.size()), body, crlf});
      }
      case Framing::close:
        co_return co_await write(std::array{body});
    }
    co_return false;
  }

  asio::awaitable<bool> on_end() override {
    if (head_pending_) {  // an empty body of known length
      head_pending_ = false;
      co_return co_await write(std::array{asio::const_buffer(wire_.data(), wire_.size())});
    }
    if (framing_ == Framing::chunked) {
      co_return co_await write(
          std::array{asio::const_buffer(upstream::kLastChunk.data(), upstream::kLastChunk.size())});
    }
    co_return true;
  }

  bool keep_alive() const { return options_.keep_alive; }
  HttpResponse take_capture() { return std::move(captured_); }

 private:
  enum class Framing { none, length, chunked, close };

  template <std::size_t N>
  asio::awaitable<bool> write(const std::array<asio::const_buffer, N>& buffers) {
    error_code ec;
    beast::get_lowest_layer(stream_).expires_after(options_.write_timeout);
    co_await asio::async_write(stream_, buffers, await_ec(ec));
    co_return !ec;
  }

  void capture(std::string_view piece) {
    std::size_t room = options_.capture_limit - std::min(options_.capture_limit, captured_.body.size());
    if (piece.size() > room) captured_.body_truncated = true;
    piece = piece.substr(0, room);
    if (piece.empty()) return;
    if (options_.may_keep && !options_.may_keep(piece.size())) {
      // The mirror's byte budget is spent: what was kept is let go (the exchange will not be compared);
      // the client still gets every byte.
      options_.capture_limit = 0;
      captured_.body_truncated = true;
      std::string().swap(captured_.body);
      return;
    }
    captured_.body.append(piece);
  }

  Stream& stream_;
  ClientWriterOptions options_;
  Framing framing_ = Framing::none;
  bool head_pending_ = false;
  std::string wire_;  // the response head, or a chunk's size line
  HttpResponse captured_;
};

}  // namespace parity::gateway
