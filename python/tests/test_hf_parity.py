"""bytepair's Tokenizer against HF tokenizers on the pipeline fixtures
(tiny tokenizer.json files HF built, one per component): the same ids with
and without the template, pairs, decoding."""

import glob
import json
import os

import pytest

import bytepair
from conftest import fixture

FILES = sorted(glob.glob(fixture("pipeline", "*.json")))


@pytest.fixture(scope="module")
def texts():
    with open(fixture("pipeline", "texts.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(p) for p in FILES])
def test_tokenizer_json_equals_hf(path, texts):
    tokenizers = pytest.importorskip("tokenizers")
    theirs = tokenizers.Tokenizer.from_file(path)
    ours = bytepair.Tokenizer.from_file(path)
    for text in texts:
        for special in (True, False):
            expected = theirs.encode(text, add_special_tokens=special).ids
            assert ours.encode(text, add_special_tokens=special) == expected, (text, special)
            assert ours.count(text, add_special_tokens=special) == len(expected)
        ids = theirs.encode(text).ids
        for skip in (True, False):
            assert ours.decode(ids, skip_special_tokens=skip) == theirs.decode(ids, skip_special_tokens=skip)
        assert ours.encode(text, texts[1]) == theirs.encode(text, texts[1]).ids
    batch = [e.ids for e in theirs.encode_batch(texts)]
    assert ours.encode_batch(texts) == batch


def test_gpt2_files_and_errors(tmp_path):
    gpt2 = bytepair.Tokenizer.from_encoding("gpt2")
    gpt2.save_gpt2(str(tmp_path))
    again = bytepair.Tokenizer.from_gpt2_files(str(tmp_path / "vocab.json"), str(tmp_path / "merges.txt"))
    assert again.encode("Hello world") == [15496, 995]
    with pytest.raises(OSError) as e:
        bytepair.Tokenizer.from_file(str(tmp_path / "missing.json"))
    assert "missing.json" in str(e.value)
    (tmp_path / "bad.json").write_text('{"model": {"type": "Unigram"}}')
    with pytest.raises(ValueError) as e:
        bytepair.Tokenizer.from_file(str(tmp_path / "bad.json"))
    assert "Unigram" in str(e.value)
