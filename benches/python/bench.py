"""bytepair's Python package against tiktoken and HF tokenizers, in one
process, on the same text: each corpus file in documents of about 4 kB,
encoded one call per document on one thread ("single"), and all at once
with each library's batch call on every core ("batch"). Every library's
ids are checked against tiktoken's before it is timed.

    python benches/python/bench.py [--shared ../shared] [--encoding o200k_base] [--max-mb 2] [--runs 3]

HF tokenizers reads the encoding from the tokenizer.json bytepair writes
(HF gives tiktoken's ids with it; checked here). Prints a Markdown table of
MB/s (best of --runs) and bytepair's ratio to the faster of the others.
"""

import argparse
import glob
import os
import sys
import time

import bytepair

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))

from references import blocks as documents, tiktoken_encoding  # noqa: E402


def best(runs, work):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--max-mb", type=float, default=2.0, help="the first MB of each file")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import tokenizers

    ours = bytepair.get_encoding(args.encoding)
    theirs = tiktoken_encoding(args.encoding)
    hf = tokenizers.Tokenizer.from_str(bytepair.Tokenizer.from_encoding(args.encoding).to_str())
    libraries = {
        "bytepair": (ours.encode_ordinary, ours.encode_ordinary_batch),
        "tiktoken": (theirs.encode_ordinary, theirs.encode_ordinary_batch),
        "HF tokenizers": (
            lambda t: hf.encode(t, add_special_tokens=False).ids,
            lambda ts: [e.ids for e in hf.encode_batch(ts, add_special_tokens=False)],
        ),
    }
    files = sorted(glob.glob(os.path.join(args.shared, "data", "corpus", "*.*")))
    print(f"{args.encoding}, documents of 4 kB, first {args.max_mb} MB of each file, MB/s (best of {args.runs}):\n")
    header = " | ".join(f"{name} {mode}" for mode in ("single", "batch") for name in libraries)
    print(f"| file | {header} | bytepair / fastest other, single | batch |")
    print("|---|" + "---:|" * (2 * len(libraries) + 2))
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read(int(args.max_mb * 1e6))
        docs = documents(text)
        size = sum(len(d.encode("utf-8")) for d in docs) / 1e6
        expected = theirs.encode_ordinary_batch(docs)
        speeds = {}
        for mode_index, mode in enumerate(("single", "batch")):
            for name, calls in libraries.items():
                call = calls[mode_index]
                if mode == "single":
                    got = [call(d) for d in docs]
                    work = lambda call=call: [call(d) for d in docs]  # noqa: E731
                else:
                    got = call(docs)
                    work = lambda call=call: call(docs)  # noqa: E731
                if got != expected:
                    speeds[(name, mode)] = None
                    continue
                speeds[(name, mode)] = size / best(args.runs, work)
        cells = []
        for mode in ("single", "batch"):
            for name in libraries:
                speed = speeds[(name, mode)]
                cells.append("wrong ids" if speed is None else f"{speed:.1f}")
        ratios = []
        for mode in ("single", "batch"):
            others = [speeds[(n, mode)] for n in libraries if n != "bytepair" and speeds[(n, mode)]]
            ratios.append(f"{speeds[('bytepair', mode)] / max(others):.2f}x")
        print(f"| {os.path.basename(path)} | {' | '.join(cells)} | {' | '.join(ratios)} |")


if __name__ == "__main__":
    main()
