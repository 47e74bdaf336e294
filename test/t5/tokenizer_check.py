#!/usr/bin/env python3
"""glu-t5's tokenizer against Python's sentencepiece and transformers.

Trains a unigram model with glu-t5's C++ Tokenizer::train (`glu-t5 corrupt
--train-tokenizer`) on English text (the GPL's, from Debian's
common-licenses, or generated where that is missing), then checks that
Python's sentencepiece loads it with T5's special ids (pad 0, EOS 1,
unknown 2, no BOS) and that, for every line of the text and for lines with
"<extra_id_N>" markers, glu-t5's ids (`glu-t5 corrupt --encode`) are
sentencepiece's (text without markers) and Hugging Face T5Tokenizer's
(extra_ids=100, from the same spiece.model), and glu-t5's decoding is
T5Tokenizer.decode(skip_special_tokens=False)'s. Prints the first
mismatches and exits 1 if any; else "tokenizer: N lines match".
--perturb breaks glu-t5's side on purpose (test/t5/tokenizer.test checks
that the check fails).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

GPL = "/usr/share/common-licenses/GPL-3"

# Markers, whitespace around them and text that is not a marker.
SPECIAL_LINES = [
    "The <extra_id_0> walks in <extra_id_1> park",
    "The<extra_id_0>walks in<extra_id_1>park",
    "<extra_id_0> cute dog<extra_id_1> the<extra_id_2>",
    "<extra_id_99><extra_id_0>",
    "a <extra_id_99> b <extra_id_100> c <extra_id_01> d <extra_id_7",
    "free software <extra_id_3>  and   its  source code <extra_id_4>.",
    "  leading and trailing spaces  ",
    "copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>",
    "caf\u00e9 na\u00efve \u00bd \uff21\uff22 \u2013 \u201cquoted\u201d",
    "",
]


def english_text():
    if os.path.exists(GPL):
        with open(GPL, encoding="utf-8") as f:
            return f.read()
    rng = random.Random(0)
    words = ("the program license software free source code copy modify "
             "distribute work covered terms conditions you may must any "
             "other this that with for under version rights").split()
    paragraphs = []
    for _ in range(400):
        paragraphs.append(" ".join(rng.choice(words)
                                   for _ in range(rng.randint(8, 30))) + ".")
    return "\n\n".join(paragraphs) + "\n"


def run(command, stdin=None):
    result = subprocess.run(command, input=stdin, capture_output=True,
                            text=True)
    if result.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(command), result.returncode,
                                         result.stderr.strip()))
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--glu-t5", default="glu-t5")
    parser.add_argument("--pieces", type=int, default=1000)
    parser.add_argument("--model", help="also copy the trained model here")
    parser.add_argument("--perturb", choices=["drop-last-id"],
                        help="break glu-t5's ids to see the check fail")
    options = parser.parse_args()

    import sentencepiece
    from transformers import T5Tokenizer

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus.txt")
        with open(corpus, "w", encoding="utf-8") as f:
            f.write(english_text())
        model_dir = os.path.join(tmp, "tokenizer")
        os.mkdir(model_dir)
        model = os.path.join(model_dir, "spiece.model")
        run([options.glu_t5, "corrupt", "--train-tokenizer", model,
             "--corpus", corpus, "--pieces", str(options.pieces)])

        if options.model:
            with open(model, "rb") as f, open(options.model, "wb") as out:
                out.write(f.read())

        sp = sentencepiece.SentencePieceProcessor(model_file=model)
        problems = []
        special = (sp.pad_id(), sp.eos_id(), sp.unk_id(), sp.bos_id())
        if special != (0, 1, 2, -1) or sp.get_piece_size() != options.pieces:
            problems.append("sentencepiece reads pad, EOS, unknown, BOS %s "
                            "and %d pieces; expected (0, 1, 2, -1) and %d" %
                            (special, sp.get_piece_size(), options.pieces))

        hf = T5Tokenizer.from_pretrained(model_dir, extra_ids=100)
        if len(hf) != options.pieces + 100:
            problems.append("T5Tokenizer has %d ids, not %d" %
                            (len(hf), options.pieces + 100))

        with open(corpus, encoding="utf-8") as f:
            lines = [line.rstrip("\n") for line in f] + SPECIAL_LINES
        output = run([options.glu_t5, "corrupt", "--tokenizer", model,
                      "--encode"], stdin="".join(l + "\n" for l in lines))
        results = [json.loads(line) for line in output.splitlines()]
        if len(results) != len(lines):
            problems.append("glu-t5 encoded %d lines, not %d" %
                            (len(results), len(lines)))
        sentinels = 0
        for line, result in zip(lines, results):
            ids = result["ids"]
            if options.perturb == "drop-last-id" and ids:
                ids = ids[:-1]
            sentinels += sum(1 for i in ids if i >= options.pieces)
            if "<extra_id_" not in line:
                expected = sp.encode(line)
                if ids != expected:
                    problems.append("%r: glu-t5 ids %s, sentencepiece %s" %
                                    (line, ids, expected))
                    continue
            expected = hf(line, add_special_tokens=False)["input_ids"]
            if ids != expected:
                problems.append("%r: glu-t5 ids %s, T5Tokenizer %s" %
                                (line, ids, expected))
                continue
            decoded = hf.decode(ids, skip_special_tokens=False)
            if result["text"] != decoded:
                problems.append("%r: glu-t5 decodes %r, T5Tokenizer %r" %
                                (line, result["text"], decoded))
        # The markers were sentinels.
        if sentinels < 10:
            problems.append("only %d sentinels in the ids" % sentinels)

    for problem in problems[:10]:
        print("MISMATCH: " + problem)
    if problems:
        print("tokenizer: %d of %d lines differ" % (len(problems), len(lines)))
        return 1
    print("tokenizer: %d lines match (%d pieces, %d ids with sentinels)" %
          (len(lines), options.pieces, len(hf)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
