#!/usr/bin/env python3
"""Checks that HF tokenizers, loading the tokenizer.json bytepair writes for an
OpenAI encoding, gives tiktoken's ids (a local check, not part of `cargo test`).

    cargo build --release --bin bytepair
    /tmp/oracle-venv/bin/python scripts/hf_reads_ours.py [--shared ../shared] [FILE...]

For each of r50k_base, p50k_base, cl100k_base and o200k_base: `bytepair convert`
writes the tokenizer.json, HF loads it, and HF's ids for each file (default: every
file of the shared corpus) are compared with tiktoken's `encode_ordinary`.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from make_format_fixtures import tiktoken_encoding  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    from tokenizers import Tokenizer

    files = a.files or sorted(glob.glob(os.path.join(a.shared, "data", "corpus", "*.*")))
    files = [f for f in files if os.path.isfile(f)]
    cli = os.path.join(ROOT, "target", "release", "bytepair")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"]:
            path = os.path.join(tmp, f"{name}.json")
            subprocess.run([cli, "convert", "--encoding", name, "--to", "tokenizer-json", "--out", path],
                           check=True, stderr=subprocess.DEVNULL)
            hf = Tokenizer.from_file(path)
            enc = tiktoken_encoding(name)
            for f in files:
                text = open(f, encoding="utf-8", newline="").read()
                ref = enc.encode_ordinary(text)
                got = hf.encode(text, add_special_tokens=False).ids
                same = got == ref
                failures += not same
                print(f"{name} {os.path.basename(f)}: {len(ref)} tokens, {'identical' if same else 'DIFFERENT'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
