"""The references bytepair is compared with, built from this repository's
files only: tiktoken's encodings from the rank files in data/tiktoken
(tiktoken would download them), and the corpus cut into documents. Shared
by the tests and benches/python/bench.py."""

import functools
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RANKS = os.path.join(ROOT, "data", "tiktoken")

# tiktoken must neither write a cache nor reach the network.
os.environ["TIKTOKEN_CACHE_DIR"] = ""


@functools.lru_cache(maxsize=None)
def tiktoken_encoding(name):
    """tiktoken's Encoding of ``name`` (gpt2 or one of its four encodings)."""
    import tiktoken
    from tiktoken import load
    from tiktoken_ext import openai_public

    def local(url, expected_hash=None):
        return load.load_tiktoken_bpe(os.path.join(RANKS, url.rsplit("/", 1)[1]))

    openai_public.load_tiktoken_bpe = local
    if name == "gpt2":
        spec = openai_public.r50k_base()
        spec["name"] = "gpt2"
    else:
        spec = getattr(openai_public, name)()
    return tiktoken.Encoding(**spec)


def blocks(text, size=4096):
    """``text`` in blocks of about ``size`` bytes, cut after line ends."""
    out, start = [], 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        out.append(text[start:end])
        start = end
    return out
