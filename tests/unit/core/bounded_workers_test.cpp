#include "core/bounded_workers.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

using parity::BoundedWorkers;
using namespace std::chrono_literals;

TEST_CASE("bounded workers: a full queue refuses jobs instead of blocking") {
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<int> ran{0};
  {
    BoundedWorkers workers(1, 2, "test-worker");
    std::atomic<bool> started{false};
    REQUIRE(workers.try_submit([&] {
      started = true;
      gate.wait();
      ++ran;
    }));
    while (!started) std::this_thread::yield();  // the worker holds the first job
    CHECK(workers.try_submit([&] { ++ran; }));
    CHECK(workers.try_submit([&] { ++ran; }));
    CHECK_FALSE(workers.try_submit([&] { ++ran; }));  // capacity 2, both taken
    CHECK(workers.pending() == 3);
    release.set_value();
    workers.wait_idle();
    CHECK(ran == 3);
    CHECK(workers.pending() == 0);
  }
}

TEST_CASE("bounded workers: with coalescing, jobs queued while a worker pauses still all run") {
  for (auto coalesce : {0us, 1000us}) {
    std::atomic<int> ran{0};
    BoundedWorkers workers(2, 100000, "test-worker", coalesce);
    auto submit = [&] {
      for (int i = 0; i < 5000; ++i) {
        while (!workers.try_submit([&] { ++ran; })) std::this_thread::yield();
        if (i % 500 == 0) std::this_thread::sleep_for(2ms);  // let the workers pause and sleep between bursts
      }
    };
    std::thread a(submit), b(submit);
    a.join();
    b.join();
    workers.wait_idle();
    INFO("coalesce " << coalesce.count() << " us");
    CHECK(ran == 10000);
  }
}

TEST_CASE("bounded workers: destruction runs what is queued, even during a pause") {
  std::atomic<int> ran{0};
  {
    BoundedWorkers workers(1, 100, "test-worker", 50ms);
    REQUIRE(workers.try_submit([&] { ++ran; }));
    std::this_thread::sleep_for(5ms);  // the worker ran it and pauses for 50 ms
    REQUIRE(workers.try_submit([&] { ++ran; }));  // wakes nobody
  }
  CHECK(ran == 2);
}
