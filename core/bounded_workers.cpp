#include "core/bounded_workers.h"

#include "core/thread_name.h"

namespace parity {

BoundedWorkers::BoundedWorkers(std::size_t threads, std::size_t capacity, std::string name,
                               std::chrono::microseconds coalesce)
    : capacity_(capacity), coalesce_(coalesce) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i) {
    threads_.emplace_back([this, name] {
      name_this_thread(name);
      run();
    });
  }
}

BoundedWorkers::~BoundedWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_all();
  for (auto& t : threads_) t.join();
}

bool BoundedWorkers::try_submit(std::function<void()> job) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= capacity_) return false;
    queue_.push_back(std::move(job));
    wake = waiting_ > 0;  // a busy or pausing worker comes back to the queue by itself
  }
  if (wake) work_.notify_one();
  return true;
}

void BoundedWorkers::wait_idle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
}

std::size_t BoundedWorkers::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void BoundedWorkers::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    --waiting_;
    if (queue_.empty()) return;  // stopping, and everything queued has run
    while (!queue_.empty()) {
      auto job = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
      lock.unlock();
      job();
      lock.lock();
      --running_;
    }
    if (running_ == 0) idle_.notify_all();
    if (coalesce_ > std::chrono::microseconds::zero() && !stopping_) {
      lock.unlock();
      std::this_thread::sleep_for(coalesce_);
      lock.lock();
    }
  }
}

}  // namespace parity
