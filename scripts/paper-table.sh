#!/usr/bin/env bash
# The shape of the paper's Table 1 (bench/paper_table.py): the eight
# feed-forward variants pretrained by glu-t5 on the King James Bible
# (Debian's bible-kjv) at equal parameters and compute, the same data,
# steps and seed; prints the held-out log-perplexity of each beside the
# paper's and draws their loss curves. About 25 minutes on a 2-core CPU.
#
#   scripts/paper-table.sh                    # 1 seed, 600 steps
#   scripts/paper-table.sh --seeds 0,1,2      # three seeds (3x the time)
#   scripts/paper-table.sh --scale 4 --steps 5000 --device cuda   # on a GPU
#
# Output in build/paper-table/: table.md, results.json, loss-curves.png.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

glu_install_system_packages
glu_make_venv
glu_build glu-t5 glu-compile
CORPUS="$GLU_BUILD_DIR/corpus/kjv.txt"
glu_kjv_corpus "$CORPUS"
"$GLU_VENV/bin/python" "$GLU_ROOT/bench/paper_table.py" \
  --build "$GLU_BUILD_DIR" --corpus "$CORPUS" \
  --out "$GLU_BUILD_DIR/paper-table" "$@"
