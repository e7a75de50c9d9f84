// The threads behind parallel.h: started the first time a call needs them
// and kept, each waiting on a condition variable for a part to run. A call
// publishes its parts; the pool's threads and the caller each take the next
// part not yet taken until none is left (so a caller whose threads are slow
// to wake runs the parts itself), then the caller waits for the parts still
// running. One call at a time uses the pool.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "parallel.h"

namespace tmnn {

namespace {

struct Pool {
  std::mutex mutex;
  std::condition_variable wake, finished;
  void (*call)(void*, int) = nullptr;
  void* context = nullptr;
  int parts = 0;       // of the call being run
  int next = 0;        // the next part to hand out; next == parts: all handed out
  int unfinished = 0;  // parts 1.. not yet finished
  int threads = 0;
  std::atomic<bool> busy{false};
};

// Never destroyed: its threads wait in it until the process ends, past static destructors.
Pool& pool() {
  static Pool* p = new Pool;
  return *p;
}

// Takes and runs parts until none is left to take; `lock` held on entry and exit.
void run_parts(Pool& p, std::unique_lock<std::mutex>& lock) {
  while (p.next < p.parts) {
    const int part = p.next++;
    void (*call)(void*, int) = p.call;
    void* context = p.context;
    lock.unlock();
    call(context, part);
    lock.lock();
    if (--p.unfinished == 0) p.finished.notify_one();
  }
}

void serve(Pool* p) {
  std::unique_lock<std::mutex> lock(p->mutex);
  for (;;) {
    p->wake.wait(lock, [p] { return p->next < p->parts; });
    run_parts(*p, lock);
  }
}

}  // namespace

bool run_on_pool(int parts, void (*call)(void*, int), void* context) {
  Pool& p = pool();
  bool idle = false;
  if (!p.busy.compare_exchange_strong(idle, true)) return false;
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    for (; p.threads < parts - 1; p.threads++) std::thread(serve, &p).detach();
    p.call = call;
    p.context = context;
    p.parts = parts;
    p.next = 1;
    p.unfinished = parts - 1;
  }
  p.wake.notify_all();
  call(context, 0);
  {
    std::unique_lock<std::mutex> lock(p.mutex);
    run_parts(p, lock);
    p.finished.wait(lock, [&p] { return p.unfinished == 0; });
    p.parts = p.next = 0;
  }
  p.busy = false;
  return true;
}

}  // namespace tmnn
