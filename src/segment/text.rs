//! Plain-text segmentation: one block per non-empty line, as in Common Crawl WET
//! records. Blank lines are remembered as paragraph breaks and leading whitespace as
//! the line's indent, the only "markup" such text has.

use super::{Block, Page, Tag, TagMask};
use crate::input::InputFormat;

/// Splits `text` into line blocks. Whitespace inside a line is collapsed to single
/// spaces; lines that are empty after trimming become paragraph breaks.
pub fn segment_text(text: &str) -> Page {
    let mut page = Page {
        format: Some(InputFormat::Text),
        text: String::with_capacity(text.len()),
        ..Page::default()
    };
    let mut break_before = true;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            break_before = true;
            continue;
        }
        let indent = line
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum::<usize>()
            .min(u16::MAX as usize) as u16;
        let start = page.text.len();
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
    page
}

/// Appends `s` with every run of whitespace collapsed to one space.
fn push_collapsed(out: &mut String, s: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_blocks_and_blank_lines_breaks() {
        let page = segment_text("  Skip to content\nFirst   para.\n\n\nSecond para.\n   \n");
        let texts: Vec<&str> = (0..page.len()).map(|i| page.block_text(i)).collect();
        assert_eq!(texts, ["Skip to content", "First para.", "Second para."]);
        assert_eq!(page.blocks[0].indent, 2);
        assert!(page.blocks[0].break_before);
        assert!(!page.blocks[1].break_before);
        assert!(page.blocks[2].break_before);
    }

    #[test]
    fn crlf_and_unicode_whitespace() {
        let page = segment_text("a\u{a0}\u{a0}b\r\nc\r\n");
        assert_eq!(page.block_text(0), "a b");
        assert_eq!(page.block_text(1), "c");
    }
}
