"""The Spark example (examples/spark_tokenize.py) on a small dataset, in
local mode: its ids equal bytepair's own, and the vocabulary it trains
from counts summed on Spark equals the one trained from the texts."""

import importlib.util
import os
import shutil
import sys

import pytest

import bytepair
from conftest import ROOT, fixture

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark pandas pyarrow)")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java: no java on PATH and no JAVA_HOME", allow_module_level=True)


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("spark_tokenize", os.path.join(ROOT, "examples", "spark_tokenize.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # The workers run this interpreter, which has bytepair and pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bytepair-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lines():
    with open(fixture("train", "corpus.txt"), encoding="utf-8", newline="") as f:
        return f.read().splitlines(keepends=True)


def test_tokenize_a_parquet_dataset(example, spark, lines, tmp_path):
    import pandas as pd

    source = str(tmp_path / "data.parquet")
    pd.DataFrame({"id": range(len(lines)), "text": lines}).to_parquet(source)
    df = spark.read.parquet(source).repartition(3)
    out = str(tmp_path / "ids.parquet")
    example.tokenize(df, "o200k_base").write.parquet(out)
    rows = pd.read_parquet(out).sort_values("id")
    enc = bytepair.get_encoding("o200k_base")
    assert [list(ids) for ids in rows["ids"]] == enc.encode_ordinary_batch(rows["text"].tolist())
    assert rows["n_tokens"].sum() == sum(enc.count(t, disallowed_special=()) for t in lines)


def test_train_from_counts_summed_on_spark(example, spark, lines):
    df = spark.createDataFrame([(t,) for t in lines], "text string").repartition(4)
    on_spark = example.train(df, 1500, special_tokens=["<|endoftext|>"])
    local = bytepair.train(lines, 1500, special_tokens=["<|endoftext|>"])
    assert on_spark.to_str() == local.to_str()
