#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "perf/device_class.h"

namespace ws {

// Device classes by name. Filled by one explicit list (register_builtin_device_classes), never by static
// initialisers, so a class missing from the build is a link error, not a silent "not registered".
class DeviceClassRegistry {
 public:
  using Factory = std::function<std::unique_ptr<DeviceClass>(const DeviceConstants&)>;
  void add(const std::string& name, Factory factory);
  bool contains(const std::string& name) const { return factories_.count(name) > 0; }
  // Throws InputError listing the registered names when `name` is unknown.
  std::unique_ptr<DeviceClass> create(const std::string& name, const DeviceConstants& constants) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Factory> factories_;
};

void register_builtin_device_classes(DeviceClassRegistry& registry);
const DeviceClassRegistry& builtin_device_classes();

}  // namespace ws
