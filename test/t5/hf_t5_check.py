#!/usr/bin/env python3
"""glu's T5 graphs (glu-t5) against Hugging Face's T5ForConditionalGeneration.

For each --proj (a feed_forward_proj) and tying: builds HF's model from a
tiny config with a fixed seed, save_pretrained()s it, compiles glu's module
for that config.json (glu-t5 compile: fused and --no-fuse) and runs its
entry points on that checkpoint (glu-t5 run --checkpoint: the loader under
test) and one batch (padding in the encoder inputs, ignored labels), then
compares with HF on the same batch:

  encode              encoder last_hidden_state (attention_mask given)
  decode              logits of decoder_input_ids = shift_right(labels)
  loss                the mean cross-entropy HF returns for labels
  loss_and_gradients  the loss and every parameter's gradient (HF's
                      loss.backward())
  generate            greedy decoding (encode, cross_attention_cache,
                      decode_step) of --new-tokens tokens: the same tokens
                      as HF's generate and each step's logits
  train_step          one step from fresh optimizer state: every
                      parameter (Adafactor: its update) and every state
                      tensor, against
                      torch.optim.AdamW (lr 1e-2, weight decay 0.01) and
                      transformers' Adafactor with T5's settings (module
                      emitted with --optimizer adamw / adafactor); the
                      checkpoint glu-t5 saves after it, loaded by HF's
                      from_pretrained, gives HF's logits after its step;
                      with --train-pack packed, also compiled with
                      --pack-arguments (wi_0 and wi_1, and their state,
                      one packed tensor updated packed), whose packed
                      results are split here with numpy

within --tolerance relative (max |glu - hf| / max |hf| per tensor).
Prints one PASS/FAIL line per (proj, tying, fuse, entry). --perturb scales
one weight of the checkpoint glu reads: every comparison that reads it must
then fail.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

TINY = dict(d_model=32, d_ff=48, d_kv=8, num_heads=4, num_layers=2,
            num_decoder_layers=2, vocab_size=64,
            relative_attention_num_buckets=8,
            relative_attention_max_distance=20, dropout_rate=0.0,
            decoder_start_token_id=0)
BATCH, SOURCE, TARGET = 2, 12, 7

# nn.Linear weights are stored transposed ([in, out]) by glu.
LINEAR_SUFFIXES = ("SelfAttention.q.weight", "SelfAttention.k.weight",
                   "SelfAttention.v.weight", "SelfAttention.o.weight",
                   "EncDecAttention.q.weight", "EncDecAttention.k.weight",
                   "EncDecAttention.v.weight", "EncDecAttention.o.weight",
                   "DenseReluDense.wi.weight", "DenseReluDense.wi_0.weight",
                   "DenseReluDense.wi_1.weight", "DenseReluDense.wo.weight")


def glu_layout(name, array):
    return np.ascontiguousarray(array.T) if name.endswith(LINEAR_SUFFIXES) \
        else array


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (
            " ".join(cmd), result.returncode, result.stdout, result.stderr))
    return result.stdout


def build_hf(proj, tied, seed):
    import torch
    from transformers import T5Config, T5ForConditionalGeneration
    torch.manual_seed(seed)
    config = T5Config(feed_forward_proj=proj, tie_word_embeddings=tied,
                      **TINY)
    model = T5ForConditionalGeneration(config)
    if not tied:
        # transformers 5 always ties lm_head; T5 v1.1 keeps its own.
        model.lm_head.weight = torch.nn.Parameter(
            torch.randn(TINY["vocab_size"], TINY["d_model"]))
        model.config.scale_decoder_outputs = False
    with torch.no_grad():
        # The pad token's row at zero: its logit 0, so that greedy decoding
        # of a random model picks varied tokens rather than pad forever.
        model.shared.weight[0].zero_()
        model.lm_head.weight[0].zero_()
    return model.float().eval()


def make_batch(seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, TINY["vocab_size"], (BATCH, SOURCE)).astype(np.int32)
    mask = np.ones((BATCH, SOURCE), np.int32)
    mask[1, SOURCE - 3:] = 0          # the second sequence ends in padding
    ids[mask == 0] = 0
    labels = rng.integers(2, TINY["vocab_size"], (BATCH, TARGET)).astype(
        np.int32)
    labels[0, TARGET - 2:] = -100     # ignored targets
    return ids, mask, labels


def rel_err(got, want):
    scale = max(float(np.max(np.abs(want))), 1e-30)
    return float(np.max(np.abs(got.astype(np.float64) - want))) / scale


def hf_train_step(proj, tied, seed, optimizer, batch):
    """HF's parameters and optimizer state after one step, by name."""
    import torch
    from transformers.optimization import Adafactor
    model = build_hf(proj, tied, seed).train()
    before = {n: p.detach().numpy().copy()
              for n, p in model.named_parameters()}
    ids, mask, labels = batch
    if optimizer == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=1e-2,
                                weight_decay=0.01)
    else:
        opt = Adafactor(model.parameters(), lr=None, scale_parameter=True,
                        relative_step=True, warmup_init=False)
    out = model(input_ids=torch.tensor(ids, dtype=torch.long),
                attention_mask=torch.tensor(mask),
                labels=torch.tensor(labels, dtype=torch.long))
    out.loss.backward()
    opt.step()
    after = hf_logits(model, batch)
    params, states = {}, {}
    for name, p in model.named_parameters():
        params[name] = p.detach().numpy()
        for key, value in opt.state[p].items():
            if torch.is_tensor(value) and value.dim() > 0 \
                    and key not in ("RMS",):
                states[name + "." + key] = value.numpy()
    return before, params, states, out.loss.detach().numpy(), after


def state_layout(name, array):
    """glu's layout of an optimizer state tensor (same shape as the
    parameter: transposed with it; factored rows and columns: as is)."""
    param = name.rsplit(".", 1)[0]
    if name.endswith((".exp_avg", ".exp_avg_sq")) and array.ndim == 2:
        return glu_layout(param, array)
    return array


def unpack_columns(packed, block, cols):
    """The gate and linear halves of ffn.pack_gated's layout: blocks of
    `block` columns of each, alternating, the last block ragged."""
    gate, linear = [], []
    start, j = 0, 0
    while start < cols:
        width = min(block, cols - start)
        gate += range(j, j + width)
        linear += range(j + width, j + 2 * width)
        start, j = start + width, j + 2 * width
    return packed[..., gate], packed[..., linear]


def split_packed(entry, name, array):
    """[(name, array)]: a packed result split into its two tensors."""
    for arg in entry["arguments"]:
        if arg["name"] == name and "packed" in arg:
            rec = arg["packed"]
            gate, linear = unpack_columns(array, rec["block_size"],
                                          rec["gate"]["shape"][-1])
            return [(rec["gate"]["name"], gate),
                    (rec["linear"]["name"], linear)]
    return [(name, array)]


def compile_artifact(args, ckpt, art, entries, fuse, optimizer="adafactor",
                     pack=False):
    cmd = [args.glu_t5, "compile", "--config",
           os.path.join(ckpt, "config.json"), "--batch", str(BATCH),
           "--source-length", str(SOURCE), "--target-length", str(TARGET),
           "--max-decode-length", str(args.new_tokens),
           "--entries", entries, "--optimizer", optimizer,
           "--glu-compile", args.glu_compile, "-o", art, "--force"]
    if fuse == "no-fuse":
        cmd.append("--compile-option=--no-fuse")
    if pack:
        cmd += ["--pack-arguments", "--block-size", str(args.block_size)]
    run(cmd)
    return __import__("json").load(open(os.path.join(art, "manifest.json")))


def run_entry(args, art, ckpt, entry, feeds, outdir, extra=()):
    """glu-t5 run: parameters from the checkpoint, the batch from feeds."""
    os.makedirs(outdir, exist_ok=True)
    cmd = [args.glu_t5, "run", art, "--checkpoint", ckpt, "--entry",
           entry["name"], "--output-dir", outdir] + list(extra)
    for arg in entry["arguments"]:
        if arg["name"] in feeds:
            cmd += ["--input", "%s=%s" % (arg["name"], feeds[arg["name"]])]
    run(cmd)


def report(ok, proj, tied, fuse, what, count, worst, worst_name):
    print("%s %s %s %s %s results=%d max_rel_err=%.3g%s" % (
        "PASS" if ok else "FAIL", proj, "tied" if tied else "untied", fuse,
        what, count, worst, "" if ok else " (worst: %s)" % worst_name),
        flush=True)


def hf_logits(model_dir_or_model, batch):
    import torch
    from transformers import T5ForConditionalGeneration
    model = model_dir_or_model
    if isinstance(model, str):
        model = T5ForConditionalGeneration.from_pretrained(model)
    ids, mask, labels = batch
    with torch.no_grad():
        return model.eval()(input_ids=torch.tensor(ids, dtype=torch.long),
                            attention_mask=torch.tensor(mask),
                            labels=torch.tensor(labels, dtype=torch.long)
                            ).logits.numpy()


def check_generate(args, proj, tied, tmp, fuse, art, ckpt, feeds, model):
    """glu-t5 generate against HF's greedy generate."""
    import torch
    tokens_path = os.path.join(tmp, "tokens-%s.npy" % fuse)
    logits_path = os.path.join(tmp, "step-logits-%s.npy" % fuse)
    run([args.glu_t5, "generate", art, "--checkpoint", ckpt, "--input",
         "input_ids=" + feeds["input_ids"], "--input",
         "attention_mask=" + feeds["attention_mask"], "--max-new-tokens",
         str(args.new_tokens), "--output", tokens_path, "--output-logits",
         logits_path])
    ids = np.load(feeds["input_ids"])
    mask = np.load(feeds["attention_mask"])
    with torch.no_grad():
        out = model.eval().generate(
            input_ids=torch.tensor(ids, dtype=torch.long),
            attention_mask=torch.tensor(mask), max_new_tokens=args.new_tokens,
            do_sample=False, num_beams=1, output_logits=True,
            return_dict_in_generate=True)
    want_tokens = out.sequences.numpy()
    got_tokens = np.load(tokens_path)
    want_logits = np.stack([l.numpy() for l in out.logits], axis=1)
    got_logits = np.load(logits_path)
    same = got_tokens.shape == want_tokens.shape and \
        bool((got_tokens == want_tokens).all())
    err = rel_err(got_logits, want_logits) \
        if got_logits.shape == want_logits.shape else float("inf")
    ok = same and err <= args.tolerance
    report(ok, proj, tied, fuse, "generate tokens=%d same=%s" % (
        want_tokens.shape[1] - 1, "yes" if same else "no"), 1, err,
        "step logits" if same else "tokens %s vs HF's %s" % (
            got_tokens.tolist(), want_tokens.tolist()))
    return ok


def check_train_step(args, proj, tied, tmp, optimizer, feeds, batch, ckpt):
    before, hf_params, hf_states, hf_loss, hf_after = hf_train_step(
        proj, tied, args.seed, optimizer, batch)
    glu_before = {}
    results = []
    for fuse in args.train_fuse:
      for pack in args.train_pack:
        tag = "%s-%s-%s" % (optimizer, fuse, pack)
        art = os.path.join(tmp, "art-train-" + tag)
        manifest = compile_artifact(args, ckpt, art, "train_step", fuse,
                                    optimizer, pack == "packed")
        entry = manifest["entry_points"][0]
        packed_args = [a["name"] for a in entry["arguments"] if "packed" in a]
        if pack == "packed" and not packed_args:
            raise RuntimeError("--pack-arguments packed no argument of "
                               "train_step")
        outdir = os.path.join(tmp, "out-train-" + tag)
        saved = os.path.join(tmp, "saved-" + tag)
        if optimizer == "adamw":
            path = os.path.join(tmp, "inputs", "learning_rate.npy")
            np.save(path, np.array(1e-2, np.float32))
            feeds["learning_rate"] = path
        run_entry(args, art, ckpt, entry, feeds, outdir,
                  ["--save-checkpoint", saved])
        if not glu_before:
            from safetensors.numpy import load_file
            glu_before = {n: glu_layout(n, a) for n, a in load_file(
                os.path.join(ckpt, "model.safetensors")).items()}
        worst, worst_name, count = 0.0, "", 0
        for res in entry["results"]:
            loaded = np.load(os.path.join(outdir, res["name"] + ".npy"))
            for name, got in split_packed(entry, res["name"], loaded):
                if name == "step":
                    err = 0.0 if int(got) == 1 else float("inf")
                elif name == "loss":
                    err = rel_err(got, hf_loss)
                elif name in hf_params and optimizer == "adafactor":
                    # Adafactor: the update itself, not the parameter (a
                    # wrong update hides in a parameter 100 times larger).
                    err = rel_err(got - glu_before[name],
                                  glu_layout(name,
                                             hf_params[name] - before[name]))
                elif name in hf_params:
                    # AdamW's first update is lr g / (|g| + eps), whose
                    # sign flips with rounding where |g| ~ eps: the
                    # parameter.
                    err = rel_err(got, glu_layout(name, hf_params[name]))
                else:
                    err = rel_err(got, state_layout(name, hf_states[name]))
                count += 1
                if err > worst or not np.isfinite(err):
                    worst, worst_name = err, name
        # The checkpoint glu wrote, in HF's hands.
        err = rel_err(hf_logits(saved, batch), hf_after)
        if err > worst or not np.isfinite(err):
            worst, worst_name = err, "logits of the saved checkpoint"
        ok = worst <= args.tolerance
        results.append(ok)
        what = "train_step " + optimizer
        if pack == "packed":
            what += " packed=%d" % len(packed_args)
        report(ok, proj, tied, fuse, what, count, worst, worst_name)
    return all(results)


def check_one(args, proj, tied, tmp):
    import torch
    model = build_hf(proj, tied, args.seed)
    hf_dir = os.path.join(tmp, "hf")
    model.save_pretrained(hf_dir)
    ckpt = hf_dir
    if args.perturb:
        # glu reads a checkpoint with one tensor scaled.
        from safetensors.numpy import load_file, save_file
        import shutil
        ckpt = os.path.join(tmp, "hf-perturbed")
        os.makedirs(ckpt, exist_ok=True)
        shutil.copy(os.path.join(hf_dir, "config.json"), ckpt)
        tensors = load_file(os.path.join(hf_dir, "model.safetensors"))
        tensors[args.perturb] = tensors[args.perturb] * np.float32(1.1)
        save_file(tensors, os.path.join(ckpt, "model.safetensors"),
                  metadata={"format": "pt"})
    ids, mask, labels = make_batch(args.seed)

    # Hugging Face's numbers.
    t_ids, t_mask = torch.tensor(ids, dtype=torch.long), torch.tensor(mask)
    t_labels = torch.tensor(labels, dtype=torch.long)
    model.zero_grad()
    out = model(input_ids=t_ids, attention_mask=t_mask, labels=t_labels)
    out.loss.backward()
    hf = {
        "encoder_output": out.encoder_last_hidden_state.detach().numpy(),
        "logits": out.logits.detach().numpy(),
        "loss": out.loss.detach().numpy(),
    }
    grads = {n: p.grad.numpy() for n, p in model.named_parameters()
             if p.grad is not None}

    # The batch (decode reads HF's encoder output).
    inputs = os.path.join(tmp, "inputs")
    os.makedirs(inputs, exist_ok=True)
    feeds = {}
    decoder_ids = model._shift_right(t_labels).numpy().astype(np.int32)
    for name, value in [("input_ids", ids), ("attention_mask", mask),
                        ("labels", labels), ("decoder_input_ids", decoder_ids),
                        ("encoder_output", hf["encoder_output"])]:
        path = os.path.join(inputs, name + ".npy")
        np.save(path, value)
        feeds[name] = path

    results = []
    for fuse in args.fuse:
        art = os.path.join(tmp, "art-" + fuse)
        manifest = compile_artifact(
            args, ckpt, art,
            "encode,decode,loss,loss_and_gradients,decode_step", fuse)
        for entry in manifest["entry_points"]:
            if entry["name"] in ("cross_attention_cache", "decode_step"):
                continue
            outdir = os.path.join(tmp, "out-%s-%s" % (fuse, entry["name"]))
            run_entry(args, art, ckpt, entry, feeds, outdir)
            worst, worst_name = 0.0, ""
            for res in entry["results"]:
                got = np.load(os.path.join(outdir, res["name"] + ".npy"))
                name = res["name"]
                if name.endswith(".grad"):
                    param = name[:-len(".grad")]
                    want = glu_layout(param, grads[param])
                else:
                    want = hf[name]
                err = rel_err(got, want)
                if err > worst or not np.isfinite(err):
                    worst, worst_name = err, name
            ok = worst <= args.tolerance
            results.append(ok)
            report(ok, proj, tied, fuse, entry["name"],
                   len(entry["results"]), worst, worst_name)
        results.append(check_generate(args, proj, tied, tmp, fuse, art, ckpt,
                                      feeds, model))
    for optimizer in args.optimizers:
        results.append(check_train_step(args, proj, tied, tmp, optimizer,
                                        feeds, (ids, mask, labels), ckpt))
    return all(results)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--glu-t5", required=True)
    p.add_argument("--glu-compile", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--proj", default="gated-silu",
                   help="comma-separated feed_forward_proj values")
    p.add_argument("--tying", default="tied,untied")
    p.add_argument("--fuse", default="fused,no-fuse",
                   help="the compiles the entry points but train_step are "
                   "checked with ('' for none)")
    p.add_argument("--train-fuse", default=None,
                   help="the compiles train_step is checked with (default: "
                   "--fuse's)")
    p.add_argument("--train-pack", default="unpacked",
                   help="train_step compiles: unpacked, packed "
                   "(--pack-arguments) or both")
    p.add_argument("--block-size", type=int, default=20,
                   help="packed compiles' block size (20: d_ff 48 is two "
                   "blocks and a ragged one)")
    p.add_argument("--optimizers", default="adafactor,adamw",
                   help="train_step checks ('' for none)")
    p.add_argument("--new-tokens", type=int, default=6,
                   help="tokens greedy decoding generates")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--perturb", default="",
                   help="scale this parameter of glu's copy by 1.1")
    args = p.parse_args()
    args.train_fuse = (args.train_fuse or args.fuse).split(",")
    args.fuse = [f for f in args.fuse.split(",") if f]
    args.train_pack = args.train_pack.split(",")
    args.optimizers = [o for o in args.optimizers.split(",") if o]
    ok = True
    for proj in args.proj.split(","):
        for tying in args.tying.split(","):
            tmp = os.path.join(args.tmp, "%s-%s" % (proj, tying))
            os.makedirs(tmp, exist_ok=True)
            ok &= check_one(args, proj, tying == "tied", tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
