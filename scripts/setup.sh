# shellcheck shell=bash
# Shared set-up of scripts/test.sh and scripts/demo.sh; source it, then call
# the functions. Idempotent: every step skips what is already there.

GLU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GLU_BUILD_DIR="${GLU_BUILD_DIR:-$GLU_ROOT/build}"
GLU_VENV="${GLU_VENV:-$GLU_ROOT/.venv}"
GLU_LLVM_BIN=/usr/lib/llvm-22/bin

# Debian 12 packages the build and the tests need (DESIGN.md, Dependencies).
GLU_APT_PACKAGES=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 lld-22
  libgtest-dev libgmock-dev nlohmann-json3-dev libopenblas-dev libomp-22-dev
  cmake ninja-build python3 python3-venv
)

glu_log() { printf '\n==> %s\n' "$*"; }

# Installs the Debian packages that are missing (needs root).
glu_install_system_packages() {
  local missing=()
  local pkg
  for pkg in "${GLU_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    glu_log "System packages: all present"
    return
  fi
  glu_log "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Makes the Python venv with the test references (PyTorch CPU, numpy).
glu_make_venv() {
  if [ ! -x "$GLU_VENV/bin/python" ]; then
    glu_log "Creating the Python venv at $GLU_VENV"
    python3 -m venv "$GLU_VENV"
  fi
  if "$GLU_VENV/bin/python" -c "import torch, numpy" 2>/dev/null; then
    glu_log "Python references: torch $("$GLU_VENV/bin/python" -c 'import torch; print(torch.__version__)') present"
    return
  fi
  glu_log "Installing the Python references (torch==2.13.0 CPU build, numpy)"
  "$GLU_VENV/bin/python" -m pip install -q --upgrade pip
  "$GLU_VENV/bin/python" -m pip install -q -r "$GLU_ROOT/scripts/requirements-test.txt"
}

# Configures and builds; extra arguments are ninja targets.
glu_build() {
  glu_log "Configuring in $GLU_BUILD_DIR"
  local python_arg=()
  [ -x "$GLU_VENV/bin/python" ] && python_arg=(-DGLU_PYTHON="$GLU_VENV/bin/python")
  mkdir -p "$GLU_BUILD_DIR"
  cmake -S "$GLU_ROOT" -B "$GLU_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    "${python_arg[@]}" > "$GLU_BUILD_DIR/configure.log" 2>&1 \
    || { cat "$GLU_BUILD_DIR/configure.log"; return 1; }
  glu_log "Building $*"
  cmake --build "$GLU_BUILD_DIR" -- "$@"
}
