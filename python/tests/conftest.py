"""Shared set-up: the repository's fixtures, and tiktoken's encodings built
from the rank files in data/tiktoken (tiktoken would download them)."""

import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
RANKS = os.path.join(ROOT, "data", "tiktoken")

# tiktoken must neither write a cache nor reach the network.
os.environ["TIKTOKEN_CACHE_DIR"] = ""


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def read_jsonl(*parts):
    with open(fixture(*parts), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def blocks(text, size=4096):
    """``text`` in blocks of about ``size`` bytes, cut after line ends."""
    out, start = [], 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        out.append(text[start:end])
        start = end
    return out


def corpus_texts():
    texts = []
    for name in ("prose", "multilingual", "code", "prose_crlf", "long_pieces"):
        with open(fixture("corpus", name + ".txt"), encoding="utf-8", newline="") as f:
            texts.extend(blocks(f.read()))
    return texts


@pytest.fixture(scope="session")
def tiktoken_encoding():
    """tiktoken's Encoding of a name, from the local rank files."""
    tiktoken = pytest.importorskip("tiktoken")
    from tiktoken import load
    from tiktoken_ext import openai_public

    def local(url, expected_hash=None):
        return load.load_tiktoken_bpe(os.path.join(RANKS, url.rsplit("/", 1)[1]))

    openai_public.load_tiktoken_bpe = local
    cache = {}

    def get(name):
        if name not in cache:
            if name == "gpt2":
                spec = openai_public.r50k_base()
                spec["name"] = "gpt2"
            else:
                spec = getattr(openai_public, name)()
            cache[name] = tiktoken.Encoding(**spec)
        return cache[name]

    return get
