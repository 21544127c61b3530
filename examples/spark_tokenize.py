"""Tokenize a dataset and train a vocabulary with bytepair on Apache Spark.

Two jobs, each a few lines of PySpark around bytepair's Python package:

- ``tokenize``: a Parquet dataset with a text column becomes a Parquet
  dataset of token ids (``ids``, array<int>) and counts (``n_tokens``).
  Each partition runs ``mapInPandas``: one encoder per Python worker,
  ``encode_ordinary_batch`` over the partition's batch on all the worker's
  cores, the GIL released.
- ``train``: the map step counts each partition's pretokenized chunks
  (``bytepair.count_chunks``), Spark sums the counts by chunk, and the
  driver learns the merges from the sums (``bytepair.train_counts``),
  exactly as from the whole text (HF BpeTrainer's merges).

Runs in local mode as it is; on a cluster, give ``--master`` (or run it
with spark-submit) and paths the cluster reads:

    python examples/spark_tokenize.py tokenize --input data.parquet --output ids.parquet
    python examples/spark_tokenize.py train --input data.parquet --vocab-size 32000 --output model/
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterator

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F


def tokenize(df: DataFrame, encoding: str = "o200k_base", column: str = "text") -> DataFrame:
    """``df`` with the ids of its text column and their number."""

    def encode(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import bytepair

        enc = bytepair.get_encoding(encoding)
        for batch in batches:
            ids = enc.encode_ordinary_batch(batch[column].fillna("").tolist())
            yield batch.assign(ids=ids, n_tokens=[len(i) for i in ids])

    schema = f"{df.schema.simpleString()[len('struct<'):-1]},ids:array<int>,n_tokens:int"
    return df.mapInPandas(encode, schema=schema)


def chunk_counts(df: DataFrame, pattern: str = "gpt2", column: str = "text") -> DataFrame:
    """The pretokenized chunks of the text column and how often each
    occurs, summed over the dataset (each row one sequence)."""

    def count(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        import bytepair

        for batch in batches:
            pairs = bytepair.count_chunks(batch[column].fillna("").tolist(), pattern)
            yield pd.DataFrame(pairs, columns=["chunk", "n"])

    counted = df.mapInPandas(count, schema="chunk string, n long")
    return counted.groupBy("chunk").agg(F.sum("n").alias("n"))


def train(df: DataFrame, vocab_size: int, pattern: str = "gpt2", special_tokens=(), column: str = "text"):
    """A bytepair Tokenizer learned from the text column."""
    import bytepair

    counts = bytepair.Counts()
    for row in chunk_counts(df, pattern, column).toLocalIterator():
        counts.add(row["chunk"], row["n"])
    return bytepair.train_counts(counts, vocab_size, special_tokens=special_tokens, pattern=pattern)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("job", choices=["tokenize", "train"])
    parser.add_argument("--input", required=True, help="a Parquet dataset")
    parser.add_argument("--output", required=True, help="Parquet output (tokenize) or a directory (train)")
    parser.add_argument("--column", default="text")
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--vocab-size", type=int, default=32000)
    parser.add_argument("--pattern", default="gpt2")
    parser.add_argument("--master", default="local[*]")
    args = parser.parse_args()
    # In local mode the workers run this interpreter, which has bytepair.
    if args.master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.master(args.master).appName("bytepair").getOrCreate()
    df = spark.read.parquet(args.input)
    if args.job == "tokenize":
        tokenize(df, args.encoding, args.column).write.mode("overwrite").parquet(args.output)
    else:
        model = train(df, args.vocab_size, args.pattern, column=args.column)
        model.save_gpt2(args.output)
        print(f"wrote {args.output}/vocab.json and merges.txt: {model.get_vocab_size()} tokens")
    spark.stop()


if __name__ == "__main__":
    main()
