#!/usr/bin/env python3
"""Regenerates the fixtures of the other encodings and formats in tests/fixtures/.

Run from the repository root, after scripts/make_fixtures.py (it reuses that
script's corpus samples, tricky strings, random strings and Unicode sweep):

    /tmp/oracle-venv/bin/python scripts/make_format_fixtures.py [--shared ../shared]

Everything is computed by the references, offline: tiktoken 0.14.0 for the rank
files (read from this repository's data/tiktoken, with the patterns and special
tokens of tiktoken_ext.openai_public), HF tokenizers 0.23.3 for tokenizer.json.

Outputs:
  encodings/{r50k,p50k,cl100k,o200k}_base.tsv
      tiktoken's ids for each encoding, as rows `kind<TAB>key<TAB>count<TAB>fnv1a64`:
        corpus   <sample>:<block>   ordinary ids of one block of a corpus sample
        special  <sample>:<block>   the same with allowed_special="all"
        tricky   <index>            each gpt2_tricky.jsonl string, ordinary
        random   <index>            each random_strings.jsonl string, ordinary
        rspecial <index>            the same with allowed_special="all"
        sweep    <block>:<template> the Unicode sweep texts of make_fixtures.py
      A block is the text from where the previous one ended up to and including the
      first '\\n' at or after 4096 bytes further on (or the end); tests/formats.rs cuts
      the same way.
  encodings/special_cases.jsonl
      texts built around special tokens (at the start, the end, adjacent, inside
      words, partial) with every encoding's full ids for encode_ordinary and for
      encode(allowed_special="all").
  hf/<name>/tokenizer.json    tokenizer.json files written by HF tokenizers:
      gpt2              GPT-2's vocab.json + merges.txt with <|endoftext|> as an added
                        token and the ByteLevel pieces transformers uses (compact JSON)
      bytelevel         trained by HF's BpeTrainer (vocab 2,000, two special tokens)
                        on a corpus sample, ByteLevel pre-tokenizer
      bytelevel_legacy  the same file with merges written as "a b" strings (the form
                        before tokenizers 0.20), loaded and checked by HF
      split_cl100k      trained with a Split(cl100k pattern, Isolated) +
                        ByteLevel(use_regex=false) pre-tokenizer, ignore_merges true
      split_o200k       the same with o200k's pattern and ignore_merges false
  hf/<name>/ids.tsv     HF's ids for each file: rows `kind<TAB>key<TAB>count<TAB>fnv1a64`
      for corpus blocks (first 64 of each sample), tricky and random strings, as HF's
      `encode(text, add_special_tokens=False)` gives them (added tokens recognised).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "fixtures")
sys.path.insert(0, HERE)
import make_fixtures as mf  # noqa: E402

BLOCK = 4096
SAMPLES = ["prose", "multilingual", "code", "prose_crlf"]
ENCODINGS = ["r50k_base", "p50k_base", "cl100k_base", "o200k_base"]
HF_BLOCKS = 64

# The cl100k pattern as it must be written for HF (Oniguruma reads `{1,3}+` as a
# repetition); identical chunks under tiktoken's engine.
CL100K_HF = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def blocks(text):
    out, start, data = [], 0, text.encode("utf-8")
    while start < len(data):
        nl = data.find(b"\n", start + BLOCK)
        end = len(data) if nl < 0 else nl + 1
        out.append(data[start:end].decode("utf-8"))
        start = end
    return out


def read_fixture(name):
    with open(os.path.join(OUT, name), encoding="utf-8", newline="") as f:
        return f.read()


def texts_for_tests():
    samples = {s: blocks(read_fixture(f"corpus/{s}.txt")) for s in SAMPLES}
    tricky = [json.loads(l)["text"] for l in read_fixture("gpt2_tricky.jsonl").split("\n") if l]
    randoms = [json.loads(l)["text"] for l in read_fixture("random_strings.jsonl").split("\n") if l]
    return samples, tricky, randoms


def row(kind, key, ids):
    return f"{kind}\t{key}\t{len(ids)}\t{mf.fnv1a(ids):016x}\n"


def tiktoken_encoding(name):
    import tiktoken
    from tiktoken.load import load_tiktoken_bpe
    from tiktoken_ext import openai_public

    ranks = load_tiktoken_bpe(os.path.join(ROOT, "data", "tiktoken", f"{name}.tiktoken"))
    # openai_public's constructors download the files; hand them the local ranks.
    openai_public.load_tiktoken_bpe = lambda *a, **k: ranks
    spec = getattr(openai_public, name)()
    return tiktoken.Encoding(
        name, pat_str=spec["pat_str"], mergeable_ranks=ranks, special_tokens=spec["special_tokens"]
    )


SPECIAL_CASES = [
    "", "<|endoftext|>", "<|endoftext|>Hello", "Hello<|endoftext|>",
    "<|endoftext|><|endoftext|>", "a<|endoftext|>b<|endoftext|>c",
    "  <|endoftext|>  ", "\n\n<|endoftext|>\n\n", "word<|endoftext|>word",
    "<|endoftext", "endoftext|>", "<|<|endoftext|>|>", "<|endoftext|>'s",
    "<|fim_prefix|>def f(<|fim_suffix|>):<|fim_middle|>", "<|endofprompt|> 😀<|endoftext|>",
    "1234567<|endoftext|>890", "x" * 50 + "<|endoftext|>" + "y" * 50,
]


def make_encodings(samples, tricky, randoms):
    os.makedirs(os.path.join(OUT, "encodings"), exist_ok=True)
    cases = [{"text": t} for t in SPECIAL_CASES]
    for name in ENCODINGS:
        enc = tiktoken_encoding(name)
        rows = []
        for sample, parts in samples.items():
            for i, part in enumerate(parts):
                rows.append(row("corpus", f"{sample}:{i}", enc.encode_ordinary(part)))
                rows.append(row("special", f"{sample}:{i}", enc.encode(part, allowed_special="all")))
        for i, t in enumerate(tricky):
            rows.append(row("tricky", i, enc.encode_ordinary(t)))
        for i, t in enumerate(randoms):
            rows.append(row("random", i, enc.encode_ordinary(t)))
            rows.append(row("rspecial", i, enc.encode(t, allowed_special="all")))
        block = 0
        while block < 0x110000:
            for t in range(len(mf.SWEEP_TEMPLATES)):
                rows.append(row("sweep", f"{block:#x}:{t}", enc.encode_ordinary(mf.sweep_text(block, t))))
            block += mf.SWEEP_BLOCK
        with open(os.path.join(OUT, "encodings", f"{name}.tsv"), "w", encoding="utf-8") as f:
            f.write("# kind\tkey\tcount\tfnv1a64 (made by scripts/make_format_fixtures.py)\n")
            f.writelines(rows)
        for case in cases:
            case[name] = {
                "ordinary": enc.encode_ordinary(case["text"]),
                "special": enc.encode(case["text"], allowed_special="all"),
            }
        print(f"{name}: {len(rows)} rows")
    with open(os.path.join(OUT, "encodings", "special_cases.jsonl"), "w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")


def train_text(samples):
    # About 400 kB: prose, multilingual text and code.
    return "".join(samples["prose"][:30] + samples["multilingual"][:40] + samples["code"][:30])


def make_hf(samples, tricky, randoms, shared):
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from tokenizers import AddedToken

    def save(tok, name, pretty=True):
        d = os.path.join(OUT, "hf", name)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "tokenizer.json")
        tok.save(path, pretty=pretty)
        return path

    def write_ids(tok, name):
        rows = []
        for sample in ["prose", "multilingual", "code"]:
            for i, part in enumerate(samples[sample][:HF_BLOCKS]):
                rows.append(row("corpus", f"{sample}:{i}", tok.encode(part, add_special_tokens=False).ids))
        for i, t in enumerate(tricky):
            rows.append(row("tricky", i, tok.encode(t, add_special_tokens=False).ids))
        for i, t in enumerate(randoms):
            rows.append(row("random", i, tok.encode(t, add_special_tokens=False).ids))
        with open(os.path.join(OUT, "hf", name, "ids.tsv"), "w", encoding="utf-8") as f:
            f.write("# kind\tkey\tcount\tfnv1a64 (HF tokenizers' ids; scripts/make_format_fixtures.py)\n")
            f.writelines(rows)
        print(f"hf/{name}: {len(rows)} rows")

    # GPT-2 as transformers builds it.
    gpt2_dir = os.path.join(shared, "data", "gpt2")
    tok = Tokenizer(models.BPE.from_file(os.path.join(gpt2_dir, "vocab.json"), os.path.join(gpt2_dir, "merges.txt")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken("<|endoftext|>", special=True, normalized=False)])
    save(tok, "gpt2", pretty=False)  # compact: 2 MB instead of 3.6
    write_ids(tok, "gpt2")

    text = train_text(samples)
    lines = text.splitlines(keepends=True)
    specials = ["<|endoftext|>", "<pad>"]

    def trained(pre_tokenizer, vocab_size):
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizer
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=2, special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
        )
        tok.train_from_iterator(lines, trainer=trainer)
        return tok

    tok = trained(pre_tokenizers.ByteLevel(add_prefix_space=False), 2000)
    path = save(tok, "bytelevel")
    write_ids(tok, "bytelevel")

    # The legacy merges form, as tokenizers < 0.20 wrote it; HF must still read it
    # and encode identically.
    doc = json.load(open(path, encoding="utf-8"))
    doc["model"]["merges"] = [" ".join(pair) for pair in doc["model"]["merges"]]
    legacy = json.dumps(doc, ensure_ascii=False, indent=2)
    tok_legacy = Tokenizer.from_str(legacy)
    d = os.path.join(OUT, "hf", "bytelevel_legacy")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(legacy)
    write_ids(tok_legacy, "bytelevel_legacy")
    if open(os.path.join(d, "ids.tsv")).read() != open(os.path.join(OUT, "hf", "bytelevel", "ids.tsv")).read():
        sys.exit("HF encodes the legacy merges form differently")

    for name, pattern, vocab_size, ignore_merges in [
        ("split_cl100k", CL100K_HF, 2000, True),
        ("split_o200k", mf_o200k_pattern(), 2500, False),
    ]:
        pre = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
        tok = trained(pre, vocab_size)
        doc = json.loads(tok.to_str())
        doc["model"]["ignore_merges"] = ignore_merges
        # Written by HF after reading the setting back.
        tok = Tokenizer.from_str(json.dumps(doc))
        save(tok, name)
        write_ids(tok, name)


def mf_o200k_pattern():
    from tiktoken_ext import openai_public
    import tiktoken.load
    openai_public.load_tiktoken_bpe = lambda *a, **k: {}
    return openai_public.o200k_base()["pat_str"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    ap.add_argument("--only", choices=["encodings", "hf"])
    a = ap.parse_args()
    samples, tricky, randoms = texts_for_tests()
    if a.only != "hf":
        make_encodings(samples, tricky, randoms)
    if a.only != "encodings":
        make_hf(samples, tricky, randoms, a.shared)


if __name__ == "__main__":
    main()
