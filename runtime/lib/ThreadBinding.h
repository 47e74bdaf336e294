//===- ThreadBinding.h - OpenMP threads bound to cores ----------*- C++ -*-===//
//
// Part of the glu project.
//
//===----------------------------------------------------------------------===//
//
// Generated CPU code runs its parallel loops on OpenMP threads. Unbound,
// Linux sometimes leaves two of a process's threads on one core for the
// whole run: on a 2-core machine, SwiGLU's forward at T5-small width and one
// token took 0.073 ms in some processes and 0.28 ms in others. When a
// process's threads fill every core it may use anyway, binding one thread
// to each core costs the other processes nothing and removes that. The
// first glu::Runtime of a process sets OpenMP's standard variables before
// any artifact (and so libomp) is loaded, unless the user chose a binding.
//
//===----------------------------------------------------------------------===//

#ifndef GLU_RUNTIME_THREADBINDING_H
#define GLU_RUNTIME_THREADBINDING_H

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace glu::detail {

/// The environment variables (name, value) that bind a process's OpenMP
/// threads to cores, or none. `getenv` reads the process's environment;
/// `allowedCpus` is the number of CPUs in its affinity mask. None when
/// GLU_THREAD_BINDING=0, when any of OMP_PROC_BIND, OMP_PLACES,
/// KMP_AFFINITY or GOMP_CPU_AFFINITY is set (the user's choice), when
/// fewer than two CPUs are allowed, or when OMP_NUM_THREADS asks for fewer
/// threads than allowed CPUs (the rest are left for the scheduler to share
/// with other processes). Else OMP_PLACES=cores and OMP_PROC_BIND=spread.
std::vector<std::pair<std::string, std::string>>
chooseThreadBinding(const std::function<const char *(const char *)> &getenv,
                    int allowedCpus);

/// Applies chooseThreadBinding to this process once (setenv), before the
/// first artifact is loaded.
void bindThreadsToCoresOnce();

} // namespace glu::detail

#endif // GLU_RUNTIME_THREADBINDING_H
