//! Counting pretokenized chunks: the first and most expensive half of
//! training, and the part that scales out (count shards anywhere, add the
//! counts, train from the sums).

use std::io::{BufRead, Write};
use std::path::Path;

use crate::error::{Error, ParseProblem, Result};
use crate::hash::ByteTable;
use crate::pretokenize::Pretokenizer;

/// How many times each distinct pretokenized chunk occurs in a corpus.
///
/// Chunks are the chunks GPT-2's pattern cuts text into (`"Hello"`,
/// `" world"`, `"\n\n"`, ...). Counts from different shards of a corpus add
/// up ([`ChunkCounts::merge`]), so counting can run anywhere, in any order,
/// and [`crate::Trainer::train_from_counts`] learns the same merges from the
/// sums as from the whole corpus.
///
/// The text form ([`ChunkCounts::write_tsv`], [`ChunkCounts::read_tsv`]) is
/// one chunk a line: the chunk, a tab, its count. Inside the chunk a
/// backslash, tab, newline and carriage return are written `\\`, `\t`, `\n`
/// and `\r`, so each line holds exactly one tab and equal chunks are equal
/// strings (a database or dataframe can group and sum them as text).
#[derive(Clone, Default)]
pub struct ChunkCounts {
    /// All chunks' text, one after another.
    text: Vec<u8>,
    /// `(start, end, count)` of each distinct chunk, in first-seen order.
    chunks: Vec<(usize, usize, u64)>,
    /// Chunk index by text.
    table: Option<ByteTable>,
}

impl std::fmt::Debug for ChunkCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkCounts")
            .field("distinct", &self.len())
            .field("total", &self.total())
            .finish()
    }
}

impl ChunkCounts {
    /// No chunks.
    pub fn new() -> ChunkCounts {
        ChunkCounts::default()
    }

    /// Number of distinct chunks.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    /// Whether there are no chunks.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// The sum of all counts.
    pub fn total(&self) -> u64 {
        self.chunks.iter().map(|&(_, _, c)| c).sum()
    }

    /// The distinct chunks with their counts, in the order first seen.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.chunks.iter().map(|&(start, end, count)| {
            // Chunks are only ever added from `&str`.
            let text = std::str::from_utf8(&self.text[start..end]).unwrap_or_default();
            (text, count)
        })
    }

    /// Adds `count` occurrences of `chunk`. Counts saturate at `u64::MAX`;
    /// the empty string is not a chunk and is ignored.
    pub fn add(&mut self, chunk: &str, count: u64) {
        let bytes = chunk.as_bytes();
        if bytes.is_empty() {
            return;
        }
        let table = self
            .table
            .get_or_insert_with(|| ByteTable::with_capacity(1024));
        let (text, chunks) = (&self.text, &self.chunks);
        let key_of = |i: u32| {
            let (start, end, _) = chunks[i as usize];
            &text[start..end]
        };
        if let Some(i) = table.get(bytes, key_of) {
            let entry = &mut self.chunks[i as usize].2;
            *entry = entry.saturating_add(count);
            return;
        }
        let start = self.text.len();
        self.text.extend_from_slice(bytes);
        self.chunks.push((start, self.text.len(), count));
        let index = (self.chunks.len() - 1) as u32;
        let (text, chunks) = (&self.text, &self.chunks);
        table.insert(bytes, index, |i| {
            let (start, end, _) = chunks[i as usize];
            &text[start..end]
        });
    }

    /// Adds every count of `other` to these.
    pub fn merge(&mut self, other: &ChunkCounts) {
        for (chunk, count) in other.iter() {
            self.add(chunk, count);
        }
    }

    /// Counts the chunks of one sequence (a line, with its line ending, or
    /// one item of a training iterator).
    pub(crate) fn count_sequence(&mut self, pretokenizer: &Pretokenizer, sequence: &str) {
        for chunk in pretokenizer.split(sequence) {
            self.add(chunk, 1);
        }
    }

    /// Counts every line of `text` (each with its `\n`) as one sequence.
    pub(crate) fn count_lines(&mut self, pretokenizer: &Pretokenizer, text: &str) {
        for line in text.split_inclusive('\n') {
            self.count_sequence(pretokenizer, line);
        }
    }

    /// Writes the counts as text: `chunk<TAB>count` a line, chunks escaped
    /// (see the type's documentation), in the order first seen.
    ///
    /// # Errors
    /// The writer's error.
    pub fn write_tsv(&self, mut out: impl Write) -> std::io::Result<()> {
        let mut line = Vec::new();
        for (chunk, count) in self.iter() {
            line.clear();
            for &b in chunk.as_bytes() {
                match b {
                    b'\\' => line.extend_from_slice(b"\\\\"),
                    b'\t' => line.extend_from_slice(b"\\t"),
                    b'\n' => line.extend_from_slice(b"\\n"),
                    b'\r' => line.extend_from_slice(b"\\r"),
                    _ => line.push(b),
                }
            }
            line.push(b'\t');
            line.extend_from_slice(count.to_string().as_bytes());
            line.push(b'\n');
            out.write_all(&line)?;
        }
        out.flush()
    }

    /// Adds the counts in `input`, text written by [`ChunkCounts::write_tsv`]
    /// (or by anything that sums such files). `source` names the input in
    /// errors. Repeated chunks add up.
    ///
    /// # Errors
    /// [`Error::Parse`] for a line that is not `chunk<TAB>count` with a
    /// valid escape and count, [`Error::InvalidUtf8`] for invalid UTF-8 and
    /// [`Error::Io`] for a read error.
    pub fn read_tsv(&mut self, input: impl BufRead, source: &str) -> Result<()> {
        let mut unescaped = String::new();
        let mut offset = 0;
        for (index, line) in input.split(b'\n').enumerate() {
            let line = line.map_err(|e| Error::io(source, e))?;
            let number = index + 1;
            let line_offset = offset;
            offset += line.len() + 1;
            let line = std::str::from_utf8(&line).map_err(|e| {
                Error::invalid_utf8(format!("{source}:{number}"), &line, e, line_offset)
            })?;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let bad = |reason: &str| {
                let reason = reason.to_string();
                Error::parse(source, Some(number), ParseProblem::BadCountsLine { reason })
            };
            let (chunk, count) = line
                .rsplit_once('\t')
                .ok_or_else(|| bad("expected a chunk, a tab and a count"))?;
            let count: u64 = count
                .parse()
                .map_err(|_| bad(&format!("{count:?} is not a count")))?;
            unescaped.clear();
            let mut chars = chunk.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => unescaped.push(match chars.next() {
                        Some('\\') => '\\',
                        Some('t') => '\t',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        _ => return Err(bad("a backslash must start \\\\, \\t, \\n or \\r")),
                    }),
                    '\t' => return Err(bad("more than one tab")),
                    c => unescaped.push(c),
                }
            }
            if unescaped.is_empty() {
                return Err(bad("empty chunk"));
            }
            self.add(&unescaped, count);
        }
        Ok(())
    }

    /// Reads and adds a counts file written by [`ChunkCounts::write_tsv`].
    ///
    /// # Errors
    /// As [`ChunkCounts::read_tsv`], naming the path.
    pub fn read_tsv_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let file =
            std::fs::File::open(path).map_err(|source| Error::io(path.to_path_buf(), source))?;
        self.read_tsv(std::io::BufReader::new(file), &path.display().to_string())
    }
}

impl<S: AsRef<str>> Extend<(S, u64)> for ChunkCounts {
    fn extend<I: IntoIterator<Item = (S, u64)>>(&mut self, iter: I) {
        for (chunk, count) in iter {
            self.add(chunk.as_ref(), count);
        }
    }
}

/// Collects `(chunk, count)` pairs, for counts computed elsewhere; repeated
/// chunks add up.
impl<S: AsRef<str>> FromIterator<(S, u64)> for ChunkCounts {
    fn from_iter<I: IntoIterator<Item = (S, u64)>>(iter: I) -> ChunkCounts {
        let mut counts = ChunkCounts::new();
        counts.extend(iter);
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_keep_first_seen_order() {
        let mut counts = ChunkCounts::new();
        counts.count_lines(&Pretokenizer::Gpt2, "the cat\nthe dog\n");
        let got: Vec<(&str, u64)> = counts.iter().collect();
        assert_eq!(got, [("the", 2), (" cat", 1), ("\n", 2), (" dog", 1)]);
        assert_eq!(counts.total(), 6);
    }

    #[test]
    fn collects_and_adds_up_pairs() {
        let counts: ChunkCounts = [("a", 1), ("b", 2), ("a", 3)].into_iter().collect();
        assert_eq!(counts.iter().collect::<Vec<_>>(), [("a", 4), ("b", 2)]);
    }

    #[test]
    fn tsv_round_trips_every_awkward_chunk() {
        let mut counts = ChunkCounts::new();
        for (chunk, n) in [
            ("a\tb", 1),
            ("\\", 2),
            ("\n\n", 3),
            ("\r\n", 4),
            ("x", u64::MAX),
            ("\\n", 5),
        ] {
            counts.add(chunk, n);
        }
        let mut tsv = Vec::new();
        counts.write_tsv(&mut tsv).unwrap();
        assert_eq!(tsv.iter().filter(|&&b| b == b'\n').count(), 6);
        let mut back = ChunkCounts::new();
        back.read_tsv(&tsv[..], "counts.tsv").unwrap();
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            counts.iter().collect::<Vec<_>>()
        );
        // Reading again adds up (saturating).
        back.read_tsv(&tsv[..], "counts.tsv").unwrap();
        assert_eq!(back.iter().next(), Some(("a\tb", 2)));
        assert_eq!(back.iter().nth(4), Some(("x", u64::MAX)));
    }

    #[test]
    fn malformed_tsv_lines_are_errors_with_line_numbers() {
        for (text, line) in [
            ("a\t1\nno tab\n", 2),
            ("a\tx\n", 1),
            ("a\t-1\n", 1),
            ("\\q\t1\n", 1),
            ("\t3\n", 1),
            ("a\t1\n\nb\tc\td\n", 3),
        ] {
            let err = ChunkCounts::new()
                .read_tsv(text.as_bytes(), "c.tsv")
                .unwrap_err();
            match err {
                Error::Parse { line: l, .. } => assert_eq!(l, Some(line), "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let err = ChunkCounts::new()
            .read_tsv(&b"ok\t1\n\xff\t2\n"[..], "c.tsv")
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidUtf8 { ref input, offset: 5, .. } if input == "c.tsv:2"
            ),
            "{err:?}"
        );
    }
}
