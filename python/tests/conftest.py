"""Shared set-up: the repository's fixtures, and tiktoken's encodings
(see references.py)."""

import json
import os

import pytest

from references import ROOT, blocks, tiktoken_encoding as _tiktoken_encoding

FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def read_jsonl(*parts):
    with open(fixture(*parts), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def corpus_texts():
    texts = []
    for name in ("prose", "multilingual", "code", "prose_crlf", "long_pieces"):
        with open(fixture("corpus", name + ".txt"), encoding="utf-8", newline="") as f:
            texts.extend(blocks(f.read()))
    return texts


@pytest.fixture(scope="session")
def tiktoken_encoding():
    """tiktoken's Encoding of a name, from the local rank files."""
    pytest.importorskip("tiktoken")
    return _tiktoken_encoding
