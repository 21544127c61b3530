#!/usr/bin/env python3
"""Regenerates the parity fixtures in tests/fixtures/ from the reference material.

Every id written here comes from the two reference implementations, HF
`tokenizers` and tiktoken (via ../shared/tools/oracle.py, fully offline), and
the script stops if they disagree. `cargo test` then needs neither Python nor
../shared.

Set-up (once per machine, as ../shared/tools/README.md says):

    python3 -m venv /tmp/oracle-venv
    /tmp/oracle-venv/bin/pip install tiktoken==0.14.0 tokenizers==0.23.3

Run from the repository root:

    /tmp/oracle-venv/bin/python scripts/make_fixtures.py [--shared ../shared]

Outputs (all deterministic):
  corpus/{prose,multilingual,code}.txt   >= 1 MiB samples cut from ../shared/data/corpus
  corpus/prose_crlf.txt                  the start of prose.txt with CRLF line endings
  corpus/long_pieces.txt                 seeded long pieces without a break, one a line
                                         (random digits, with a space, years, mixed
                                         scripts' digits, letters, base64, a run of one
                                         letter, punctuation)
  corpus/*.ids                           reference ids of each sample (format below)
  gpt2_tricky.jsonl                      copy of ../shared/data/vectors/gpt2_tricky.jsonl
  random_strings.jsonl                   seeded random strings mixing scripts, digits,
                                         punctuation, emoji/ZWJ, combining marks, every
                                         Unicode whitespace, CRLF and contractions, with
                                         "ids" (ordinary) and "special_ids" (<|endoftext|>
                                         recognised)
  unicode_sweep.tsv                      for every block of 4096 scalar values and each
                                         context template: token count and FNV-1a hash of
                                         the ids (the texts are rebuilt by the Rust test)

The .ids format: each id as an unsigned LEB128 varint (7 bits a byte, low
bits first, high bit set on every byte but the last), ids one after another.
"""
import argparse
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(ROOT, "tests", "fixtures")

# (output name, [(corpus file, start fraction, bytes)])
SAMPLES = {
    "prose": [
        ("en_big.txt", 0.30, 420_000),
        ("en_kjv_bible.txt", 0.55, 180_000),
        ("en_shakespeare_plays.md", 0.40, 180_000),
        ("en_jargon_and_devils_dictionary.txt", 0.60, 150_000),
        ("en_python311_docs.rst.txt", 0.20, 150_000),
    ],
    "multilingual": [
        ("multi_gettext_translations.txt", 0.10, 350_000),
        ("multi_gettext_translations.txt", 0.70, 250_000),
        ("multi_linux_docs_translations.rst.txt", 0.25, 350_000),
        ("multi_emoji-test.txt", 0.50, 130_000),
    ],
    "code": [
        ("code_cpython311_stdlib.py.txt", 0.35, 560_000),
        ("code_rust_std_library.rs.txt", 0.45, 520_000),
    ],
}
CRLF_BYTES = 200_000

EOT = "<|endoftext|>"


def cut(path, start_fraction, size):
    """About `size` bytes of whole lines from `path`, starting near `start_fraction`."""
    with open(path, "rb") as f:
        data = f.read()
    start = data.index(b"\n", int(len(data) * start_fraction)) + 1
    end = data.index(b"\n", start + size) + 1
    return data[start:end].decode("utf-8")


def write_varints(path, ids):
    out = bytearray()
    for i in ids:
        while i >= 0x80:
            out.append((i & 0x7F) | 0x80)
            i >>= 7
        out.append(i)
    with open(path, "wb") as f:
        f.write(out)


class References:
    """Both reference engines; every result is checked for agreement."""

    def __init__(self, oracle):
        self.oracle = oracle
        self.ordinary = [oracle.Engine(n, False) for n in ("hf", "tiktoken")]
        self.special = [oracle.Engine(n, True) for n in ("hf", "tiktoken")]

    def _agree(self, engines, texts, what):
        results = [e.encode_batch(texts) for e in engines]
        for i, text in enumerate(texts):
            if results[0][i] != results[1][i]:
                sys.exit(f"references disagree on {what} {text!r}")
        return results[0]

    def encode_long(self, text, what):
        results = [self.oracle.encode_long(e, text) for e in self.ordinary]
        if results[0] != results[1]:
            sys.exit(f"references disagree on {what}")
        return results[0]

    def encode_batch(self, texts, special=False):
        return self._agree(self.special if special else self.ordinary, texts, "string")


# --- random strings -------------------------------------------------------------

LETTERS = [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "éèêëñçßøåæœÉÑÇ",
    "αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔ", "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГ",
    "אבגדהוזחטיכלמנסעפצקרשת", "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह", "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮ",
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长",
    "한국어를배우는것은재미있습니다", "ひらがなカタカナ漢字ーゝゞヽ", "ᚠᚢᚦᚨᚱᚲ", "ʰʲˠˤ",  # runes, modifier letters
]
DIGITS = [
    "0123456789", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "０１２３４５６７８９", "ⅠⅡⅢⅣⅫↂ",
    "²³¹¼½¾⁰⁴", "①②③⑩", "𝟎𝟏𝟐", "〇",
]
PUNCT = [
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "“”‘’«»‹›„‟", "—–‐…·•‰′″", "¿¡§¶©®™°±×÷",
    "。、「」『』【】〜・", "،؛؟", "।॥", "₹€£¥$¢", "←→↑↓⇒∀∂∈∑√∞≠≤≥", "♠♣♥♦♪",
]
EMOJI = [
    "😀", "👍", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳️\u200d🌈", "🇺🇸", "🇯🇵", "1️⃣", "❤️",
    "👩🏾\u200d💻", "🧑\u200d🤝\u200d🧑", "✌🏻", "☺︎", "🫠", "🐈\u200d⬛",
]
COMBINING = [
    "e\u0301", "a\u0308\u0323", "n\u0303", "\u0301", "Z\u0351\u0352\u0353\u0354\u0355",
    "क\u093f", "\u093e", "ก\u0e34\u0e48", "\u20dd", "o\u0338", "ᄀ\u1161\u11a8",
]
WHITESPACE = [
    "\t", "\n", "\x0b", "\x0c", "\r", " ", "\x85", "\xa0", "\u1680", "\u2000", "\u2001",
    "\u2002", "\u2003", "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009",
    "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000",
    # not White_Space, but often mistaken for it
    "\u200b", "\u200d", "\ufeff", "\u180e", "\x1c", "\x1f",
]
CRLF = ["\r\n", "\r\n\r\n", " \r\n", "\r\n ", "\r\r\n", "\n\r"]
CONTRACTIONS = [
    "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D",
    "’s", "’t", "’re", "'x", "''", "'", "'''s", "s'", "don't", "I'm", "we've", "y'all",
    "O'Neil's", "DON'T", "it’s",
]
SPECIAL = [EOT, "<|endoftext", "endoftext|>", EOT + EOT, "<|" + EOT + "|>", "<|startoftext|>"]


def fragment(rng):
    kind = rng.choice(["letters", "letters", "digits", "punct", "emoji", "combining",
                       "space", "space", "crlf", "contraction", "contraction", "special"])
    if kind == "letters":
        alphabet = rng.choice(LETTERS)
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
    if kind == "digits":
        alphabet = rng.choice(DIGITS)
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
    if kind == "punct":
        alphabet = rng.choice(PUNCT)
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
    if kind == "emoji":
        return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, 3)))
    if kind == "combining":
        return rng.choice(COMBINING) * rng.randint(1, 3)
    if kind == "space":
        return "".join(rng.choice(WHITESPACE) for _ in range(rng.randint(1, 4)))
    if kind == "crlf":
        return rng.choice(CRLF)
    if kind == "contraction":
        return rng.choice(CONTRACTIONS)
    return rng.choice(SPECIAL)


def random_strings(count, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [fragment(rng) for _ in range(rng.randint(1, 12))]
        joiner = rng.choice(["", "", " ", "\n"])
        out.append(joiner.join(parts))
    return out


# --- long pieces -------------------------------------------------------------------
# Pieces of tens of kilobytes take the chunked path with its seam repair, and pieces
# of ASCII digits and spaces the digits' own rule table; one piece a line.

def long_pieces(seed):
    rng = random.Random(seed)
    def run(alphabet, n):
        return "".join(rng.choice(alphabet) for _ in range(n))
    years = "".join(str(rng.randint(1900, 2099)) for _ in range(4096))
    return "\n".join([
        run("0123456789", 65536),
        " " + run("0123456789", 32768),
        years,
        run("0123456789٠١٢٣٤٥٦٧٨٩", 8192),
        run("abcdefghijklmnopqrstuvwxyz", 32768),
        run("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 32768),
        "a" * 16384,
        run("!-=.^*", 16384),
    ]) + "\n"


# --- the Unicode sweep ----------------------------------------------------------
# The Rust test (tests/parity.rs) rebuilds exactly these texts.

SWEEP_BLOCK = 4096
SWEEP_TEMPLATES = [
    lambda c: c,                    # the block's characters run together
    lambda c: "a" + c + " ",        # after a letter, before a space
    lambda c: " " + c + c + "1\n",  # after a space, doubled, before a digit and newline
    lambda c: "'" + c + "s" + c + "\u3000",  # around contraction-like text and ideographic space
]


def sweep_text(block_start, template):
    chars = []
    for cp in range(block_start, min(block_start + SWEEP_BLOCK, 0x110000)):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        chars.append(SWEEP_TEMPLATES[template](chr(cp)))
    return "".join(chars)


def fnv1a(ids):
    h = 0xCBF29CE484222325
    for i in ids:
        for b in i.to_bytes(4, "little"):
            h ^= b
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.join(a.shared, "tools"))
    import oracle

    refs = References(oracle)
    corpus_dir = os.path.join(a.shared, "data", "corpus")
    os.makedirs(os.path.join(OUT, "corpus"), exist_ok=True)

    for name, parts in SAMPLES.items():
        text = "".join(cut(os.path.join(corpus_dir, f), s, n) for f, s, n in parts)
        with open(os.path.join(OUT, "corpus", name + ".txt"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        ids = refs.encode_long(text, name)
        write_varints(os.path.join(OUT, "corpus", name + ".ids"), ids)
        print(f"{name}: {len(text.encode())} bytes, {len(ids)} tokens")
        if name == "prose":
            crlf = text[: text.index("\n", CRLF_BYTES) + 1].replace("\n", "\r\n")
            with open(os.path.join(OUT, "corpus", "prose_crlf.txt"), "w", encoding="utf-8", newline="") as f:
                f.write(crlf)
            # encode_long cuts at '\n' between non-space characters; CRLF text has
            # none, so it is encoded whole.
            ids = refs.encode_batch([crlf])[0]
            write_varints(os.path.join(OUT, "corpus", "prose_crlf.ids"), ids)
            print(f"prose_crlf: {len(crlf.encode())} bytes, {len(ids)} tokens")

    text = long_pieces(seed=20261130)
    with open(os.path.join(OUT, "corpus", "long_pieces.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    ids = refs.encode_long(text, "long_pieces")
    write_varints(os.path.join(OUT, "corpus", "long_pieces.ids"), ids)
    print(f"long_pieces: {len(text.encode())} bytes, {len(ids)} tokens")

    with open(os.path.join(a.shared, "data", "vectors", "gpt2_tricky.jsonl"), encoding="utf-8") as f:
        tricky = f.read()
    with open(os.path.join(OUT, "gpt2_tricky.jsonl"), "w", encoding="utf-8") as f:
        f.write(tricky)

    texts = random_strings(4000, seed=20261129)
    ordinary = refs.encode_batch(texts)
    special = refs.encode_batch(texts, special=True)
    with open(os.path.join(OUT, "random_strings.jsonl"), "w", encoding="utf-8") as f:
        for text, ids, sids in zip(texts, ordinary, special):
            f.write(json.dumps({"text": text, "ids": ids, "special_ids": sids}, ensure_ascii=False) + "\n")
    print(f"random strings: {len(texts)}")

    with open(os.path.join(OUT, "unicode_sweep.tsv"), "w", encoding="utf-8") as f:
        f.write("# block_start\ttemplate\ttokens\tfnv1a64(ids as u32 LE)\n")
        for block in range(0, 0x110000, SWEEP_BLOCK):
            texts = [sweep_text(block, t) for t in range(len(SWEEP_TEMPLATES))]
            for t, ids in enumerate(refs.encode_batch(texts)):
                f.write(f"{block:#x}\t{t}\t{len(ids)}\t{fnv1a(ids):016x}\n")
    print("unicode sweep written")


if __name__ == "__main__":
    main()
