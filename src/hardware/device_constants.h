#pragma once
#include <map>
#include <stdexcept>
#include <string>

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
      throw std::out_of_range("catalog/calibration.toml: device class '" + device_class + "' has no constant '" + key + "'");
    return it->second;
  }
};

}  // namespace ws
