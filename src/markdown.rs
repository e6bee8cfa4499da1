//! Markdown output: the main text of a classified page written with its structure
//! (headings, list items, quotations, code blocks, tables), for the corpora that keep
//! it, such as training data for language models and search indexes. The plain main
//! text ([`crate::label::content_text`]) writes the same blocks one per line.
//!
//! The structure is read from each kept block's elements ([`Block::tag`], the
//! innermost block-level one, and [`Block::tags`], all those open around it), ids
//! ([`Block::parent`], [`Block::element`]) and the page's list numbers
//! ([`Page::numbering`]) after classification: the model never sees the Markdown, so
//! it changes no probability and no label, only how the kept text is written. Only
//! kept blocks are written, so a list, a table or a row may be partial.
//!
//! * `<h1>`–`<h6>`: `#` to `######`.
//! * `<li>`: `- `, or `1. `, `2. `… when every list around it is an `<ol>` (the mask of
//!   open tags cannot tell which of nested lists of both kinds is the innermost), numbered
//!   among the kept items of its list from the list's `start` (1 without one), down
//!   from it (or from the number of items) in an `<ol reversed>`, and on from an item's
//!   own `value`. A Markdown renderer takes only a list's first number and counts up
//!   from it, so a reversed list or a `value` is right in the text, not when rendered.
//!   Numbers are kept within 0 to 999,999,999, which Markdown reads as an item's.
//!   Nested lists are written flat: a block knows its element's container, not how
//!   deep the list is. A paragraph inside an item (`<li><p>`) is a paragraph, since a
//!   `<li>` may hold a whole post (comment threads, teaser lists).
//! * Inside `<blockquote>`: every line starts with `> `.
//! * `<pre>`: a fenced code block, its lines as the page lays them out
//!   ([`Page::display_text`]), with a fence of backticks longer than any run of
//!   backticks in the code. Code is never escaped.
//! * `<td>`/`<th>`: the cells of a row (blocks with the same [`Block::parent`]) as
//!   `| a | b |`, pipes in them escaped. A run of kept cells is one table: its first row
//!   is the header (Markdown tables need one; it is the page's own when it is a row of
//!   `<th>`), then the delimiter row, and every row has as many cells as the widest (the
//!   kept cells of a partial row come first, empty ones after). A run whose rows have
//!   one cell each is written as paragraphs: it is mostly a layout table's text cell
//!   (its menus and sidebars in other cells dropped), and one column is no table. A
//!   paragraph inside a cell (`<td><p>`) is a paragraph, as a layout table's article is.
//! * Anything else, and every line of plain text ([`Tag::Line`]): a paragraph. Plain
//!   text has no markup to tell structure by; each line is a block to the model, so
//!   each is a paragraph here.
//!
//! Blocks are separated by a blank line, the items of one list by a line break.
//! Consecutive kept blocks of one element that `<br>` split ([`Block::element`]) are
//! one paragraph, item or code block, their pieces on lines of their own (one heading or
//! cell: joined by a space).
//!
//! Escaping is kept to what Markdown would read as something other than the text. At
//! the start of a line, where text would be read as structure: a backslash goes before
//! the `#` of `# Title`, the `.` of `1. `, the `-`, `+` or `*` of a list marker, a `>`,
//! a line of only `-`, `*`, `_` or `=` (a rule or an underline making a heading), three
//! backticks or tildes (a fence), a `<` opening a tag, and a `[` that could define a
//! link (`[1]: http…`, which Markdown would hide). Inside a line ([`push_inline`]): a
//! backslash before punctuation, a `<` opening a tag, the `]` of `[text](url)`, and an
//! `&` starting an entity or character reference (`&amp;` shown as text). Emphasis
//! characters inside lines are left as they are: `*` and `_` in text are rarely
//! emphasis, and escaping every one would change much text for little.

use std::fmt::Write;

use crate::label::written_blocks;
use crate::segment::{Block, Page, Tag};

/// A kept block: its index and its text as the output shows it.
type Kept<'a> = (usize, &'a str);

/// What a block is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `#` times the level.
    Heading(u8),
    /// A list item, numbered or not.
    Item { ordered: bool },
    /// A fenced code block.
    Code,
    /// A table cell.
    Cell,
    /// Anything else.
    Paragraph,
}

impl Kind {
    fn of(block: &Block) -> Kind {
        // Inside `<pre>` first: a `<pre>` in a cell or an item is still code.
        if block.tags.contains(Tag::Pre) {
            return Kind::Code;
        }
        match block.tag {
            Tag::Li => Kind::Item {
                ordered: block.tags.contains(Tag::Ol) && !block.tags.contains(Tag::Ul),
            },
            Tag::Td | Tag::Th => Kind::Cell,
            tag if tag.heading_level() > 0 => Kind::Heading(tag.heading_level()),
            _ => Kind::Paragraph,
        }
    }
}

/// The list the last item written belongs to: the next item of the same list follows
/// on the next line.
#[derive(Clone, Copy)]
struct List {
    parent: u32,
    ordered: bool,
    quoted: bool,
}

/// The blocks labelled content (as [`crate::label::content_text`] keeps them), written
/// as Markdown (the module's documentation says how).
pub fn content_markdown(page: &Page, labels: &[bool]) -> String {
    let kept: Vec<Kept<'_>> = written_blocks(page, labels).collect();
    // The text plus a few bytes of markup a block: one allocation, mostly.
    let mut out = String::with_capacity(kept.iter().map(|(_, text)| text.len() + 8).sum());
    let mut list: Option<List> = None;
    let mut numbers = Numbers::default();
    // The element of the last item written: a later block of it is the item's tail
    // after a nested block, not an item of its own (found by a review).
    let mut last_item: Option<u32> = None;
    let mut rest = &kept[..];
    while let Some(&(first, _)) = rest.first() {
        let block = &page.blocks[first];
        let kind = Kind::of(block);
        let quoted = block.tags.contains(Tag::Blockquote);
        let len = match kind {
            Kind::Cell => rest
                .iter()
                .take_while(|&&(i, _)| {
                    let b = &page.blocks[i];
                    Kind::of(b) == Kind::Cell && b.tags.contains(Tag::Blockquote) == quoted
                })
                .count(),
            // Every line of plain text is a block of its own (and of element 0).
            _ if block.tag == Tag::Line => 1,
            _ => rest
                .iter()
                .take_while(|&&(i, _)| {
                    let b = &page.blocks[i];
                    b.element == block.element && Kind::of(b) == kind
                })
                .count(),
        };
        let (unit, tail) = rest.split_at(len);
        rest = tail;
        let kind = match kind {
            Kind::Item { .. } if last_item == Some(block.element) => Kind::Paragraph,
            kind => kind,
        };

        let same_list = match (kind, list) {
            (Kind::Item { ordered }, Some(l)) => {
                l.parent == block.parent && l.ordered == ordered && l.quoted == quoted
            }
            _ => false,
        };
        if !out.is_empty() {
            out.push_str(if same_list { "\n" } else { "\n\n" });
        }
        list = None;
        match kind {
            Kind::Heading(level) => heading(&mut out, quoted, level, unit),
            Kind::Item { ordered } => {
                last_item = Some(block.element);
                let number = ordered.then(|| numbers.next(page, block));
                item(&mut out, quoted, number, unit);
                list = Some(List {
                    parent: block.parent,
                    ordered,
                    quoted,
                });
            }
            Kind::Code => code(&mut out, quoted, unit),
            Kind::Cell => table(&mut out, quoted, page, unit),
            Kind::Paragraph => paragraph(&mut out, quoted, unit),
        }
    }
    out
}

/// The numbers of the ordered lists' items, by list ([`Block::parent`]): the next
/// number of each list and its step. An item after something that interrupts its list
/// (a code block in a step, a nested list) numbers on (found by a review: it began
/// again at 1).
#[derive(Default)]
struct Numbers(std::collections::HashMap<u32, (i64, i64)>);

impl Numbers {
    /// The number of `item`, a kept item of an ordered list: the list's `start` (or
    /// its item count, reversed; or 1), counted on over the kept items, unless the
    /// item sets its own (`<li value>`; found by a review: `start` was ignored).
    fn next(&mut self, page: &Page, item: &Block) -> u32 {
        let (next, step) = self.0.entry(item.parent).or_insert_with(|| {
            let list = page.numbering(item.parent);
            let reversed = list.is_some_and(|l| l.reversed);
            let items = list.map_or(1, |l| i64::from(l.items));
            let start = list.and_then(|l| l.number);
            match reversed {
                true => (start.unwrap_or(items), -1),
                false => (start.unwrap_or(1), 1),
            }
        });
        let number = page
            .numbering(item.element)
            .and_then(|n| n.number)
            .unwrap_or(*next);
        *next = number.saturating_add(*step);
        // Markdown reads at most nine digits, and no sign, as an item's number.
        number.clamp(0, 999_999_999) as u32
    }
}

/// Starts a line: `> ` inside a quotation.
fn line_start(out: &mut String, quoted: bool) {
    if quoted {
        out.push_str("> ");
    }
}

/// The lines of a unit's blocks (a `<pre>` block's display text has several).
fn lines<'a>(unit: &'a [Kept<'a>]) -> impl Iterator<Item = &'a str> + 'a {
    unit.iter().flat_map(|(_, text)| text.split('\n'))
}

fn paragraph(out: &mut String, quoted: bool, unit: &[Kept<'_>]) {
    for (k, line) in lines(unit).enumerate() {
        if k > 0 {
            out.push('\n');
        }
        line_start(out, quoted);
        push_escaped(out, line);
    }
}

/// A list item: `- ` or `N. `, its further lines indented to the text so they stay in
/// the item.
fn item(out: &mut String, quoted: bool, number: Option<u32>, unit: &[Kept<'_>]) {
    line_start(out, quoted);
    let marker_start = out.len();
    match number {
        // Writing into a String cannot fail.
        Some(n) => drop(write!(out, "{n}. ")),
        None => out.push_str("- "),
    }
    let indent = out.len() - marker_start;
    for (k, line) in lines(unit).enumerate() {
        if k > 0 {
            out.push('\n');
            line_start(out, quoted);
            out.extend(std::iter::repeat_n(' ', indent));
        }
        push_escaped(out, line);
    }
}

/// A heading on one line; a closing run of `#` in its text (`# Learn C #`) is escaped,
/// as Markdown would drop it.
fn heading(out: &mut String, quoted: bool, level: u8, unit: &[Kept<'_>]) {
    line_start(out, quoted);
    out.extend(std::iter::repeat_n('#', level as usize));
    let text_start = out.len() + 1;
    for (_, text) in unit {
        out.push(' ');
        // Escaped as inside a line (found by a review: `&amp;` and `<tag>` shown as
        // text in a heading were read as an entity and as HTML).
        push_inline(out, text.trim());
    }
    let text = &out[text_start..];
    let run = text.trim_end_matches('#').len();
    if run < text.len() && (run == 0 || text[..run].ends_with(' ')) {
        out.insert(text_start + run, '\\');
    }
}

/// A fenced code block, its lines as they are.
fn code(out: &mut String, quoted: bool, unit: &[Kept<'_>]) {
    let longest_run = unit
        .iter()
        .map(|(_, text)| longest_backtick_run(text))
        .max()
        .unwrap_or(0);
    let fence = longest_run.max(2) + 1;
    line_start(out, quoted);
    out.extend(std::iter::repeat_n('`', fence));
    for line in lines(unit) {
        out.push('\n');
        if quoted {
            out.push_str(if line.is_empty() { ">" } else { "> " });
        }
        out.push_str(line);
    }
    out.push('\n');
    line_start(out, quoted);
    out.extend(std::iter::repeat_n('`', fence));
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// A run of kept cells: a table, or paragraphs when no row has two cells.
fn table(out: &mut String, quoted: bool, page: &Page, unit: &[Kept<'_>]) {
    let rows = || runs(page, unit, |b| b.parent);
    let cells = |row| runs(page, row, |b| b.element);
    let columns = rows().map(|row| cells(row).count()).max().unwrap_or(0);
    if columns < 2 {
        for (k, cell) in rows().flat_map(cells).enumerate() {
            if k > 0 {
                out.push_str("\n\n");
            }
            paragraph(out, quoted, cell);
        }
        return;
    }
    for (r, row) in rows().enumerate() {
        if r > 0 {
            out.push('\n');
        }
        line_start(out, quoted);
        out.push('|');
        let mut written = 0;
        for cell in cells(row) {
            for (_, text) in cell {
                out.push(' ');
                push_cell_text(out, text.trim());
            }
            out.push_str(" |");
            written += 1;
        }
        for _ in written..columns {
            out.push_str("  |");
        }
        if r == 0 {
            out.push('\n');
            line_start(out, quoted);
            out.push('|');
            for _ in 0..columns {
                out.push_str(" --- |");
            }
        }
    }
}

/// The runs of consecutive blocks of `unit` with the same `id`: a table's rows (by
/// [`Block::parent`]) or a row's cells (by [`Block::element`]).
fn runs<'a>(
    page: &'a Page,
    unit: &'a [Kept<'a>],
    id: fn(&Block) -> u32,
) -> impl Iterator<Item = &'a [Kept<'a>]> + Clone {
    unit.chunk_by(move |a, b| id(&page.blocks[a.0]) == id(&page.blocks[b.0]))
}

/// A cell's text on its row's line, escaped as inside a line ([`push_inline`]; found
/// by a review: cells were not) and a pipe escaped, since it would end the cell.
fn push_cell_text(out: &mut String, text: &str) {
    let mut escaped = String::with_capacity(text.len());
    push_inline(&mut escaped, text);
    for (k, piece) in escaped.split('|').enumerate() {
        if k > 0 {
            out.push_str("\\|");
        }
        out.push_str(piece);
    }
}

/// Writes `line` at the start of a Markdown line (after any quote or list marker), with
/// a backslash where it would otherwise be read as structure ([`structure_at`]).
fn push_escaped(out: &mut String, line: &str) {
    let line = line.trim_start();
    match structure_at(line) {
        Some(at) => {
            // The escaped character (ASCII) is written as it is: escaped again, its
            // backslash would be the literal one.
            push_inline(out, &line[..at]);
            out.push('\\');
            out.push_str(&line[at..=at]);
            push_inline(out, &line[at + 1..]);
        }
        None => push_inline(out, line),
    }
}

/// Writes text with a backslash before what Markdown would read inside a line as
/// something other than the text the page showed (found by a review): a backslash
/// before punctuation (`\*` is a literal `*`), a `<` opening a tag (`<script>` shown as
/// text was raw HTML), the `]` of `[text](url)` (shown as text, it was a live link),
/// and an `&` starting a reference (`&amp;` shown as text was an `&`; found by a later
/// review). Emphasis characters are left alone (see the module's documentation).
fn push_inline(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut copied = 0;
    // The candidates in order, found by memchr (a byte-by-byte scan cost this twice
    // the time of the rest of the Markdown).
    let mut marks = memchr::memchr3_iter(b'\\', b'<', b']', bytes).peekable();
    let mut ampersands = memchr::memchr_iter(b'&', bytes).peekable();
    let candidates = std::iter::from_fn(|| match (marks.peek(), ampersands.peek()) {
        (Some(mark), Some(ampersand)) if ampersand < mark => ampersands.next(),
        (Some(_), _) => marks.next(),
        (None, _) => ampersands.next(),
    });
    for at in candidates {
        let next = bytes.get(at + 1).copied();
        let escape = match bytes[at] {
            b'\\' => next.is_some_and(|b| b.is_ascii_punctuation()),
            b'<' => {
                next.is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
            }
            b'&' => starts_reference(&bytes[at + 1..]),
            _ => next == Some(b'('),
        };
        if escape {
            out.push_str(&text[copied..at]);
            out.push('\\');
            copied = at;
        }
    }
    out.push_str(&text[copied..]);
}

/// Whether the text after an `&` makes it a reference Markdown would read as the
/// character it names: `&name;` (any name: escaping one Markdown does not know costs
/// nothing), `&#123;` or `&#x1F;`.
fn starts_reference(after: &[u8]) -> bool {
    // The references' longest forms: the longest name is 31 letters.
    let ends = |digits: &[u8], longest: usize, digit: fn(&u8) -> bool| {
        let n = digits.iter().take_while(|b| digit(b)).count();
        (1..=longest).contains(&n) && digits.get(n) == Some(&b';')
    };
    match after {
        [b'#', b'x' | b'X', hex @ ..] => ends(hex, 6, u8::is_ascii_hexdigit),
        [b'#', decimal @ ..] => ends(decimal, 7, u8::is_ascii_digit),
        [first, ..] if first.is_ascii_alphabetic() => ends(after, 32, u8::is_ascii_alphanumeric),
        _ => false,
    }
}

/// Where a backslash keeps a line (without leading whitespace) from being read as
/// Markdown structure, if it would be: the byte index of the character to escape.
fn structure_at(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    // A marker must be followed by a space, a tab or the line's end.
    let marker_ends = |at: usize| matches!(bytes.get(at), None | Some(b' ' | b'\t'));
    let only = |c: u8| bytes.iter().all(|&b| b == c || b == b' ' || b == b'\t');
    let escape = match first {
        // A heading: one to six `#`.
        b'#' => {
            let hashes = bytes.iter().take_while(|&&b| b == b'#').count();
            hashes <= 6 && marker_ends(hashes)
        }
        b'>' => true,
        // A list marker; or a rule (`---`, `***`, `___`) or an underline making the
        // line before a heading (`---`, `===`).
        b'-' | b'+' | b'*' if marker_ends(1) => true,
        b'-' | b'*' | b'_' | b'=' => only(first),
        // A fence.
        b'`' | b'~' => bytes.starts_with(&[first; 3]),
        // An HTML block.
        b'<' => bytes
            .get(1)
            .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?')),
        // A link reference definition, which Markdown hides.
        b'[' => line.contains("]:"),
        // A numbered item: digits, then `.` or `)`; the backslash goes before that.
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            return (matches!(bytes.get(digits), Some(b'.' | b')')) && marker_ends(digits + 1))
                .then_some(digits);
        }
        _ => false,
    };
    escape.then_some(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;
    use crate::segment::segment_str;

    /// Every block of `html` kept.
    fn markdown(html: &str) -> String {
        let page = segment_str(html, InputFormat::Html);
        content_markdown(&page, &vec![true; page.len()])
    }

    #[test]
    fn headings_get_one_hash_per_level() {
        assert_eq!(
            markdown("<h1>Title</h1><p>Text.</p><h3>Part <a href=/>one</a></h3><h6>Small</h6>"),
            "# Title\n\nText.\n\n### Part one\n\n###### Small"
        );
        // A closing run of `#` would be dropped as the heading's end.
        assert_eq!(markdown("<h2>Learn C #</h2>"), "## Learn C \\#");
        assert_eq!(markdown("<h2>C#</h2>"), "## C#");
    }

    #[test]
    fn list_items_are_dashed_or_numbered_and_one_list_is_tight() {
        assert_eq!(
            markdown("<p>Buy:</p><ul><li>milk</li><li>- eggs</li></ul><ol><li>Mix</li><li>Bake</li></ol>"),
            "Buy:\n\n- milk\n- \\- eggs\n\n1. Mix\n2. Bake"
        );
        // Lines an item's `<br>` split stay in the item; a `<p>` in one is a paragraph.
        assert_eq!(
            markdown("<ol><li>One<br>1. more</li><li><p>Two</p></li></ol>"),
            "1. One\n   1\\. more\n\nTwo"
        );
        // A step with code numbers on after it; so does an item after a nested list;
        // an item's text after its code is the item's, not an item of its own (found
        // by a review: "1. Build" after step 2's code, and "1. more of one").
        assert_eq!(
            markdown(
                "<ol><li>Install</li><li>Clone:<pre>git clone x</pre></li><li>Build</li>\
                 <li>Test<ul><li>unit</li></ul></li><li>Ship</li></ol>"
            ),
            "1. Install\n2. Clone:\n\n```\ngit clone x\n```\n\n3. Build\n4. Test\n\n- unit\n\n5. Ship"
        );
        assert_eq!(
            markdown("<ol><li>Step one<pre>code</pre>more of one</li><li>Step two</li></ol>"),
            "1. Step one\n\n```\ncode\n```\n\nmore of one\n\n2. Step two"
        );
    }

    #[test]
    fn a_quotation_marks_every_line() {
        assert_eq!(
            markdown(
                "<blockquote><p>To be,<br>or not.</p><h4>Hamlet</h4></blockquote><p>After.</p>"
            ),
            "> To be,\n> or not.\n\n> #### Hamlet\n\nAfter."
        );
    }

    #[test]
    fn code_is_fenced_past_its_backticks_and_never_escaped() {
        let html =
            "<p>Run:</p><pre><code>let s = \"```\";\n\n# not a heading\n  1. indented</code></pre>";
        assert_eq!(
            markdown(html),
            "Run:\n\n````\nlet s = \"```\";\n\n# not a heading\n  1. indented\n````"
        );
        assert_eq!(markdown("<pre>ls -l</pre>"), "```\nls -l\n```");
    }

    #[test]
    fn table_rows_have_a_header_and_escaped_pipes() {
        let html = "<table><tr><th>Name</th><th>Value</th></tr>\
            <tr><td>a|b</td><td>1<br>2</td></tr><tr><td>c</td><td>3</td></tr></table><p>After.</p>";
        assert_eq!(
            markdown(html),
            "| Name | Value |\n| --- | --- |\n| a\\|b | 1 2 |\n| c | 3 |\n\nAfter."
        );
        // Escaped as inside a line; a backslash before a pipe stays a backslash.
        let html = "<table><tr><th>&lt;b&gt;</th><th>[t](u)</th></tr>\
            <tr><td>a\\|b</td><td>a\\*b</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| \\<b> | [t\\](u) |\n| --- | --- |\n| a\\\\\\|b | a\\\\*b |"
        );
    }

    #[test]
    fn a_partial_row_is_padded_and_a_one_column_table_is_paragraphs() {
        let html = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>";
        let page = segment_str(html, InputFormat::Html);
        assert_eq!(
            content_markdown(&page, &[true, true, false, true]),
            "| a | b |\n| --- | --- |\n| d |  |"
        );
        assert_eq!(
            content_markdown(&page, &[true, false, true, false]),
            "a\n\nc"
        );
        // A layout table's text cell, its lines split by `<br>`: one paragraph.
        assert_eq!(
            markdown("<table><tr><td>First line<br>second line</td></tr></table>"),
            "First line\nsecond line"
        );
    }

    #[test]
    fn ordered_lists_number_from_their_start() {
        // Found by a review: `start` was ignored.
        assert_eq!(
            markdown("<ol start=5><li>e</li><li>f</li></ol><ol start=' 7th'><li>g</li></ol>"),
            "5. e\n6. f\n\n7. g"
        );
        assert_eq!(
            markdown("<ol reversed><li>c</li><li>b</li><li>a</li></ol>"),
            "3. c\n2. b\n1. a"
        );
        assert_eq!(
            markdown("<ol reversed start=10><li>x</li><li value=4>y</li><li>z</li></ol>"),
            "10. x\n4. y\n3. z"
        );
        // Markdown reads no sign and at most nine digits as an item's number.
        assert_eq!(
            markdown("<ol start=-2><li>a</li></ol><ol start=12345678901><li>b</li></ol>"),
            "0. a\n\n999999999. b"
        );
        // A dropped item is not counted; `start` on a `<ul>` sets nothing.
        let page = segment_str(
            "<ol start=3><li>c</li><li>d</li><li>e</li></ol><ul start=4><li>u</li></ul>",
            InputFormat::Html,
        );
        assert_eq!(
            content_markdown(&page, &[false, true, true, true]),
            "3. d\n4. e\n\n- u"
        );
    }

    #[test]
    fn text_that_would_be_read_as_a_reference_is_escaped() {
        // Found by a review: a page showing `&amp;` gave `&amp;`, which Markdown
        // reads as `&`.
        let html = "<h2>Fish &amp;amp; chips</h2><p>Write &amp;amp; for &amp;, \
            &amp;#169; or &amp;#x1F; &amp; more; AT&amp;T; a &amp; b, &amp;#; &amp;#xZ;</p>\
            <table><tr><td>&amp;lt;</td><td>x</td></tr><tr><td>y</td><td>z</td></tr></table>\
            <pre>&amp;amp; in code</pre>";
        assert_eq!(
            markdown(html),
            "## Fish \\&amp; chips\n\nWrite \\&amp; for &, \\&#169; or \\&#x1F; & more; AT\\&T; \
             a & b, &#; &#xZ;\n\n| \\&lt; | x |\n| --- | --- |\n| y | z |\n\n```\n&amp; in code\n```"
        );
    }

    #[test]
    fn text_read_as_structure_at_a_line_start_is_escaped() {
        let html = "<p># Not a heading</p><p>1. Not a list</p><p>2) Nor this</p>\
            <p>> Not a quote</p><p>- Nor a list</p><p>* Nor</p><p>---</p><p>===</p>\
            <p>```</p><p>&lt;div&gt; is a tag</p><p>[1]: http://example.com</p>\
            <p>#hashtag, 1.5 million, -5 degrees, *emphasis*, a # b</p>\
            <p>C:\\Users\\me, \\*not emphasis\\*, a &lt;script&gt; tag, [a](http://b), 1 < 2 ] (x)</p>";
        assert_eq!(
            markdown(html),
            "\\# Not a heading\n\n1\\. Not a list\n\n2\\) Nor this\n\n\\> Not a quote\n\n\
             \\- Nor a list\n\n\\* Nor\n\n\\---\n\n\\===\n\n\\```\n\n\\<div> is a tag\n\n\
             \\[1]: http://example.com\n\n#hashtag, 1.5 million, -5 degrees, *emphasis*, a # b\n\n\
             C:\\Users\\me, \\\\*not emphasis\\\\*, a \\<script> tag, [a\\](http://b), 1 < 2 ] (x)"
        );
    }

    #[test]
    fn only_kept_visible_blocks_are_written() {
        let page = segment_str(
            "<nav><ul><li>Home</li></ul></nav><h1>Title</h1><p>\u{200b}</p><p>Text.</p>",
            InputFormat::Html,
        );
        assert_eq!(
            content_markdown(&page, &[false, true, true, true]),
            "# Title\n\nText."
        );
    }

    #[test]
    fn plain_text_lines_are_paragraphs() {
        let page = segment_str(
            "# Not markup\nFirst line.\nSecond line.\n\n1. Third\n",
            InputFormat::Text,
        );
        assert_eq!(
            content_markdown(&page, &[true; 4]),
            "\\# Not markup\n\nFirst line.\n\nSecond line.\n\n1\\. Third"
        );
    }
}
