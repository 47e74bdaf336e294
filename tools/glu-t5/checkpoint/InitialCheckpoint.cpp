//===- InitialCheckpoint.cpp - a freshly initialized T5 checkpoint --------===//
//
// Draws every parameter as T5PreTrainedModel._init_weights draws it
// (normal, mean 0, the standard deviations of T5Parameters.h; norms'
// weights at initializer_factor) from a seeded generator of glu's own
// (splitmix64 and Box-Muller: the same numbers on every machine, not
// torch's).
//
//===----------------------------------------------------------------------===//

#include "T5Checkpoint.h"

#include <cmath>

using namespace glu;
using namespace glu::t5;

namespace {
/// splitmix64, and normal deviates by Box-Muller.
class NormalGenerator {
public:
  explicit NormalGenerator(uint64_t seed) : state(seed) {}
  double next() {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    double u1 = uniform(), u2 = uniform();
    double radius = std::sqrt(-2.0 * std::log(u1));
    spare = radius * std::sin(2.0 * M_PI * u2);
    hasSpare = true;
    return radius * std::cos(2.0 * M_PI * u2);
  }

private:
  /// Uniform in (0, 1].
  double uniform() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (static_cast<double>(z >> 11) + 1.0) * 0x1.0p-53;
  }
  uint64_t state;
  double spare = 0;
  bool hasSpare = false;
};
} // namespace

void glu::t5::writeInitialT5Checkpoint(const std::string &dir,
                                       const T5Config &config,
                                       const std::string &configJson,
                                       uint64_t seed) {
  NormalGenerator normal(seed);
  writeT5Checkpoint(
      dir, config, configJson, [&](const std::string &name, float *dst) {
        for (const T5Parameter &p : t5Parameters(config)) {
          if (p.name != name)
            continue;
          size_t count = 1;
          for (int64_t d : p.shape)
            count *= d;
          double std = initialStandardDeviation(p, config);
          for (size_t i = 0; i < count; ++i)
            dst[i] = std == 0 ? static_cast<float>(config.initializerFactor)
                              : static_cast<float>(std * normal.next());
        }
      });
}
