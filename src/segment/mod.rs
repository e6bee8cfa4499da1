//! Segmentation: a decoded document becomes a [`Page`], an ordered list of text
//! [`Block`]s plus the page-level facts the features need (title, first heading) and
//! those only the output reads (the layout of `<pre>`, table cells, list numbers).
//!
//! All block text lives in one `String` per page and blocks hold byte ranges into it,
//! so segmenting a page costs a handful of allocations, not one per block.
//!
//! * `tokenizer` (private) cuts HTML into tags and text as the WHATWG tokenizer does,
//!   handing out borrowed slices (checked against html5gum in its tests).
//! * [`html`] walks that token stream with a light element stack (no DOM: deep nesting
//!   stays linear in time and bounded in memory).
//! * [`text`] turns plain text into one block per non-empty line (the WET form),
//!   repairing mojibake on the way (`mojibake`, private).

pub mod html;
mod mojibake;
pub mod tags;
pub mod text;
mod tokenizer;

use crate::error::{Error, Result};
use crate::input::{Document, InputFormat};
pub use tags::{ClassMask, Tag, TagMask};

/// One text block: a run of text between block-level boundaries (HTML) or one line
/// (plain text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    /// Byte range of the block's text in [`Page::text`].
    pub start: u32,
    /// End of the byte range (exclusive).
    pub end: u32,
    /// Characters (not bytes) of text inside `<a>` elements.
    pub link_chars: u32,
    /// Words inside `<a>` elements (see [`crate::words::count_words`]).
    pub link_words: u32,
    /// The innermost block-level element holding the text ([`Tag::Line`] in text mode).
    pub tag: Tag,
    /// Every tag open around the block (and inline tags seen inside it).
    pub tags: TagMask,
    /// Class/id keyword categories on the block's own element and the inline elements
    /// inside it.
    pub own_classes: ClassMask,
    /// Class/id keyword categories anywhere on the ancestry.
    pub ancestor_classes: ClassMask,
    /// Element nesting depth at the block.
    pub depth: u16,
    /// Id of the nearest enclosing block-level container above the block's own element
    /// (0 = the document root). Blocks with the same `parent` are siblings.
    pub parent: u32,
    /// Id of the container above `parent`.
    pub grandparent: u32,
    /// Id of the block's own element, the innermost block-level one (numbered as
    /// `parent`; 0 = the document root, and in text mode): consecutive blocks with
    /// the same `element` are pieces of one element that `<br>`s split, such as the
    /// lines of a poem in one `<p>` or of one table cell. Read only by the output
    /// ([`crate::markdown`]), never by the features.
    pub element: u32,
    /// Id of the innermost table cell around the block ([`Page::cells`]; 0 = none):
    /// the blocks of one cell are written on one line of a Markdown table. Read only
    /// by the output, as [`Block::element`].
    pub cell: u32,
    /// Range into [`Page::class_hashes`]: hashed class/id tokens of the nearest
    /// elements on the ancestry.
    pub hash_start: u32,
    /// End of the hash range (exclusive).
    pub hash_end: u32,
    /// Hashed tag paths where the block's text begins: the names of the innermost
    /// three open elements (`ul>li>a`), then of the innermost two (`li>a`). HTML only;
    /// `[0, 0]` in text mode. Stored in model files as hashed features, so the hash
    /// must never change.
    pub tag_path: [u32; 2],
    /// Leading whitespace of the line (text mode; 0 in HTML mode).
    pub indent: u16,
    /// A blank line (text mode) or a paragraph-level boundary came before this block.
    pub break_before: bool,
}

/// A segmented document.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Whether the page came from HTML or plain text.
    pub format: Option<InputFormat>,
    /// All block texts, back to back (blocks index into it).
    pub text: String,
    /// The blocks in document order.
    pub blocks: Vec<Block>,
    /// The text of the first HTML `<title>` (not an SVG drawing's), or empty.
    pub title: String,
    /// Text of the first `<h1>` (HTML) or empty.
    pub h1: String,
    /// The first `<meta name="description">` or `og:description` content (HTML), or
    /// empty: usually the article's standfirst or first sentences.
    pub description: String,
    /// Hashed class/id tokens, referenced by [`Block::hash_start`]..[`Block::hash_end`]
    /// (the keys of a model's class-name evidence, [`crate::word_odds`]).
    pub class_hashes: Vec<u32>,
    /// The blocks inside `<pre>` whose layout differs from their text (HTML): code
    /// and poems, whose line breaks and indentation the output keeps
    /// ([`Page::display_text`]). In block order.
    pub preformatted: Vec<Preformatted>,
    /// The laid-out texts of [`Page::preformatted`], back to back.
    pub preformatted_text: String,
    /// The table cells of the page (HTML), by element id in document order: where a
    /// block's cell ([`Block::cell`]) stands in its table. Read only by the output.
    pub cells: Vec<Cell>,
    /// The ordered lists and items that set their own numbers (HTML: `<ol start>`,
    /// `<ol reversed>`, `<li value>`), by element id in document order. Read only by
    /// the output.
    pub numbering: Vec<Numbering>,
}

/// A table cell (`<td>` or `<th>` inside a `<table>`): where the blocks inside it go in
/// a Markdown table ([`crate::markdown`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// The cell's element id (the [`Block::cell`] of the blocks inside it).
    pub id: u32,
    /// Id of its row: its `<tr>`, or the table section (`<tbody>`...) or `<table>` it
    /// stands in without one.
    pub row: u32,
    /// Id of its `<table>`.
    pub table: u32,
    /// Its column, as HTML's table model places cells: the first column after those
    /// the cells before it in its row span (`colspan`) that no cell of a row above
    /// spans down into (`rowspan`, within its row group and the first 256 columns).
    pub column: u32,
    /// Another table stands inside the cell: its own table lays the page out rather
    /// than holding data.
    pub holds_table: bool,
}

/// The numbers an ordered list or an item sets for itself (HTML's `<ol start=5>`,
/// `<ol reversed>`, `<li value=3>`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Numbering {
    /// The element id of the `<ol>` (a [`Block::parent`] of its items) or of the
    /// `<li>` (its [`Block::element`]).
    pub element: u32,
    /// `start` of an `<ol>`, `value` of an `<li>`, when the page gives one.
    pub number: Option<i64>,
    /// An `<ol reversed>`: its items count down.
    pub reversed: bool,
    /// The `<li>`s of a reversed `<ol>`: where it counts down from without a `start`.
    pub items: u32,
}

/// A block inside `<pre>` as the page lays it out: its lines and their indentation,
/// with blank lines at its start and whitespace at its end left out. Its
/// [`Page::text`] has every run of whitespace folded to one space, as for any block:
/// the features read that, so `<pre>` changes no probability. Only the output differs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preformatted {
    /// The block's index.
    pub block: u32,
    /// Byte range of the laid-out text in [`Page::preformatted_text`].
    pub start: u32,
    /// End of the byte range (exclusive).
    pub end: u32,
}

impl Page {
    /// Checks what reading the page's blocks relies on: each block's text range lies
    /// within [`Page::text`] on character boundaries, and its hash range within
    /// [`Page::class_hashes`]. A page from [`segment`] always passes; the fields are
    /// public, so the library's entry points check a page built or edited by hand
    /// rather than panic on it (found by an audit of the library).
    pub fn check(&self) -> Result<()> {
        for (i, b) in self.blocks.iter().enumerate() {
            let (start, end) = (b.start as usize, b.end as usize);
            if start > end
                || end > self.text.len()
                || !self.text.is_char_boundary(start)
                || !self.text.is_char_boundary(end)
            {
                return Err(Error::invalid_parameter(format!(
                    "block {i}'s text range {start}..{end} is not within the page's {} bytes \
                     of text on character boundaries",
                    self.text.len()
                )));
            }
            if b.hash_start > b.hash_end || b.hash_end as usize > self.class_hashes.len() {
                return Err(Error::invalid_parameter(format!(
                    "block {i}'s class hash range {}..{} is not within the page's {} hashes",
                    b.hash_start,
                    b.hash_end,
                    self.class_hashes.len()
                )));
            }
        }
        Ok(())
    }

    /// The text of block `i`.
    pub fn block_text(&self, i: usize) -> &str {
        let b = &self.blocks[i];
        &self.text[b.start as usize..b.end as usize]
    }

    /// The text of block `i` as the output shows it: a `<pre>` block's lines and
    /// indentation ([`Preformatted`]), any other block's [`Page::block_text`].
    pub fn display_text(&self, i: usize) -> &str {
        if !self.preformatted.is_empty() {
            if let Ok(k) = self
                .preformatted
                .binary_search_by_key(&i, |p| p.block as usize)
            {
                let p = self.preformatted[k];
                // A page edited by hand may hold any range: the block's own text then.
                if let Some(text) = self.preformatted_text.get(p.start as usize..p.end as usize) {
                    return text;
                }
            }
        }
        self.block_text(i)
    }

    /// The table cell with element id `id` ([`Block::cell`]).
    pub fn cell(&self, id: u32) -> Option<&Cell> {
        by_element(&self.cells, id, |c| c.id)
    }

    /// The numbering set by the `<ol>` or `<li>` with element id `id`.
    pub fn numbering(&self, id: u32) -> Option<&Numbering> {
        by_element(&self.numbering, id, |n| n.element)
    }

    /// The hashed class/id tokens of block `i`.
    pub fn block_hashes(&self, i: usize) -> &[u32] {
        let b = &self.blocks[i];
        &self.class_hashes[b.hash_start as usize..b.hash_end as usize]
    }

    /// Forgets the layout of a plain-text page (indents and blank lines), keeping only
    /// the lines: what text from other renderers (WET, html2text tools) looks like.
    /// Training applies it to part of the pages so the text model does not come to
    /// depend on one renderer's indentation.
    pub fn flatten_layout(&mut self) {
        for b in &mut self.blocks {
            b.indent = 0;
            b.break_before = false;
        }
    }

    /// Number of blocks.
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// True when the page has no blocks.
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }
}

/// The entry of `entries` (in element order) for element `id`; none for 0, the root.
fn by_element<T>(entries: &[T], id: u32, key: impl Fn(&T) -> u32) -> Option<&T> {
    if id == 0 {
        return None;
    }
    let k = entries.binary_search_by_key(&id, key).ok()?;
    entries.get(k)
}

/// Segments a decoded document according to its format.
pub fn segment(doc: &Document) -> Page {
    segment_str(&doc.text, doc.format)
}

/// Segments a string of the given format.
pub fn segment_str(text: &str, format: InputFormat) -> Page {
    match format {
        InputFormat::Html => html::segment_html(text),
        InputFormat::Text => text::segment_text(text),
    }
}

/// The most blocks a page may have in a corpus run (`dehusk extract --max-blocks`).
/// A block costs 250 to 320 bytes on its way through the pipeline, so a page at the
/// limit takes up to some 320 MB (a million one-letter lines: 322 MB peak); without a
/// limit, 64 MiB of such lines (within the default size limit) made 33 million
/// blocks and took 10 GB. Real pages are far smaller: the largest of the 3,240
/// annotated pages has 3,167 blocks in HTML, and 2,640 lines as text.
pub const DEFAULT_MAX_BLOCKS: usize = 1_000_000;

/// [`segment`], refusing a page of more than `max_blocks` blocks with a too-large
/// error (found while segmenting, before the blocks past the limit take memory).
pub fn segment_within(doc: &Document, max_blocks: usize) -> Result<Page> {
    segment_str_within(&doc.text, doc.format, max_blocks)
}

/// [`segment_within`] for a string of the given format.
pub fn segment_str_within(text: &str, format: InputFormat, max_blocks: usize) -> Result<Page> {
    let page = match format {
        InputFormat::Html => html::segment_html_within(text, max_blocks),
        InputFormat::Text => text::segment_text_within(text, max_blocks),
    };
    page.ok_or_else(|| {
        Error::too_large(format!(
            "page has more than the limit of {max_blocks} blocks (lines, in plain text)"
        ))
    })
}
