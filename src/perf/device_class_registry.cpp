#include "perf/device_class_registry.h"

#include "core/error.h"
#include "perf/hbm_gpu_device.h"
#include "perf/sram_lpu_device.h"
#include "perf/wafer_device.h"

namespace ws {

void DeviceClassRegistry::add(const std::string& name, Factory factory) { factories_[name] = std::move(factory); }

std::unique_ptr<DeviceClass> DeviceClassRegistry::create(const std::string& name, const DeviceConstants& constants) const {
  auto it = factories_.find(name);
  if (it == factories_.end()) throw InputError("device_class", unknown_name_message("device class", name, names(), ""));
  return it->second(constants);
}

std::vector<std::string> DeviceClassRegistry::names() const {
  std::vector<std::string> result;
  for (const auto& [name, factory] : factories_) result.push_back(name);
  return result;
}

void register_builtin_device_classes(DeviceClassRegistry& registry) {
  registry.add("hbm_gpu", [](const DeviceConstants& c) { return std::make_unique<HbmGpuDevice>(c); });
  registry.add("wafer", [](const DeviceConstants& c) { return std::make_unique<WaferDevice>(c); });
  registry.add("sram_lpu", [](const DeviceConstants& c) { return std::make_unique<SramLpuDevice>(c); });
}

const DeviceClassRegistry& builtin_device_classes() {
  static const DeviceClassRegistry registry = [] {
    DeviceClassRegistry r;
    register_builtin_device_classes(r);
    return r;
  }();
  return registry;
}

}  // namespace ws
