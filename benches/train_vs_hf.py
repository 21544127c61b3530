#!/usr/bin/env python3
"""Training: bytepair against HF tokenizers' BpeTrainer, same corpus and settings.

For each configuration it trains with bytepair's CLI (`tokenize train`) and with
HF (ByteLevel pre-tokenizer without prefix space, 256-byte initial alphabet) at
1 and 2 threads (HF through RAYON_NUM_THREADS), checks that every run wrote
byte-identical vocab.json and merges.txt, and reports the median wall time and
the peak resident memory (GNU time's maximum RSS) of each.

    /tmp/oracle-venv/bin/python benches/train_vs_hf.py [--shared ../shared] [--runs 3]
    /tmp/oracle-venv/bin/python benches/train_vs_hf.py --grid   # parity only: 3 corpora x 3 sizes

Needs the reference corpus (../shared/data/corpus), GNU time at /usr/bin/time,
and HF tokenizers in the Python running it (see ../shared/tools/README.md).
"""
import argparse
import filecmp
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

HF_TRAIN = """
import sys
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
out, vocab, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
trainer = trainers.BpeTrainer(vocab_size=vocab, min_frequency=0, show_progress=False,
                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
tok.train(files, trainer)
tok.model.save(out)
"""


def timed(cmd, env=None):
    """Runs cmd under GNU time; returns (seconds, peak RSS in MB)."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M"] + cmd,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True,
    )
    seconds, kb = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def same_files(a, b):
    return all(filecmp.cmp(os.path.join(a, f), os.path.join(b, f), shallow=False)
               for f in ("vocab.json", "merges.txt"))


def run_config(label, files, vocab, runs, hf_runs, tool, work):
    rows = []
    reference = None
    for engine, threads in (("bytepair", 1), ("bytepair", 2), ("hf", 1), ("hf", 2)):
        out = os.path.join(work, f"{engine}-{threads}")
        os.makedirs(out, exist_ok=True)
        if engine == "bytepair":
            cmd = [tool, "train", "--threads", str(threads), "--vocab-size", str(vocab), "--out", out] + files
            env = None
            n = runs
        else:
            cmd = [sys.executable, "-c", HF_TRAIN, out, str(vocab)] + files
            env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
            n = hf_runs
        measured = [timed(cmd, env) for _ in range(n)]
        seconds = statistics.median(m[0] for m in measured)
        memory = max(m[1] for m in measured)
        if reference is None:
            reference = out
        elif not same_files(reference, out):
            sys.exit(f"{label}: {engine} with {threads} threads learned different merges")
        rows.append((engine, threads, seconds, memory))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hf-runs", type=int, default=1)
    ap.add_argument("--grid", action="store_true", help="parity on 3 corpora x 3 vocab sizes, no timing table")
    a = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "bytepair"], cwd=ROOT, check=True)
    tool = os.path.join(ROOT, "target", "release", "bytepair")
    corpus = os.path.join(a.shared, "data", "corpus")
    english = sorted(glob.glob(os.path.join(corpus, "en_*")))
    everything = sorted(glob.glob(os.path.join(corpus, "*.txt")) + glob.glob(os.path.join(corpus, "*.md")))
    work = tempfile.mkdtemp(prefix="bytepair-train-bench-")
    try:
        if a.grid:
            corpora = {
                "english": english,
                "multilingual": sorted(glob.glob(os.path.join(corpus, "multi_*"))),
                "code": sorted(glob.glob(os.path.join(corpus, "code_*"))),
            }
            for name, files in corpora.items():
                for vocab in (1000, 8000, 32000):
                    d = os.path.join(work, f"{name}-{vocab}")
                    ours, theirs = os.path.join(d, "ours"), os.path.join(d, "hf")
                    os.makedirs(ours)
                    os.makedirs(theirs)
                    subprocess.run([tool, "train", "--vocab-size", str(vocab), "--out", ours] + files,
                                   check=True, stderr=subprocess.DEVNULL)
                    subprocess.run([sys.executable, "-c", HF_TRAIN, theirs, str(vocab)] + files, check=True)
                    size = sum(os.path.getsize(f) for f in files) / 1e6
                    verdict = "identical" if same_files(ours, theirs) else "DIFFERENT"
                    print(f"{name} ({size:.1f} MB), vocab {vocab}: {verdict}", flush=True)
            return
        configs = [("English, vocab 32k", english, 32000), ("all, vocab 50k", everything, 50000)]
        print("| corpus | engine | threads | median time | peak memory | speed-up vs HF, same threads |")
        print("|---|---|---:|---:|---:|---:|")
        for label, files, vocab in configs:
            size = sum(os.path.getsize(f) for f in files) / 1e6
            rows = run_config(label, files, vocab, a.runs, a.hf_runs, tool, os.path.join(work, label))
            hf = {threads: seconds for engine, threads, seconds, _ in rows if engine == "hf"}
            for engine, threads, seconds, memory in rows:
                speedup = f"{hf[threads] / seconds:.1f}x" if engine == "bytepair" else ""
                print(f"| {label} ({size:.1f} MB) | {engine} | {threads} | {seconds:.2f} s | {memory:.0f} MB | {speedup} |",
                      flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
