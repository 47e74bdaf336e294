# -*- Python -*-
# The glu lit configuration.

import os
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "glu"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.glu_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "Inputs", "unit"]

# Fail on captures used out of scope (STYLE.md).
config.environment["FILECHECK_OPTS"] = "-enable-var-scope"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from LLVM 22's tool directory.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.glu_tools_dir, append_path=True)

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%glu_plugin",
                             os.path.join(config.glu_lib_dir, "GluPlugin.so")))
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))
# lit's defaults already map %python to lit's own interpreter; the tests need
# the one with the references (torch, numpy), so replace that entry.
config.substitutions = [(key, value) for key, value in config.substitutions
                        if key != "%python"]
config.substitutions.append(("%python", config.python_executable))
runner_libs = ",".join(
    os.path.join(config.mlir_lib_dir, name)
    for name in ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so"))
config.substitutions.append(("%mlir_runner_libs", runner_libs))

tool_dirs = [config.glu_tools_dir, config.llvm_tools_dir]
tools = [
    "glu-opt",
    "glu-t5",
    ToolSubst("mlir-opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
    ToolSubst("mlir-runner",
              os.path.join(config.llvm_tools_dir, "mlir-runner")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Optional parts are features, so the suite passes everywhere and reports
# what it skipped (STYLE.md, habit 7).
if config.glu_ptxas and os.path.exists(config.glu_ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.glu_ptxas))


def _python_has(module):
    try:
        subprocess.run([config.python_executable, "-c", "import " + module],
                       check=True, capture_output=True, timeout=120)
        return True
    except Exception:
        return False


if _python_has("torch"):
    config.available_features.add("torch")
if _python_has("numpy"):
    config.available_features.add("numpy")
# The exporter suite (test/exporters): torch-mlir and Hugging Face.
if _python_has("torch_mlir"):
    config.available_features.add("torch_mlir")
if _python_has("transformers"):
    config.available_features.add("transformers")
# torch-mlir exports bf16 weights through ml_dtypes.
if _python_has("ml_dtypes"):
    config.available_features.add("ml_dtypes")
# bench/suite.py's peers and chart (test/bench).
for _module in ("onnxruntime", "threadpoolctl", "matplotlib"):
    if _python_has(_module):
        config.available_features.add(_module)

# test/install: `cmake --install` this build into a prefix and build a
# project against the installed package. Without cmake those tests are
# unsupported (REQUIRES: cmake).
config.substitutions.append(("%glu_build_dir", config.glu_obj_root))
config.substitutions.append(("%glu_mlir_prefix", config.glu_mlir_prefix))
config.substitutions.append(("%glu_consumer_cmake_args", " ".join(
    '"%s"' % arg for arg in (
        "-G", config.cmake_generator,
        "-DCMAKE_MAKE_PROGRAM=" + config.cmake_make_program,
        "-DCMAKE_CXX_COMPILER=" + config.cmake_cxx_compiler))))
if config.cmake_executable and os.path.exists(config.cmake_executable):
    config.available_features.add("cmake")
    config.substitutions.append(("%cmake", config.cmake_executable))

# test/format.test: the sources are clang-format clean (.clang-format at the
# root). Without clang-format 22 the check is unsupported
# (REQUIRES: clang-format).
import shutil

_clang_format = (shutil.which("clang-format-22") or
                 shutil.which("clang-format", path=config.llvm_tools_dir))
if _clang_format:
    config.available_features.add("clang-format")
    config.substitutions.append(("%clang_format", _clang_format))

# The machine's architecture (host-x86_64, host-aarch64): tests of
# another architecture's artifacts say which host they cross-compile on.
import platform

config.available_features.add("host-" + {"amd64": "x86_64", "arm64": "aarch64"}.get(
    platform.machine().lower(), platform.machine().lower()))

# AArch64 artifacts (test/compile/aarch64*.test). glu-compile copies the
# target's OpenMP runtime into them and looks for it where Debian's
# multiarch and cross packages put it (tools/glu-compile/CodeTarget.cpp);
# scripts/setup.sh installs it into the cross folder.
_aarch64_sysroot = "/usr/aarch64-linux-gnu"
if any(os.path.exists(path) for path in (
        "/usr/lib/aarch64-linux-gnu/libomp.so.5",
        os.path.join(_aarch64_sysroot, "lib", "libomp.so.5"))):
    config.available_features.add("aarch64-libomp")
# Running them: glu-run cross-built for aarch64 (scripts/setup.sh,
# glu_build_aarch64_runtime) under qemu-aarch64 with Debian's cross C and
# C++ libraries.
_qemu_aarch64 = shutil.which("qemu-aarch64")
if ("aarch64-libomp" in config.available_features and _qemu_aarch64 and
        os.path.exists(config.glu_aarch64_run) and os.path.exists(
            os.path.join(_aarch64_sysroot, "lib", "ld-linux-aarch64.so.1"))):
    config.available_features.add("qemu-aarch64")
    config.substitutions.append(("%qemu_aarch64", "%s -L %s" % (
        _qemu_aarch64, _aarch64_sysroot)))
    config.substitutions.append(("%glu_run_aarch64", config.glu_aarch64_run))
