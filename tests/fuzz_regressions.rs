//! Every input the fuzzers found worth keeping (crashes, once fixed, and a
//! sample of the coverage corpus), in `tests/fixtures/fuzz/<target>/`, and
//! the fuzzers' seeds in `fuzz/seeds/<target>/`, run through the same checks
//! as the fuzz targets (`fuzz/checks.rs`). See fuzz/README.md.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

#[test]
fn kept_fuzz_inputs_pass_their_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = 0;
    for (target, check) in checks::TARGETS {
        for dir in [
            root.join("tests/fixtures/fuzz").join(target),
            root.join("fuzz/seeds").join(target),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            files.sort();
            for file in files {
                let data = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| check(&data));
                assert!(outcome.is_ok(), "{target}: {} fails", file.display());
                inputs += 1;
            }
        }
    }
    assert!(inputs >= 20, "{inputs}");
}
