#!/usr/bin/env bash
# The main job: pretrain a small SwiGLU T5 on real English with T5's span
# corruption, on the CPU for a few minutes (on the GPU when one is
# present), and decode with it.
#
# Installs and builds what it needs, takes the King James Bible from
# Debian's bible-kjv (public domain prose, 4 MB; its 1189 chapters are the
# documents, 2% of them held out and never trained on), trains a
# SentencePiece vocabulary on it, and runs `glu-t5 train`: held-out
# log-perplexity every 100 steps against the unigram baseline, a
# checkpoint in Hugging Face's format at the end. Then `glu-t5 generate`
# fills in masked spans of a few verses, as the model learned to. The run
# is in build/demo-t5 (train.jsonl, checkpoint-*/); a second run of the
# script starts over, reusing the compiled artifact.
#
#   GLU_DEMO_STEPS=2000 scripts/demo.sh    # more steps
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

STEPS="${GLU_DEMO_STEPS:-600}"
DEMO="$GLU_BUILD_DIR/demo-t5"

glu_install_system_packages
glu_build glu-t5 glu-compile
GLU_T5="$GLU_BUILD_DIR/bin/glu-t5"

glu_log "The corpus: the King James Bible (Debian's bible-kjv), a chapter a document"
CORPUS="$GLU_BUILD_DIR/corpus/kjv.txt"
glu_kjv_corpus "$CORPUS"
head -n 3 "$CORPUS"
echo "... ($(wc -c < "$CORPUS") bytes, $(grep -c '^$' "$CORPUS") blank lines between chapters)"

glu_log "A small T5 with FFN_SwiGLU (the paper's gated swish; d_ff = 2/3 of 1024)"
CONFIG="$GLU_ROOT/docs/examples/t5-demo-swiglu.json"
cat "$CONFIG"

glu_log "Pretraining for $STEPS steps with T5's span corruption and Adafactor (T5's settings: step size 1e-2)"
rm -rf "$DEMO"
"$GLU_T5" train --config "$CONFIG" --corpus "$CORPUS" --out "$DEMO" \
  --steps "$STEPS" --batch 16 --source-length 128 --target-length 32 \
  --eval-every 100 --eval-batches 8 --log-every 50 \
  --cache "$GLU_BUILD_DIR/t5-cache"
CHECKPOINT="$DEMO/$(cat "$DEMO/latest")"
ls -l "$CHECKPOINT"

glu_log "Greedy decoding from the checkpoint: the model fills in the masked spans"
"$GLU_T5" generate --checkpoint "$CHECKPOINT" --cache "$GLU_BUILD_DIR/t5-cache" \
  --max-new-tokens 16 \
  --prompt "In the beginning God created the <extra_id_0> and the earth." \
  --prompt "The LORD is my shepherd; I shall not <extra_id_0>." \
  --prompt "And God said, Let there be <extra_id_0>: and there was light." \
  --prompt "For God so loved the <extra_id_0>, that he gave his only begotten Son." \
  --prompt "And the <extra_id_0> of the LORD came unto <extra_id_1>, saying,"
