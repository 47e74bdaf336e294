#!/usr/bin/env python3
"""Exports Hugging Face modules with torch-mlir and checks glu on them.

  hf_ffn_check.py --model t5-dense,t5-layer-ff,t5-encoder,t5 --act gated-gelu
      --glu-opt ... --glu-compile ... --glu-run ... --tmp DIR
      [--modes fused,no-fuse] [--dtype f32|bf16] [--output-type tosa]

For each module (t5-dense: T5DenseActDense or T5DenseGatedActDense;
t5-layer-ff: T5LayerFF; t5-encoder: T5EncoderModel with two layers; t5:
T5ForConditionalGeneration with two encoder and two decoder layers, logits
for given decoder input ids; llama-mlp: LlamaMLP; gpt2-mlp: GPT2MLP), built
from a small config with random weights (seeded) and cast to --dtype:

  1. exports it with torch_mlir.fx.export_and_import (output_type
     linalg-on-tensors, or tosa);
  2. raises it with `glu-opt --ffn-raise=report=true` (for TOSA,
     `--glu-frontend-pipeline=fuse=false report=true`) and reads the ffn ops
     (kind and activation, with beta) and the per-function summary remark;
  3. for each mode (fused: glu-compile; no-fuse: glu-compile --no-fuse,
     the unfused reference semantics of convert-ffn-to-linalg) compiles it,
     runs it with glu-run on PyTorch's inputs and compares with PyTorch.
     f32: err(y, y_torch) at most 1e-5, err(a, b) = max |a - b| / max |b|.
     bf16: glu and PyTorch round differently (glu computes each activation
     in f32 and rounds once; PyTorch rounds after every op of gelu_new), so
     both are compared with the same model in f32: glu must be at least
     as close to it as PyTorch's own bf16 result, up to a factor 2 and one
     bf16 rounding: err(y, y_f32) <= 2 err(y_torch, y_f32) + 2^-8.

Prints one line per module and mode,

  PASS <model> <act> <dtype> <mode> ffn=<ops> near_misses=<n> max_rel_err=<e>

(bf16 lines add err_vs_f32 and torch_err_vs_f32), or exits non-zero with
the reason.
"""

import argparse
import os
import re
import subprocess
import sys

import numpy as np
import torch
from torch_mlir import fx

DTYPES = {"f32": torch.float32, "bf16": torch.bfloat16}


class WholeT5(torch.nn.Module):
    """T5ForConditionalGeneration's logits as a function of two id tensors."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, decoder_input_ids):
        return self.model(input_ids=input_ids,
                          decoder_input_ids=decoder_input_ids,
                          use_cache=False).logits


def build(model, act):
    """The module and its inputs, from a small config with random weights."""
    if model.startswith("t5"):
        from transformers import T5Config, T5ForConditionalGeneration
        from transformers.models.t5 import modeling_t5 as t5
        config = T5Config(d_model=16, d_ff=24, d_kv=4, num_heads=4,
                          num_layers=2, num_decoder_layers=2, vocab_size=32,
                          feed_forward_proj=act, dropout_rate=0.0,
                          decoder_start_token_id=0)
        ids = torch.randint(0, 32, (2, 5))
        if model == "t5-dense":
            module = (t5.T5DenseGatedActDense(config) if config.is_gated_act
                      else t5.T5DenseActDense(config))
            return module, (torch.randn(2, 5, 16),)
        if model == "t5-layer-ff":
            return t5.T5LayerFF(config), (torch.randn(2, 5, 16),)
        if model == "t5-encoder":
            return t5.T5EncoderModel(config), (ids,)
        if model == "t5":
            return (WholeT5(T5ForConditionalGeneration(config)),
                    (ids, torch.randint(0, 32, (2, 3))))
    if model == "llama-mlp":
        from transformers import LlamaConfig
        from transformers.models.llama.modeling_llama import LlamaMLP
        config = LlamaConfig(hidden_size=16, intermediate_size=24,
                             num_attention_heads=4, num_key_value_heads=4,
                             hidden_act=act)
        return LlamaMLP(config), (torch.randn(2, 5, 16),)
    if model == "gpt2-mlp":
        from transformers import GPT2Config
        from transformers.models.gpt2.modeling_gpt2 import GPT2MLP
        config = GPT2Config(n_embd=16, activation_function=act,
                            resid_pdrop=0.0)
        return GPT2MLP(64, config), (torch.randn(2, 5, 16),)
    sys.exit(f"unknown model {model}")


def run(command, what):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAIL: {what} exited with {result.returncode}\n"
              f"{result.stdout}{result.stderr}")
        sys.exit(1)
    return result


def describe_ffn_ops(raised):
    """The ffn ops in `raised` as kind:activation[(beta)], in IR order."""
    ops = re.findall(r"ffn\.(glu|ffn) (\w+(?:\(beta = [^)]*\))?)", raised)
    return ",".join(f"{kind}:{act}" for kind, act in ops) or "none"


def near_misses(remarks):
    """The near-misses the summary remarks count, summed over functions."""
    counts = re.findall(r"rejected (\d+) near-miss", remarks)
    if not counts:
        print(f"FAIL: no ffn-raise summary remark in\n{remarks}")
        sys.exit(1)
    return sum(int(c) for c in counts)


def evaluate(module, inputs):
    """The module's first result, as f32 NumPy."""
    with torch.no_grad():
        result = module(*inputs)
    if not isinstance(result, torch.Tensor):
        result = result[0]
    return result.float().numpy()


def relative_error(y, reference):
    """max |y - reference| / max |reference|."""
    return float(np.abs(y - reference).max() / np.abs(reference).max())


def check(model_name, args):
    torch.manual_seed(0)
    module, inputs = build(model_name, args.act)
    module = module.eval()
    reference32 = evaluate(module, inputs)
    if args.dtype != "f32":
        module = module.to(DTYPES[args.dtype])
        inputs = tuple(x.to(DTYPES[args.dtype]) if x.is_floating_point()
                       else x for x in inputs)
    reference = evaluate(module, inputs)
    torch_error = relative_error(reference, reference32)
    exported = fx.export_and_import(module, *inputs,
                                    output_type=args.output_type,
                                    func_name="forward")

    tmp = os.path.join(args.tmp, model_name)
    os.makedirs(tmp, exist_ok=True)
    source = os.path.join(tmp, "model.mlir")
    with open(source, "w") as f:
        f.write(str(exported))
    raise_flag = ("--glu-frontend-pipeline=fuse=false report=true"
                  if args.output_type == "tosa" else
                  "--ffn-raise=report=true")
    raised = run([args.glu_opt, source, raise_flag], "glu-opt")
    described = describe_ffn_ops(raised.stdout)
    misses = near_misses(raised.stderr)

    input_flags = []
    for i, x in enumerate(inputs):
        path = os.path.join(tmp, f"arg{i}.npy")
        np.save(path, x.float().numpy() if x.is_floating_point()
                else x.numpy())
        input_flags += ["--input", f"arg{i}={path}"]
    # --modes= (none): export and raise only (for tests that compile the
    # model themselves).
    for mode in filter(None, args.modes.split(",")):
        artifact = os.path.join(tmp, f"artifact-{mode}")
        run([args.glu_compile, source, "-o", artifact, "--force"] +
            (["--no-fuse"] if mode == "no-fuse" else []),
            f"glu-compile ({mode})")
        outputs = os.path.join(tmp, f"out-{mode}")
        run([args.glu_run, artifact, "--output-dir", outputs] + input_flags,
            f"glu-run ({mode})")
        results = sorted(os.listdir(outputs))
        y = np.load(os.path.join(outputs, results[0]))
        if y.shape != reference.shape:
            print(f"FAIL: {model_name} {mode}: shape {y.shape}, PyTorch "
                  f"{reference.shape}")
            sys.exit(1)
        error = relative_error(y, reference)
        line = (f"{model_name} {args.act} {args.dtype} {mode} "
                f"ffn={described} near_misses={misses} "
                f"max_rel_err={error:.1e}")
        if args.dtype == "f32":
            passed = error <= 1e-5
            bound = "1e-5"
        else:
            error32 = relative_error(y, reference32)
            bound = f"{2 * torch_error + 2.0 ** -8:.1e}"
            passed = error32 <= 2 * torch_error + 2.0 ** -8
            line += (f" err_vs_f32={error32:.1e} "
                     f"torch_err_vs_f32={torch_error:.1e}")
        if not passed:
            print(f"FAIL {line}: above {bound}")
            sys.exit(1)
        print(f"PASS {line}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True,
                        help="comma-separated: t5-dense, t5-layer-ff, "
                             "t5-encoder, t5, llama-mlp, gpt2-mlp")
    parser.add_argument("--act", required=True)
    parser.add_argument("--glu-opt", required=True)
    parser.add_argument("--glu-compile", required=True)
    parser.add_argument("--glu-run", required=True)
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--modes", default="fused,no-fuse")
    parser.add_argument("--dtype", default="f32", choices=sorted(DTYPES))
    parser.add_argument("--output-type", default="linalg-on-tensors",
                        choices=["linalg-on-tensors", "tosa"])
    args = parser.parse_args()
    for model_name in args.model.split(","):
        check(model_name, args)


if __name__ == "__main__":
    main()
