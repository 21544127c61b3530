"""bytepair's Encoding against tiktoken: the same ids, the same decoded
text, the same exceptions."""

import pytest

import bytepair
from conftest import corpus_texts, read_jsonl

ENCODINGS = ["gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base"]


@pytest.fixture(scope="module")
def texts():
    tricky = [v["text"] for v in read_jsonl("gpt2_tricky.jsonl")]
    random = [v["text"] for v in read_jsonl("random_strings.jsonl")]
    return corpus_texts() + tricky + random


@pytest.mark.parametrize("name", ENCODINGS)
def test_encode_ordinary_equals_tiktoken(name, texts, tiktoken_encoding):
    ours, theirs = bytepair.get_encoding(name), tiktoken_encoding(name)
    assert ours.encode_ordinary_batch(texts) == theirs.encode_ordinary_batch(texts)
    for text in texts[::50]:
        assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)


@pytest.mark.parametrize("name", ENCODINGS)
def test_special_token_policies_equal_tiktoken(name, texts, tiktoken_encoding):
    ours, theirs = bytepair.get_encoding(name), tiktoken_encoding(name)
    specials = sorted(theirs.special_tokens_set)
    assert ours.special_tokens_set == theirs.special_tokens_set
    assert (ours.n_vocab, ours.max_token_value, ours.eot_token) == (
        theirs.n_vocab,
        theirs.max_token_value,
        theirs.eot_token,
    )
    mixed = [t + specials[i % len(specials)] + t[:20] for i, t in enumerate(texts[::20])]
    for text in mixed:
        assert ours.encode(text, allowed_special="all") == theirs.encode(text, allowed_special="all")
        assert ours.encode(text, disallowed_special=()) == theirs.encode(text, disallowed_special=())
        one = {specials[0]}
        assert ours.encode(text, allowed_special=one, disallowed_special=()) == theirs.encode(
            text, allowed_special=one, disallowed_special=()
        )
        for kwargs in [{}, {"allowed_special": one}]:
            try:
                expected = theirs.encode(text, **kwargs)
            except ValueError as e:
                with pytest.raises(ValueError) as ours_error:
                    ours.encode(text, **kwargs)
                assert str(ours_error.value) == str(e)
                with pytest.raises(ValueError):
                    ours.encode_batch(["fine", text], **kwargs)
            else:
                assert ours.encode(text, **kwargs) == expected
    assert ours.encode_batch(mixed, allowed_special="all") == theirs.encode_batch(mixed, allowed_special="all")


@pytest.mark.parametrize("name", ["gpt2", "o200k_base"])
def test_decoding_equals_tiktoken(name, texts, tiktoken_encoding):
    ours, theirs = bytepair.get_encoding(name), tiktoken_encoding(name)
    for text in texts[::10]:
        ids = theirs.encode_ordinary(text)
        assert ours.decode_bytes(ids) == theirs.decode_bytes(ids)
        assert ours.decode(ids) == theirs.decode(ids) == text
        # A cut through a character: replaced as tiktoken replaces it.
        assert ours.decode(ids[:-1]) == theirs.decode(ids[:-1])
    with pytest.raises(KeyError):
        ours.decode([ours.n_vocab + 10])


def test_surrogates_are_replaced_as_tiktoken_does(tiktoken_encoding):
    ours, theirs = bytepair.get_encoding("cl100k_base"), tiktoken_encoding("cl100k_base")
    text = "a\ud800b"
    assert ours.encode(text) == theirs.encode(text)
    assert ours.encode_ordinary(text) == theirs.encode_ordinary(text)


def test_models_map_to_their_encodings():
    assert bytepair.encoding_for_model("gpt-4o").name == "o200k_base"
    assert bytepair.encoding_for_model("gpt-4o-mini-2024-07-18").name == "o200k_base"
    assert bytepair.encoding_for_model("gpt-4").name == "cl100k_base"
    assert bytepair.encoding_for_model("text-davinci-003").name == "p50k_base"
    with pytest.raises(KeyError):
        bytepair.encoding_for_model("no-such-model")
    with pytest.raises(ValueError):
        bytepair.get_encoding("no_such_encoding")
