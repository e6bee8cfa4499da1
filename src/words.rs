//! Script-aware word counting, shared by segmentation (words inside links) and the
//! features. A word is a maximal run of alphanumeric characters, except in scripts
//! written without spaces (Han, Hiragana, Katakana, Thai...), where every character
//! counts as a word: otherwise a Chinese paragraph would be "one word" and look like a
//! menu item.
//!
//! Counts saturate rather than overflow: a hostile block can be as long as the page.

// Input reaches every line of this module: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// True for characters of scripts that do not separate words with spaces.
#[inline]
pub fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0x0E00..=0x0E7F // Thai
        | 0x0E80..=0x0EFF // Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x20000..=0x2FFFF)
}

/// ASCII whitespace as `char::is_whitespace` sees it (which, unlike
/// `u8::is_ascii_whitespace`, includes the vertical tab).
#[inline]
pub const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ')
}

/// Eight bytes of `bytes` from `i`, little-endian, if there are eight.
#[inline(always)]
fn chunk_at(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The position of the first byte at or after `i` that is ASCII whitespace, another
/// ASCII control or space byte (`<= 0x20`), or not ASCII (`>= 0x80`); `bytes.len()`
/// if none. Eight bytes at a time: a run of printable ASCII (most text between
/// spaces) is passed over without looking at each byte.
#[inline]
pub(crate) fn skip_printable_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(x) = chunk_at(bytes, i) {
        // A byte below 0x21 borrows in the subtraction and sets its high bit (the
        // lowest flagged byte is always a true one: a borrow only starts at such a
        // byte); a byte of 0x80 or more has it set already.
        let flagged = (x.wrapping_sub(ONES * 0x21) & !x & HIGH_BITS) | (x & HIGH_BITS);
        if flagged != 0 {
            return i + (flagged.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && (0x21..0x80).contains(&bytes[i]) {
        i += 1;
    }
    i
}

/// The position of the first byte at or after `i` that is not ASCII; `bytes.len()` if
/// none. Eight bytes at a time.
#[inline]
pub(crate) fn skip_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(x) = chunk_at(bytes, i) {
        let flagged = x & HIGH_BITS;
        if flagged != 0 {
            return i + (flagged.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii() {
        i += 1;
    }
    i
}

/// Counts words in text fed one character at a time (so it can run over streamed
/// chunks without re-scanning).
#[derive(Debug, Clone, Copy, Default)]
pub struct WordCounter {
    in_word: bool,
    /// Words counted so far.
    pub count: u32,
}

impl WordCounter {
    /// Feeds one character.
    #[inline]
    pub fn feed(&mut self, c: char) {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                if !self.in_word {
                    self.count = self.count.saturating_add(1);
                    self.in_word = true;
                }
            } else {
                self.in_word = false;
            }
        } else if is_unspaced_script(c) {
            self.count = self.count.saturating_add(1);
            self.in_word = false;
        } else if c.is_alphanumeric() {
            if !self.in_word {
                self.count = self.count.saturating_add(1);
                self.in_word = true;
            }
        } else {
            self.in_word = false;
        }
    }

    /// Ends the current word (at a chunk boundary that is also a word boundary).
    pub fn boundary(&mut self) {
        self.in_word = false;
    }
}

/// Number of words in `s`.
pub fn count_words(s: &str) -> u32 {
    count_words_up_to(s, u32::MAX)
}

/// Number of words in `s`, counting no further than `limit + 1`: enough to tell
/// whether `s` has more than `limit` words without reading a long line to its end.
pub fn count_words_up_to(s: &str, limit: u32) -> u32 {
    let mut wc = WordCounter::default();
    for c in s.chars() {
        wc.feed(c);
        if wc.count > limit {
            break;
        }
    }
    wc.count
}

/// Lowercases `text` into `out` (cleared first), as the features and the word
/// evidence read every block: each character by `char::to_lowercase`, ASCII in runs
/// copied whole and lowercased in place without Unicode case tables, the rest
/// character by character.
#[inline]
pub fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
        return;
    }
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // A run of ASCII, then one of other characters; both end on char boundaries.
        let ascii_end = skip_ascii(bytes, i);
        if ascii_end > i {
            let from = out.len();
            out.push_str(&text[i..ascii_end]);
            out[from..].make_ascii_lowercase();
        }
        let mut other_end = ascii_end;
        while other_end < bytes.len() && !bytes[other_end].is_ascii() {
            other_end += 1;
        }
        for c in text[ascii_end..other_end].chars() {
            out.extend(c.to_lowercase());
        }
        i = other_end;
    }
}

/// Calls `f` with each word of `s` (runs of alphanumerics; one char per word in
/// unspaced scripts), as a subslice: no allocation.
pub fn for_each_word<'a>(s: &'a str, mut f: impl FnMut(&'a str)) {
    let bytes = s.as_bytes();
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            // The common case, byte by byte without decoding.
            if b.is_ascii_alphanumeric() {
                start.get_or_insert(i);
            } else if let Some(st) = start.take() {
                f(&s[st..i]);
            }
            i += 1;
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        let len = c.len_utf8();
        if is_unspaced_script(c) {
            if let Some(st) = start.take() {
                f(&s[st..i]);
            }
            f(&s[i..i + len]);
        } else if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(st) = start.take() {
            f(&s[st..i]);
        }
        i += len;
    }
    if let Some(st) = start {
        f(&s[st..]);
    }
}

/// The lookup key of a hash: its high half (the multiply leaves the low bits weak).
#[inline]
pub(crate) fn short(h: u64) -> u32 {
    (h >> 32) as u32
}

/// Multiplier of the hashes below (rustc's Fx hash).
pub(crate) const HASH_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
/// Starting values of a pair's, a line's and a block head's hash, so none equals a
/// word's or another's.
pub(crate) const PAIR_SEED: u64 = 0x9e37_79b9_7f4a_7c15;
pub(crate) const LINE_SEED: u64 = 0x2545_f491_4f6c_dd1d;
pub(crate) const HEAD_SEED: u64 = 0x7f4a_7c15_2545_f491;

#[inline]
pub(crate) fn combine(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(HASH_SEED)
}

/// Hashes a byte string eight bytes at a time (little-endian, the last chunk padded
/// with zeros), then its length.
#[derive(Debug, Default)]
pub(crate) struct ChunkHasher {
    h: u64,
    chunk: u64,
    filled: u32,
    len: u64,
}

impl ChunkHasher {
    #[inline]
    pub(crate) fn push(&mut self, b: u8) {
        self.chunk |= (b as u64) << (8 * self.filled);
        self.filled += 1;
        self.len += 1;
        if self.filled == 8 {
            self.h = combine(self.h, self.chunk);
            (self.chunk, self.filled) = (0, 0);
        }
    }

    #[inline]
    pub(crate) fn finish(self) -> u64 {
        let h = if self.filled > 0 {
            combine(self.h, self.chunk)
        } else {
            self.h
        };
        combine(h, self.len)
    }
}

/// The hash of a word's normalized form (lowercase, every digit as `0`: the form of
/// the word-evidence tables' keys), computed from the word itself, as `ChunkHasher`
/// hashes the normalized bytes. The key of the stopword table and of
/// [`crate::word_odds`]; one per word serves both.
#[inline(always)]
pub fn word_hash(word: &str) -> u64 {
    let bytes = word.as_bytes();
    if bytes.is_ascii() {
        return ascii_word_hash(bytes);
    }
    let mut hasher = ChunkHasher::default();
    let mut buf = [0u8; 4];
    for_each_normalized_char(word, |c| {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            hasher.push(b);
        }
    });
    hasher.finish()
}

/// Calls `f` with each character of a word's normalized form: lowercase, every digit
/// (of any script) as `0`. The one definition of the form the word-evidence tables'
/// keys are written in and [`word_hash`] hashes.
#[inline]
pub(crate) fn for_each_normalized_char(word: &str, mut f: impl FnMut(char)) {
    for c in word.chars() {
        if c.is_numeric() {
            f('0');
        } else {
            c.to_lowercase().for_each(&mut f);
        }
    }
}

/// [`word_hash`] of an ASCII word, eight letters at a time. A word of
/// [`for_each_word`] holds only ASCII letters and digits, so setting bit 0x20 of each
/// byte lowercases the letters and leaves the digits alone, and the bytes without bit
/// 0x40 are the digits, which become `0`.
#[inline(always)]
fn ascii_word_hash(bytes: &[u8]) -> u64 {
    const LOWER: u64 = 0x2020_2020_2020_2020;
    const LETTER_BIT: u64 = 0x4040_4040_4040_4040;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    let mut h = 0u64;
    for chunk in bytes.chunks(8) {
        // A whole chunk is one load; a short one is assembled byte by byte (copying
        // a slice of variable length calls memcpy, for every word).
        let x = match <[u8; 8]>::try_from(chunk) {
            Ok(whole) => u64::from_le_bytes(whole),
            Err(_) => chunk
                .iter()
                .enumerate()
                .fold(0u64, |x, (k, &b)| x | ((b as u64) << (8 * k))),
        };
        let valid = if chunk.len() == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * chunk.len())) - 1
        };
        let digits = (((!x & LETTER_BIT) >> 6) * 0xff) & valid;
        let normalized = (((x | LOWER) & !digits) | (ZEROS & digits)) & valid;
        h = combine(h, normalized);
    }
    combine(h, bytes.len() as u64)
}

/// An open-addressing table keyed by a 32-bit word hash ([`short`] of [`word_hash`]):
/// a slot holds 16 bits of the key (the other bits chose the slot) and the value.
/// Linear probing. The features look up one or more keys for every word of a page,
/// at random places: with a standard hash map (and 32-bit keys with 64-bit slots) the
/// tables outgrew the processor's cache and their lookups cost more than the rest of
/// the word evidence. A key outside the table matches a stored one by its 16 bits with
/// a chance of about 1 in 10,000, and then reads that entry's value.
#[derive(Debug, Clone)]
pub(crate) struct WordTable<V> {
    /// (tag, value); tag [`WordTable::EMPTY`] marks a free slot.
    slots: Vec<(u16, V)>,
    shift: u32,
}

impl<V: Copy + Default> WordTable<V> {
    const EMPTY: u16 = 0;

    /// Slot and tag of a key: the top bits of a multiplicative hash choose the slot,
    /// the low 16 bits of the key are the tag (0 becomes 1: it marks free slots).
    #[inline(always)]
    fn place(&self, key: u32) -> (usize, u16) {
        let slot = (key.wrapping_mul(0x9e37_79b1) >> self.shift) as usize;
        (slot, (key as u16).max(1))
    }

    /// A table of the entries, at most `max_load` full (linear probing over small
    /// slots: even a long probe stays within a cache line or two). A later entry with
    /// the same slot path and tag replaces an earlier one.
    pub(crate) fn with_entries(entries: &[(u32, V)], max_load: f32) -> WordTable<V> {
        let size = ((entries.len() as f32 / max_load).ceil() as usize)
            .next_power_of_two()
            .max(16);
        let mut table = WordTable {
            slots: vec![(Self::EMPTY, V::default()); size],
            shift: 32 - size.trailing_zeros(),
        };
        let mask = size - 1;
        for &(key, value) in entries {
            let (mut i, tag) = table.place(key);
            loop {
                let slot = &mut table.slots[i];
                if slot.0 == Self::EMPTY || slot.0 == tag {
                    *slot = (tag, value);
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        table
    }

    /// The value of a key. (Every table has slots: [`WordTable::with_entries`] makes at
    /// least 16, so there is always a free one to end the probe.)
    #[inline(always)]
    pub(crate) fn get(&self, key: u32) -> Option<V> {
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.place(key);
        loop {
            let (t, value) = self.slots[i];
            if t == tag {
                return Some(value);
            }
            if t == Self::EMPTY {
                return None;
            }
            i = (i + 1) & mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_stop_at_the_first_byte_of_their_kind() {
        let mut bytes: Vec<u8> = Vec::new();
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        for len in 0..40 {
            for _ in 0..200 {
                bytes.clear();
                for _ in 0..len {
                    let seed = rng.next_u64();
                    // Mostly printable ASCII, some spaces, controls and high bytes.
                    let b = match seed % 16 {
                        0 => (seed >> 8) as u8 | 0x80,
                        1 => (seed >> 8) as u8 & 0x21,
                        _ => 0x21 + ((seed >> 8) % 0x5f) as u8,
                    };
                    bytes.push(b);
                }
                for start in 0..=len {
                    let printable = (start..len)
                        .find(|&k| !(0x21..0x80).contains(&bytes[k]))
                        .unwrap_or(len);
                    assert_eq!(skip_printable_ascii(&bytes, start), printable, "{bytes:?}");
                    let ascii = (start..len).find(|&k| bytes[k] >= 0x80).unwrap_or(len);
                    assert_eq!(skip_ascii(&bytes, start), ascii, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn lowercasing_by_runs_agrees_with_char_by_char() {
        let pieces = [
            "A",
            "bC",
            " ",
            "Ä",
            "ß",
            "İ",
            "Σ",
            "ΣΑΣ",
            "ǅ",
            "日本",
            "Привет",
            "’",
            "\u{a0}",
            "1x",
            "ẞ",
            "ﬃ",
            "Ω",
            "\u{10400}",
            "𝐀",
        ];
        let mut rng = crate::test_rng::XorShift::new(0x7f4a_7c15_2545_f491);
        let mut out = String::from("left over");
        for _ in 0..20_000 {
            let s = rng.string_of(&pieces, 12);
            lowercase_into(&s, &mut out);
            let slow: String = s.chars().flat_map(char::to_lowercase).collect();
            assert_eq!(out, slow, "{s:?}");
        }
    }

    #[test]
    fn counts_spaced_and_unspaced_scripts() {
        assert_eq!(count_words("Hello, world! It's 5:04 PM"), 7);
        assert_eq!(count_words("Привет, мир"), 2);
        assert_eq!(count_words("今日は良い天気"), 7);
        assert_eq!(count_words(""), 0);
        let mut words = Vec::new();
        for_each_word("ab 日本 c-d", |w| words.push(w));
        assert_eq!(words, ["ab", "日", "本", "c", "d"]);
    }
}
