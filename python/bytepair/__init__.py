"""Byte-pair-encoding tokenization exact to tiktoken and HF tokenizers.

Two entry points:

- ``bytepair.get_encoding("o200k_base")`` (or ``encoding_for_model("gpt-4o")``)
  returns an :class:`Encoding` with tiktoken's method names and semantics:
  switch from tiktoken by changing the import.
- ``bytepair.Tokenizer.from_file("tokenizer.json")`` loads a model's HF
  tokenizer.json (Llama, Qwen, DeepSeek, Gemma, Mistral, ...) with its whole
  pipeline; ``encode`` and ``decode`` behave as HF tokenizers' do.

Encoding runs with the GIL released; the ``*_batch`` methods use all cores.
``train`` learns a byte-level BPE vocabulary, identical to HF's
``BpeTrainer``; :class:`Counts` gathers the counts it learns from across
processes or machines.
"""

from __future__ import annotations

import functools
from typing import AbstractSet, Collection, Iterable, Literal, Optional, Sequence, Union

from ._bytepair import CL100K_PATTERN, GPT2_PATTERN, O200K_PATTERN, Core, Counts, train_from_counts

__all__ = [
    "Encoding",
    "Tokenizer",
    "Counts",
    "get_encoding",
    "encoding_for_model",
    "encoding_name_for_model",
    "list_encoding_names",
    "train",
    "train_counts",
    "count_chunks",
    "GPT2_PATTERN",
    "CL100K_PATTERN",
    "O200K_PATTERN",
]

_ENCODINGS = ("gpt2", "r50k_base", "p50k_base", "cl100k_base", "o200k_base")

# Models by exact name, then by prefix (the first prefix that matches wins,
# so longer prefixes come first).
_MODEL_ENCODINGS = {
    "gpt-4o": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.5": "o200k_base",
    "gpt-5": "o200k_base",
    "o1": "o200k_base",
    "o3": "o200k_base",
    "o4-mini": "o200k_base",
    "gpt-oss-120b": "o200k_base",
    "gpt-oss-20b": "o200k_base",
    "gpt-4": "cl100k_base",
    "gpt-3.5-turbo": "cl100k_base",
    "gpt-3.5": "cl100k_base",
    "gpt-35-turbo": "cl100k_base",
    "text-embedding-ada-002": "cl100k_base",
    "text-embedding-3-small": "cl100k_base",
    "text-embedding-3-large": "cl100k_base",
    "davinci-002": "cl100k_base",
    "babbage-002": "cl100k_base",
    "text-davinci-003": "p50k_base",
    "text-davinci-002": "p50k_base",
    "code-davinci-002": "p50k_base",
    "code-davinci-001": "p50k_base",
    "code-cushman-002": "p50k_base",
    "code-cushman-001": "p50k_base",
    "davinci-codex": "p50k_base",
    "cushman-codex": "p50k_base",
    "text-davinci-001": "r50k_base",
    "text-curie-001": "r50k_base",
    "text-babbage-001": "r50k_base",
    "text-ada-001": "r50k_base",
    "davinci": "r50k_base",
    "curie": "r50k_base",
    "babbage": "r50k_base",
    "ada": "r50k_base",
    "gpt2": "gpt2",
    "gpt-2": "gpt2",
}
_MODEL_PREFIX_ENCODINGS = (
    ("gpt-4o-", "o200k_base"),
    ("gpt-4.1-", "o200k_base"),
    ("gpt-4.5-", "o200k_base"),
    ("gpt-5-", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("o1-", "o200k_base"),
    ("o3-", "o200k_base"),
    ("o4-mini-", "o200k_base"),
    ("chatgpt-4o-", "o200k_base"),
    ("gpt-oss-", "o200k_base"),
    ("gpt-4-", "cl100k_base"),
    ("gpt-3.5-turbo-", "cl100k_base"),
    ("gpt-35-turbo-", "cl100k_base"),
    ("ft:gpt-4o", "o200k_base"),
    ("ft:gpt-4", "cl100k_base"),
    ("ft:gpt-3.5-turbo", "cl100k_base"),
    ("ft:davinci-002", "cl100k_base"),
    ("ft:babbage-002", "cl100k_base"),
)


def _text(text: str) -> str:
    """``text`` without lone surrogates, which UTF-8 cannot hold (replaced
    by U+FFFD, as tiktoken does)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class Encoding:
    """One of OpenAI's encodings (or a rank file), with tiktoken's API.

    ``encode`` refuses text holding a special token unless told otherwise,
    exactly as tiktoken does; ``encode_ordinary`` encodes all text as text.
    """

    def __init__(self, name: str, core: Core):
        self.name = name
        self._core = core
        self._special_tokens = dict(core.special_tokens())

    def __repr__(self) -> str:
        return f"<Encoding {self.name!r}>"

    @classmethod
    def from_tiktoken_file(
        cls, path: str, pattern: str, special_tokens: dict[str, int], name: Optional[str] = None
    ) -> "Encoding":
        """A tiktoken rank file (``.tiktoken``) with its pattern and special tokens."""
        core = Core.from_tiktoken_file(str(path), pattern, list(special_tokens.items()))
        return cls(name or str(path), core)

    # -- properties ----------------------------------------------------
    @property
    def n_vocab(self) -> int:
        """One more than the largest token id (tiktoken's ``n_vocab``)."""
        return self._core.id_bound()

    @property
    def max_token_value(self) -> int:
        return self._core.id_bound() - 1

    @property
    def eot_token(self) -> int:
        return self._special_tokens["<|endoftext|>"]

    @property
    def special_tokens_set(self) -> set[str]:
        return set(self._special_tokens)

    def is_special_token(self, token: int) -> bool:
        return token in self._special_tokens.values()

    # -- encoding ------------------------------------------------------
    def _checked(
        self,
        texts: list[str],
        allowed_special: Union[Literal["all"], AbstractSet[str]],
        disallowed_special: Union[Literal["all"], Collection[str]],
    ) -> list[str]:
        """tiktoken's check: raises ``ValueError`` if one of ``texts`` holds
        a disallowed special token; returns the allowed ones, sorted."""
        if allowed_special == "all":
            allowed = set(self._special_tokens)
        else:
            allowed = set(allowed_special)
        if disallowed_special == "all":
            disallowed = sorted(set(self._special_tokens) - allowed)
        else:
            disallowed = sorted(disallowed_special)
        if disallowed:
            if len(texts) == 1:
                found = self._core.find_special(texts[0], disallowed)
            else:
                found = self._core.find_special_batch(texts, disallowed)
            if found is not None:
                self._refuse(found)
        return sorted(allowed)

    @staticmethod
    def _refuse(token: str) -> None:
        raise ValueError(
            f"Encountered text corresponding to disallowed special token {token!r}.\n"
            "If you want this text to be encoded as a special token, "
            f"pass it to `allowed_special`, e.g. `allowed_special={{{token!r}, ...}}`.\n"
            "If you want this text to be encoded as normal text, disable the check for this token "
            f"by passing `disallowed_special=(enc.special_tokens_set - {{{token!r}}})`.\n"
            "To disable this check for all special tokens, pass `disallowed_special=()`.\n"
        )

    def encode(
        self,
        text: str,
        *,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = set(),  # noqa: B006
        disallowed_special: Union[Literal["all"], Collection[str]] = "all",
    ) -> list[int]:
        """The ids of ``text``. Special tokens in ``allowed_special`` become
        their ids; text holding one of ``disallowed_special`` (by default,
        every special token not allowed) raises ``ValueError``."""
        text = _text(text)
        allowed = self._checked([text], allowed_special, disallowed_special)
        return self._core.encode_allowing_special(text, allowed)

    def encode_ordinary(self, text: str) -> list[int]:
        """The ids of ``text``, special tokens' text encoded as text."""
        return self._core.encode_ordinary(_text(text))

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = set(),  # noqa: B006
        disallowed_special: Union[Literal["all"], Collection[str]] = "all",
    ):
        """``encode`` as a numpy array of uint32."""
        text = _text(text)
        allowed = self._checked([text], allowed_special, disallowed_special)
        return self._core.encode_to_numpy(text, allowed)

    def encode_batch(
        self,
        text: Sequence[str],
        *,
        num_threads: int = 0,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = set(),  # noqa: B006
        disallowed_special: Union[Literal["all"], Collection[str]] = "all",
    ) -> list[list[int]]:
        """``encode`` of each text, on all cores (``num_threads`` is
        accepted for tiktoken's signature; bytepair uses every core)."""
        texts = [_text(t) for t in text]
        allowed = self._checked(texts, allowed_special, disallowed_special)
        return self._core.encode_batch(texts, allowed)

    def encode_ordinary_batch(self, text: Sequence[str], *, num_threads: int = 0) -> list[list[int]]:
        """``encode_ordinary`` of each text, on all cores."""
        return self._core.encode_batch([_text(t) for t in text], [])

    def encode_single_token(self, text_or_bytes: Union[str, bytes]) -> int:
        """The id of the one token whose bytes (or special text) these are."""
        if isinstance(text_or_bytes, str):
            special = self._special_tokens.get(text_or_bytes)
            if special is not None:
                return special
            text_or_bytes = text_or_bytes.encode("utf-8")
        found = self._core.token_to_id(text_or_bytes)
        if found is None:
            raise KeyError(text_or_bytes)
        return found

    def count(
        self,
        text: str,
        *,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = set(),  # noqa: B006
        disallowed_special: Union[Literal["all"], Collection[str]] = "all",
    ) -> int:
        """``len(encode(text, ...))``, without building the list."""
        text = _text(text)
        allowed = self._checked([text], allowed_special, disallowed_special)
        return self._core.count(text, allowed)

    # -- decoding ------------------------------------------------------
    def decode_bytes(self, tokens: Sequence[int]) -> bytes:
        """The exact bytes of ``tokens``; an unknown id raises ``KeyError``."""
        return self._core.decode_bytes(list(tokens))

    def decode(self, tokens: Sequence[int], errors: str = "replace") -> str:
        """The text of ``tokens``, bytes that are not UTF-8 handled by
        ``errors`` (as ``bytes.decode``)."""
        return self._core.decode_bytes(list(tokens)).decode("utf-8", errors=errors)

    def decode_single_token_bytes(self, token: int) -> bytes:
        found = self._core.id_to_token(token)
        if found is None:
            raise KeyError(f"Invalid token for decoding: {token}")
        return found

    def decode_tokens_bytes(self, tokens: Sequence[int]) -> list[bytes]:
        return [self.decode_single_token_bytes(t) for t in tokens]

    def decode_batch(self, batch: Sequence[Sequence[int]], *, errors: str = "replace", num_threads: int = 0) -> list[str]:
        return [self.decode(tokens, errors) for tokens in batch]

    def decode_bytes_batch(self, batch: Sequence[Sequence[int]], *, num_threads: int = 0) -> list[bytes]:
        return [self.decode_bytes(tokens) for tokens in batch]


@functools.lru_cache(maxsize=None)
def get_encoding(encoding_name: str) -> Encoding:
    """One of OpenAI's encodings, embedded: ``gpt2``, ``r50k_base``,
    ``p50k_base``, ``cl100k_base``, ``o200k_base``."""
    if encoding_name not in _ENCODINGS:
        raise ValueError(
            f"Unknown encoding {encoding_name}. Plugins found: ['bytepair']\n"
            f"Known encodings: {', '.join(_ENCODINGS)}"
        )
    return Encoding(encoding_name, Core.encoding(encoding_name))


def list_encoding_names() -> list[str]:
    return list(_ENCODINGS)


def encoding_name_for_model(model_name: str) -> str:
    """The encoding a model uses, by name or name prefix (tiktoken's table)."""
    if model_name in _MODEL_ENCODINGS:
        return _MODEL_ENCODINGS[model_name]
    for prefix, name in _MODEL_PREFIX_ENCODINGS:
        if model_name.startswith(prefix):
            return name
    raise KeyError(
        f"Could not automatically map {model_name} to a tokeniser. "
        "Please use `bytepair.get_encoding` to explicitly get the tokeniser you expect."
    )


def encoding_for_model(model_name: str) -> Encoding:
    """The :class:`Encoding` of a model: ``encoding_for_model("gpt-4o")``."""
    return get_encoding(encoding_name_for_model(model_name))


class Tokenizer:
    """A model's tokenizer from its HF ``tokenizer.json`` (any BPE model,
    byte-level or SentencePiece-style, with its whole pipeline), or from
    GPT-2 files; ``encode`` and ``decode`` give HF tokenizers' results.
    """

    def __init__(self, core: Core):
        self._core = core

    @classmethod
    def from_file(cls, path: str) -> "Tokenizer":
        """A tokenizer.json file."""
        return cls(Core.from_tokenizer_json_file(str(path)))

    @classmethod
    def from_str(cls, json: str) -> "Tokenizer":
        """A tokenizer.json's contents."""
        return cls(Core.from_tokenizer_json(json))

    @classmethod
    def from_gpt2_files(cls, vocab: str, merges: str) -> "Tokenizer":
        """GPT-2 style vocab.json and merges.txt."""
        return cls(Core.from_gpt2_files(str(vocab), str(merges)))

    @classmethod
    def from_encoding(cls, name: str) -> "Tokenizer":
        """One of OpenAI's embedded encodings, with this class's API."""
        return cls(Core.encoding(name))

    def encode(self, sequence: str, pair: Optional[str] = None, add_special_tokens: bool = True) -> list[int]:
        """HF's ``encode(sequence, pair, add_special_tokens).ids``: special
        tokens' text recognized, the model's template (BOS, ...) added when
        ``add_special_tokens``."""
        sequence = _text(sequence)
        if pair is not None:
            if not add_special_tokens:
                return self._core.encode_with_special_tokens(sequence) + self._core.encode_with_special_tokens(_text(pair))
            return self._core.encode_pair_for_model(sequence, _text(pair))
        if add_special_tokens:
            return self._core.encode_for_model(sequence)
        return self._core.encode_with_special_tokens(sequence)

    def encode_batch(self, inputs: Sequence[str], add_special_tokens: bool = True) -> list[list[int]]:
        """``encode`` of each text, on all cores."""
        return self._core.encode_for_model_batch([_text(t) for t in inputs], add_special_tokens)

    def encode_ordinary(self, text: str) -> list[int]:
        """Special tokens' text encoded as text, no template: safe for user input."""
        return self._core.encode_ordinary(_text(text))

    def encode_to_numpy(self, text: str):
        """``encode_ordinary`` as a numpy array of uint32."""
        return self._core.encode_to_numpy(_text(text), [])

    def count(self, text: str, add_special_tokens: bool = True) -> int:
        """``len(encode(text, add_special_tokens=...))``."""
        return self._core.count_for_model(_text(text), add_special_tokens)

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = True) -> str:
        """HF's ``decode``: through the model's decoder, special tokens
        left out unless ``skip_special_tokens=False``."""
        return self._core.decode(list(ids), skip_special_tokens)

    def decode_batch(self, sequences: Sequence[Sequence[int]], skip_special_tokens: bool = True) -> list[str]:
        return [self.decode(ids, skip_special_tokens) for ids in sequences]

    def token_to_id(self, token: str) -> Optional[int]:
        """The id of a special token's text, or of the ordinary token with
        these bytes."""
        special = self._core.special_token_id(token)
        if special is not None:
            return special
        return self._core.token_to_id(token.encode("utf-8"))

    def id_to_token(self, id: int) -> Optional[bytes]:
        """The bytes of token ``id``."""
        return self._core.id_to_token(id)

    def get_vocab_size(self) -> int:
        return self._core.vocab_size()

    @property
    def special_tokens(self) -> dict[str, int]:
        return dict(self._core.special_tokens())

    def save(self, path: str) -> None:
        """Writes the tokenizer as a tokenizer.json file."""
        self._core.save_tokenizer_json(str(path))

    def to_str(self) -> str:
        return self._core.to_tokenizer_json()

    def save_gpt2(self, directory: str) -> None:
        """Writes vocab.json and merges.txt into ``directory``."""
        self._core.save_gpt2(str(directory))


_PATTERNS = {"gpt2": GPT2_PATTERN, "r50k_base": GPT2_PATTERN, "cl100k_base": CL100K_PATTERN, "o200k_base": O200K_PATTERN}


def train(
    texts: Iterable[str],
    vocab_size: int,
    *,
    min_frequency: int = 0,
    special_tokens: Sequence[str] = (),
    pattern: str = "gpt2",
    max_token_length: Optional[int] = None,
    batch_size: int = 10_000,
) -> Tokenizer:
    """Learns a byte-level BPE vocabulary from ``texts`` (each one sequence:
    merges never cross two), identical to HF's ``BpeTrainer`` with a
    ``ByteLevel`` pre-tokenizer. ``pattern`` is ``gpt2``, ``cl100k_base``,
    ``o200k_base`` or a regex. The texts are counted ``batch_size`` at a
    time, so an iterator over a large dataset is never held in memory."""
    regex = _PATTERNS.get(pattern, pattern)
    counts = Counts()
    batch: list[str] = []
    for text in texts:
        batch.append(_text(text))
        if len(batch) >= batch_size:
            counts.count_texts(batch, regex)
            batch = []
    if batch:
        counts.count_texts(batch, regex)
    return train_counts(
        counts,
        vocab_size,
        min_frequency=min_frequency,
        special_tokens=special_tokens,
        pattern=pattern,
        max_token_length=max_token_length,
    )


def train_counts(
    counts: Counts,
    vocab_size: int,
    *,
    min_frequency: int = 0,
    special_tokens: Sequence[str] = (),
    pattern: str = "gpt2",
    max_token_length: Optional[int] = None,
) -> Tokenizer:
    """Learns from chunk counts (gathered with :class:`Counts`, possibly
    on many machines), exactly as :func:`train` from the texts counted."""
    regex = _PATTERNS.get(pattern, pattern)
    core = train_from_counts(counts, vocab_size, min_frequency, list(special_tokens), regex, max_token_length)
    return Tokenizer(core)


def count_chunks(texts: Iterable[str], pattern: str = "gpt2") -> list[tuple[str, int]]:
    """The pretokenized chunks of ``texts`` and how often each occurs: the
    map step of training on a cluster (sum the counts by chunk, then
    :func:`train_counts`)."""
    counts = Counts()
    counts.count_texts([_text(t) for t in texts], _PATTERNS.get(pattern, pattern))
    return counts.items()
