"""Compares the train.jsonl of glu-t5 training runs.

compare_runs.py A B          the step records (step, loss, examples, tokens)
                             and evaluations of A and B are identical
compare_runs.py A --below-unigram
                             A's last held-out log-perplexity is below its
                             unigram baseline
Exits 1 with the first difference.
"""
import json
import sys


def records(run):
    steps, evals, unigram = [], [], None
    with open(run + "/train.jsonl") as f:
        for line in f:
            r = json.loads(line)
            if "unigram_log_perplexity" in r:
                unigram = r["unigram_log_perplexity"]
            elif "eval_log_perplexity" in r:
                evals.append((r["step"], r["eval_log_perplexity"],
                              r["eval_target_tokens"]))
            else:
                steps.append((r["step"], r["loss"], r["examples"],
                              r["tokens"]))
    return steps, evals, unigram


def main():
    if sys.argv[2:] == ["--below-unigram"]:
        _, evals, unigram = records(sys.argv[1])
        if not evals or unigram is None:
            sys.exit("no evaluation or no unigram baseline in the log")
        if not evals[-1][1] < unigram:
            sys.exit("held-out log-perplexity %.4f is not below the unigram "
                     "baseline %.4f" % (evals[-1][1], unigram))
        print("held-out %.4f < unigram %.4f" % (evals[-1][1], unigram))
        return
    a, b = records(sys.argv[1]), records(sys.argv[2])
    for name, x, y in (("step", a[0], b[0]), ("evaluation", a[1], b[1])):
        if len(x) != len(y):
            sys.exit("%d %s records against %d" % (len(x), name, len(y)))
        for r, s in zip(x, y):
            if r != s:
                sys.exit("%s records differ: %s against %s" % (name, r, s))
    if a[2] != b[2]:
        sys.exit("unigram baselines differ: %s against %s" % (a[2], b[2]))
    print("%d steps and %d evaluations identical" % (len(a[0]), len(a[1])))


if __name__ == "__main__":
    main()
