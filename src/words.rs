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
    let mut wc = WordCounter::default();
    for c in s.chars() {
        wc.feed(c);
    }
    wc.count
}

/// Lowercases `text` into `out` (cleared first), as the features and the word
/// evidence read every block: ASCII in place without Unicode case tables, the rest
/// character by character.
#[inline]
pub fn lowercase_into(text: &str, out: &mut String) {
    out.clear();
    if text.is_ascii() {
        out.push_str(text);
        out.make_ascii_lowercase();
    } else {
        for c in text.chars() {
            out.extend(c.to_lowercase());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
