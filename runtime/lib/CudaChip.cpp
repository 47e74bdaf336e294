//===- CudaChip.cpp - which GPUs an artifact's PTX runs on ----------------===//

#include "glu/CudaChip.h"

#include <cctype>

namespace glu {

bool CudaChip::parse(const std::string &name, CudaChip &chip) {
  if (name.compare(0, 3, "sm_") != 0)
    return false;
  std::string digits = name.substr(3);
  chip.archSpecific = !digits.empty() && digits.back() == 'a';
  if (chip.archSpecific)
    digits.pop_back();
  if (digits.size() < 2 || digits.size() > 4)
    return false;
  for (char c : digits)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  chip.major = std::stoi(digits.substr(0, digits.size() - 1));
  chip.minor = digits.back() - '0';
  return true;
}

bool CudaChip::runsOn(int deviceMajor, int deviceMinor) const {
  if (archSpecific)
    return deviceMajor == major && deviceMinor == minor;
  return deviceMajor > major || (deviceMajor == major && deviceMinor >= minor);
}

} // namespace glu
