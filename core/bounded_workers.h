#pragma once
// A small fixed pool of worker threads with a bounded queue. try_submit never blocks: when the queue
// is full the job is refused and the caller counts the drop. Used to keep diffing off the event loops.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace parity {

class BoundedWorkers {
 public:
  // `name` names the threads (see core/thread_name.h). With a `coalesce` period, a worker that has
  // emptied the queue pauses that long before it waits again, and jobs submitted meanwhile wake nobody:
  // under load, one wake-up (a futex call and a context switch) per period instead of one per job.
  BoundedWorkers(std::size_t threads, std::size_t capacity, std::string name = "parity-worker",
                 std::chrono::microseconds coalesce = std::chrono::microseconds::zero());
  ~BoundedWorkers();  // runs every queued job, then joins
  BoundedWorkers(const BoundedWorkers&) = delete;
  BoundedWorkers& operator=(const BoundedWorkers&) = delete;

  bool try_submit(std::function<void()> job);
  // Blocks until the queue is empty and no job runs.
  void wait_idle();
  std::size_t pending() const;

 private:
  void run();
  const std::size_t capacity_;
  const std::chrono::microseconds coalesce_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> queue_;
  std::size_t running_ = 0;
  std::size_t waiting_ = 0;  // workers blocked on work_: only they need a notify
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace parity
