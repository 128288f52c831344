// The printer's recent temperature readings, as OctoPrint keeps them for its graph and returns
// with `GET /api/printer?history=true`: every report of the last 30 minutes, oldest first.
// Bounded by age and by count, so a printer that reports many times a second cannot grow it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "strata/streamer/reply.hpp"

namespace strata::server {

struct TemperatureSample {
    double time_unix_s = 0.0;
    std::array<streamer::HeaterReading, streamer::Reply::max_heaters> heaters{};
    std::uint8_t heater_count = 0;
};

class TemperatureHistory {
  public:
    static constexpr double kept_s = 30.0 * 60.0;  ///< OctoPrint's `temperature.cutoff`.
    static constexpr std::size_t max_samples = 3600;

    /// Adds a report; reports older than `kept_s` before it are dropped.
    void record(const TemperatureSample& sample);
    /// The newest `limit` samples (all when 0), oldest first.
    [[nodiscard]] std::vector<TemperatureSample> newest(std::size_t limit) const;
    void clear() { samples_.clear(); }

  private:
    std::deque<TemperatureSample> samples_;
};

}  // namespace strata::server
