#!/usr/bin/env python3
"""Runs glu-opt --pass-pipeline=<line LINE of PIPELINE_FILE> on INPUT into
OUTPUT (lit's shell cannot splice a file into an argument); PIPELINE_FILE is
glu-compile --save-temps's pipeline.txt, one pipeline a line.

Usage: run_textual_pipeline.py PIPELINE_FILE LINE INPUT OUTPUT
"""

import shutil
import subprocess
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    pipeline_file, line, source, output = sys.argv[1:]
    with open(pipeline_file) as f:
        lines = f.read().splitlines()
    if not 1 <= int(line) <= len(lines):
        sys.exit("run_textual_pipeline.py: %s has no line %s"
                 % (pipeline_file, line))
    pipeline = lines[int(line) - 1].strip()
    glu_opt = shutil.which("glu-opt")
    if not glu_opt:
        sys.exit("run_textual_pipeline.py: glu-opt is not on PATH")
    sys.exit(subprocess.call([glu_opt, source, "--pass-pipeline=" + pipeline,
                              "-o", output]))


if __name__ == "__main__":
    main()
