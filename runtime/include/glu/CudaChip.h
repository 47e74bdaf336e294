//===- CudaChip.h - which GPUs an artifact's PTX runs on --------*- C++ -*-===//
//
// glu-compile --target=cuda records the chip its PTX was generated for in
// the manifest ("cuda": {"chips": ["sm_80"]}). PTX for sm_XY JIT-compiles
// on any GPU of compute capability X.Y or later; PTX for an arch-specific
// target sm_XYa (sm_90a: wgmma) runs only on compute capability X.Y
// exactly. The runtime checks this when it loads a cuda artifact, so that
// a mismatch is an error naming both sides instead of a JIT failure.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_CUDACHIP_H
#define GLU_RUNTIME_CUDACHIP_H

#include <string>

namespace glu {

/// A chip name as glu-compile writes it: "sm_" then the compute capability
/// as digits (the last one the minor version), an optional "a".
struct CudaChip {
  int major = 0, minor = 0;
  /// sm_XYa: code for exactly this compute capability.
  bool archSpecific = false;

  /// Parses `name`; false when it is not sm_<digits>[a] with at least two
  /// digits.
  static bool parse(const std::string &name, CudaChip &chip);

  /// Whether code for this chip runs on a device of compute capability
  /// `deviceMajor`.`deviceMinor`.
  bool runsOn(int deviceMajor, int deviceMinor) const;
};

} // namespace glu

#endif // GLU_RUNTIME_CUDACHIP_H
