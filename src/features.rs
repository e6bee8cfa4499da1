//! Features: every block of a [`Page`] becomes a named, ordered vector of numbers.
//!
//! The vector has three parts:
//! * the block's own evidence: size, link density, text density, stopwords of many
//!   languages, punctuation and case, boilerplate-lexicon hits, and (HTML only) its
//!   tag, its ancestors' tags, class/id keyword categories and hashed tag paths, or
//!   (plain text only) its indent, the blank lines around it, the labels seen before
//!   and after it, and whether it is cut short with an ellipsis;
//! * page context: relative position, repetition of the same text, overlap with the
//!   title, the first `h1` and the meta description, where the block lies from the
//!   headline and the lede, distance from the page's densest run of prose, container
//!   aggregates;
//! * the "core" features of the neighbours at -2, -1, +1 and +2;
//! * last, when the model has a learned table, the block's word evidence
//!   ([`crate::word_odds`]: its words, word pairs, short-block text and class/id names).
//!
//! Names and values come from one code path ([`Sink`]): the names are produced by
//! running the same writer with a sink that records names, so the two cannot drift
//! apart. Nothing in a row may depend on a branch over the data's *presence*; values
//! that do not apply are written as 0.
//!
//! The cost is linear in the page's text: each block is lowercased once into a reused
//! buffer and passed once through the lexicon automaton and the stopword table.

use crate::input::InputFormat;
use crate::lexicon::{
    lexicon_hits, stopword_stats_each, FxHashMap, COMMENT_CATEGORY, LEXICON_CATEGORIES,
};
use crate::segment::tags::{CLASS_CATEGORIES, TAG_COUNT};
use crate::segment::{Page, Tag};
use crate::word_odds::{
    block_values, BlockReader, ClassCache, ClassEvidence, OddsLookup, Own, WORD_ODDS_FEATURES,
};
use crate::words::{for_each_word, is_ascii_space, is_unspaced_script, lowercase_into};

/// Receives features in order.
pub trait Sink {
    /// One named feature value.
    fn put(&mut self, name: &str, value: f32);
    /// One feature of an indexed family (`prefix` + index), named only when needed.
    fn put_indexed(&mut self, prefix: &str, index: &str, value: f32);
    /// A family of 0/1 features, one per name: feature `k` is bit `k` of `bits`. Most
    /// are 0 (a block has one tag, a few class categories), so a sink can write the
    /// family as one cleared range and its set bits (the scoring sink,
    /// `model::RowSink`, `model::SumSink`) instead of one call per feature.
    fn put_flags(&mut self, prefix: &str, names: &[&str], bits: u64) {
        for (k, name) in names.iter().enumerate() {
            self.put_indexed(prefix, name, ((bits >> k) & 1) as f32);
        }
    }
}

impl Sink for Vec<f32> {
    #[inline]
    fn put(&mut self, _name: &str, value: f32) {
        self.push(value);
    }
    #[inline]
    fn put_indexed(&mut self, _prefix: &str, _index: &str, value: f32) {
        self.push(value);
    }
}

/// A sink that records the names.
#[derive(Default)]
struct NameSink(Vec<String>);

impl Sink for NameSink {
    fn put(&mut self, name: &str, _value: f32) {
        self.0.push(name.to_owned());
    }
    fn put_indexed(&mut self, prefix: &str, index: &str, _value: f32) {
        self.0.push(format!("{prefix}{index}"));
    }
}

/// Features of a block that its neighbours also see.
#[derive(Debug, Clone, Copy, Default)]
struct Core {
    words: f32,
    chars: f32,
    words_log: f32,
    link_density: f32,
    stop_ratio: f32,
    terminal: f32,
    lexicon_coverage: f32,
    punct_ratio: f32,
    digit_ratio: f32,
    upper_ratio: f32,
    avg_word_len: f32,
    text_density: f32,
    heading: f32,
    list_item: f32,
    repeats: f32,
    prose: f32,
}

const NEIGHBOUR_OFFSETS: [(isize, &str); 4] =
    [(-2, "prev2_"), (-1, "prev1_"), (1, "next1_"), (2, "next2_")];

impl Core {
    fn write<S: Sink>(&self, prefix: &str, s: &mut S) {
        s.put_indexed(prefix, "words_log", self.words_log);
        s.put_indexed(prefix, "link_density", self.link_density);
        s.put_indexed(prefix, "stop_ratio", self.stop_ratio);
        s.put_indexed(prefix, "terminal_punct", self.terminal);
        s.put_indexed(prefix, "lexicon_coverage", self.lexicon_coverage);
        s.put_indexed(prefix, "punct_ratio", self.punct_ratio);
        s.put_indexed(prefix, "avg_word_len", self.avg_word_len);
        s.put_indexed(prefix, "text_density", self.text_density);
        s.put_indexed(prefix, "heading", self.heading);
        s.put_indexed(prefix, "list_item", self.list_item);
        s.put_indexed(prefix, "repeats", self.repeats);
        s.put_indexed(prefix, "prose", self.prose);
    }
}

/// Per-block facts computed in the first pass.
#[derive(Debug, Clone, Copy, Default)]
struct BlockStats {
    core: Core,
    lexicon: [u16; 14],
    sentences: f32,
    starts_upper: f32,
    starts_bullet: f32,
    ends_colon: f32,
    ends_ellipsis: f32,
    all_caps: f32,
    time_shape: f32,
    url_shape: f32,
    separators: f32,
    title_overlap: f32,
    title_cover: f32,
    h1_overlap: f32,
    description_overlap: f32,
    description_cover: f32,
    word_offset: f32,
}

/// Column of `words_log`, ln(1 + words), in every mode's rows: the decoder weighs
/// blocks by it ([`crate::decode::Smoothing::length_weight`]).
pub const WORDS_LOG_COLUMN: usize = 0;

/// The names of a model's whole row: [`feature_names`], then, when the model has word
/// evidence, [`WORD_ODDS_FEATURES`] (the order [`for_each_row_with`] writes them in).
pub fn row_names(mode: InputFormat, word_odds: bool) -> Vec<String> {
    let mut names = feature_names(mode);
    if word_odds {
        names.extend(WORD_ODDS_FEATURES.iter().map(|n| n.to_string()));
    }
    names
}

/// The feature names for a mode, in row order.
pub fn feature_names(mode: InputFormat) -> Vec<String> {
    // One synthetic block runs the same writer as real pages.
    let page = match mode {
        InputFormat::Html => crate::segment::html::segment_html("<p>x</p>"),
        InputFormat::Text => crate::segment::text::segment_text("x"),
    };
    let ctx = PageContext::new(&page, mode, None);
    let mut names = NameSink::default();
    ctx.write_row(0, &mut names);
    names.0
}

/// A page's feature matrix, row-major.
#[derive(Debug, Clone, Default)]
pub struct FeatureMatrix {
    /// Number of rows (blocks).
    pub rows: usize,
    /// Number of columns (features).
    pub cols: usize,
    /// Row-major values.
    pub data: Vec<f32>,
}

impl FeatureMatrix {
    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Column `j`, one value per row.
    pub fn column(&self, j: usize) -> Vec<f32> {
        (0..self.rows).map(|i| self.row(i)[j]).collect()
    }
}

/// Calls `f(i, row)` with every block's feature row in order, reusing one buffer, so
/// that scoring a page needs memory for one row instead of the whole matrix (about
/// 1.7 KB per HTML block).
pub fn for_each_row(page: &Page, mode: InputFormat, f: impl FnMut(usize, &[f32])) {
    for_each_row_with(page, mode, None, f)
}

/// [`for_each_row`], each row followed by the block's word evidence from `odds`
/// ([`crate::word_odds::WORD_ODDS_FEATURES`]) when given: read in the same pass over
/// each block's words as the other features (the same values as
/// [`OddsLookup::page_values`], which training uses; a test checks they agree).
pub fn for_each_row_with(
    page: &Page,
    mode: InputFormat,
    odds: Option<&OddsLookup>,
    mut f: impl FnMut(usize, &[f32]),
) {
    let mut row: Vec<f32> = Vec::new();
    write_rows_into(page, mode, odds, &mut row, |i, row| {
        f(i, row);
        row.clear();
    });
}

/// Writes every block's row (with the word evidence from `odds`, when given) into
/// `sink`, in order, calling `done(i, sink)` after block `i`'s row; `done` readies the
/// sink for the next row. Scoring passes a sink that writes each row in place into one
/// buffer of the model's width and scores it ([`crate::model::Model::score`]).
pub(crate) fn write_rows_into<S: Sink>(
    page: &Page,
    mode: InputFormat,
    odds: Option<&OddsLookup>,
    sink: &mut S,
    mut done: impl FnMut(usize, &mut S),
) {
    let ctx = PageContext::new(page, mode, odds);
    for i in 0..page.len() {
        ctx.write_row(i, sink);
        done(i, sink);
    }
}

/// Computes the feature matrix of a page.
pub fn extract(page: &Page, mode: InputFormat) -> FeatureMatrix {
    let ctx = PageContext::new(page, mode, None);
    // The row width is fixed per mode: measure it on the first row, then reserve the
    // whole matrix once.
    let mut data: Vec<f32> = Vec::new();
    let mut cols = 0;
    for i in 0..page.len() {
        let before = data.len();
        ctx.write_row(i, &mut data);
        cols = data.len() - before;
        if i == 0 {
            data.reserve(cols * (page.len() - 1));
        }
    }
    FeatureMatrix {
        rows: page.len(),
        cols,
        data,
    }
}

/// Aggregates of a container element (all blocks sharing a parent id).
#[derive(Debug, Clone, Copy, Default)]
struct Container {
    words: f32,
    link_words: f32,
    blocks: f32,
}

struct PageContext<'a> {
    page: &'a Page,
    mode: InputFormat,
    stats: Vec<BlockStats>,
    total_words: f32,
    max_words: f32,
    densest: usize,
    containers: FxHashMap<u32, Container>,
    /// Prefix sums over blocks of the lexicon hits of short blocks (labels, headings,
    /// buttons), for the categories in [`SEQUENCE_CATEGORIES`]: row `i` holds the sums
    /// over blocks `0..i`.
    label_hits: Vec<[f32; SEQUENCE_CATEGORIES.len()]>,
    /// The headline block (HTML; see [`find_headline`]).
    headline: Option<usize>,
    /// The lede block (HTML; see [`find_lede`]).
    lede: Option<usize>,
    /// Each block's own word evidence and class-name evidence, read from the model's
    /// table when the rows are to carry it.
    odds: Option<(Vec<Own>, Vec<ClassEvidence>)>,
}

/// Lexicon categories whose appearance as a short label ("Comments", "Related
/// stories", "Share", "© 2026", "Subscribe", "Menu") tells what the following or
/// preceding blocks are: (category index in [`LEXICON_CATEGORIES`], name).
const SEQUENCE_CATEGORIES: [(usize, &str); 6] = [
    (COMMENT_CATEGORY, "comment"),
    (5, "related"),
    (3, "share"),
    (6, "legal"),
    (1, "subscribe"),
    (7, "nav"),
];

/// A block this short counts as a label for [`SEQUENCE_CATEGORIES`].
const LABEL_MAX_WORDS: f32 = 8.0;

/// Whether a block ends with an ellipsis (`…`, `...`), closing quotes and brackets
/// aside (`[…]`, `…"`).
fn ends_with_ellipsis(text: &str) -> bool {
    let t = text.trim_end_matches([' ', '"', '\'', '”', '’', '»', ')', ']']);
    t.ends_with('…') || t.ends_with("...")
}

const fn is_terminal(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '。' | '！' | '？' | '…' | '"' | '”' | '»' | ')' | '؟' | '।'
    )
}

/// Characters that separate menu items and breadcrumbs.
const fn is_separator(c: char) -> bool {
    matches!(c, '|' | '·' | '•' | '»' | '›' | '/' | '>' | '–' | '—')
}

/// Character counts of one block's text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct CharStats {
    chars: u32,
    nonspace: u32,
    letters: u32,
    upper: u32,
    digits: u32,
    punct: u32,
    sentences: u32,
    separators: u32,
    /// A digit right after a colon (`5:04`).
    colon_digits: bool,
    words: u32,
}

/// ASCII byte classes for [`CharStats::of_ascii`].
const ASCII_SPACE: u8 = 1;
const ASCII_LETTER: u8 = 2;
const ASCII_UPPER: u8 = 4;
const ASCII_DIGIT: u8 = 8;
const ASCII_TERMINAL: u8 = 16;
const ASCII_SEPARATOR: u8 = 32;

const fn ascii_classes() -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            ASCII_LETTER | ASCII_UPPER
        } else if c.is_ascii_lowercase() {
            ASCII_LETTER
        } else if c.is_ascii_digit() {
            ASCII_DIGIT
        } else if is_ascii_space(c) {
            ASCII_SPACE
        } else {
            // The ASCII members of the general sets, so both paths count alike.
            (if is_terminal(c as char) {
                ASCII_TERMINAL
            } else {
                0
            }) | (if is_separator(c as char) {
                ASCII_SEPARATOR
            } else {
                0
            })
        };
        b += 1;
    }
    t
}

static ASCII_CLASSES: [u8; 128] = ascii_classes();

/// Byte `k` of an [`ASCII_COUNTS`] entry counts field `k` of [`CharStats`]: the
/// byte-wide counters of a run of at most 255 bytes, added in one `u64`.
const COUNT_NONSPACE: u32 = 0;
const COUNT_LETTERS: u32 = 1;
const COUNT_UPPER: u32 = 2;
const COUNT_DIGITS: u32 = 3;
const COUNT_PUNCT: u32 = 4;
const COUNT_SENTENCES: u32 = 5;
const COUNT_SEPARATORS: u32 = 6;
/// The word-start counter (not in the table: it depends on the byte before).
const COUNT_WORDS: u32 = 7;

/// What each ASCII byte adds to the counts of [`CharStats::add_ascii_run`], as
/// `CharStats::of_chars` counts it: letters, upper case and digits by their class,
/// punctuation (neither space, letter nor digit) and of it the terminal marks and
/// separators.
const fn count_field(on: bool, k: u32) -> u64 {
    (on as u64) << (8 * k)
}

const fn ascii_counts() -> [u64; 128] {
    let classes = ascii_classes();
    let mut t = [0u64; 128];
    let mut b = 0;
    while b < 128 {
        let class = classes[b];
        let nonspace = class & ASCII_SPACE == 0;
        let letter = class & ASCII_LETTER != 0;
        let digit = class & ASCII_DIGIT != 0;
        let punct = nonspace && !letter && !digit;
        t[b] = count_field(nonspace, COUNT_NONSPACE)
            | count_field(letter, COUNT_LETTERS)
            | count_field(class & ASCII_UPPER != 0, COUNT_UPPER)
            | count_field(digit, COUNT_DIGITS)
            | count_field(punct, COUNT_PUNCT)
            | count_field(punct && class & ASCII_TERMINAL != 0, COUNT_SENTENCES)
            | count_field(punct && class & ASCII_SEPARATOR != 0, COUNT_SEPARATORS);
        b += 1;
    }
    t
}

static ASCII_COUNTS: [u64; 128] = ascii_counts();

impl CharStats {
    /// The counts, character by character (any script). The definition the two
    /// faster forms below are held equal to.
    #[cfg(test)]
    fn of_chars(text: &str) -> CharStats {
        let mut st = CharStats::default();
        let mut prev = ' ';
        let mut word_counter = crate::words::WordCounter::default();
        for c in text.chars() {
            word_counter.feed(c);
            st.chars += 1;
            st.nonspace += !c.is_whitespace() as u32;
            if c.is_alphabetic() {
                st.letters += 1;
                if c.is_uppercase() {
                    st.upper += 1;
                }
            } else if c.is_numeric() {
                st.digits += 1;
                if prev == ':' {
                    st.colon_digits = true;
                }
            } else if !c.is_whitespace() {
                st.punct += 1;
                if is_terminal(c) {
                    st.sentences += 1;
                }
                if is_separator(c) {
                    st.separators += 1;
                }
            }
            prev = c;
        }
        st.words = word_counter.count;
        st
    }

    /// Adds the counts of a run of ASCII bytes (the character before it not `:`);
    /// `in_word` says whether the character before was a letter or digit, and is
    /// left saying it of the run's last byte (words as `WordCounter` counts them in
    /// ASCII: runs of letters and digits). The counts go byte-wide into one `u64`
    /// per 255 bytes ([`ASCII_COUNTS`]).
    #[inline(always)]
    fn add_ascii_run(&mut self, in_word: &mut bool, run: &[u8]) {
        for part in run.chunks(255) {
            let mut acc = 0u64;
            for &b in part {
                let b = (b & 0x7f) as usize;
                let alnum = ASCII_CLASSES[b] & (ASCII_LETTER | ASCII_DIGIT) != 0;
                acc += ASCII_COUNTS[b] + (((alnum && !*in_word) as u64) << (8 * COUNT_WORDS));
                *in_word = alnum;
            }
            let field = |k: u32| ((acc >> (8 * k)) & 0xff) as u32;
            self.nonspace += field(COUNT_NONSPACE);
            self.letters += field(COUNT_LETTERS);
            self.upper += field(COUNT_UPPER);
            self.digits += field(COUNT_DIGITS);
            self.punct += field(COUNT_PUNCT);
            self.sentences += field(COUNT_SENTENCES);
            self.separators += field(COUNT_SEPARATORS);
            self.words += field(COUNT_WORDS);
        }
        // A digit right after a colon (`5:04`), both in the run.
        self.colon_digits |= run.contains(&b':')
            && run
                .windows(2)
                .any(|w| w[0] == b':' && w[1].is_ascii_digit());
    }

    /// The counts of any text: ASCII bytes by [`CharStats::add_ascii`], only the other
    /// characters decoded and asked their Unicode properties.
    fn of(text: &str) -> CharStats {
        let mut st = CharStats::default();
        let bytes = text.as_bytes();
        // The previous character when it was ASCII; 0x80 stands for any other (only
        // `:` is ever asked about).
        let mut prev = b' ';
        let mut in_word = false;
        let mut i = 0;
        while i < bytes.len() {
            // A run of ASCII by the table, then one character that is not ASCII.
            let ascii_end = crate::words::skip_ascii(bytes, i);
            if ascii_end > i {
                st.chars += (ascii_end - i) as u32;
                st.add_ascii_run(&mut in_word, &bytes[i..ascii_end]);
                prev = bytes[ascii_end - 1];
            }
            i = ascii_end;
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            st.chars += 1;
            i += c.len_utf8();
            // Each property asked once (`is_alphanumeric` is alphabetic or numeric).
            let alphabetic = c.is_alphabetic();
            let numeric = !alphabetic && c.is_numeric();
            // `WordCounter::feed` for a character that is not ASCII.
            if is_unspaced_script(c) {
                st.words = st.words.saturating_add(1);
                in_word = false;
            } else if alphabetic || numeric {
                st.words += !in_word as u32;
                in_word = true;
            } else {
                in_word = false;
            }
            let white = c.is_whitespace();
            st.nonspace += !white as u32;
            if alphabetic {
                st.letters += 1;
                st.upper += c.is_uppercase() as u32;
            } else if numeric {
                st.digits += 1;
                st.colon_digits |= prev == b':';
            } else if !white {
                st.punct += 1;
                st.sentences += is_terminal(c) as u32;
                st.separators += is_separator(c) as u32;
            }
            prev = 0x80;
        }
        st
    }

    /// The same counts for ASCII text, by a table lookup per byte (most blocks).
    fn of_ascii(text: &[u8]) -> CharStats {
        let mut st = CharStats {
            chars: text.len() as u32,
            ..CharStats::default()
        };
        st.add_ascii_run(&mut false, text);
        st
    }
}

/// The words of a page's title, first `h1` and meta description, for the overlap
/// features: one lookup per block word finds all three.
struct HeadingWords<'s> {
    /// Bit 0: in the title; bit 1: in the heading; bit 2: in the meta description.
    words: FxHashMap<&'s str, u8>,
    /// Distinct title words (at least 1).
    title_len: f32,
    /// Distinct description words (at least 1).
    description_len: f32,
}

impl<'s> HeadingWords<'s> {
    /// From the lowercased title, heading and description.
    fn new(title: &'s str, h1: &'s str, description: &'s str) -> HeadingWords<'s> {
        let mut words: FxHashMap<&str, u8> = FxHashMap::default();
        for_each_word(title, |w| {
            *words.entry(w).or_default() |= 1;
        });
        let title_len = words.len().max(1) as f32;
        for_each_word(h1, |w| {
            *words.entry(w).or_default() |= 2;
        });
        for_each_word(description, |w| {
            *words.entry(w).or_default() |= 4;
        });
        let description_len = words.values().filter(|&&b| b & 4 != 0).count().max(1) as f32;
        HeadingWords {
            words,
            title_len,
            description_len,
        }
    }
}

/// The block at the centre of the densest run of prose: the argmax of a window sum
/// (three blocks before to three after) of non-link words, weighted up by stopwords.
fn densest_block(stats: &[BlockStats]) -> usize {
    let n = stats.len();
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0f32);
    for s in stats {
        let w = s.core.words * (1.0 - s.core.link_density) * (0.5 + s.core.stop_ratio);
        prefix.push(prefix[prefix.len() - 1] + w);
    }
    let (mut densest, mut best) = (0, f32::MIN);
    for i in 0..n {
        let window = prefix[(i + 4).min(n)] - prefix[i.saturating_sub(3)];
        if window > best {
            best = window;
            densest = i;
        }
    }
    densest
}

/// [`PageContext::label_hits`]: running sums, over the page's short blocks, of which
/// [`SEQUENCE_CATEGORIES`] each has a hit in.
fn label_hit_sums(stats: &[BlockStats]) -> Vec<[f32; SEQUENCE_CATEGORIES.len()]> {
    let mut sums = Vec::with_capacity(stats.len() + 1);
    let mut acc = [0.0f32; SEQUENCE_CATEGORIES.len()];
    sums.push(acc);
    for st in stats {
        if st.core.words <= LABEL_MAX_WORDS {
            for (k, &(cat, _)) in SEQUENCE_CATEGORIES.iter().enumerate() {
                acc[k] += st.lexicon[cat].min(1) as f32;
            }
        }
        sums.push(acc);
    }
    sums
}

impl<'a> PageContext<'a> {
    fn new(page: &'a Page, mode: InputFormat, odds: Option<&'a OddsLookup>) -> PageContext<'a> {
        let n = page.len();
        let mut stats = vec![BlockStats::default(); n];
        let mut lower = String::new();
        let mut own: Vec<Own> = Vec::with_capacity(if odds.is_some() { n } else { 0 });
        let mut class_evidence: Vec<ClassEvidence> = Vec::with_capacity(own.capacity());
        let mut class_cache = ClassCache::default();

        // Title, first-heading and meta-description words, for overlap.
        let (title_lower, h1_lower, description_lower) = (
            page.title.to_lowercase(),
            page.h1.to_lowercase(),
            page.description.to_lowercase(),
        );
        let HeadingWords {
            words: heading_words,
            title_len,
            description_len,
        } = HeadingWords::new(&title_lower, &h1_lower, &description_lower);
        let overlap = !heading_words.is_empty();

        // How often each block's exact text occurs on the page (keys borrow the page).
        let mut repeats: FxHashMap<&str, u32> = FxHashMap::default();
        repeats.reserve(n);
        for i in 0..n {
            *repeats.entry(page.block_text(i)).or_insert(0) += 1;
        }

        let mut total_words = 0.0;
        let mut max_words: f32 = 1.0;
        let mut containers: FxHashMap<u32, Container> = FxHashMap::default();
        for (i, (block, stat)) in page.blocks.iter().zip(stats.iter_mut()).enumerate() {
            let text = page.block_text(i);
            lowercase_into(text, &mut lower);
            let CharStats {
                chars,
                nonspace,
                letters,
                upper,
                digits,
                punct,
                sentences,
                separators,
                colon_digits,
                words,
            } = if text.is_ascii() {
                CharStats::of_ascii(text.as_bytes())
            } else {
                CharStats::of(text)
            };
            let wf = words as f32;
            let cf = chars.max(1) as f32;
            let hits = lexicon_hits(&lower);
            let mut title_hits = 0u32;
            let mut h1_hits = 0u32;
            let mut description_hits = 0u32;
            let mut reader = BlockReader::default();
            let sw = stopword_stats_each(&lower, |w, hash| {
                if overlap {
                    if let Some(&bits) = heading_words.get(w) {
                        title_hits += (bits & 1) as u32;
                        h1_hits += ((bits >> 1) & 1) as u32;
                        description_hits += (bits >> 2) as u32;
                    }
                }
                if let Some(odds) = odds {
                    odds.read_word(&mut reader, hash);
                }
            });
            if let Some(odds) = odds {
                own.push(odds.finish(reader));
                class_evidence.push(odds.classes_of(page, i, &mut class_cache));
            }
            let last = text.chars().next_back().unwrap_or(' ');
            let first = text.chars().next().unwrap_or(' ');
            let lines = (cf / 80.0).ceil().max(1.0);
            let link_density = if mode == InputFormat::Html {
                (block.link_chars as f32 / nonspace.max(1) as f32).min(1.0)
            } else {
                0.0
            };
            let stop_ratio = if words > 0 { sw.best as f32 / wf } else { 0.0 };
            let terminal = is_terminal(last) as u8 as f32;
            let heading = (block.tag.heading_level() > 0) as u8 as f32;
            let list_item = (block.tag == Tag::Li || block.tags.contains(Tag::Li)) as u8 as f32;
            let rep = repeats.get(text).copied().unwrap_or(1);
            let core = Core {
                words: wf,
                chars: chars as f32,
                words_log: (1.0 + wf).ln(),
                link_density,
                stop_ratio,
                terminal,
                lexicon_coverage: (hits.covered as f32 / lower.len().max(1) as f32).min(1.0),
                punct_ratio: punct as f32 / cf,
                digit_ratio: digits as f32 / cf,
                upper_ratio: if letters > 0 {
                    upper as f32 / letters as f32
                } else {
                    0.0
                },
                avg_word_len: if words > 0 {
                    (letters + digits) as f32 / wf
                } else {
                    0.0
                }
                .min(20.0),
                text_density: wf / lines,
                heading,
                list_item,
                repeats: (rep as f32).ln(),
                prose: ((wf >= 10.0) && stop_ratio > 0.15 && link_density < 0.3) as u8 as f32,
            };
            *stat = BlockStats {
                core,
                lexicon: hits.counts,
                sentences: sentences as f32,
                starts_upper: first.is_uppercase() as u8 as f32,
                starts_bullet: (matches!(
                    first,
                    '•' | '-' | '*' | '·' | '–' | '—' | '►' | '▸' | '>' | '#'
                ) || first.is_numeric()) as u8 as f32,
                ends_colon: (last == ':') as u8 as f32,
                // Read in text mode only (below).
                ends_ellipsis: (mode == InputFormat::Text && ends_with_ellipsis(text)) as u8 as f32,
                all_caps: (letters >= 3 && upper == letters) as u8 as f32,
                time_shape: colon_digits as u8 as f32,
                url_shape: (lower.contains("http") || lower.contains("www.") || lower.contains('@'))
                    as u8 as f32,
                separators: separators as f32 / cf,
                title_overlap: if words > 0 {
                    title_hits as f32 / wf
                } else {
                    0.0
                },
                title_cover: (title_hits as f32 / title_len).min(1.0),
                h1_overlap: if words > 0 { h1_hits as f32 / wf } else { 0.0 },
                description_overlap: if words > 0 {
                    description_hits as f32 / wf
                } else {
                    0.0
                },
                description_cover: (description_hits as f32 / description_len).min(1.0),
                word_offset: total_words,
            };
            total_words += wf;
            max_words = max_words.max(wf);
            if mode == InputFormat::Html {
                for id in [block.parent, block.grandparent] {
                    let c = containers.entry(id).or_default();
                    c.words += wf;
                    c.link_words += block.link_words as f32;
                    c.blocks += 1.0;
                }
            }
        }

        let densest = densest_block(&stats);
        let label_hits = label_hit_sums(&stats);
        let headline = match mode {
            InputFormat::Html => find_headline(&stats),
            InputFormat::Text => None,
        };
        let lede = match mode {
            InputFormat::Html => find_lede(&stats),
            InputFormat::Text => None,
        };
        PageContext {
            lede,
            headline,
            label_hits,
            page,
            mode,
            stats,
            total_words: total_words.max(1.0),
            max_words,
            densest,
            containers,
            odds: odds.is_some().then_some((own, class_evidence)),
        }
    }

    fn write_row<S: Sink>(&self, i: usize, s: &mut S) {
        let n = self.page.len();
        let st = &self.stats[i];
        let c = &st.core;
        let block = &self.page.blocks[i];
        let nf = n.max(1) as f32;

        c.write("", s);
        s.put("chars_log", (1.0 + c.chars).ln());
        s.put("digit_ratio", c.digit_ratio);
        s.put("upper_ratio", c.upper_ratio);
        s.put(
            "avg_sentence_len",
            (c.words / st.sentences.max(1.0)).min(100.0) / 10.0,
        );
        s.put("sentences_log", (1.0 + st.sentences).ln());
        s.put("starts_upper", st.starts_upper);
        s.put("starts_bullet", st.starts_bullet);
        s.put("ends_colon", st.ends_colon);
        s.put("all_caps", st.all_caps);
        s.put("time_shape", st.time_shape);
        s.put("url_shape", st.url_shape);
        s.put("separator_ratio", st.separators);
        s.put(
            "short_1_3_words",
            (c.words >= 1.0 && c.words <= 3.0) as u8 as f32,
        );
        s.put(
            "short_4_9_words",
            (c.words >= 4.0 && c.words <= 9.0) as u8 as f32,
        );
        s.put("long_30_words", (c.words >= 30.0) as u8 as f32);
        for (k, name) in LEXICON_CATEGORIES.iter().enumerate() {
            s.put_indexed("lex_", name, (st.lexicon[k] as f32).min(3.0) / 3.0);
        }
        let lex_total: f32 = st.lexicon.iter().map(|&x| x as f32).sum();
        s.put("lex_per_word", lex_total / c.words.max(1.0));

        // Page context.
        s.put("rel_position", i as f32 / nf);
        s.put("rel_word_position", st.word_offset / self.total_words);
        s.put("block_index_log", (1.0 + i as f32).ln());
        s.put("blocks_after_log", ((n - i) as f32).ln());
        // No page-size features (the page's block and word counts): they let the model
        // learn which dataset a page comes from (its sources differ in page sizes as in
        // conventions), which does not carry to new sources. Without them, training on
        // three datasets and scoring the fourth gained in both modes (README, session
        // 10), level on held-out hosts of the same datasets.
        s.put("share_of_page_words", c.words / self.total_words);
        s.put("words_rel_max", c.words / self.max_words);
        let dist = i.abs_diff(self.densest) as f32;
        s.put("dist_densest_log", (1.0 + dist).ln());
        s.put("dist_densest_rel", dist / nf);
        s.put("before_densest", (i < self.densest) as u8 as f32);
        s.put("title_overlap", st.title_overlap);
        s.put("title_cover", st.title_cover);
        s.put("h1_overlap", st.h1_overlap);
        s.put("is_first_h1", (block.tag == Tag::H1) as u8 as f32);
        // Prose around the block: share of prose blocks within ±3.
        let lo = i.saturating_sub(3);
        let hi = (i + 4).min(n);
        let prose_near: f32 =
            self.stats[lo..hi].iter().map(|b| b.core.prose).sum::<f32>() - c.prose;
        s.put("prose_near", prose_near / 6.0);
        let prose_before = self.stats[..i]
            .iter()
            .rev()
            .take(10)
            .map(|b| b.core.prose)
            .sum::<f32>();
        let prose_after = self.stats[i + 1..]
            .iter()
            .take(10)
            .map(|b| b.core.prose)
            .sum::<f32>();
        s.put("prose_before10", prose_before / 10.0);
        s.put("prose_after10", prose_after / 10.0);

        for (off, prefix) in NEIGHBOUR_OFFSETS {
            let j = i as isize + off;
            let present = j >= 0 && (j as usize) < n;
            s.put_indexed(prefix, "present", present as u8 as f32);
            let core = if present {
                self.stats[j as usize].core
            } else {
                Core::default()
            };
            core.write(prefix, s);
        }

        match self.mode {
            InputFormat::Html => self.write_html(i, s),
            InputFormat::Text => self.write_text(i, s),
        }
        // The model's word evidence last, so the rows without it are a prefix.
        if let Some((own, classes)) = &self.odds {
            let values = block_values(own, &classes[i], i);
            for (name, v) in WORD_ODDS_FEATURES.iter().zip(values) {
                s.put(name, v);
            }
        }
    }

    fn write_html<S: Sink>(&self, i: usize, s: &mut S) {
        let block = &self.page.blocks[i];
        let c = &self.stats[i].core;
        s.put(
            "link_word_density",
            block.link_words as f32 / c.words.max(1.0),
        );
        s.put("all_link", (c.link_density >= 0.95) as u8 as f32);
        // The meta description is the publisher's own summary, usually the standfirst or
        // the article's first sentences: blocks that repeat it, and blocks from the
        // first one that does, are where the main text is. Held-out F1 on the five host
        // folds: +0.0014, +0.0036, −0.0011, +0.0018, +0.0006 (cross-validated mean
        // 0.8786 → 0.8798); the overlap features alone +0.0006.
        let st = &self.stats[i];
        s.put(
            "description_found",
            !self.page.description.is_empty() as u8 as f32,
        );
        s.put("description_overlap", st.description_overlap);
        s.put("description_cover", st.description_cover);
        let (after, distance) = placed_from(self.lede, i);
        s.put("after_lede", after);
        s.put("lede_distance_log", distance);
        // Where the block lies from the headline: articles begin there, and the
        // menus and teasers above it are rarely content. Held-out F1 on the five host
        // folds: +0.0010, +0.0017, +0.0008, +0.0026, +0.0006 (cross-validated mean
        // 0.8718 → 0.8732). The best of three variants: without the link condition
        // +0.0010 on average (one fold −0.0005), the first h1 as headline +0.0001.
        let (after, distance) = placed_from(self.headline, i);
        s.put("after_headline", after);
        s.put("headline_distance_log", distance);
        s.put("headline_found", self.headline.is_some() as u8 as f32);
        s.put("depth", (block.depth as f32).min(100.0) / 20.0);
        for (id, prefix) in [
            (block.parent, "parent_"),
            (block.grandparent, "grandparent_"),
        ] {
            let cont = self.containers.get(&id).copied().unwrap_or_default();
            s.put_indexed(
                prefix,
                "link_density",
                cont.link_words / cont.words.max(1.0),
            );
            s.put_indexed(prefix, "share", cont.words / self.total_words);
            s.put_indexed(prefix, "blocks_log", (1.0 + cont.blocks).ln());
            s.put_indexed(
                prefix,
                "words_per_block",
                (cont.words / cont.blocks.max(1.0) + 1.0).ln(),
            );
            s.put_indexed(prefix, "is_root", (id == 0) as u8 as f32);
        }
        s.put_flags("tag_", &TAG_NAMES, 1 << block.tag as u32);
        s.put_flags("in_", &TAG_NAMES, block.tags.0);
        s.put_flags("own_class_", CLASS_CATEGORIES, block.own_classes.0);
        s.put_flags("anc_class_", CLASS_CATEGORIES, block.ancestor_classes.0);
        // The class/id names themselves are read through the learned table (the
        // `class_odds_*` word evidence: names seen on at least five training hosts).
        // Until session 8 they were also hashed into 64 buckets, one feature each;
        // with the table those buckets only cost held-out accuracy: dropping them
        // gained on every one of the five host folds (+0.0002 to +0.0035, mean 0.8832
        // -> 0.8847), as a bucket's weight mixes the names of unrelated sites.
        // Hashed tag paths where the text begins (`ul>li>a`, `li>a`): structure the
        // tag one-hots cannot express. 32 buckets measured best on held-out hosts
        // (+0.0013 to +0.0019 for every 32-bucket variant; 16 and 64: about 0).
        let [three, two] = block.tag_path;
        let paths = (1u64 << (three as usize % TAG_PATH_BUCKETS))
            | (1u64 << (two as usize % TAG_PATH_BUCKETS));
        s.put_flags("tag_path_", &BUCKET_NAMES, paths);
    }

    fn write_text<S: Sink>(&self, i: usize, s: &mut S) {
        let block = &self.page.blocks[i];
        s.put("indent_log", (1.0 + block.indent as f32).ln());
        s.put("indented", (block.indent > 0) as u8 as f32);
        s.put("break_before", block.break_before as u8 as f32);
        let next_break = self.page.blocks.get(i + 1).is_some_and(|b| b.break_before);
        s.put("break_after", next_break as u8 as f32);
        let prev_indent = if i > 0 {
            self.page.blocks[i - 1].indent
        } else {
            0
        };
        s.put("indent_changed", (prev_indent != block.indent) as u8 as f32);
        // Labels seen before and after: blocks after a "Comments" or "Related stories"
        // label are rarely the article, blocks before a "Share" bar often are. (Text
        // mode only: in HTML the class names and tags already carry this, and these
        // features measured 0.002 lower on held-out train pages there.)
        let n = self.page.len();
        let total = &self.label_hits[n];
        let before = &self.label_hits[i];
        let upto = &self.label_hits[i + 1];
        for (k, &(_, name)) in SEQUENCE_CATEGORIES.iter().enumerate() {
            s.put_indexed("labels_before_", name, (1.0 + before[k]).ln());
            s.put_indexed("labels_after_", name, (1.0 + total[k] - upto[k]).ln());
        }
        // A line cut short ("Memory Foam Pillows, Onsen Towels, a...", "[…]") is a
        // teaser or an excerpt far more often than one ending with a full stop: in the
        // aligned text training labels, 21% of such lines' words are content on
        // dragnet, 40% on wcxb, 30% on readability, against 58%, 76% and 91% for
        // sentence-final lines. `terminal_punct` counts both alike. Text only: in HTML,
        // where teasers are links, the feature measured level (held-out hosts 0.8878 /
        // 0.8867 against 0.8879 / 0.8873); in text it gained on all five host folds
        // (own decoder) and on each of the four held-out sources (README, sixteenth
        // round).
        s.put("ends_ellipsis", self.stats[i].ends_ellipsis);
    }
}

/// The headline: the first block of at most 40 words, mostly not link text, that covers
/// the largest share (at least half) of the page title's words. None when no block does.
fn find_headline(stats: &[BlockStats]) -> Option<usize> {
    let mut headline = None;
    let mut best = 0.5f32;
    for (i, st) in stats.iter().enumerate() {
        let better = match headline {
            None => st.title_cover >= best,
            Some(_) => st.title_cover > best,
        };
        // A teaser linking to the same story repeats its title: a headline is not a link.
        if st.core.words <= 40.0 && st.core.link_density < 0.5 && better {
            best = st.title_cover;
            headline = Some(i);
        }
    }
    headline
}

/// Where block `i` lies from an anchor block (the headline, the lede): whether it is at
/// or after it, and ln(1 + the distance in blocks); both 0 when the page has none.
fn placed_from(anchor: Option<usize>, i: usize) -> (f32, f32) {
    match anchor {
        Some(a) => ((i >= a) as u8 as f32, (1.0 + i.abs_diff(a) as f32).ln()),
        None => (0.0, 0.0),
    }
}

/// The lede: the block, mostly not link text, that covers the largest share (over half)
/// of the meta description's words; the first of equals. None when no block does.
fn find_lede(stats: &[BlockStats]) -> Option<usize> {
    let mut lede = None;
    let mut best = 0.5f32;
    for (i, st) in stats.iter().enumerate() {
        // A teaser linking to the story may repeat its summary: a lede is not a link.
        if st.core.link_density < 0.5 && st.description_cover > best {
            best = st.description_cover;
            lede = Some(i);
        }
    }
    lede
}

/// Buckets for hashed tag paths.
pub const TAG_PATH_BUCKETS: usize = 32;

const BUCKET_NAMES: [&str; TAG_PATH_BUCKETS] = [
    "00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15",
    "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31",
];

/// Names of [`Tag`] values by discriminant, for feature names.
const TAG_NAMES: [&str; TAG_COUNT] = [
    "other",
    "line",
    "other_block",
    "a",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "td",
    "th",
    "tr",
    "table",
    "caption",
    "blockquote",
    "pre",
    "code",
    "figure",
    "figcaption",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "form",
    "button",
    "label",
    "select",
    "option",
    "input",
    "span",
    "strong",
    "em",
    "time",
    "address",
    "details",
    "summary",
    "br",
    "hr",
    "img",
    "body",
    "html",
    "head",
    "title",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "textarea",
    "center",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_str;

    #[test]
    fn words_log_column_is_where_the_decoder_reads_it() {
        for mode in [InputFormat::Html, InputFormat::Text] {
            assert_eq!(feature_names(mode)[WORDS_LOG_COLUMN], "words_log");
            let page = segment_str("one two three", mode);
            let m = extract(&page, mode);
            assert!((m.row(0)[WORDS_LOG_COLUMN] - 4f32.ln()).abs() < 1e-6);
        }
    }

    #[test]
    fn ascii_char_stats_equal_the_general_ones() {
        // Every ASCII byte, in runs and mixtures, including controls and 5:04-like times.
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next_u64();
        let mut cases: Vec<String> = vec![
            String::new(),
            "5:04 PM".into(),
            "Hello, world! It's 5:04 PM | News / More >".into(),
            (0u8..128).map(|b| b as char).collect(),
        ];
        for _ in 0..2000 {
            let len = (next() % 60) as usize;
            cases.push((0..len).map(|_| (next() % 128) as u8 as char).collect());
        }
        for text in &cases {
            assert_eq!(
                CharStats::of_ascii(text.as_bytes()),
                CharStats::of_chars(text),
                "{text:?}"
            );
            assert_eq!(CharStats::of(text), CharStats::of_chars(text), "{text:?}");
        }
    }

    #[test]
    fn mixed_char_stats_equal_the_general_ones() {
        // ASCII next to letters, digits, spaces and punctuation of other scripts.
        let pieces = [
            "a",
            "B",
            "7",
            ":",
            " ",
            ".",
            "|",
            "-",
            "\u{a0}",
            "é",
            "É",
            "٣",
            "日本",
            "ไทย",
            "…",
            "”",
            "»",
            "–",
            "—",
            "·",
            "•",
            "¶",
            "Ⅻ",
            "½",
            "\u{2003}",
            "ǅ",
            "𝐀",
            "\u{85}",
            "?",
            "؟",
            "।",
            "。",
            "\u{7f}",
            "\u{1c}",
        ];
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let text = rng.string_of(&pieces, 14);
            assert_eq!(CharStats::of(&text), CharStats::of_chars(&text), "{text:?}");
        }
        // ASCII runs past the 255 bytes one sum counts (found by a review: untested).
        let long = "Ab1 :2.".repeat(100);
        for text in [long.clone(), format!("é{long}é{long}")] {
            assert_eq!(CharStats::of(&text), CharStats::of_chars(&text));
            assert_eq!(
                CharStats::of_ascii(long.as_bytes()),
                CharStats::of_chars(&long)
            );
        }
    }

    #[test]
    fn issue3_lines_cut_short_with_an_ellipsis_are_marked_in_text() {
        let doc = "Storm floods the old harbour\n\
            The water rose overnight and the shops stayed shut.\n\
            Friday's best deals: books, lamps, memory foam pillows, a...\n\
            Ten things the hotel staff will never tell you…\n\
            Our reporter spent a week at the harbour [...]\n\
            \"I have never seen it so high…\"\n";
        let page = segment_str(doc, InputFormat::Text);
        let m = extract(&page, InputFormat::Text);
        let names = feature_names(InputFormat::Text);
        let j = names.iter().position(|n| n == "ends_ellipsis").unwrap();
        assert_eq!(m.column(j), vec![0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        // Both kinds still end "terminal": the new column is what tells them apart.
        let t = names.iter().position(|n| n == "terminal_punct").unwrap();
        assert_eq!(m.column(t)[1], 1.0);
        assert_eq!(m.column(t)[2], 1.0);
        // HTML rows do not carry it (measured level there).
        assert!(!feature_names(InputFormat::Html).contains(&"ends_ellipsis".to_string()));
    }

    #[test]
    fn blocks_are_placed_from_the_headline_that_matches_the_title() {
        let doc = "<title>Storm floods the old harbour | Daily Courier</title>\
            <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
            <h1>Storm floods the old harbour</h1>\
            <p>The water rose overnight.</p><p>Shops stayed shut.</p>";
        let page = segment_str(doc, InputFormat::Html);
        let m = extract(&page, InputFormat::Html);
        let names = feature_names(InputFormat::Html);
        let col = |name: &str| m.column(names.iter().position(|n| n == name).unwrap());
        let h = (0..page.len())
            .position(|i| page.block_text(i) == "Storm floods the old harbour")
            .unwrap();
        let after = col("after_headline");
        for (i, &a) in after.iter().enumerate() {
            assert_eq!(
                a,
                (i >= h) as u8 as f32,
                "block {i}: {}",
                page.block_text(i)
            );
        }
        assert_eq!(col("headline_distance_log")[h], 0.0);
        assert!(col("headline_found").iter().all(|&f| f == 1.0));
        // No block covers half of the title: no headline, every value 0.
        let page = segment_str(
            "<title>Something else entirely</title><p>Text.</p>",
            InputFormat::Html,
        );
        let m = extract(&page, InputFormat::Html);
        for name in ["after_headline", "headline_distance_log", "headline_found"] {
            let j = names.iter().position(|n| n == name).unwrap();
            assert!(m.column(j).iter().all(|&v| v == 0.0), "{name}");
        }
    }

    #[test]
    fn blocks_are_placed_from_the_lede_that_repeats_the_description() {
        let doc = "<meta name=description content=\"Water rose overnight in the old harbour, \
            and shops stayed shut.\"><nav><a href=/>Home</a></nav>\
            <p><a href=/other>Water rose overnight in the old harbour, and shops stayed shut</a></p>\
            <h1>Storm floods the harbour</h1>\
            <p>Water rose overnight in the old harbour, and shops stayed shut all day.</p>\
            <p>Officials met later.</p>";
        let page = segment_str(doc, InputFormat::Html);
        let m = extract(&page, InputFormat::Html);
        let names = feature_names(InputFormat::Html);
        let col = |name: &str| m.column(names.iter().position(|n| n == name).unwrap());
        // The teaser link repeats the summary too, but a lede is not a link.
        let lede = (0..page.len())
            .position(|i| page.block_text(i).ends_with("all day."))
            .unwrap();
        let after = col("after_lede");
        for (i, &a) in after.iter().enumerate() {
            assert_eq!(a, (i >= lede) as u8 as f32, "{}", page.block_text(i));
        }
        assert_eq!(col("lede_distance_log")[lede], 0.0);
        assert!(col("description_found").iter().all(|&f| f == 1.0));
        assert_eq!(col("description_cover")[lede], 1.0);
        let officials = lede + 1;
        assert_eq!(col("description_overlap")[officials], 0.0);
        assert!(col("description_overlap")[lede] > 0.8);
        // No description: every value 0.
        let page = segment_str("<p>Text.</p>", InputFormat::Html);
        let m = extract(&page, InputFormat::Html);
        for name in [
            "after_lede",
            "lede_distance_log",
            "description_found",
            "description_cover",
        ] {
            let j = names.iter().position(|n| n == name).unwrap();
            assert!(m.column(j).iter().all(|&v| v == 0.0), "{name}");
        }
    }

    #[test]
    fn names_match_rows_in_both_modes() {
        for (mode, doc) in [
            (
                InputFormat::Html,
                "<title>A b</title><nav><a href=/>Home</a></nav><p>Some text here.</p><p>More</p>",
            ),
            (InputFormat::Text, "Home\n\n  Some text here.\nMore\n"),
        ] {
            let names = feature_names(mode);
            let page = segment_str(doc, mode);
            let m = extract(&page, mode);
            assert_eq!(m.cols, names.len(), "{mode:?}");
            assert_eq!(m.rows, page.len());
            assert!(m.data.iter().all(|v| v.is_finite()));
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "feature names must be unique");
        }
    }

    #[test]
    fn link_density_and_lexicon_are_seen() {
        let page = segment_str(
            "<ul><li><a href=/>Subscribe to our newsletter</a></li></ul><p>The mayor said on Monday that the bridge would reopen.</p>",
            InputFormat::Html,
        );
        let names = feature_names(InputFormat::Html);
        let m = extract(&page, InputFormat::Html);
        let col = |n: &str| names.iter().position(|x| x == n).unwrap();
        assert!(m.row(0)[col("link_density")] > 0.9);
        assert!(m.row(1)[col("link_density")] < 0.01);
        assert!(m.row(0)[col("lex_subscribe")] > 0.0);
        assert!(m.row(1)[col("stop_ratio")] > m.row(0)[col("stop_ratio")]);
        assert_eq!(m.row(1)[col("prev1_present")], 1.0);
        assert_eq!(m.row(0)[col("prev1_present")], 0.0);
    }
}
