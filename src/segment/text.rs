//! Plain-text segmentation: one block per non-empty line, as in Common Crawl WET
//! records. Blank lines are remembered as paragraph breaks and leading whitespace as
//! the line's indent, the only "markup" such text has. Lines with mojibake (UTF-8 read
//! as Windows-1252 upstream: `youâ€™re`) are repaired (see `super::mojibake`).
//!
//! Lines end at `\n`, `\r\n` or a lone `\r` (old Mac files), so a file with any of the
//! three conventions gets one block per line rather than one block for the whole file.
//! Cost is linear in the text; the page text stops growing before its `u32` block
//! offsets could wrap.

// Input reaches every line of this module: no panicking shortcuts outside tests.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::{Block, Page, Tag, TagMask};
use crate::input::InputFormat;

/// Block offsets are `u32`: lines past this much page text are dropped (a 4 GiB
/// document is refused by `input` long before, but the segmenter is public).
const MAX_PAGE_TEXT: usize = u32::MAX as usize;

/// Splits `text` into line blocks. Whitespace inside a line is collapsed to single
/// spaces; lines that are empty after trimming become paragraph breaks.
pub fn segment_text(text: &str) -> Page {
    segment_text_within(text, usize::MAX).unwrap_or_default()
}

/// [`segment_text`], or None as soon as the page would have more than `max_blocks`
/// blocks (before the rest is read: a limit on the memory a page takes).
pub fn segment_text_within(text: &str, max_blocks: usize) -> Option<Page> {
    let mut page = Page {
        format: Some(InputFormat::Text),
        text: String::with_capacity(text.len().min(MAX_PAGE_TEXT)),
        ..Page::default()
    };
    let mut break_before = true;
    for line in lines(text) {
        // Repair first: a repaired character may be whitespace (`Â…` is U+0085, a line
        // break), so emptiness is decided on the repaired line.
        let repaired = super::mojibake::repair(line.trim());
        let trimmed = repaired.trim();
        if trimmed.is_empty() {
            break_before = true;
            continue;
        }
        if page.blocks.len() >= max_blocks {
            return None;
        }
        let start = page.text.len();
        // Collapsing never makes a line longer, so the trimmed length bounds it.
        if start.saturating_add(trimmed.len()) > MAX_PAGE_TEXT {
            break;
        }
        let indent = line
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| if c == '\t' { 4 } else { 1 })
            .fold(0u16, u16::saturating_add);
        push_collapsed(&mut page.text, trimmed);
        page.blocks.push(Block {
            start: start as u32,
            end: page.text.len() as u32,
            tag: Tag::Line,
            tags: TagMask::EMPTY,
            indent,
            break_before,
            ..Block::default()
        });
        break_before = false;
    }
    Some(page)
}

/// The lines of `text`, ending at `\n`, `\r\n` or a lone `\r` (without the ending).
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        match memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
            Some(offset) => {
                let end = start + offset;
                pos = end + 1;
                if bytes[end] == b'\r' && bytes.get(pos) == Some(&b'\n') {
                    pos += 1;
                }
                // Both ends sit next to an ASCII byte, so they are char boundaries.
                text.get(start..end)
            }
            None => {
                pos = bytes.len();
                text.get(start..)
            }
        }
    })
}

/// Appends `s` with every run of whitespace (`char::is_whitespace`) collapsed to one
/// space. The runs between whitespace are copied whole; only non-ASCII characters are
/// decoded, to ask whether they are whitespace.
fn push_collapsed(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Whether whitespace came before the current run, and where that run starts.
    let mut space = false;
    let mut run = 0;
    let mut i = 0;
    loop {
        i = crate::words::skip_printable_ascii(bytes, i);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let (white, len) = if b.is_ascii() {
            (crate::words::is_ascii_space(b), 1)
        } else {
            match s.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                // `i` is always a char boundary; unreachable.
                None => break,
            }
        };
        if white {
            if run < i {
                if space {
                    out.push(' ');
                }
                out.push_str(&s[run..i]);
            }
            space = true;
            run = i + len;
        }
        i += len;
    }
    if run < bytes.len() {
        if space {
            out.push(' ');
        }
        out.push_str(&s[run..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(page: &Page) -> Vec<&str> {
        (0..page.len()).map(|i| page.block_text(i)).collect()
    }

    #[test]
    fn mojibake_is_repaired_and_the_layout_kept() {
        let page = segment_text("Intro\n  youâ€™re  hereÂ now\ncafÃ©\n");
        assert_eq!(texts(&page), ["Intro", "you’re here now", "café"]);
        assert_eq!(page.blocks[1].indent, 2);
    }

    // Found by the randomized pipeline suite (seed 0xb, case 9219): `Â…` repairs to
    // U+0085, whitespace, and the line became an empty block.
    #[test]
    fn a_line_that_repairs_to_whitespace_is_a_break_not_an_empty_block() {
        for line in ["Â…", "Â\u{a0}Â…", " Â… "] {
            let page = segment_text(&format!("First\n{line}\nSecond\n"));
            assert_eq!(texts(&page), ["First", "Second"], "{line:?}");
            assert!(page.blocks[1].break_before, "{line:?}");
        }
    }

    #[test]
    fn lines_become_blocks_and_blank_lines_breaks() {
        let page = segment_text("  Skip to content\nFirst   para.\n\n\nSecond para.\n   \n");
        assert_eq!(
            texts(&page),
            ["Skip to content", "First para.", "Second para."]
        );
        assert_eq!(page.blocks[0].indent, 2);
        assert!(page.blocks[0].break_before);
        assert!(!page.blocks[1].break_before);
        assert!(page.blocks[2].break_before);
    }

    /// The char-by-char definition [`push_collapsed`] must agree with.
    fn push_collapsed_chars(out: &mut String, s: &str) {
        let mut space = false;
        for c in s.chars() {
            if c.is_whitespace() {
                space = true;
            } else {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
        }
    }

    #[test]
    fn collapsing_by_runs_agrees_with_char_by_char() {
        let pieces = [
            "a",
            "bc",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "\u{85}",
            "\u{2003}",
            "\u{3000}",
            "é",
            "日本",
            "\u{b}",
            "\u{c}",
            "—",
            "x\u{200b}y",
            "\u{1680}",
            "\r",
        ];
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let s = rng.string_of(&pieces, 9);
            let (mut fast, mut slow) = (String::from("p"), String::from("p"));
            push_collapsed(&mut fast, &s);
            push_collapsed_chars(&mut slow, &s);
            assert_eq!(fast, slow, "{s:?}");
        }
    }

    #[test]
    fn crlf_and_unicode_whitespace() {
        let page = segment_text("a\u{a0}\u{a0}b\r\nc\r\n");
        assert_eq!(page.block_text(0), "a b");
        assert_eq!(page.block_text(1), "c");
        // CRLF is one line ending, not a blank line.
        assert!(!page.blocks[1].break_before);
    }

    #[test]
    fn every_line_ending_convention() {
        for doc in [
            "one\ntwo\n\nthree",
            "one\r\ntwo\r\n\r\nthree\r\n",
            "one\rtwo\r\rthree\r",
        ] {
            let page = segment_text(doc);
            assert_eq!(texts(&page), ["one", "two", "three"], "{doc:?}");
            assert_eq!(
                page.blocks
                    .iter()
                    .map(|b| b.break_before)
                    .collect::<Vec<_>>(),
                [true, false, true],
                "{doc:?}"
            );
        }
        // Mixed, with multi-byte text next to the endings.
        let page = segment_text("Привет\r\nмир\rß\n\u{2028}\n世界");
        assert_eq!(texts(&page), ["Привет", "мир", "ß", "世界"]);
    }

    #[test]
    fn hostile_lines_stay_linear_and_bounded() {
        // No text at all, only line endings.
        for doc in ["", "\n", "\r", "\r\n", "\n\r", &"\r\n".repeat(100_000)] {
            assert!(segment_text(doc).is_empty(), "{doc:?}");
        }
        // A million one-letter lines.
        let page = segment_text(&"x\n".repeat(1_000_000));
        assert_eq!(page.len(), 1_000_000);
        assert_eq!(page.text.len(), 1_000_000);
        // A deep indent saturates instead of overflowing.
        let page = segment_text(&format!("{}x", "\t".repeat(100_000)));
        assert_eq!(page.blocks[0].indent, u16::MAX);
        assert_eq!(page.block_text(0), "x");
    }
}
