#!/usr/bin/env python3
"""Exports a Hugging Face feed-forward module with torch-mlir and checks glu.

  hf_ffn_check.py --model t5-layer-ff --act gated-gelu --glu-opt ... \\
      --glu-compile ... --glu-run ... --tmp DIR [--no-fuse]
      [--output-type tosa]

Builds the module from a small config with random weights (seeded), exports
it with torch_mlir.fx.export_and_import (output_type linalg-on-tensors, or
tosa: then glu-frontend-pipeline lowers the TOSA before ffn-raise),
counts the ffn ops `glu-opt --ffn-raise` makes of it (and their
activations), compiles it with glu-compile (fused, or --no-fuse), runs it
with glu-run on the same input and compares with PyTorch. Prints

  PASS <model> <act> ffn=<ops> max_rel_err=<e>

or exits non-zero with the reason (relative error above 1e-5, a compile or
run failure).
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import torch
from torch_mlir import fx


def build(model, act):
    """The module and an input, from a small config with random weights."""
    if model.startswith("t5"):
        from transformers import T5Config
        from transformers.models.t5 import modeling_t5 as t5
        config = T5Config(d_model=16, d_ff=24, d_kv=4, num_heads=4,
                          num_layers=2, vocab_size=32,
                          feed_forward_proj=act, dropout_rate=0.0)
        module = {"t5-dense": lambda: (t5.T5DenseGatedActDense(config)
                                       if config.is_gated_act else
                                       t5.T5DenseActDense(config)),
                  "t5-layer-ff": lambda: t5.T5LayerFF(config),
                  "t5-encoder": lambda: t5.T5EncoderModel(config)}[model]()
        if model == "t5-encoder":
            return module, torch.randint(0, 32, (2, 5))
        return module, torch.randn(2, 5, 16)
    if model == "llama-mlp":
        from transformers import LlamaConfig
        from transformers.models.llama.modeling_llama import LlamaMLP
        config = LlamaConfig(hidden_size=16, intermediate_size=24,
                             num_attention_heads=4, num_key_value_heads=4,
                             hidden_act=act)
        return LlamaMLP(config), torch.randn(2, 5, 16)
    if model == "gpt2-mlp":
        from transformers import GPT2Config
        from transformers.models.gpt2.modeling_gpt2 import GPT2MLP
        config = GPT2Config(n_embd=16, activation_function=act,
                            resid_pdrop=0.0)
        return GPT2MLP(64, config), torch.randn(2, 5, 16)
    sys.exit(f"unknown model {model}")


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAIL: {what} exited with {result.returncode}\n"
              f"{result.stdout}{result.stderr}")
        sys.exit(1)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--act", required=True)
    parser.add_argument("--glu-opt", required=True)
    parser.add_argument("--glu-compile", required=True)
    parser.add_argument("--glu-run", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--no-fuse", action="store_true")
    parser.add_argument("--output-type", default="linalg-on-tensors",
                        choices=["linalg-on-tensors", "tosa"])
    args = parser.parse_args()

    torch.manual_seed(0)
    module, x = build(args.model, args.act)
    module.eval()
    with torch.no_grad():
        reference = module(x)
        if not isinstance(reference, torch.Tensor):
            reference = reference[0]
    reference = reference.numpy()
    exported = fx.export_and_import(module, x, output_type=args.output_type,
                                    func_name="forward")

    os.makedirs(args.tmp, exist_ok=True)
    source = os.path.join(args.tmp, "model.mlir")
    with open(source, "w") as f:
        f.write(str(exported))
    frontend = ("--glu-frontend-pipeline=fuse=false"
                if args.output_type == "tosa" else "--ffn-raise")
    raised = run([args.glu_opt, source, frontend], "glu-opt").stdout
    ops = sorted(re.findall(r"ffn\.(glu|ffn) (\w+)", raised))
    described = ",".join(f"{kind}:{act}" for kind, act in ops) or "none"

    artifact = os.path.join(args.tmp, "artifact")
    run([args.glu_compile, source, "-o", artifact, "--force"] +
        (["--no-fuse"] if args.no_fuse else []), "glu-compile")
    inputs = os.path.join(args.tmp, "x.npy")
    np.save(inputs, x.numpy())
    outputs = os.path.join(args.tmp, "out")
    run([args.glu_run, artifact, "--input", "arg0=" + inputs,
         "--output-dir", outputs], "glu-run")
    results = sorted(os.listdir(outputs))
    y = np.load(os.path.join(outputs, results[0]))
    if y.shape != reference.shape:
        print(f"FAIL: shape {y.shape}, PyTorch {reference.shape}")
        sys.exit(1)
    error = float(np.abs(y - reference).max() / np.abs(reference).max())
    if not error <= 1e-5:
        print(f"FAIL: max_rel_err={error:.2e} above 1e-5 (ffn={described})")
        sys.exit(1)
    print(f"PASS {args.model} {args.act} ffn={described} "
          f"max_rel_err={error:.1e}")


if __name__ == "__main__":
    main()
