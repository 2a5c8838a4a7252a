#pragma once
// The health of one instance from active probes: taken out after `unhealthy_after` failed probes in
// a row, back after `healthy_after` good ones. Starts healthy (no probe has failed yet). Pure.
namespace parity::upstream {

class HealthTracker {
 public:
  // Returns true when this probe changed the state.
  bool observe(bool ok, int unhealthy_after, int healthy_after) {
    if (ok) {
      bad_ = 0;
      if (!healthy_ && ++good_ >= healthy_after) {
        healthy_ = true;
        good_ = 0;
        return true;
      }
    } else {
      good_ = 0;
      if (healthy_ && ++bad_ >= unhealthy_after) {
        healthy_ = false;
        bad_ = 0;
        return true;
      }
    }
    return false;
  }
  bool healthy() const { return healthy_; }

 private:
  bool healthy_ = true;
  int good_ = 0;
  int bad_ = 0;
};

}  // namespace parity::upstream
