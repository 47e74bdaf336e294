"""Writes a checkpoint the way Hugging Face's own code writes one.

save_hf_checkpoint.py --like DIR --out DIR [--seed N]

A T5ForConditionalGeneration with DIR's config.json and weights freshly
initialized by transformers (seeded), saved with save_pretrained, and the
T5Tokenizer of DIR's spiece.model saved with its save_pretrained
(tokenizer.json, tokenizer_config.json), with the spiece.model beside them
as the Hub's T5 repositories carry it (transformers 5 writes no
spiece.model itself): the files a user downloads, the weights and config
not written by glu.
"""
import argparse
import os
import shutil

import torch
import transformers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--like", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    config = transformers.T5Config.from_pretrained(args.like)
    model = transformers.T5ForConditionalGeneration(config).eval()
    model.save_pretrained(args.out)
    tokenizer = transformers.T5Tokenizer.from_pretrained(args.like,
                                                         extra_ids=100)
    tokenizer.save_pretrained(args.out)
    shutil.copy(os.path.join(args.like, "spiece.model"), args.out)


if __name__ == "__main__":
    main()
