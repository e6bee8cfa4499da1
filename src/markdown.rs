//! Markdown output: the main text of a classified page written with its structure
//! (headings, list items, quotations, code blocks, tables), for the corpora that keep
//! it, such as training data for language models and search indexes. The plain main
//! text ([`crate::label::content_text`]) writes the same blocks one per line.
//!
//! The structure is read from each kept block's elements ([`Block::tag`], the
//! innermost block-level one, and [`Block::tags`], all those open around it), ids
//! ([`Block::parent`], [`Block::element`], [`Block::cell`]) and the page's tables and
//! list numbers ([`Page::cells`], [`Page::numbering`]) after classification: the model
//! never sees the Markdown, so it changes no probability and no label, only how the
//! kept text is written. Only kept blocks are written, so a list, a table or a row may
//! be partial.
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
//! * A table: the kept blocks of its cells as a GFM table, a row a line. Every block in
//!   a cell, whatever it is (paragraphs, a list, a `<pre>` of one line, a quotation),
//!   goes into the cell, and its lines (those of a paragraph's `<br>`s too) are joined
//!   by `<br>`, the line break GFM tables hold: a space would run lines the page set
//!   apart into one sentence. Headings' `#`, items' markers and fences are not written
//!   in a cell, and pipes are escaped. Each cell goes in its column as a browser lays
//!   the table out ([`Cell::column`](crate::segment::Cell::column)): after the columns
//!   the cells before it span (`colspan`), in the first one that no cell of a row above
//!   spans down into (`rowspan`, within its `<tbody>`, `<thead>` or `<tfoot>`; 0 for
//!   the rest of it). GFM has no spans: a spanning cell is written once, in its first
//!   row and column, and the other columns and rows it spans are empty. The model's
//!   dropped cells leave their columns empty (a dropped cell spanning rows still takes
//!   its columns below), a column it dropped whole is left out, and every row has as
//!   many cells as the table has columns. The first kept row is the header (GFM tables
//!   need one; it is the page's own when the page's first row is kept), then the
//!   delimiter row. A table inside a table's cell is a table of its own, and the table
//!   around it, which lays the page out, is written as ordinary blocks (GFM tables do
//!   not nest). So are a table of one kept row or column, one holding code of several
//!   lines, and one with a cell too long for a line (`table_columns` says why).
//! * Anything else, and every line of plain text ([`Tag::Line`]): a paragraph. Plain
//!   text has no markup to tell structure by; each line is a block to the model, so
//!   each is a paragraph here.
//!
//! Blocks are separated by a blank line, the items of one list by a line break.
//! Consecutive kept blocks of one element that `<br>` split ([`Block::element`]) are
//! one paragraph, item or code block, their pieces on lines of their own, ended in a
//! paragraph or an item by a hard break (a backslash ending the line; a plain line
//! break renders as a space); in a heading they are joined by a space.
//!
//! Escaping is kept to what Markdown would read as something other than the text. At
//! the start of a line, where text would be read as structure: a backslash goes before
//! the `#` of `# Title`, the `.` of `1. `, the `-`, `+` or `*` of a list marker, a `>`,
//! a line of only `-`, `*`, `_` or `=` (a rule or an underline making a heading), three
//! backticks or tildes (a fence), a `<` opening a tag, and a `[` that could define a
//! link (`[1]: http…`, which Markdown would hide). Inside a line (`push_inline`): a
//! backslash before punctuation, a `<` opening a tag, the `]` of `[text](url)`, an
//! `&` starting an entity or character reference (`&amp;` shown as text), every
//! backtick (a code span would hide the text's backslashes and run ``` ``TeX'' ```
//! quotes into the words), and every `*` and `_` of a run that CommonMark's rules
//! could read as opening or closing emphasis (`__init__`, `a*b*c`), and of `~` read the
//! same way as GFM's strikethrough (`~~old~~`). A run they could
//! not is left as it is: a `*` or `**` with spaces on both sides (`2 * 3`) and a `_`
//! inside a word (`snake_case`), so most text reads as the page wrote it.

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
    /// Anything else.
    Paragraph,
}

impl Kind {
    fn of(block: &Block) -> Kind {
        // Inside `<pre>` first: a `<pre>` in an item is still code.
        if block.tags.contains(Tag::Pre) {
            return Kind::Code;
        }
        match block.tag {
            Tag::Li => Kind::Item {
                ordered: block.tags.contains(Tag::Ol) && !block.tags.contains(Tag::Ul),
            },
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
    let layout = layout_tables(page);
    let mut list: Option<List> = None;
    let mut numbers = Numbers::default();
    // The element of the last item written: a later block of it is the item's tail
    // after a nested block, not an item of its own (found by a review).
    let mut last_item: Option<u32> = None;
    // The kept blocks of a table written as ordinary blocks end here: its cells are
    // not looked at again for each of its blocks.
    let mut plain_until = 0;
    let mut at = 0;
    while let Some(&(first, _)) = kept.get(at) {
        let rest = &kept[at..];
        let block = &page.blocks[first];
        if at >= plain_until {
            if let Some(table) = table_of(page, block) {
                let len = rest
                    .iter()
                    .take_while(|&&(i, _)| table_of(page, &page.blocks[i]) == Some(table))
                    .count();
                if let Some(columns) = table_columns(page, &layout, table, &rest[..len]) {
                    if !out.is_empty() {
                        out.push_str("\n\n");
                    }
                    write_table(&mut out, page, &columns, &rest[..len]);
                    list = None;
                    at += len;
                    continue;
                }
                plain_until = at + len;
            }
        }
        let kind = Kind::of(block);
        let quoted = block.tags.contains(Tag::Blockquote);
        let len = match kind {
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
        let unit = &rest[..len];
        at += len;
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

/// A paragraph, its lines (a `<br>` splits them) ended by a hard break.
fn paragraph(out: &mut String, quoted: bool, unit: &[Kept<'_>]) {
    for (k, line) in lines(unit).enumerate() {
        if k > 0 {
            hard_break(out);
        }
        line_start(out, quoted);
        push_escaped(out, line);
    }
}

/// A line break Markdown renders as one, a backslash ending the line (found by an
/// audit: a plain line break is rendered as a space, which ran a poem's or an
/// address's lines together). A backslash ending the text before it is escaped
/// ([`push_inline`]), so this one is the break.
fn hard_break(out: &mut String) {
    out.push_str("\\\n");
}

/// A list item: `- ` or `N. `, its further lines (after a hard break) indented to the
/// text so they stay in the item.
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
            hard_break(out);
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

/// The table whose cell holds `block` (the innermost), if any.
fn table_of(page: &Page, block: &Block) -> Option<u32> {
    page.cell(block.cell).map(|c| c.table)
}

/// The tables of the page that hold another table in a cell, in order: they lay the
/// page out, and their cells are written as ordinary blocks.
fn layout_tables(page: &Page) -> Vec<u32> {
    let mut tables: Vec<u32> = page
        .cells
        .iter()
        .filter(|c| c.holds_table)
        .map(|c| c.table)
        .collect();
    tables.sort_unstable();
    tables.dedup();
    tables
}

/// The longest text (in characters) a cell of a table written as a Markdown table
/// holds. A longer cell is mostly a page's article, sidebar or menu laid out by a
/// table: on one line, its paragraphs, headings and lists would run together. Of the
/// 797 tables `extract --markdown` wrote from the four datasets' HTML pages without
/// this bound (nor the one-row rule of [`table_columns`]), 32 had a longer cell: 28 laid a page out, 4 held data (minutes,
/// revision notes, a log) in cells that read as well as paragraphs. The longest cells
/// of data tables under it: a course schedule's readings (1,312) and a product's
/// features (1,479).
const MAX_CELL_CHARS: usize = 1500;

/// The columns of table `table`'s kept blocks `run` (see [`columns`]) when they are
/// written as a Markdown table; None when its cells are written as ordinary blocks,
/// as a layout table's are: a table holding another one ([`layout_tables`]), one of
/// one kept column (mostly a layout table's text cell, its menus and sidebars
/// dropped) or of one kept row (mostly a layout's columns side by side, or a data
/// table's header without its body: a Markdown table needs a header row, and one of
/// only that says no more than its cells as paragraphs), one with code of several
/// lines (a code listing beside its line numbers, as Pygments and Hugo highlight
/// code: the code would lose its lines in a cell), and one with a cell longer than
/// [`MAX_CELL_CHARS`].
fn table_columns(page: &Page, layout: &[u32], table: u32, run: &[Kept<'_>]) -> Option<Vec<u32>> {
    let code =
        |&(i, text): &Kept<'_>| page.blocks[i].tags.contains(Tag::Pre) && text.contains('\n');
    let long = |cell: &[Kept<'_>]| {
        cell.iter()
            .map(|(_, text)| text.chars().count())
            .sum::<usize>()
            > MAX_CELL_CHARS
    };
    if layout.binary_search(&table).is_ok()
        || run.iter().any(code)
        || runs(page, run, |b| b.cell).any(long)
    {
        return None;
    }
    let columns = columns(page, run);
    let rows = runs(page, run, row_of(page)).count();
    (columns.len() >= 2 && rows >= 2).then_some(columns)
}

/// The row of a block in a table's cell, as an id for [`runs`].
fn row_of(page: &Page) -> impl Fn(&Block) -> u32 + '_ {
    |b| page.cell(b.cell).map_or(0, |c| c.row)
}

/// The columns of a table's kept blocks `run` that hold one at least, in order: a
/// column the model dropped whole is not written.
fn columns(page: &Page, run: &[Kept<'_>]) -> Vec<u32> {
    let mut columns: Vec<u32> = run
        .iter()
        .filter_map(|&(i, _)| page.cell(page.blocks[i].cell))
        .map(|c| c.column)
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns
}

/// A table's kept blocks `run` as a Markdown table of `columns`: a row a line, a
/// cell's blocks in its column (the cells the model dropped empty), the first row the
/// header.
fn write_table(out: &mut String, page: &Page, columns: &[u32], run: &[Kept<'_>]) {
    // Quoted when the table is: a quotation inside a cell is flattened into it.
    let quoted = run
        .iter()
        .all(|&(i, _)| page.blocks[i].tags.contains(Tag::Blockquote));
    let column_of = |cell: &[Kept<'_>]| {
        let column = page
            .cell(page.blocks[cell[0].0].cell)
            .map_or(0, |c| c.column);
        columns.partition_point(|&c| c < column)
    };
    for (r, row) in runs(page, run, row_of(page)).enumerate() {
        if r > 0 {
            out.push('\n');
        }
        line_start(out, quoted);
        out.push('|');
        // The columns written before the open cell, which is not closed yet: a cell
        // in its column or before it (only in a page built by hand) joins it rather
        // than drop out of the table.
        let mut written = 0;
        let mut open = false;
        for cell in runs(page, row, |b| b.cell) {
            let column = column_of(cell);
            if open && column < written {
                out.push_str("<br>");
            } else {
                if open {
                    out.push_str(" |");
                }
                for _ in written..column {
                    out.push_str("  |");
                }
                out.push(' ');
                written = column + 1;
                open = true;
            }
            cell_text(out, cell);
        }
        if open {
            out.push_str(" |");
        }
        for _ in written..columns.len() {
            out.push_str("  |");
        }
        if r == 0 {
            out.push('\n');
            line_start(out, quoted);
            out.push('|');
            for _ in columns {
                out.push_str(" --- |");
            }
        }
    }
}

/// A cell's kept blocks on its row's line: each line of them (a paragraph, an item,
/// a piece a `<br>` split off, a line of code) after a `<br>`, the line break GFM
/// tables hold, so lines that the page set apart do not run together.
fn cell_text(out: &mut String, cell: &[Kept<'_>]) {
    let lines = lines(cell).map(str::trim).filter(|line| !line.is_empty());
    for (k, line) in lines.enumerate() {
        if k > 0 {
            out.push_str("<br>");
        }
        push_cell_text(out, line);
    }
}

/// The runs of consecutive blocks of `unit` with the same `id`: a table's rows or a
/// row's cells.
fn runs<'a>(
    page: &'a Page,
    unit: &'a [Kept<'a>],
    id: impl Fn(&Block) -> u32 + 'a,
) -> impl Iterator<Item = &'a [Kept<'a>]> + 'a {
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
            // backslash would be the literal one. The text around it is escaped with
            // the whole line around it, as Markdown reads emphasis.
            push_inline_in(out, line, 0..at);
            out.push('\\');
            out.push_str(&line[at..=at]);
            push_inline_in(out, line, at + 1..line.len());
        }
        None => push_inline(out, line),
    }
}

/// Writes text with a backslash before what Markdown would read inside a line as
/// something other than the text the page showed (found by a review): a backslash
/// before punctuation (`\*` is a literal `*`) or at the end, a `<` opening a tag (`<script>` shown as
/// text was raw HTML), the `]` of `[text](url)` (shown as text, it was a live link),
/// an `&` starting a reference (`&amp;` shown as text was an `&`; found by a later
/// review), every backtick (``` ``TeX'' ``` quotes and stray backticks made code spans),
/// and each `*` or `_` of a run that could open or close emphasis ([`emphasis_at`]; found
/// by an audit: `__init__` was a bold "init", `a*b*c` an "abc").
fn push_inline(out: &mut String, text: &str) {
    push_inline_in(out, text, 0..text.len());
}

/// [`push_inline`] for `line[range]`, the rest of the line read around it (where a run
/// of `*` or `_` is, what stands before and after it decides whether it is emphasis).
fn push_inline_in(out: &mut String, line: &str, range: std::ops::Range<usize>) {
    let bytes = line.as_bytes();
    let text = &bytes[..range.end];
    let mut copied = range.start;
    // The candidates in order, found by memchr (a byte-by-byte scan cost this twice
    // the time of the rest of the Markdown).
    let mut marks = memchr::memchr3_iter(b'\\', b'<', b']', &text[range.start..]).peekable();
    let mut emphasis = memchr::memchr3_iter(b'*', b'_', b'`', &text[range.start..]).peekable();
    // `&`, and `~` (GFM's strikethrough, `~~text~~`, read as `*` is).
    let mut amps_and_tildes = memchr::memchr2_iter(b'&', b'~', &text[range.start..]).peekable();
    let candidates = std::iter::from_fn(|| {
        let next = [marks.peek(), emphasis.peek(), amps_and_tildes.peek()]
            .into_iter()
            .flatten()
            .min()
            .copied()?;
        if marks.peek() == Some(&next) {
            marks.next();
        } else if emphasis.peek() == Some(&next) {
            emphasis.next();
        } else {
            amps_and_tildes.next();
        }
        Some(range.start + next)
    });
    // The run of `*` or `_` the last one was in, and whether it is escaped.
    let mut run = (0, false);
    for at in candidates {
        let next = bytes.get(at + 1).copied();
        let escape = match bytes[at] {
            // At the end too: what follows is a line break (a hard break in a
            // paragraph, `<br>` in a cell, where `\<` hid the backslash and showed the
            // tag; found by a review), or the end, where `\\` reads as `\` all the same.
            b'\\' => next.is_none_or(|b| b.is_ascii_punctuation()),
            b'<' => {
                next.is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'))
            }
            b'&' => starts_reference(&bytes[at + 1..]),
            b']' => next == Some(b'('),
            b'`' => true,
            c => {
                if at >= run.0 {
                    let end = at + text[at..].iter().take_while(|&&b| b == c).count();
                    run = (end, emphasis_at(line, at, end));
                }
                run.1
            }
        };
        if escape {
            out.push_str(&line[copied..at]);
            out.push('\\');
            copied = at;
        }
    }
    out.push_str(&line[copied..range.end]);
}

/// What a character next to a run of `*` or `_` is to Markdown's emphasis rules.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Space,
    Punctuation,
    Other,
}

/// What `c` (None: the line's start or end) may be to a Markdown renderer, as
/// [`emphasis_at`] tries each. Renderers differ past ASCII (CommonMark 0.31 counts
/// symbols as punctuation, 0.30 did not) and the text's ends may be next to markup (a
/// cell's `<br>`, a hard break's backslash), so those are what they may be.
fn sides(c: Option<char>) -> &'static [Side] {
    use Side::*;
    match c {
        None => &[Space, Punctuation],
        Some(c) if c.is_ascii_whitespace() || c == '\x0b' => &[Space],
        Some(c) if c.is_ascii_punctuation() => &[Punctuation],
        Some(c) if c.is_ascii() || c.is_alphanumeric() => &[Other],
        Some(c) if c.is_whitespace() => &[Space, Other],
        Some(_) => &[Punctuation, Other],
    }
}

/// Whether the run of `*` or `_` at `line[start..end]` could open or close emphasis,
/// by CommonMark's rules: a run is left-flanking when what follows is no space and
/// either no punctuation or after a space or punctuation, right-flanking the other
/// way round; `*` opens when left-flanking and closes when right-flanking, `_` too but
/// not inside a word (`snake_case`: flanking both ways, between letters). Each side is
/// tried as all it may be ([`sides`]); escaping a run that could not pair with another
/// costs a backslash, leaving one that does changes the text.
fn emphasis_at(line: &str, start: usize, end: usize) -> bool {
    use Side::*;
    let before = line[..start].chars().next_back();
    let after = line[end..].chars().next();
    let underscore = line.as_bytes()[start] == b'_';
    sides(before).iter().any(|&before| {
        sides(after).iter().any(|&after| {
            let left = after != Space && (after != Punctuation || before != Other);
            let right = before != Space && (before != Punctuation || after != Other);
            match underscore {
                true => {
                    (left && (!right || before == Punctuation))
                        || (right && (!left || after == Punctuation))
                }
                false => left || right,
            }
        })
    })
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

    /// The Markdown of `html` with only the blocks `kept` (the model's labels).
    fn markdown_kept(html: &str, kept: &[bool]) -> String {
        content_markdown(&segment_str(html, InputFormat::Html), kept)
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
            "1. One\\\n   1\\. more\n\nTwo"
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
            "> To be,\\\n> or not.\n\n> #### Hamlet\n\nAfter."
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
        let html = "<table><thead><tr><th>Name</th><th>Value</th></tr></thead>\
            <tbody><tr><td>a|b</td><td>1<br>2</td></tr><tr><td>c</td><td>3</td></tr></tbody>\
            </table><p>After.</p>";
        assert_eq!(
            markdown(html),
            "| Name | Value |\n| --- | --- |\n| a\\|b | 1<br>2 |\n| c | 3 |\n\nAfter."
        );
        // Escaped as inside a line; a backslash before a pipe stays a backslash.
        let html = "<table><tr><th>&lt;b&gt;</th><th>[t](u)</th></tr>\
            <tr><td>a\\|b</td><td>a\\*b</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| \\<b> | [t\\](u) |\n| --- | --- |\n| a\\\\\\|b | a\\\\\\*b |"
        );
    }

    #[test]
    fn a_cells_blocks_stay_on_its_rows_line() {
        // Found by a review: a `<p>`, a `<div>`, a `<pre>` or a list in a cell broke
        // the row into paragraphs, code blocks and items, and the table in pieces.
        let html = "<table><tr><th>Name</th><th>Notes</th></tr>\
            <tr><td><p>a</p><p>b</p></td><td><div>x</div></td></tr>\
            <tr><td><pre>let x = 1;</pre></td><td><ul><li>one</li><li>two|three</li></ul></td></tr>\
            <tr><td><h3># Big</h3></td><td><blockquote><p>&gt; said</p></blockquote></td></tr>\
            </table>";
        assert_eq!(
            markdown(html),
            "| Name | Notes |\n| --- | --- |\n| a<br>b | x |\n\
             | let x = 1; | one<br>two\\|three |\n| # Big | > said |"
        );
        // A `<br>` shown as text is no line break.
        assert_eq!(
            markdown("<table><tr><td>a&lt;br&gt;b</td><td>c</td></tr><tr><td>d</td><td>e</td></tr></table>"),
            "| a\\<br>b | c |\n| --- | --- |\n| d | e |"
        );
    }

    #[test]
    fn cells_keep_their_columns_when_rows_differ_or_cells_are_dropped() {
        // Spans count; short rows are padded.
        let html = "<table><tr><th colspan=2>Both</th><th>C</th></tr>\
            <tr><td>1</td><td>2</td><td>3</td></tr><tr><td>4</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| Both |  | C |\n| --- | --- | --- |\n| 1 | 2 | 3 |\n| 4 |  |  |"
        );
        // Blocks a, b, c / d, e, f, g: a dropped cell leaves its column empty, a cell
        // dropped in part keeps the rest, a column dropped whole is left out.
        let html = "<table><tr><td>a</td><td>b</td><td>c</td></tr>\
            <tr><td>d</td><td><p>e</p><p>f</p></td><td>g</td></tr></table>";
        let page = segment_str(html, InputFormat::Html);
        let kept = |labels: &str| {
            content_markdown(
                &page,
                &labels.bytes().map(|b| b == b'1').collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            kept("1011111"),
            "| a |  | c |\n| --- | --- | --- |\n| d | e<br>f | g |"
        );
        assert_eq!(kept("1101010"), "| a | b |\n| --- | --- |\n| d | f |");
        assert_eq!(kept("0110100"), "| b | c |\n| --- | --- |\n| e |  |");
    }

    /// A timetable: blocks Day, Time, Talk / Mon, 9:00, Intro / 10:00, Rust.
    const TIMETABLE: &str = "<table><tr><th>Day</th><th>Time</th><th>Talk</th></tr>\
        <tr><td rowspan=2>Mon</td><td>9:00</td><td>Intro</td></tr>\
        <tr><td>10:00</td><td>Rust</td></tr></table>";

    #[test]
    fn a_rowspan_in_the_first_column_moves_the_row_below_right() {
        // As a browser lays it out; the spanned column is empty below (GFM has no
        // spans).
        assert_eq!(
            markdown(TIMETABLE),
            "| Day | Time | Talk |\n| --- | --- | --- |\n| Mon | 9:00 | Intro |\n\
             |  | 10:00 | Rust |"
        );
    }

    #[test]
    fn a_rowspan_in_a_middle_column_leaves_it_empty_below() {
        // A row without cells is a row the span reaches into.
        let html = "<table><tr><td>a</td><td rowspan=3>b</td><td>c</td></tr><tr></tr>\
            <tr><td>d</td><td>e</td></tr><tr><td>f</td><td>g</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| a | b | c |\n| --- | --- | --- |\n| d |  | e |\n| f | g |  |"
        );
    }

    #[test]
    fn a_rowspan_with_a_colspan_takes_its_columns_below() {
        let html = "<table><tr><td rowspan=2 colspan=2>ab</td><td>c</td></tr>\
            <tr><td>f</td></tr><tr><td>g</td><td>h</td><td>i</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| ab |  | c |\n| --- | --- | --- |\n|  |  | f |\n| g | h | i |"
        );
    }

    #[test]
    fn a_rowspan_past_the_end_of_the_table_adds_no_rows() {
        // And the next table starts free; a `rowspan` that is no number spans one row.
        let html = "<table><tr><td>a</td><td rowspan=9>b</td></tr>\
            <tr><td>c</td><td>d</td></tr></table>\
            <table><tr><td rowspan=x>e</td><td>f</td></tr><tr><td>g</td><td>h</td></tr></table>";
        assert_eq!(
            markdown(html),
            "| a | b |  |\n| --- | --- | --- |\n| c |  | d |\n\n\
             | e | f |\n| --- | --- |\n| g | h |"
        );
    }

    #[test]
    fn rowspan_zero_spans_the_rest_of_its_row_group() {
        // The rest of its `<tbody>`, and no further.
        let html = "<table><tbody><tr><td rowspan=0>x</td><td>1</td></tr><tr><td>2</td></tr>\
            <tr><td>3</td></tr></tbody><tbody><tr><td>4</td><td>5</td></tr></tbody></table>";
        assert_eq!(
            markdown(html),
            "| x | 1 |\n| --- | --- |\n|  | 2 |\n|  | 3 |\n| 4 | 5 |"
        );
    }

    #[test]
    fn a_dropped_rowspan_cell_still_takes_its_column_below() {
        let kept = |labels: &str| {
            let labels: Vec<bool> = labels.bytes().map(|b| b == b'1').collect();
            markdown_kept(TIMETABLE, &labels)
        };
        assert_eq!(
            kept("11101111"),
            "| Day | Time | Talk |\n| --- | --- | --- |\n|  | 9:00 | Intro |\n\
             |  | 10:00 | Rust |"
        );
        // Its column dropped whole is left out.
        assert_eq!(
            kept("01101111"),
            "| Time | Talk |\n| --- | --- |\n| 9:00 | Intro |\n| 10:00 | Rust |"
        );
    }

    #[test]
    fn a_table_that_lays_the_page_out_is_written_as_blocks() {
        // A table in a cell is a table; the one around it lays the page out.
        let html = "<table><tr><td><h2>Title</h2><p>Text.</p>\
            <table><tr><td>k</td><td>v</td></tr><tr><td>k2</td><td>v2</td></tr></table>\
            <p>More.</p></td><td><ul><li>Side</li></ul></td></tr></table>";
        assert_eq!(
            markdown(html),
            "## Title\n\nText.\n\n| k | v |\n| --- | --- |\n| k2 | v2 |\n\nMore.\n\n- Side"
        );
        // One row, or one column, is no table; the blocks keep their own form.
        assert_eq!(
            markdown("<table><tr><td><h3>Menu</h3></td><td><p>One</p><p>Two</p></td></tr></table>"),
            "### Menu\n\nOne\n\nTwo"
        );
        assert_eq!(
            markdown_kept(
                "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
                &[true, false, true, false]
            ),
            "a\n\nc"
        );
        assert_eq!(
            markdown("<table><tr><td>First line<br>second line</td></tr></table>"),
            "First line\\\nsecond line"
        );
        // A code listing beside its line numbers keeps its lines.
        assert_eq!(
            markdown(
                "<table><tr><td><pre>1\n2</pre></td><td><pre>fn f() {\n}</pre></td></tr></table>"
            ),
            "```\n1\n2\n```\n\n```\nfn f() {\n}\n```"
        );
        // A cell holding an article.
        let long = "word ".repeat(MAX_CELL_CHARS / 5 + 1);
        let html = format!(
            "<table><tr><td>Nav</td><td><p>{long}</p></td></tr><tr><td>a</td><td>b</td></tr></table>"
        );
        assert_eq!(markdown(&html), format!("Nav\n\n{}\n\na\n\nb", long.trim()));
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
        assert_eq!(
            markdown_kept(
                "<ol start=3><li>c</li><li>d</li><li>e</li></ol><ul start=4><li>u</li></ul>",
                &[false, true, true, true]
            ),
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

    /// Found by a review: a line ending with a backslash before a cell's `<br>` made
    /// `\<br>`, an escaped `<`, so the backslash was lost and the tag shown; before a
    /// paragraph's line break, a hard break that lost it too.
    #[test]
    fn a_backslash_ending_a_line_is_escaped() {
        let html = "<table><tr><th>Path</th><th>Kind</th></tr>\
            <tr><td><p>C:\\</p><p>next line</p></td><td>dir</td></tr></table>\
            <p>ends with \\<br>then more</p><p>last \\</p>";
        assert_eq!(
            markdown(html),
            "| Path | Kind |\n| --- | --- |\n| C:\\\\<br>next line | dir |\n\n\
             ends with \\\\\\\nthen more\n\nlast \\\\"
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
             \\- Nor a list\n\n\\* Nor\n\n\\---\n\n\\===\n\n\\`\\`\\`\n\n\\<div> is a tag\n\n\
             \\[1]: http://example.com\n\n#hashtag, 1.5 million, -5 degrees, \\*emphasis\\*, a # b\n\n\
             C:\\Users\\me, \\\\\\*not emphasis\\\\\\*, a \\<script> tag, [a\\](http://b), 1 < 2 ] (x)"
        );
    }

    /// Found by an audit: rendered, `__init__` was a bold "init", `a*b*c` an "abc" and
    /// `SODIMM*2, Slot*2` a "SODIMM2, Slot2".
    #[test]
    fn emphasis_delimiters_are_escaped() {
        assert_eq!(
            markdown("<p>Define __init__ and __str__.</p>"),
            "Define \\_\\_init\\_\\_ and \\_\\_str\\_\\_."
        );
        assert_eq!(markdown("<p>a*b*c</p>"), "a\\*b\\*c");
        assert_eq!(markdown("<p>SODIMM*2, Slot*2</p>"), "SODIMM\\*2, Slot\\*2");
        // In a heading, an item, a cell, and after an escaped line start.
        assert_eq!(
            markdown("<h2>_id</h2><ul><li>*x*</li></ul><p>1. *b*</p>"),
            "## \\_id\n\n- \\*x\\*\n\n1\\. \\*b\\*"
        );
    }

    #[test]
    fn underscores_inside_words_and_lone_stars_are_left_alone() {
        // Neither can open or close emphasis: left as the text, readable.
        assert_eq!(
            markdown("<p>snake_case and my_var_name, 2 * 3, a ** b, _x_y_</p>"),
            "snake_case and my_var_name, 2 * 3, a ** b, \\_x_y\\_"
        );
    }

    /// GFM's strikethrough (`~~old~~`, and `~old~` in GitHub's renderer) hid text as
    /// emphasis did: a run of `~` that could open or close one is escaped, as `*` is.
    #[test]
    fn strikethrough_tildes_are_escaped() {
        assert_eq!(
            markdown("<p>~~old~~ price, ~5 km, a ~ b</p>"),
            "\\~\\~old\\~\\~ price, \\~5 km, a ~ b"
        );
    }

    /// Found by an audit: TeX quotes made a code span that ran words together.
    #[test]
    fn backticks_are_escaped_outside_code() {
        assert_eq!(
            markdown("<p>some ``shared'' memory and `ls`</p><pre>`ls`</pre>"),
            "some \\`\\`shared'' memory and \\`ls\\`\n\n```\n`ls`\n```"
        );
    }

    /// Found by an audit: a plain line break renders as a space, so a poem's lines ran
    /// together.
    #[test]
    fn a_br_is_a_hard_break() {
        assert_eq!(
            markdown("<p>Roses are red,<br>violets are blue.</p>"),
            "Roses are red,\\\nviolets are blue."
        );
        assert_eq!(
            markdown("<blockquote><p>a<br>b</p></blockquote><ul><li>c<br>d</li></ul>"),
            "> a\\\n> b\n\n- c\\\n  d"
        );
    }

    #[test]
    fn only_kept_visible_blocks_are_written() {
        assert_eq!(
            markdown_kept(
                "<nav><ul><li>Home</li></ul></nav><h1>Title</h1><p>\u{200b}</p><p>Text.</p>",
                &[false, true, true, true]
            ),
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
