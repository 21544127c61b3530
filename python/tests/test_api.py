"""Threads, batches, numpy, counting and training."""

import json
import os
import threading

import numpy as np
import pytest

import bytepair
from conftest import corpus_texts, fixture


@pytest.fixture(scope="module")
def texts():
    return corpus_texts()


def test_batch_equals_sequential(texts):
    for name in ["gpt2", "o200k_base"]:
        enc = bytepair.get_encoding(name)
        assert enc.encode_batch(texts) == [enc.encode(t) for t in texts]
        assert enc.encode_ordinary_batch(texts) == [enc.encode_ordinary(t) for t in texts]


def test_threads_share_one_encoding(texts):
    enc = bytepair.get_encoding("cl100k_base")
    expected = [enc.encode_ordinary(t) for t in texts[:200]]
    results = {}

    def work(k):
        results[k] = [enc.encode_ordinary(t) for t in texts[:200]]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results.values())


def test_numpy_and_count(texts):
    enc = bytepair.get_encoding("o200k_base")
    for text in texts[:50]:
        array = enc.encode_to_numpy(text)
        assert array.dtype == np.uint32
        assert array.tolist() == enc.encode(text)
        assert enc.count(text) == len(array)
    assert enc.count("hi<|endoftext|>", allowed_special="all") == 2
    with pytest.raises(ValueError):
        enc.count("hi<|endoftext|>")


def test_train_equals_hf_fixture(tmp_path):
    with open(fixture("train", "cases.json"), encoding="utf-8") as f:
        case = json.load(f)["v1500_specials"]
    with open(fixture("train", "corpus.txt"), encoding="utf-8", newline="") as f:
        lines = f.read().splitlines(keepends=True)
    trained = bytepair.train(
        iter(lines), case["vocab_size"], special_tokens=case["special_tokens"], batch_size=1000
    )
    trained.save_gpt2(str(tmp_path))
    for name in ["vocab.json", "merges.txt"]:
        with open(tmp_path / name, encoding="utf-8") as ours, open(
            fixture("train", "v1500_specials", name), encoding="utf-8"
        ) as hf:
            assert ours.read() == hf.read(), name
    # Counts gathered in two halves and added up learn the same.
    half = len(lines) // 2
    a, b = bytepair.Counts(), bytepair.Counts()
    a.count_texts(lines[:half])
    b.count_texts(lines[half:])
    a.merge(b)
    again = bytepair.train_counts(a, case["vocab_size"], special_tokens=case["special_tokens"])
    assert again.to_str() == trained.to_str()
    path = tmp_path / "counts.tsv"
    a.write_tsv(str(path))
    c = bytepair.Counts()
    c.read_tsv(str(path))
    assert sorted(c.items()) == sorted(a.items())
    assert dict(bytepair.count_chunks(["the cat the", "the"])) == {"the": 2, " cat": 1, " the": 1}


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError) as e:
        bytepair.train(["abc"], 10)
    assert "vocab_size 10" in str(e.value)
    with pytest.raises(ValueError):
        bytepair.train(["abc"], 300, pattern="(unclosed")
