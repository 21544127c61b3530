//! Reading a JSON object of string keys and id values (vocab.json), entries in
//! file order and repeated keys kept, so that the caller can report them.
//!
//! A vocabulary is a megabyte of JSON and serde_json spends about as long on it
//! as the rest of loading together, so the common shape (string keys, values
//! that are unsigned integers, any JSON whitespace) is read by a direct
//! scanner, [`read_flat`]. Anything else it meets (another value type, a
//! syntax error, a number too large) makes it step aside and serde_json reads
//! the input from the start, producing the same entries or its precise error
//! with line and column. The tests run both readers over the same inputs.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value in the object: an id, or a description of what stands there instead.
#[derive(Debug, PartialEq)]
pub(crate) enum IdValue {
    /// A non-negative integer.
    Id(u64),
    /// Anything else, described for an error message.
    Other(String),
}

/// A JSON object's entries in file order. The unescaped keys share one buffer.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Object {
    keys: String,
    /// `(key start, key end, id)`; an id of `u64::MAX` means the value is not
    /// an id and `others` describes it.
    entries: Vec<(usize, usize, u64)>,
    /// `(entry index, description)` of values that are not ids.
    others: Vec<(usize, String)>,
}

impl Object {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The key and value of entry `i`.
    pub(crate) fn entry(&self, i: usize) -> (&str, IdValue) {
        let (start, end, id) = self.entries[i];
        let value = match id {
            u64::MAX => match self.others.binary_search_by_key(&i, |(index, _)| *index) {
                Ok(found) => IdValue::Other(self.others[found].1.clone()),
                Err(_) => IdValue::Id(id),
            },
            _ => IdValue::Id(id),
        };
        (&self.keys[start..end], value)
    }

    fn push(&mut self, key: &str, value: IdValue) {
        let start = self.keys.len();
        self.keys.push_str(key);
        let id = match value {
            IdValue::Id(id) => id,
            IdValue::Other(description) => {
                self.others.push((self.entries.len(), description));
                u64::MAX
            }
        };
        self.entries.push((start, self.keys.len(), id));
    }
}

/// The object's entries in file order, or serde_json's error message.
pub(crate) fn read(json: &[u8]) -> Result<Object, String> {
    if let Some(object) = std::str::from_utf8(json).ok().and_then(read_flat) {
        return Ok(object);
    }
    let entries = serde_json::from_slice::<Entries>(json).map_err(|e| e.to_string())?;
    let mut object = Object::default();
    for (key, value) in entries.0 {
        object.push(&key, value);
    }
    Ok(object)
}

/// The direct scanner: `None` when the input is not a flat object of string
/// keys and unsigned integer values (serde_json then decides what it is).
fn read_flat(json: &str) -> Option<Object> {
    let mut scanner = Scanner {
        text: json,
        bytes: json.as_bytes(),
        pos: 0,
    };
    let mut object = Object {
        keys: String::with_capacity(json.len() / 2),
        entries: Vec::with_capacity(json.len() / 16),
        others: Vec::new(),
    };
    scanner.expect(b'{')?;
    if scanner.peek()? == b'}' {
        scanner.pos += 1;
    } else {
        loop {
            let start = object.keys.len();
            scanner.string(&mut object.keys)?;
            let end = object.keys.len();
            scanner.expect(b':')?;
            let value = scanner.integer()?;
            object.entries.push((start, end, value));
            match scanner.next_non_space()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    // Only whitespace may follow the object.
    scanner.peek().is_none().then_some(object)
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// The next byte that is not JSON whitespace, without consuming it.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    fn next_non_space(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.next_non_space()? == byte).then_some(())
    }

    /// Appends the unescaped contents of a JSON string to `out`.
    fn string(&mut self, out: &mut String) -> Option<()> {
        self.expect(b'"')?;
        loop {
            // Copy the run up to the next quote, backslash or control character.
            let run_start = self.pos;
            while !matches!(*self.bytes.get(self.pos)?, b'"' | b'\\' | 0x00..=0x1F) {
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => {
                    self.pos += 1;
                    let c = match *self.bytes.get(self.pos)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    };
                    self.pos += 1;
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    /// The character of a `\uXXXX` escape (with `self.pos` on the `u`),
    /// joining a surrogate pair; leaves `self.pos` on the last hex digit.
    fn unicode_escape(&mut self) -> Option<char> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first);
        }
        // A high surrogate must be followed by `\u` and a low surrogate.
        if self.bytes.get(self.pos + 1..self.pos + 3)? != b"\\u" {
            return None;
        }
        self.pos += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return None;
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    }

    /// Four hex digits after `self.pos`; moves `self.pos` onto the last one.
    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos + 1..self.pos + 5)?;
        let mut value = 0;
        for &d in digits {
            let digit = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return None,
            };
            value = value << 4 | digit as u32;
        }
        self.pos += 4;
        Some(value)
    }

    /// An unsigned JSON integer (no sign, fraction or exponent; no leading zero).
    fn integer(&mut self) -> Option<u64> {
        self.peek()?;
        let start = self.pos;
        let mut value: u64 = 0;
        while let Some(&b) = self.bytes.get(self.pos) {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add((b - b'0') as u64)?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = digits > 1 && self.bytes[start] == b'0';
        let followed_by_number_part = matches!(
            self.bytes.get(self.pos),
            Some(b'.' | b'e' | b'E' | b'-' | b'+')
        );
        (digits > 0 && !leading_zero && !followed_by_number_part).then_some(value)
    }
}

/// A vocab.json key for serde_json, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a token string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> Visitor<'de> for IdVisitor {
            type Value = IdValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a token id")
            }
            fn visit_u64<E>(self, v: u64) -> Result<IdValue, E> {
                Ok(IdValue::Id(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<IdValue, E> {
                Ok(IdValue::Other(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<IdValue, E> {
                Ok(IdValue::Other(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<IdValue, E> {
                Ok(IdValue::Other(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<IdValue, E> {
                Ok(IdValue::Other(format!("{v:?}")))
            }
            fn visit_unit<E>(self) -> Result<IdValue, E> {
                Ok(IdValue::Other("null".to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IdValue, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(IdValue::Other("an array".to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<IdValue, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(IdValue::Other("an object".to_string()))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// The object's entries in file order, repeated keys kept.
struct Entries<'de>(Vec<(Cow<'de, str>, IdValue)>);

impl<'de> serde::Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object mapping token strings to integer ids")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((Key(key), value)) = map.next_entry()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_only(json: &str) -> Option<Object> {
        let entries = serde_json::from_str::<Entries>(json).ok()?;
        let mut object = Object::default();
        for (key, value) in entries.0 {
            object.push(&key, value);
        }
        Some(object)
    }

    /// Where the scanner accepts an input, serde_json must read the same
    /// entries; where serde_json reads a flat object of ids, so must the scanner.
    #[test]
    fn scanner_agrees_with_serde_json() {
        let cases = [
            r#"{}"#,
            r#" { } "#,
            r#"{"a":1}"#,
            "{\n  \"a\" : 1 ,\r\n\t\"b\":22 }\n",
            r#"{"\u0120the":262,"\"":1,"\\":59,"\/":14}"#,
            r#"{"\ud83d\ude00":5,"\u00e9":6,"é":7}"#,
            r#"{"\b\f\n\r\t":0}"#,
            r#"{"a":0,"a":1}"#,
            r#"{"a":18446744073709551615}"#,
            r#"{"a":18446744073709551616}"#,
            r#"{"a":01}"#,
            r#"{"a":1.0}"#,
            r#"{"a":1e3}"#,
            r#"{"a":-1}"#,
            r#"{"a":"1"}"#,
            r#"{"a":null}"#,
            r#"{"a":[1]}"#,
            r#"{"a":1,}"#,
            r#"{"a":1} x"#,
            r#"{"a":1"#,
            r#"{"a"1}"#,
            r#"{"\ud83d":1}"#,
            r#"{"\ude00":1}"#,
            r#"{"\x":1}"#,
            "{\"a\u{1}\":1}",
            r#"[1, 2]"#,
            r#""#,
        ];
        for json in cases {
            let fast = read_flat(json);
            let slow = serde_only(json);
            if let Some(fast) = &fast {
                assert_eq!(Some(fast), slow.as_ref(), "{json}");
            }
            let slow_is_flat = slow.as_ref().is_some_and(|o| o.others.is_empty());
            if slow_is_flat {
                assert!(fast.is_some(), "scanner stepped aside on {json}");
            }
            assert_eq!(read(json.as_bytes()).ok(), slow, "{json}");
        }
    }
}
