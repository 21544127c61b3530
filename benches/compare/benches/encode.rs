//! Encoding throughput on every corpus file, bytepair against the peers, one
//! thread, each run on text the encoder has not seen (caches cleared).
//!
//! `RAYON_NUM_THREADS=1 cargo bench --bench encode` (from benches/compare);
//! `BENCH_FILES=en_big.txt,...` and `BENCH_ENCODERS=bytepair,...` narrow the
//! run; `cargo run --release --bin report` prints the README table.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use bytepair_compare::{all_encoders, corpus, selected};

fn encode(c: &mut Criterion) {
    let encoders = all_encoders();
    for (file, text) in corpus() {
        if !selected("BENCH_FILES", &file) {
            continue;
        }
        let reference = encoders[0].encode(&text);
        let mut group = c.benchmark_group(format!("encode-{file}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.sample_size(10);
        for encoder in &encoders {
            if !selected("BENCH_ENCODERS", encoder.name) {
                continue;
            }
            encoder.reset();
            if encoder.encode(&text) != reference {
                eprintln!(
                    "{}: ids differ from bytepair's on {file}; not timed",
                    encoder.name
                );
                continue;
            }
            group.bench_function(encoder.name, |b| {
                b.iter_batched(
                    || encoder.reset(),
                    |()| encoder.encode(&text),
                    BatchSize::PerIteration,
                )
            });
            // bytepair's token count (no id vector) and its all-cores
            // encoder, right after its `encode`, so that the three are
            // measured close together in time: the machine's speed drifts,
            // and measured after all the peers they came out 10-20 % slower
            // than `encode` on some files.
            if encoder.name == "bytepair" {
                let tokenizer = bytepair::Tokenizer::gpt2();
                assert_eq!(tokenizer.count(&text), reference.len());
                assert!(tokenizer.encode_parallel(&text) == reference);
                group.bench_function("bytepair-count", |b| b.iter(|| tokenizer.count(&text)));
                group.bench_function("bytepair-parallel", |b| {
                    b.iter(|| tokenizer.encode_parallel(&text))
                });
            }
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(5));
    targets = encode
}
criterion_main!(benches);
