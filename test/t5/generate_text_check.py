"""glu-t5 generate --prompt against Hugging Face on the same checkpoint.

generate_text_check.py --glu-t5 BIN --checkpoint DIR --cache DIR
                       --prompt TEXT [--prompt TEXT ...] [--max-new-tokens N]

Runs `glu-t5 generate --checkpoint DIR --prompt ...` (text in, text out),
then loads DIR with transformers (T5ForConditionalGeneration and T5Tokenizer
from the checkpoint's own spiece.model), generates greedily for the same
prompts (padded as a batch, num_beams=1, do_sample=False) and decodes the
new tokens the way glu-t5 does (pad and EOS dropped). Exits 1 naming the
first prompt whose text differs.
"""
import argparse
import subprocess
import sys

import torch
import transformers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--glu-t5", required=True)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--prompt", action="append", required=True)
    parser.add_argument("--max-new-tokens", type=int, default=8)
    args = parser.parse_args()

    command = [args.glu_t5, "generate", "--checkpoint", args.checkpoint,
               "--cache", args.cache, "--device", "cpu",
               "--max-new-tokens", str(args.max_new_tokens)]
    for prompt in args.prompt:
        command += ["--prompt", prompt]
    out = subprocess.run(command, check=True, capture_output=True,
                         text=True).stdout
    ours = [line[len("output: "):] for line in out.splitlines()
            if line.startswith("output: ")]
    if len(ours) != len(args.prompt):
        sys.exit("glu-t5 printed %d outputs for %d prompts:\n%s"
                 % (len(ours), len(args.prompt), out))

    tokenizer = transformers.T5Tokenizer.from_pretrained(args.checkpoint,
                                                         extra_ids=100)
    model = transformers.T5ForConditionalGeneration.from_pretrained(
        args.checkpoint).eval()
    batch = tokenizer(args.prompt, return_tensors="pt", padding=True)
    with torch.no_grad():
        generated = model.generate(**batch, do_sample=False, num_beams=1,
                                   max_new_tokens=args.max_new_tokens)
    for prompt, mine, ids in zip(args.prompt, ours, generated.tolist()):
        kept = [i for i in ids[1:] if i not in (tokenizer.pad_token_id,
                                                tokenizer.eos_token_id)]
        theirs = tokenizer.decode(kept, skip_special_tokens=False)
        if mine.strip() != theirs.strip():
            sys.exit("prompt %r: glu-t5 generated %r, transformers %r (ids %s)"
                     % (prompt, mine, theirs, ids))
        print("%r -> %r" % (prompt, mine))


if __name__ == "__main__":
    main()
