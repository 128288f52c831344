// TemperatureHistory (see temperature_history.hpp).
#include "strata/server/temperature_history.hpp"

#include <algorithm>

namespace strata::server {

void TemperatureHistory::record(const TemperatureSample& sample) {
    samples_.push_back(sample);
    while (!samples_.empty() && (samples_.size() > max_samples ||
                                 samples_.front().time_unix_s < sample.time_unix_s - kept_s)) {
        samples_.pop_front();
    }
}

std::vector<TemperatureSample> TemperatureHistory::newest(std::size_t limit) const {
    const std::size_t count = limit == 0 ? samples_.size() : std::min(limit, samples_.size());
    return {samples_.end() - static_cast<std::ptrdiff_t>(count), samples_.end()};
}

}  // namespace strata::server
