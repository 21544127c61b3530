//! The merge paths against each other and against definitions.

use super::queue::Queue;
use super::stretches::{Overlap, SEAM_WINDOW};
use super::*;
use crate::test_support::{XorShift, byte_tokens, gpt2_vocab_and_merges};

fn gpt2_model() -> Model {
    let (vocab, merges) = gpt2_vocab_and_merges();
    Model::with_whole_piece_shortcut(vocab, merges)
}

/// The short path (arrays shifted in blocks, with an exact tail near
/// the end of the arrays) agrees with the queue path for every length it
/// takes.
#[test]
fn short_path_agrees_with_the_queue_at_every_length() {
    let model = gpt2_model();
    let alphabets: [&[u8]; 4] = [
        b"0123456789",
        b"abcdefghijklmnopqrstuvwxyz",
        b"ab",
        b"e rstign.,",
    ];
    let mut rng = XorShift(11);
    let mut scratch = Scratch::default();
    for len in 1..=SHORT_CHUNK {
        for case in 0..60 {
            let alphabet = alphabets[case % alphabets.len()];
            let chunk: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            scratch.out.clear();
            model.merge_short(&chunk, &mut scratch);
            let short = std::mem::take(&mut scratch.out);
            let mut heap = std::mem::take(&mut scratch.heap);
            model.merge_with_queue(&model.merges, &chunk, &mut scratch, &mut heap);
            scratch.heap = heap;
            assert_eq!(short, scratch.out, "{:?}", String::from_utf8_lossy(&chunk));
        }
    }
}

/// Deep merge trees: "a" * k made by adding one "a", for k up to 80, and
/// the prefixes of a 40-byte string made by adding one byte, after a rule
/// joining its last byte to its first. Spines deeper than [`MAX_SPINE`]
/// fall back to merging: seams are judged exactly for every pair of
/// tokens, and long chunks merge exactly.
#[test]
fn deep_merge_trees_are_judged_exactly() {
    let (mut list, gpt2_vocab) = byte_tokens();
    let byte = |b: u8| gpt2_vocab.byte_id(b);
    let string: Vec<u8> = (b'0'..b'0' + 40).collect();
    let mut rules = Vec::new();
    let mut next_id = 256;
    let mut add = |list: &mut crate::vocab::TokenList, bytes: &[u8], left, right| {
        list.push_ordinary(bytes, next_id);
        rules.push((left, right, next_id));
        next_id += 1;
        next_id - 1
    };
    // The first rule joins the string's last byte to its first: a
    // prefix after that byte is not compatible with it.
    let (last, first) = (string[string.len() - 1], string[0]);
    add(&mut list, &[last, first], byte(last), byte(first));
    let (mut run, mut prefix) = (byte(b'a'), byte(string[0]));
    for len in 2..=80 {
        run = add(&mut list, &vec![b'a'; len], run, byte(b'a'));
        if len <= string.len() {
            let last = byte(string[len - 1]);
            prefix = add(&mut list, &string[..len], prefix, last);
        }
    }
    let vocab = crate::vocab::Vocab::new(list).unwrap();
    let mut merges = crate::merges::Merges::with_capacity(rules.len());
    for &(left, right, merged) in &rules {
        merges.push(left, right, merged).unwrap();
    }
    let model = Model::with_whole_piece_shortcut(vocab, merges);
    assert!(model.trees.is_some());
    let mut scratch = Scratch::default();
    let tokens: Vec<u32> = string
        .iter()
        .chain(b"a")
        .map(|&b| byte(b))
        .chain(rules.iter().map(|r| r.2))
        // Merging gives only tokens that merge back to themselves
        // ("aaaa" does not: it becomes "aa" "aa").
        .filter(|&id| {
            model.merge_whole(model.vocab.bytes(id).unwrap(), &mut scratch);
            scratch.out == [id]
        })
        .collect();
    assert!(tokens.len() > 80, "{}", tokens.len());
    let (mut deep, mut deep_incompatible) = (0, 0);
    for &first in &tokens {
        for &second in &tokens {
            let expected = model.compatible_by_merging(first, second, &mut scratch);
            assert_eq!(
                model.compatible(first, second, &mut scratch),
                expected,
                "{first} {second}"
            );
            let trees = model.trees.as_ref().unwrap();
            if model
                .compatible_by_trees(&model.merges, trees, first, second)
                .is_none()
            {
                deep += 1;
                deep_incompatible += usize::from(!expected);
            }
        }
    }
    assert!(deep > 500, "{deep}");
    assert!(deep_incompatible > 5, "{deep_incompatible}");
    let mut rng = XorShift(5);
    for case in 0..300 {
        let state = rng.next();
        let len = 65 + (state % 700) as usize;
        let chunk: Vec<u8> = match case % 3 {
            0 => vec![b'a'; len],
            1 => string.iter().copied().cycle().take(len).collect(),
            _ => (0..len)
                .map(|i| [b'a', b'0', b'1', string[39]][(state >> (i % 61)) as usize & 3])
                .collect(),
        };
        let mut by_stretches = Vec::new();
        model.merge_in_stretches(&chunk, &mut by_stretches, &mut scratch);
        scratch.out.clear();
        let mut heap = std::mem::take(&mut scratch.heap);
        model.merge_with_queue(&model.merges, &chunk, &mut scratch, &mut heap);
        scratch.heap = heap;
        assert_eq!(by_stretches, scratch.out, "case {case}");
        scratch.out.clear();
    }
}

/// Reading compatibility off the merge trees agrees with merging the two
/// tokens' bytes, on random pairs and on pairs of related tokens.
#[test]
fn compatibility_by_trees_equals_by_merging() {
    let model = gpt2_model();
    let trees = model.trees.as_ref().unwrap();
    let ids: Vec<u32> = model
        .vocab
        .ids()
        .filter(|&id| !model.vocab.is_special(id))
        .collect();
    let mut scratch = Scratch::default();
    let mut rng = XorShift(3);
    let (mut compatible, mut incompatible) = (0, 0);
    for case in 0..200_000 {
        let first = ids[rng.below(ids.len())];
        // Half the time a token related to the first: one of its parts,
        // or a token that starts with the first's last bytes.
        let second = if case % 2 == 0 {
            ids[rng.below(ids.len())]
        } else {
            let t = trees[first as usize];
            [t.left, t.right, first][rng.below(3)]
        };
        let expected = model.compatible_by_merging(first, second, &mut scratch);
        let quick = model.merges.packed(first, second) == NO_RULE
            && model
                .compatible_by_trees(&model.merges, trees, first, second)
                .expect("GPT-2's spines are at most 8 deep");
        assert_eq!(quick, expected, "{first} {second}");
        if expected {
            compatible += 1;
        } else {
            incompatible += 1;
        }
    }
    assert!(
        compatible > 10_000 && incompatible > 10_000,
        "{compatible} {incompatible}"
    );
}

/// The three long-chunk paths agree: stretches with seam repair, the radix
/// heap and the binary heap, on long chunks built to make seams hard
/// (runs of one byte, short periods, digits, letters, punctuation, CJK).
/// The stretches of digits and spaces use the digits' rules, the queues all
/// rules.
#[test]
fn stretched_radix_and_binary_heap_paths_agree() {
    let model = gpt2_model();
    assert!(model.trees.is_some(), "GPT-2's rules are monotone");
    let alphabets: [&[&str]; 10] = [
        &["a"],
        &["a", "a", "b"],
        &["ab"],
        &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        &["1", "9", "0"],
        &[" ", "1", "2", "0", "7", "00"],
        &["e", "r", "s", "t", "i", "n", "g"],
        &["!", "=", "-", ".", "*", "/"],
        &["中", "文", "的", "\u{301}"],
        &["x", "y", "xy", "yx", "xxy"],
    ];
    let mut rng = XorShift(99);
    let mut scratch = Scratch::default();
    for case in 0..1500 {
        let alphabet = alphabets[case % alphabets.len()];
        let len = 65 + rng.below(if case % 10 == 0 { 3000 } else { 400 });
        let mut text = String::new();
        while text.len() < len {
            text.push_str(alphabet[rng.below(alphabet.len())]);
        }
        let chunk = text.as_bytes();
        let mut by_stretches = Vec::new();
        model.merge_in_stretches(chunk, &mut by_stretches, &mut scratch);
        scratch.out.clear();
        let mut radix = std::mem::take(&mut scratch.radix);
        model.merge_with_queue(&model.merges, chunk, &mut scratch, &mut radix);
        let by_radix = std::mem::take(&mut scratch.out);
        let mut heap = std::mem::take(&mut scratch.heap);
        model.merge_with_queue(&model.merges, chunk, &mut scratch, &mut heap);
        let by_heap = std::mem::take(&mut scratch.out);
        assert_eq!(by_radix, by_heap, "case {case}: {text:?}");
        assert_eq!(by_stretches, by_heap, "case {case}: {text:?}");
    }
}

/// The overlap turns on where more than a quarter of a window's seams
/// needed repair and off where fewer than one in twenty did; long chunks
/// that switch between the two kinds of text (random digits, a run of
/// `a`) merge exactly either way.
#[test]
fn stretches_overlap_where_seams_need_repair() {
    let mut overlap = Overlap::default();
    let window = |overlap: &mut Overlap, repairs: u32| {
        for seam in 0..SEAM_WINDOW {
            overlap.seam(seam < repairs);
        }
        overlap.on
    };
    assert!(!window(&mut overlap, 16), "a quarter is not more");
    assert!(window(&mut overlap, 17));
    assert!(window(&mut overlap, 4), "one in sixteen keeps it on");
    assert!(!window(&mut overlap, 3));

    let model = gpt2_model();
    let mut rng = XorShift(5);
    let mut scratch = Scratch::default();
    let mut chunk = Vec::new();
    for part in 0..6 {
        for _ in 0..(3000 + rng.below(4000)) {
            chunk.push(if part % 2 == 0 {
                b'0' + rng.below(10) as u8
            } else {
                b'a'
            });
        }
    }
    let mut by_stretches = Vec::new();
    model.merge_in_stretches(&chunk, &mut by_stretches, &mut scratch);
    scratch.out.clear();
    let mut heap = std::mem::take(&mut scratch.heap);
    model.merge_with_queue(&model.merges, &chunk, &mut scratch, &mut heap);
    assert_eq!(by_stretches, scratch.out);
}

/// A seam repair widens only over the chunk's own tokens, never into
/// the ids before `base` (other chunks, in the encoder's result), even
/// where its left edge is not compatible with them. Found by search:
/// tokens `p`, `x`, `y` such that `x`, `y` is not compatible, and `p` is
/// not compatible with the first token of their merge.
#[test]
fn seam_repair_stays_within_the_chunk() {
    let model = gpt2_model();
    let mut scratch = Scratch::default();
    let tokens: Vec<u32> = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "aa",
    ]
    .iter()
    .map(|s| model.vocab.ordinary_id(s.as_bytes()).unwrap())
    .collect();
    let mut cases = 0;
    for &p in &tokens {
        for &x in &tokens {
            for &y in &tokens {
                if model.compatible(x, y, &mut scratch) {
                    continue;
                }
                let bytes = [model.vocab.bytes(x).unwrap(), model.vocab.bytes(y).unwrap()];
                model.merge_whole(&bytes.concat(), &mut scratch);
                let merged = scratch.out.clone();
                if model.compatible(p, merged[0], &mut scratch) {
                    continue;
                }
                cases += 1;
                let mut left = vec![p, x];
                assert!(model.join(&mut left, 1, &[y], None, &mut scratch));
                assert_eq!(left[0], p, "{p} {x} {y}");
                assert_eq!(left[1..], merged[..], "{p} {x} {y}");
            }
        }
    }
    assert!(cases > 10, "{cases}");
}

/// Both queues pop keys in increasing order, including keys pushed
/// between pops (never below the last popped key).
#[test]
fn queues_pop_in_order() {
    let mut rng = XorShift(7);
    let mut radix = RadixHeap::default();
    let mut heap = BinaryHeap::new();
    radix.clear();
    let mut reference = std::collections::BTreeMap::<u64, usize>::new();
    let mut last = 0;
    for step in 0..20_000 {
        if step % 3 != 2 {
            let key = last + rng.next() % 1_000_000;
            radix.push(key);
            Queue::push(&mut heap, key);
            *reference.entry(key).or_default() += 1;
        } else if let Some((&min, _)) = reference.iter().next() {
            assert_eq!(radix.pop(), Some(min));
            assert_eq!(Queue::pop(&mut heap), Some(min));
            let count = reference.get_mut(&min).unwrap();
            *count -= 1;
            if *count == 0 {
                reference.remove(&min);
            }
            last = min;
        }
    }
    while let Some((&min, _)) = reference.iter().next() {
        assert_eq!(radix.pop(), Some(min));
        let count = reference.get_mut(&min).unwrap();
        *count -= 1;
        if *count == 0 {
            reference.remove(&min);
        }
    }
    assert_eq!(radix.pop(), None);
}
