#!/usr/bin/env bash
# Installs everything glu needs, builds it and runs every test: the lit suite
# (FileCheck, -verify-diagnostics, the mlir-opt plugin, end-to-end numerics
# against PyTorch through mlir-runner, AArch64 artifacts under qemu with the
# runtime cross-built in build-aarch64), the GoogleTest suite, the runtime's
# tests under ASan + UBSan (build-asan) and a short seeded fuzz run
# (build-fuzz, test/fuzz). Exits non-zero if anything fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

glu_install_system_packages
glu_make_venv
glu_build

status=0
# AArch64 artifacts run under qemu (test/compile/aarch64-qemu.test) with the
# runtime cross-built here; if this fails that test is unsupported, and the
# run fails.
glu_install_aarch64 && glu_build_aarch64_runtime || status=1

glu_log "lit suite"
"$GLU_LLVM_BIN/lit" -sv "$GLU_BUILD_DIR/test" || status=1

glu_log "GoogleTest suite (ctest)"
(cd "$GLU_BUILD_DIR" && ctest --output-on-failure -E '^glu-lit$') || status=1

glu_asan_runtime || status=1
glu_fuzz_smoke || status=1

if [ $status -ne 0 ]; then
  glu_log "FAILED: see the output above"
fi
exit $status
