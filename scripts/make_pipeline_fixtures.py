#!/usr/bin/env python3
"""Regenerates tests/fixtures/pipeline/: tiny tokenizer.json files built with HF
tokenizers, one per pipeline component and option, with HF's outputs. The sp_*
fixtures are SentencePiece-style (character-level) BPE models.

Run from the repository root (HF tokenizers 0.23.3, offline):

    /tmp/oracle-venv/bin/python scripts/make_pipeline_fixtures.py

A byte-level BPE of 400 tokens is trained once on tests/fixtures/corpus/prose.txt;
each fixture puts it behind other normalizers, pre-tokenizers, added tokens,
post-processors and decoders. For each fixture NAME:

  NAME.json    the tokenizer.json HF saved
  NAME.jsonl   one JSON object per text of texts.jsonl: HF's ids for encode with
               special tokens' text as text (`encode`), with special tokens
               (`special`; absent if equal to `encode`), with the post-processor
               (`model`, add_special_tokens; absent if equal to `special`), the byte
               offsets of `model` (start, end, start, end, ...), and decode of
               `model` with and without special tokens (`decode`, `decode_skip`;
               absent if equal to `decode`); for the fixtures in PAIRED, HF's
               encoding of the text paired with the next one (`pair`,
               `pair_offsets`, each offset in the text its token came from)

texts.jsonl holds the texts, one JSON string a line: tricky strings, random
concatenations of them, and the first lines of the corpus samples. tests/pipeline.rs checks bytepair against all of it.
"""
import json, os, random
from tokenizers import Tokenizer, AddedToken, Regex, models, trainers
from tokenizers import normalizers as N, pre_tokenizers as P, processors as Q, decoders as D
from model_parity import hf_record

OUT = "tests/fixtures/pipeline"
QWEN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
O200K = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
         r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")

TRICKY = [
    "", " ", "  ", "   leading", "trailing   ", "a  b   c", "\t\ttab\tx", "line\r\nCRLF\r\n", "\n\n\n",
    "Hello world", "Hello World HELLO", "don't I'LL we've", "中文字符 日本語のテキスト 한국어",
    "😀👍🏽👨‍👩‍👧‍👦 emoji ZWJ", "e\u0301 combining a\u0308\u0301 Ångström", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "ﬁ ﬂ ligatures ㎏ ℌ ™", "½ ² Ⅻ", "٣٤٥ ०१२ 12345678 3.14159", "<|endoftext|> in prose <|endoftext|>",
    "<s>Hello</s>", "<0x41> <unk>", "[CLS] x [SEP]", "<|im_start|>user\nhi<|im_end|>", "a<|im_end|>b",
    "word<mark>word <mark> <mark>x x<mark>", "  <pad>  <pad>", "<PAD> <Pad>", "hello-world--again",
    "the-final--countdown", "x" * 120, " " * 40 + "x", "a\u00a0b\u3000c\u2028d\u0085e", "\u0000\u0001\u007f",
    "İstanbul ǅ ß Σσς", "¿Qué? ¡Sí! «quote» “curly” — dash…", "snake_case camelCase 42nd",
    "  h\u00e9llo w\u00f6rld \u3000 ", "\u00a0\u00e9\u00a0", "\u3000\u2003x\u2003", "tab\tand  two  spaces", " zq\u00e9 zq zqzq x zq\u00e9zq", "ends with newline\n", "\u2581already\u2581marked", "  ", "<mark>", "MARK <MARK>",
]


# Fixtures whose records also hold HF's encoding of each text paired with the
# next one (`pair`, `pair_offsets`): the post-processors' pair templates.
PAIRED = {"template_bos", "template_sequence", "roberta", "bert_pre_tokenizer", "byte_level_prefix_space",
          "sp_llama2"}


def texts():
    out = list(TRICKY)
    rng = random.Random(7)
    frags = [t for t in TRICKY if t] + ["a", " ", "\n", "Ġ", "▁", "<mark>", "<|endoftext|>", "é", "1", "!"]
    for _ in range(40):
        out.append("".join(rng.choice(frags) for _ in range(rng.randint(1, 6))))
    for name in ["prose.txt", "multilingual.txt", "code.txt"]:
        with open(os.path.join("tests/fixtures/corpus", name), encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        out.extend(line[:300] + "\n" for line in lines[:12] if line)
    return out


def base_model():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = P.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=400, min_frequency=2, show_progress=False,
                                  initial_alphabet=P.ByteLevel.alphabet())
    with open("tests/fixtures/corpus/prose.txt", encoding="utf-8") as f:
        tok.train_from_iterator([f.read()], trainer)
    return json.loads(tok.to_str())["model"]


def char_model(byte_fallback=True, unk=True):
    """A SentencePiece-style BPE: tokens of characters with ▁ for spaces, trained
    by HF on the prose sample with a small alphabet (so that many characters are
    unknown), <unk> <s> </s> first, then the 256 byte tokens <0x00>..<0xFF>, then
    the learned tokens, as Llama 2's vocabulary is laid out."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = N.Sequence([N.Prepend("▁"), N.Replace(" ", "▁")])
    trainer = trainers.BpeTrainer(vocab_size=500, min_frequency=2, show_progress=False,
                                  limit_alphabet=60, special_tokens=["<unk>"])
    # Line by line: without a pre-tokenizer a text is one word, and HF's
    # trainer takes quadratic time on a one-megabyte word.
    with open("tests/fixtures/corpus/prose.txt", encoding="utf-8") as f:
        tok.train_from_iterator(f.read().split("\n"), trainer)
    trained = json.loads(tok.to_str())["model"]
    learned = sorted((i, t) for t, i in trained["vocab"].items() if t != "<unk>")
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    if byte_fallback:
        for b in range(256):
            vocab[f"<0x{b:02X}>"] = len(vocab)
    for _, t in learned:
        vocab[t] = len(vocab)
    return dict(vocab=vocab, merges=[tuple(m) for m in trained["merges"]],
                byte_fallback=byte_fallback, unk=unk)


def build_char(spec, normalizer=None, pre=None, post=None, decoder=None, added=(), special=(), fuse_unk=True):
    tok = Tokenizer(models.BPE(vocab=spec["vocab"], merges=spec["merges"], byte_fallback=spec["byte_fallback"],
                               unk_token="<unk>" if spec["unk"] else None, fuse_unk=fuse_unk))
    if normalizer is not None:
        tok.normalizer = normalizer
    if pre is not None:
        tok.pre_tokenizer = pre
    if post is not None:
        tok.post_processor = post
    if decoder is not None:
        tok.decoder = decoder
    if special:
        tok.add_special_tokens(list(special))
    if added:
        tok.add_tokens(list(added))
    return tok


def build(model, normalizer=None, pre=None, post=None, decoder=None, added=(), special=(),
          ignore_merges=False):
    tok = Tokenizer(models.BPE(vocab=model["vocab"], merges=[tuple(m) for m in model["merges"]],
                               ignore_merges=ignore_merges))
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre if pre is not None else P.ByteLevel(add_prefix_space=False)
    if post is not None:
        tok.post_processor = post
    tok.decoder = decoder if decoder is not None else D.ByteLevel()
    if special:
        tok.add_special_tokens(list(special))
    if added:
        tok.add_tokens(list(added))
    return tok


def byte_offsets(texts, enc):
    """HF's character offsets of `enc` as byte offsets of the text each token came from."""
    out = []
    for (s, e), seq in zip(enc.offsets, enc.sequence_ids):
        text = texts[seq or 0]
        out.extend((len(text[:s].encode("utf-8")), len(text[:e].encode("utf-8"))))
    return out


def record(tok, text, pair_with=None):
    """HF's outputs for one text (model_parity.py's), each left out where
    equal to the one before, to keep the files small; with a pair's."""
    hf = hf_record(tok, text)
    out = {"encode": hf["encode"]}
    if hf["special"] != hf["encode"]:
        out["special"] = hf["special"]
    if hf["model"] != hf["special"]:
        out["model"] = hf["model"]
    out["offsets"] = [x for span in hf["offsets"] for x in span]
    out["decode"] = hf["decode"]
    if hf["decode_skip"] != hf["decode"]:
        out["decode_skip"] = hf["decode_skip"]
    if pair_with is not None:
        pair = tok.encode(text, pair_with, add_special_tokens=True)
        out["pair"] = pair.ids
        out["pair_offsets"] = byte_offsets([text, pair_with], pair)
    return out


def write_fixture(name, tok, all_texts):
    """Saves NAME.json and records, with HF's reading of its own saved file,
    the outputs on every text in NAME.jsonl."""
    tok.save(os.path.join(OUT, name + ".json"), pretty=False)
    tok = Tokenizer.from_file(os.path.join(OUT, name + ".json"))
    with open(os.path.join(OUT, name + ".jsonl"), "w", encoding="utf-8") as f:
        for i, t in enumerate(all_texts):
            other = all_texts[(i + 1) % len(all_texts)] if name in PAIRED else None
            f.write(json.dumps(record(tok, t, other), ensure_ascii=False) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    model = base_model()
    bl = lambda **kw: P.ByteLevel(add_prefix_space=False, use_regex=False, **kw)
    eot = AddedToken("<|endoftext|>", special=True, normalized=False)
    specials = [eot, AddedToken("<s>", special=True, normalized=False), AddedToken("</s>", special=True, normalized=False)]
    fixtures = {
        # Qwen-like: NFC, one split, ordinary added tokens beside special ones.
        "nfc_split": dict(normalizer=N.NFC(), pre=P.Sequence([P.Split(Regex(QWEN), "isolated"), bl()]),
                          post=Q.ByteLevel(trim_offsets=False),
                          special=[eot, AddedToken("<|im_start|>", special=True, normalized=False),
                                   AddedToken("<|im_end|>", special=True, normalized=False)],
                          added=[AddedToken("<think>", special=False, normalized=False),
                                 AddedToken("</think>", special=False, normalized=False)]),
        # Claude-like: NFKC and GPT-2's ByteLevel, offsets trimmed.
        "nfkc_bytelevel": dict(normalizer=N.NFKC(), post=Q.ByteLevel(trim_offsets=True), special=[eot]),
        "nfd_strip_accents_lowercase": dict(normalizer=N.Sequence([N.NFD(), N.StripAccents(), N.Lowercase()])),
        "nfkd_strip_replace": dict(normalizer=N.Sequence([N.NFKD(), N.Strip(left=True, right=True),
                                                          N.Replace(Regex(r"\s+"), " "), N.Replace("-", " - ")])),
        "strip_both": dict(normalizer=N.Strip(left=True, right=True)),
        "strip_left_prepend": dict(normalizer=N.Sequence([N.Strip(left=True, right=False), N.Prepend("> ")])),
        "empty_sequence": dict(normalizer=N.Sequence([]), pre=P.Sequence([
            P.Split(Regex(r"\p{N}{1,3}"), "isolated"),
            P.Split(Regex("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"), "isolated"),
            P.Split(Regex(r"[!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"), "isolated"),
            bl()])),
        "split_removed_invert": dict(pre=P.Sequence([P.Split(Regex(O200K), "removed", invert=True), bl()])),
        "byte_level_prefix_space": dict(pre=P.ByteLevel(add_prefix_space=True),
                                        post=Q.ByteLevel(trim_offsets=True, add_prefix_space=True),
                                        decoder=D.ByteLevel()),
        "digits_individual": dict(pre=P.Sequence([P.Digits(individual_digits=True), P.ByteLevel(add_prefix_space=False)])),
        "digits_contiguous": dict(pre=P.Sequence([P.Digits(individual_digits=False), bl()])),
        "punctuation_whitespace": dict(pre=P.Sequence([P.Punctuation("contiguous"), P.Whitespace(), bl()])),
        "whitespace_split": dict(pre=P.Sequence([P.WhitespaceSplit(), bl()])),
        "bert_pre_tokenizer": dict(pre=P.Sequence([P.BertPreTokenizer(), bl()]),
                                   post=Q.BertProcessing(("</s>", 402), ("<s>", 401)),
                                   special=specials),
        "char_delimiter": dict(pre=P.Sequence([P.CharDelimiterSplit("-"), bl()])),
        "metaspace_always": dict(pre=P.Sequence([P.Metaspace(replacement="\u2581", prepend_scheme="always", split=True), bl()])),
        "metaspace_first_nosplit": dict(pre=P.Sequence([P.Metaspace(replacement="\u2581", prepend_scheme="first", split=False), bl()]),
                                        special=specials),
        "metaspace_never": dict(pre=P.Sequence([P.Metaspace(replacement="\u2581", prepend_scheme="never", split=True), bl()])),
        "no_pre_tokenizer": dict(pre=bl()),
        "added_flags": dict(normalizer=N.Lowercase(),
                            special=[eot, AddedToken("<pad>", special=True, normalized=False, lstrip=True, rstrip=True)],
                            added=[AddedToken("<mark>", single_word=True, normalized=False),
                                   AddedToken("mark", normalized=True, lstrip=True),
                                   AddedToken("world", normalized=True, rstrip=True, single_word=True),
                                   AddedToken("hello", normalized=False)]),
        "template_bos": dict(post=Q.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", 401)]), special=specials),
        "template_sequence": dict(post=Q.Sequence([Q.ByteLevel(trim_offsets=True),
                                                   Q.TemplateProcessing(single="<s> $A </s> </s>", special_tokens=[("<s>", 401), ("</s>", 402)])]),
                                  special=specials),
        "roberta": dict(pre=P.ByteLevel(add_prefix_space=True), post=Q.RobertaProcessing(("</s>", 402), ("<s>", 401)),
                        special=specials),
        "decoder_chain": dict(pre=P.Sequence([P.Metaspace(replacement="\u2581", prepend_scheme="always"), bl()]),
                              decoder=D.Sequence([D.ByteLevel(), D.Replace("\u2581", " "), D.Strip(" ", 1, 0), D.Fuse()]),
                              special=specials),
        "decoder_metaspace": dict(pre=P.Sequence([P.Metaspace(replacement="\u2581", prepend_scheme="always"), bl()]),
                                  decoder=D.Sequence([D.ByteLevel(), D.Metaspace(replacement="\u2581", prepend_scheme="always")])),
        "decoder_bpe": dict(decoder=D.Sequence([D.ByteLevel(), D.BPEDecoder(suffix="e")])),
        "no_decoder": dict(decoder=None),
        # `Ġzq` is a token that no merge makes: with ignore_merges it is the
        # word " zq", never a part of a longer word.
        "ignore_merges_unreachable": dict(model=dict(model, vocab=dict(model["vocab"], **{"\u0120zq": 400})),
                                          ignore_merges=True),
    }
    all_texts = texts()
    with open(os.path.join(OUT, "texts.jsonl"), "w", encoding="utf-8") as f:
        for t in all_texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    sp = char_model()
    sp_unk = char_model(byte_fallback=False)
    llama2_normalizer = N.Sequence([N.Prepend("\u2581"), N.Replace(" ", "\u2581")])
    llama2_decoder = D.Sequence([D.Replace("\u2581", " "), D.ByteFallback(), D.Fuse(), D.Strip(" ", 1, 0)])
    bos = Q.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    sp_specials = [AddedToken("<unk>", special=True, normalized=False), AddedToken("<s>", special=True, normalized=False),
                   AddedToken("</s>", special=True, normalized=False)]
    char_fixtures = {
        # Llama 2: Prepend and Replace normalizers, no pre-tokenizer (a text is one
        # word), byte fallback, BOS template, the decoder chain with Strip.
        "sp_llama2": dict(spec=sp, normalizer=llama2_normalizer, post=bos, decoder=llama2_decoder, special=sp_specials),
        # Gemma 3: Replace normalizer, a Split at spaces (which the normalizer has
        # replaced), ordinary added tokens for whitespace runs and tags.
        "sp_gemma": dict(spec=sp, normalizer=N.Replace(" ", "\u2581"),
                         pre=P.Split(" ", "merged_with_previous"), post=bos,
                         decoder=D.Sequence([D.Replace("\u2581", " "), D.ByteFallback(), D.Fuse()]),
                         special=sp_specials,
                         added=[AddedToken("\n\n", normalized=False), AddedToken("  ", normalized=False),
                                AddedToken("<mark>", normalized=False)]),
        # Mistral-style: a Metaspace pre-tokenizer instead of the normalizers.
        "sp_metaspace_first": dict(spec=sp, pre=P.Metaspace(replacement="\u2581", prepend_scheme="first", split=False),
                                   post=bos, decoder=D.Metaspace(replacement="\u2581", prepend_scheme="first"),
                                   special=sp_specials),
        "sp_metaspace_split": dict(spec=sp, pre=P.Metaspace(replacement="\u2581", prepend_scheme="always", split=True),
                                   decoder=D.Sequence([D.Metaspace(replacement="\u2581", prepend_scheme="always"),
                                                       D.ByteFallback(), D.Fuse()])),
        # No byte tokens: unknown characters become <unk>, fused or not.
        "sp_unk_fused": dict(spec=sp_unk, normalizer=llama2_normalizer, decoder=llama2_decoder, special=sp_specials),
        "sp_unk_unfused": dict(spec=sp_unk, normalizer=llama2_normalizer, decoder=llama2_decoder, special=sp_specials,
                               fuse_unk=False),
    }
    for name, spec in char_fixtures.items():
        spec = dict(spec)
        write_fixture(name, build_char(spec.pop("spec"), **spec), all_texts)
    for name, spec in fixtures.items():
        no_decoder = name == "no_decoder"
        spec = dict(spec)
        tok = build(spec.pop("model", model), **{k: v for k, v in spec.items() if k != "decoder"},
                    decoder=spec.get("decoder"))
        if no_decoder:
            tok.decoder = None
        write_fixture(name, tok, all_texts)
    print(f"{len(fixtures) + len(char_fixtures)} fixtures, {len(all_texts)} texts")


if __name__ == "__main__":
    main()
