#!/usr/bin/env python3
"""glu-t5 corrupt against T5's span corruption, transcribed into numpy.

random_spans_noise_mask and noise_span_to_unique_sentinel below follow
t5/data/preprocessors.py line for line, TensorFlow ops replaced by their
numpy equivalents (tf.pad -> np.pad, tf.cumsum -> np.cumsum,
tf.math.segment_sum of ones -> np.bincount, tf.math.unsorted_segment_sum ->
np.add.at, tf.round on float32 -> np.round on np.float32). Two departures,
both glu's (tools/glu-t5/data/SpanCorruption.h): seqio.stateless_shuffle is
a Fisher-Yates over SplitMix64, the noise segmentation drawing first and the
non-noise one next from the same generator; and where T5's reshape fails
(more noise spans than non-noise tokens) the spans are as many as the
non-noise tokens.

Runs `glu-t5 corrupt --length ... --count K` for each (density, mean
span length, seed) case, one process per case, and compares every example's
seed, mask, inputs and targets. Prints the first mismatches and exits 1 if
any; else prints "span corruption: N examples match". --perturb breaks the
reference on purpose (test/t5/span-corruption.test checks that it fails).
"""

import argparse
import json
import subprocess
import sys

import numpy as np

MASK64 = (1 << 64) - 1
EOS = 1


class SplitMix64:
    """Sebastiano Vigna's SplitMix64, as SpanCorruption.h."""

    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)

    def below(self, bound):
        return self.next() % bound


def example_seed(seed, index):
    return SplitMix64(seed ^ ((index * 0xD1B54A32D192ED03) & MASK64)).next()


def stateless_shuffle(values, rng):
    """seqio.stateless_shuffle's stand-in: Fisher-Yates, i from n - 1 down."""
    values = np.array(values)
    for i in range(len(values) - 1, 0, -1):
        j = rng.below(i + 1)
        values[i], values[j] = values[j], values[i]
    return values


def random_spans_noise_mask(length, noise_density, rng,
                            mean_noise_span_length=3.0, perturb=None):
    """t5.data.preprocessors.random_spans_noise_mask."""
    if noise_density == 0.0:
        return np.zeros(length, bool)
    orig_length = length
    # increase length to avoid degeneracy
    length = max(length, 2)

    def to_float(x):
        # TensorFlow computes in float32 (the perturbation: float64).
        return np.float64(x) if perturb == "float64" else np.float32(x)

    num_noise_tokens = int(np.round(to_float(length) * to_float(noise_density)))
    # avoid degeneracy by ensuring positive numbers of noise and nonnoise
    # tokens.
    num_noise_tokens = min(max(num_noise_tokens, 1), length - 1)
    num_noise_spans = int(np.round(
        to_float(num_noise_tokens) / to_float(mean_noise_span_length)))
    # avoid degeneracy by ensuring positive number of noise spans
    num_noise_spans = max(num_noise_spans, 1)
    num_nonnoise_tokens = length - num_noise_tokens
    # glu: T5's reshape below fails with more spans than non-noise tokens.
    num_noise_spans = min(num_noise_spans, num_nonnoise_tokens)

    # pick the lengths of the noise spans and the non-noise spans
    def _random_segmentation(num_items, num_segments):
        first_in_segment = np.pad(
            stateless_shuffle(
                (np.arange(num_items - 1) < num_segments - 1).astype(np.int32),
                rng),
            [[1, 0]])
        segment_id = np.cumsum(first_in_segment)
        segment_length = np.bincount(segment_id)
        return segment_length

    if perturb == "swap-seeds":
        nonnoise_span_lengths = _random_segmentation(num_nonnoise_tokens,
                                                     num_noise_spans)
        noise_span_lengths = _random_segmentation(num_noise_tokens,
                                                  num_noise_spans)
    else:
        noise_span_lengths = _random_segmentation(num_noise_tokens,
                                                  num_noise_spans)
        nonnoise_span_lengths = _random_segmentation(num_nonnoise_tokens,
                                                     num_noise_spans)
    interleaved_span_lengths = np.reshape(
        np.stack([nonnoise_span_lengths, noise_span_lengths], axis=1),
        [num_noise_spans * 2])
    span_starts = np.cumsum(interleaved_span_lengths)[:-1]
    span_start_indicator = np.zeros(length, np.int32)
    np.add.at(span_start_indicator, span_starts, 1)
    span_num = np.cumsum(span_start_indicator)
    is_noise = np.equal(span_num % 2, 1)
    return is_noise[:orig_length]


def noise_span_to_unique_sentinel(tokens, noise_mask, sentinel_id):
    """t5.data.preprocessors.noise_span_to_unique_sentinel."""
    prev_token_is_noise = np.pad(noise_mask[:-1], [[1, 0]])
    first_noise_tokens = np.logical_and(noise_mask,
                                        np.logical_not(prev_token_is_noise))
    subsequent_noise_tokens = np.logical_and(noise_mask, prev_token_is_noise)
    sentinel = sentinel_id + 1 - np.cumsum(
        first_noise_tokens.astype(tokens.dtype))
    tokens = np.where(first_noise_tokens, sentinel, tokens)
    return tokens[np.logical_not(subsequent_noise_tokens)]


def expected_example(tokens, seed, index, density, mean, vocab_size,
                     perturb):
    rng = SplitMix64(example_seed(seed, index))
    mask = random_spans_noise_mask(len(tokens), density, rng, mean, perturb)
    tokens = np.array(tokens, np.int64)
    sentinel = vocab_size - 1
    inputs = noise_span_to_unique_sentinel(tokens, mask, sentinel)
    # nonnoise_span_to_unique_sentinel
    targets = noise_span_to_unique_sentinel(tokens, np.logical_not(mask),
                                            sentinel)
    return {
        "example_seed": example_seed(seed, index),
        "noise": [int(bit) for bit in mask],
        "inputs": [int(t) for t in inputs] + [EOS],
        "targets": [int(t) for t in targets] + [EOS],
    }


LENGTHS = [1, 2, 3, 4, 5, 7, 10, 29, 30, 64, 100, 190, 350, 511, 512, 568]
# (density, mean noise span length): T5's, iid noise, long spans, density
# 0.5 (ties), 0.8 (more spans than non-noise tokens), none.
CASES = [(0.15, 3.0), (0.15, 1.0), (0.3, 2.5), (0.05, 10.0), (0.5, 3.0),
         (0.8, 3.0), (0.0, 3.0)]
SEEDS = [0, 12345, MASK64]


def brief(value):
    """A mask as 0s and 1s, a list of ids compactly; long ones cut."""
    if isinstance(value, list) and set(value) <= {0, 1}:
        text = "".join(map(str, value))
    else:
        text = json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 240 else text[:240] + "..."


def run(glu_t5, args):
    result = subprocess.run([glu_t5, "corrupt"] + args, capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit("glu-t5 corrupt %s failed (%d): %s" %
                 (" ".join(args), result.returncode, result.stderr.strip()))
    return [json.loads(line) for line in result.stdout.splitlines()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glu-t5", default="glu-t5")
    parser.add_argument("--count", type=int, default=6,
                        help="examples per length and case")
    parser.add_argument("--perturb", choices=["swap-seeds", "float64"],
                        help="break the reference to see the check fail")
    options = parser.parse_args()

    vocab_size = 32100
    runs = []  # (expected tokens or None, density, mean, seed, arguments)
    for density, mean in CASES:
        for seed in SEEDS:
            runs.append((None, density, mean, seed, [
                "--length", ",".join(map(str, LENGTHS)),
                "--count", str(options.count), "--seed", str(seed),
                "--noise-density", repr(density),
                "--mean-noise-span-length", repr(mean)]))
    # Given ids, a small vocabulary.
    ids = [int(x) for x in np.random.default_rng(7).integers(3, 900, 57)]
    runs.append((ids, 0.15, 3.0, 99, [
        "--ids", ",".join(map(str, ids)), "--count", "20", "--seed", "99",
        "--vocab-size", "1000"]))

    checked = mismatches = 0
    for ids, density, mean, seed, arguments in runs:
        vocab = 1000 if ids is not None else vocab_size
        lines = run(options.glu_t5, arguments)
        expected_lines = (len(LENGTHS) * options.count if ids is None else 20)
        if len(lines) != expected_lines:
            print("MISMATCH: glu-t5 corrupt %s printed %d examples, not %d" %
                  (" ".join(arguments), len(lines), expected_lines))
            mismatches += 1
            continue
        for line in lines:
            tokens = line["tokens"]
            if ids is not None and tokens != ids:
                print("MISMATCH: tokens %s, not the ids given" % tokens)
                mismatches += 1
                continue
            if line["seed"] != seed or line["length"] != len(tokens):
                print("MISMATCH: seed %s length %s in %s" %
                      (line["seed"], line["length"], line))
                mismatches += 1
                continue
            want = expected_example(tokens, seed, line["index"], density, mean,
                                    vocab, options.perturb)
            for key, value in want.items():
                if line[key] != value:
                    mismatches += 1
                    if mismatches <= 5:
                        print("MISMATCH: length %d density %g mean %g seed %d "
                              "index %d: %s\n  glu-t5: %s\n  T5:     %s" %
                              (len(tokens), density, mean, seed,
                               line["index"], key, brief(line[key]),
                               brief(value)))
                    break
            checked += 1
    if mismatches:
        print("span corruption: %d of %d examples differ" %
              (mismatches, checked))
        return 1
    print("span corruption: %d examples match" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())
