//! Worst-case inputs: 100 kB and 1 MB of text without a break (one letter
//! repeated, random letters, random base64, digits, punctuation, spaces, CJK)
//! next to prose, per encoder. The README reports each input's time relative
//! to 1 MB of prose and the growth exponent from 100 kB to 1 MB.
//!
//! `RAYON_NUM_THREADS=1 cargo bench --bench worst_case` (from benches/compare);
//! `cargo run --release --bin worst_case_report` prints the table.

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

use bytepair_compare::{all_encoders, selected, worst_case_inputs};

/// An encoder that needs longer than this for one 100 kB input is not run on
/// the 1 MB one (a quadratic merge would take hours there).
const PATIENCE: Duration = Duration::from_secs(2);

fn worst_case(c: &mut Criterion) {
    let encoders = all_encoders();
    for (name, small, large) in worst_case_inputs() {
        if !selected("BENCH_INPUTS", name) {
            continue;
        }
        let small_ids = encoders[0].encode(&small);
        let large_ids = encoders[0].encode(&large);
        for encoder in &encoders {
            if !selected("BENCH_ENCODERS", encoder.name) {
                continue;
            }
            encoder.reset();
            let start = Instant::now();
            let ids = encoder.encode(&small);
            let small_time = start.elapsed();
            if ids != small_ids {
                eprintln!(
                    "{}: ids differ from bytepair's on {name}; not timed",
                    encoder.name
                );
                continue;
            }
            let mut sizes = vec![("100k", &small)];
            if small_time < PATIENCE {
                encoder.reset();
                if encoder.encode(&large) == large_ids {
                    sizes.push(("1M", &large));
                }
            } else {
                eprintln!(
                    "{}: {small_time:?} for 100 kB of {name}; skipping 1 MB",
                    encoder.name
                );
            }
            for (size, text) in sizes {
                let mut group = c.benchmark_group(format!("worst-{name}-{size}"));
                group.throughput(Throughput::Bytes(text.len() as u64));
                group.sample_size(10);
                group.bench_function(encoder.name, |b| {
                    b.iter_batched(
                        || encoder.reset(),
                        |()| encoder.encode(text),
                        BatchSize::PerIteration,
                    )
                });
                group.finish();
            }
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = worst_case
}
criterion_main!(benches);
