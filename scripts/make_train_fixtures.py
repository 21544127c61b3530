#!/usr/bin/env python3
"""Regenerates tests/fixtures/train/: a small training corpus and the vocab.json +
merges.txt that HF tokenizers' BpeTrainer learns from it under several settings.

The training set-up is the one ../shared/tools/README.md gives (ByteLevel
pre-tokenizer without prefix space, the 256-byte initial alphabet), with
RAYON_NUM_THREADS=1. Run from the repository root after scripts/make_fixtures.py
(the corpus is cut from its samples):

    /tmp/oracle-venv/bin/python scripts/make_train_fixtures.py
"""
import json
import os
import shutil

os.environ.setdefault("RAYON_NUM_THREADS", "1")

from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
OUT = os.path.join(FIXTURES, "train")

# OpenAI's cl100k_base and o200k_base patterns, for trainers that cut text
# with them instead of GPT-2's (cl100k's as tokenizer.json spells it:
# Oniguruma reads tiktoken's possessive `{1,3}+` otherwise).
CL100K = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
O200K = "|".join([
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
])

# name -> (corpus file, vocab_size, min_frequency, special tokens[, pattern])
CASES = {
    "v1000": ("corpus.txt", 1000, 0, []),
    "v4000": ("corpus.txt", 4000, 0, []),
    "v3000_min30": ("corpus.txt", 3000, 30, []),
    "v1500_specials": ("corpus.txt", 1500, 0, ["<|endoftext|>", "<pad>", "[MASK]"]),
    "v50000_min2": ("corpus.txt", 50000, 2, []),
    "crlf_v800": ("corpus_crlf.txt", 800, 0, []),
    "v256_specials": ("corpus.txt", 258, 0, ["<s>", "</s>"]),
    # "the" and "ing" are learned as ordinary tokens too; HF gives them the
    # special tokens' ids.
    "v700_learned_specials": ("corpus.txt", 700, 0, ["<pad>", "the", "ing"]),
    # Split by the pattern, then byte-level without its own regex.
    "cl100k_v2000": ("corpus.txt", 2000, 0, [], "cl100k_base"),
    "o200k_v2000": ("corpus.txt", 2000, 0, [], "o200k_base"),
}


def cut(path, size):
    """The first `size` bytes of `path`, extended to the end of the line."""
    with open(path, "rb") as f:
        data = f.read()
    end = data.index(b"\n", size) + 1
    return data[:end]


def train(corpus, vocab_size, min_frequency, specials, out, pattern=None):
    tok = Tokenizer(models.BPE())
    if pattern is None:
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    else:
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=specials,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train([corpus], trainer)
    os.makedirs(out, exist_ok=True)
    tok.model.save(out)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    corpus = b"".join(
        cut(os.path.join(FIXTURES, "corpus", name + ".txt"), 100_000)
        for name in ("prose", "multilingual", "code")
    )
    with open(os.path.join(OUT, "corpus.txt"), "wb") as f:
        f.write(corpus)
    with open(os.path.join(OUT, "corpus_crlf.txt"), "wb") as f:
        f.write(cut(os.path.join(FIXTURES, "corpus", "prose_crlf.txt"), 60_000))
    cases = {}
    for name, (corpus_file, vocab_size, min_frequency, specials, *pattern) in CASES.items():
        pattern = pattern[0] if pattern else None
        regex = {"cl100k_base": CL100K, "o200k_base": O200K}.get(pattern)
        train(os.path.join(OUT, corpus_file), vocab_size, min_frequency, specials, os.path.join(OUT, name), regex)
        cases[name] = {
            "corpus": corpus_file,
            "vocab_size": vocab_size,
            "min_frequency": min_frequency,
            "special_tokens": specials,
        }
        if pattern is not None:
            cases[name]["pattern"] = pattern
        with open(os.path.join(OUT, name, "merges.txt"), encoding="utf-8") as f:
            merges = sum(1 for _ in f) - 1
        print(f"{name}: {merges} merges")
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
