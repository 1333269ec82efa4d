#pragma once
#include <map>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace ws {

// The free constants of one device class (catalog/calibration.toml): what each value is, what it was fitted
// on and the residuals of that fit, or that it is an assumption.
struct DeviceConstants {
  std::string device_class;
  std::map<std::string, double> values;
  std::string fitted_on;
  std::string residuals;

  double get(const std::string& key) const {
    auto it = values.find(key);
    if (it == values.end())
      throw InputError("calibration.toml [" + device_class + "]",
                       "missing constant '" + key + "' (the device class needs it; see src/perf/" + device_class + "_device.h)");
    return it->second;
  }
};

}  // namespace ws
