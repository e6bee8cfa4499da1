//! Learned word evidence: how much more often a word, a pair of words, a whole short
//! block (such as "News Feed" or "* indicates required"), a block's first two words
//! ("posted by", "photo credit") or, in HTML, a class/id name on the block's ancestry
//! appears in content than in boilerplate, as a smoothed log-odds learned from the
//! training labels.
//!
//! The hand lexicon ([`crate::lexicon`]) knows a few hundred phrases by category; this
//! table knows every word the training pages share across hosts ("photo", "min read",
//! "reply", "subscribers", a month's name, `entry-content`, `sidebar`). Only keys seen
//! on at least [`MIN_HOSTS`] different hosts are kept, so a site's name or its
//! template's own class names cannot be learned as evidence. A key the table does not
//! know adds nothing to the sums; a block none of whose keys are known (a language the
//! training pages lack) has all values 0, which the classifier learns to read unless
//! training silences some hosts (`TrainParams::word_odds_dropout`).
//!
//! Training computes each page's values from the counts of the *other* host folds
//! (out of fold), so the classifier learns how far to trust the table on words it has
//! not seen labelled; the model file carries the table built from all training pages
//! ([`PackedWordOdds`]). Scoring reads the values in the features' own pass over each
//! block's words ([`crate::features::for_each_row_with`]), by the word hash the
//! stopwords use too ([`crate::words::word_hash`]), from compact tables
//! (`WordTable` in [`crate::words`]): the evidence costs about 7% of `extract`'s time.

use serde::{Deserialize, Serialize};

pub use crate::lexicon::FxHashMap;
use crate::segment::Page;
use crate::words::{
    combine, for_each_normalized_char, for_each_word, short, word_hash, WordTable, HEAD_SEED,
    LINE_SEED, PAIR_SEED,
};

/// A key must appear on this many hosts to enter the table. Held-out text F1 over five
/// host folds hardly depends on it (3: 0.8529, 5: 0.8527, 8: 0.8521, before the pair
/// margin); 5 halves the table of 3.
pub const MIN_HOSTS: u32 = 5;

/// A word pair enters the table only when its log-odds differ by at least this from
/// the mean of its two words'. Held-out text F1 0.8527 / 0.8530 / 0.8528 for 0 / 0.5 /
/// 1 (with 5 hosts), with 95,000 / 43,000 / 15,000 pairs: 1 keeps the model file
/// near a megabyte.
pub const PAIR_MARGIN: f32 = 1.0;

/// Blocks of at most this many words are also looked up whole.
pub const MAX_LINE_WORDS: u32 = 10;

/// Blocks of at least this many words are also looked up by their first two words
/// (shorter ones are the same as their whole text or their one pair).
pub const MIN_HEAD_WORDS: u32 = 3;

/// Pseudo-count of the smoothing toward the overall content rate.
const PRIOR_WEIGHT: f64 = 4.0;

/// Log-odds are clipped to ±this.
const MAX_ODDS: f64 = 5.0;

/// The names of the per-block values [`OddsLookup::page_values`] writes, in order.
pub const WORD_ODDS_FEATURES: [&str; 15] = [
    "word_odds_mean",
    "word_odds_known",
    "word_odds_min",
    "word_odds_max",
    "line_odds",
    "line_known",
    "word_odds_prev",
    "word_odds_next",
    "word_odds_window",
    "class_odds_mean",
    "class_odds_min",
    "class_odds_max",
    "class_known",
    "head_odds",
    "head_known",
];

/// Block `i`'s slice of row-major [`WORD_ODDS_FEATURES`] values; empty when `values`
/// is (a model without word evidence).
#[inline]
pub fn odds_row(values: &[f32], i: usize) -> &[f32] {
    let k = WORD_ODDS_FEATURES.len();
    values.get(i * k..(i + 1) * k).unwrap_or(&[])
}

/// Content and boilerplate block counts of one key, and the hosts it was seen on.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Count {
    content: u32,
    boilerplate: u32,
    hosts: u32,
}

impl Count {
    fn add(&mut self, other: &Count) {
        self.content += other.content;
        self.boilerplate += other.boilerplate;
        self.hosts += other.hosts;
    }

    fn tally(&mut self, content: bool) {
        if content {
            self.content += 1;
        } else {
            self.boilerplate += 1;
        }
    }
}

/// Counts of words, word pairs, short blocks and class names over labelled pages,
/// grouped by host: the raw material of a [`WordOdds`] table. Counts of disjoint host
/// sets add up.
#[derive(Debug, Clone, Default)]
pub struct WordCounts {
    words: FxHashMap<String, Count>,
    bigrams: FxHashMap<String, Count>,
    lines: FxHashMap<String, Count>,
    heads: FxHashMap<String, Count>,
    classes: FxHashMap<u32, Count>,
    content_blocks: u64,
    blocks: u64,
}

/// Appends the normalized form of a word: lowercase, every digit as `0` (so "5:04"
/// and "2026" count as the shapes they are).
fn push_normalized(word: &str, out: &mut String) {
    // Most words are ASCII without digits: copy and lowercase in place.
    if word.bytes().all(|b| b.is_ascii_alphabetic()) {
        let start = out.len();
        out.push_str(word);
        out[start..].make_ascii_lowercase();
        return;
    }
    for_each_normalized_char(word, |c| out.push(c));
}

/// The keys of one block: its normalized words, its word pairs ("min read"), its
/// whole text when it has at most [`MAX_LINE_WORDS`] words (words joined by single
/// spaces, punctuation dropped; else empty), its first two words when it has at
/// least [`MIN_HEAD_WORDS`] (else empty) and its class names, each once.
#[derive(Debug, Default)]
struct BlockKeys {
    /// The block's lowercased text (as the features read it).
    lower: String,
    words: Vec<String>,
    bigrams: Vec<String>,
    line: String,
    head: String,
    classes: Vec<u32>,
}

impl BlockKeys {
    fn read(&mut self, page: &Page, i: usize) {
        self.words.clear();
        self.bigrams.clear();
        self.line.clear();
        crate::words::lowercase_into(page.block_text(i), &mut self.lower);
        for_each_word(&self.lower, |w| {
            let mut s = String::with_capacity(w.len());
            push_normalized(w, &mut s);
            self.words.push(s);
        });
        if self.words.len() as u32 <= MAX_LINE_WORDS {
            self.line = self.words.join(" ");
        }
        self.head.clear();
        if self.words.len() as u32 >= MIN_HEAD_WORDS {
            self.head = format!("{} {}", self.words[0], self.words[1]);
        }
        self.bigrams
            .extend(self.words.windows(2).map(|w| format!("{} {}", w[0], w[1])));
        for keys in [&mut self.words, &mut self.bigrams] {
            keys.sort_unstable();
            keys.dedup();
        }
        read_classes(page, i, &mut self.classes);
    }
}

/// Block `i`'s class names, each once (names repeat along the ancestry), for counting.
fn read_classes(page: &Page, i: usize, out: &mut Vec<u32>) {
    out.clear();
    out.extend_from_slice(page.block_hashes(i));
    out.sort_unstable();
    out.dedup();
}

/// Adds one host's per-key counts to the totals: each key counts the host once.
fn add_host_counts<K: std::hash::Hash + Eq>(
    seen: FxHashMap<K, Count>,
    all: &mut FxHashMap<K, Count>,
) {
    for (k, mut c) in seen {
        c.hosts = 1;
        all.entry(k).or_default().add(&c);
    }
}

fn add_counts<K: std::hash::Hash + Eq + Clone>(
    more: &FxHashMap<K, Count>,
    all: &mut FxHashMap<K, Count>,
) {
    for (k, c) in more {
        all.entry(k.clone()).or_default().add(c);
    }
}

impl WordCounts {
    /// Adds the labelled pages of one host.
    pub fn add_host<'a>(&mut self, pages: impl IntoIterator<Item = (&'a Page, &'a [bool])>) {
        let mut host = WordCounts::default();
        let mut keys = BlockKeys::default();
        for (page, labels) in pages {
            for (i, &label) in labels.iter().enumerate().take(page.len()) {
                keys.read(page, i);
                if keys.words.is_empty() {
                    continue;
                }
                self.blocks += 1;
                self.content_blocks += label as u64;
                for w in keys.words.drain(..) {
                    host.words.entry(w).or_default().tally(label);
                }
                for b in keys.bigrams.drain(..) {
                    host.bigrams.entry(b).or_default().tally(label);
                }
                if !keys.line.is_empty() {
                    let line = std::mem::take(&mut keys.line);
                    host.lines.entry(line).or_default().tally(label);
                }
                if !keys.head.is_empty() {
                    let head = std::mem::take(&mut keys.head);
                    host.heads.entry(head).or_default().tally(label);
                }
                for &h in &keys.classes {
                    host.classes.entry(h).or_default().tally(label);
                }
            }
        }
        add_host_counts(host.words, &mut self.words);
        add_host_counts(host.bigrams, &mut self.bigrams);
        add_host_counts(host.lines, &mut self.lines);
        add_host_counts(host.heads, &mut self.heads);
        add_host_counts(host.classes, &mut self.classes);
    }

    /// Adds another set of counts (of other hosts).
    pub fn add(&mut self, other: &WordCounts) {
        add_counts(&other.words, &mut self.words);
        add_counts(&other.bigrams, &mut self.bigrams);
        add_counts(&other.lines, &mut self.lines);
        add_counts(&other.heads, &mut self.heads);
        add_counts(&other.classes, &mut self.classes);
        self.content_blocks += other.content_blocks;
        self.blocks += other.blocks;
    }

    /// The table: smoothed log-odds of every key seen on at least [`MIN_HOSTS`] hosts,
    /// relative to the overall content rate of blocks.
    pub fn odds(&self) -> WordOdds {
        build_odds(
            (self.content_blocks, self.blocks),
            self.words.iter().map(|(k, c)| (k, *c)),
            self.bigrams.iter().map(|(k, c)| (k, *c)),
            self.lines.iter().map(|(k, c)| (k, *c)),
            self.heads.iter().map(|(k, c)| (k, *c)),
            self.classes.iter().map(|(k, c)| (k, *c)),
        )
    }
}

/// The table of keys and their counts: smoothed log-odds of every key seen on at least
/// [`MIN_HOSTS`] hosts, relative to the content rate of blocks (`content`, `blocks`).
fn build_odds<'a>(
    (content, blocks): (u64, u64),
    words: impl Iterator<Item = (&'a String, Count)>,
    bigrams: impl Iterator<Item = (&'a String, Count)>,
    lines: impl Iterator<Item = (&'a String, Count)>,
    heads: impl Iterator<Item = (&'a String, Count)>,
    classes: impl Iterator<Item = (&'a u32, Count)>,
) -> WordOdds {
    let prior = (content as f64 + 1.0) / (blocks as f64 + 2.0);
    let base = (prior / (1.0 - prior)).ln();
    let log_odds = |c: &Count| -> Option<f32> {
        if c.hosts < MIN_HOSTS {
            return None;
        }
        let lo = ((c.content as f64 + PRIOR_WEIGHT * prior)
            / (c.boilerplate as f64 + PRIOR_WEIGHT * (1.0 - prior)))
            .ln()
            - base;
        // Two decimals: the model file stays small and its JSON exact.
        let lo = ((lo.clamp(-MAX_ODDS, MAX_ODDS) * 100.0).round() / 100.0) as f32;
        (lo != 0.0).then_some(lo)
    };
    fn table<'a, K: std::hash::Hash + Eq + Clone + 'a>(
        m: impl Iterator<Item = (&'a K, Count)>,
        log_odds: impl Fn(&Count) -> Option<f32>,
    ) -> FxHashMap<K, f32> {
        m.filter_map(|(k, c)| Some((k.clone(), log_odds(&c)?)))
            .collect()
    }
    let words = table(words, log_odds);
    let mut bigrams = table(bigrams, log_odds);
    // A pair that says what its two words say on average adds nothing ("of the");
    // keep the ones that differ ("min read", "posted by").
    bigrams.retain(|pair, lo| {
        let (a, b) = pair.split_once(' ').unwrap_or((pair, ""));
        let odds = |w: &str| words.get(w).copied().unwrap_or(0.0);
        (*lo - (odds(a) + odds(b)) / 2.0).abs() >= PAIR_MARGIN
    });
    WordOdds {
        words,
        bigrams,
        lines: table(lines, log_odds),
        heads: table(heads, log_odds),
        classes: table(classes, log_odds),
    }
}

/// Counts of several host folds side by side, so that the table of any set of folds
/// is one pass over the keys ([`FoldedCounts::odds_without`]): training needs ten such
/// tables, and adding up copies of the folds' maps for each took seconds. Keys seen on
/// fewer than [`MIN_HOSTS`] hosts in all folds together are dropped at once (most word
/// pairs and short blocks are seen on one host only), since no set of folds can keep
/// them.
#[derive(Debug, Default)]
pub struct FoldedCounts {
    folds: usize,
    words: Folded<String>,
    bigrams: Folded<String>,
    lines: Folded<String>,
    heads: Folded<String>,
    classes: Folded<u32>,
    /// (content, all) blocks per fold.
    blocks: Vec<(u64, u64)>,
}

/// One kind of key in [`FoldedCounts`]: each key's counts in every fold, fold by fold.
#[derive(Debug)]
struct Folded<K> {
    keys: Vec<K>,
    counts: Vec<Count>,
}

impl<K> Default for Folded<K> {
    fn default() -> Self {
        Folded {
            keys: Vec::new(),
            counts: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Folded<K> {
    fn new(per_fold: Vec<FxHashMap<K, Count>>) -> Folded<K> {
        let folds = per_fold.len();
        let mut totals: FxHashMap<K, Vec<Count>> = FxHashMap::default();
        for (f, map) in per_fold.into_iter().enumerate() {
            for (k, c) in map {
                totals
                    .entry(k)
                    .or_insert_with(|| vec![Count::default(); folds])[f] = c;
            }
        }
        let mut folded = Folded::default();
        for (k, counts) in totals {
            if counts.iter().map(|c| c.hosts).sum::<u32>() >= MIN_HOSTS {
                folded.keys.push(k);
                folded.counts.extend(counts);
            }
        }
        folded
    }

    /// Each key with its counts summed over the folds `keep` selects.
    fn summed<'a>(
        &'a self,
        folds: usize,
        keep: &'a [bool],
    ) -> impl Iterator<Item = (&'a K, Count)> + 'a {
        self.keys.iter().enumerate().map(move |(i, k)| {
            let mut sum = Count::default();
            for (c, _) in self.counts[i * folds..(i + 1) * folds]
                .iter()
                .zip(keep)
                .filter(|(_, &k)| k)
            {
                sum.add(c);
            }
            (k, sum)
        })
    }
}

impl FoldedCounts {
    /// The counts of each fold, in fold order.
    pub fn new(per_fold: Vec<WordCounts>) -> FoldedCounts {
        let folds = per_fold.len();
        let blocks = per_fold
            .iter()
            .map(|c| (c.content_blocks, c.blocks))
            .collect();
        let (mut words, mut bigrams, mut lines, mut heads, mut classes) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for c in per_fold {
            words.push(c.words);
            bigrams.push(c.bigrams);
            lines.push(c.lines);
            heads.push(c.heads);
            classes.push(c.classes);
        }
        FoldedCounts {
            folds,
            words: Folded::new(words),
            bigrams: Folded::new(bigrams),
            lines: Folded::new(lines),
            heads: Folded::new(heads),
            classes: Folded::new(classes),
            blocks,
        }
    }

    /// The table of every fold but those in `excluded`: the same as
    /// [`WordCounts::odds`] of those folds' counts added up.
    pub fn odds_without(&self, excluded: &[usize]) -> WordOdds {
        let keep: Vec<bool> = (0..self.folds).map(|f| !excluded.contains(&f)).collect();
        let (mut content, mut blocks) = (0, 0);
        for (&(c, b), _) in self.blocks.iter().zip(&keep).filter(|(_, &k)| k) {
            content += c;
            blocks += b;
        }
        let n = self.folds;
        build_odds(
            (content, blocks),
            self.words.summed(n, &keep),
            self.bigrams.summed(n, &keep),
            self.lines.summed(n, &keep),
            self.heads.summed(n, &keep),
            self.classes.summed(n, &keep),
        )
    }
}

/// The learned table: log-odds of content by key, relative to the average block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordOdds {
    /// Normalized word → log-odds.
    pub words: FxHashMap<String, f32>,
    /// Two normalized words, space-separated → log-odds.
    pub bigrams: FxHashMap<String, f32>,
    /// Normalized short block → log-odds.
    pub lines: FxHashMap<String, f32>,
    /// A block's first two normalized words, space-separated → log-odds.
    pub heads: FxHashMap<String, f32>,
    /// Hashed class/id name ([`Page::block_hashes`]) → log-odds (HTML).
    pub classes: FxHashMap<u32, f32>,
}

impl WordOdds {
    /// The scoring form: every key hashed as scoring hashes the words it reads.
    ///
    /// The keys go in sorted, as a model file stores them ([`PackedWordOdds`]): the
    /// scoring form keeps 32-bit hashes and 16-bit tags, and where two keys meet there
    /// the later one wins, so the order decides. Before, training took the hash map's
    /// order, so its out-of-fold features could differ from what the saved model reads,
    /// and a change of hasher changed the trained models (found when a hasher fix left
    /// the bundled text model's weights different in the fifth decimal).
    pub fn lookup(&self) -> OddsLookup {
        fn text(m: &FxHashMap<String, f32>) -> impl Iterator<Item = (&str, f32)> {
            sorted_entries(m).into_iter().map(|(k, v)| (k.as_str(), v))
        }
        OddsLookup::build(
            text(&self.words),
            text(&self.bigrams),
            text(&self.lines),
            text(&self.heads),
            sorted_entries(&self.classes)
                .into_iter()
                .map(|(&k, v)| (k, v)),
        )
    }
}

/// A [`WordOdds`] table as a model file stores it: each of its five maps as one text
/// with an entry per line, `key<TAB>log-odds`, sorted by key. One JSON string per map
/// instead of tens of thousands of JSON members: the program reads a model at every
/// start, and parsing the members one by one (each key a string to allocate, insert,
/// then hash again) took about four times as long as the rest of a start-up; the lines
/// are read straight into the scoring form ([`PackedWordOdds::lookup`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackedWordOdds {
    /// Words.
    pub words: String,
    /// Word pairs ("min read").
    pub bigrams: String,
    /// Short blocks.
    pub lines: String,
    /// Blocks' first two words (none in a version 4 file, which
    /// [`crate::model::ModelFile::validate`] refuses).
    #[serde(default)]
    pub heads: String,
    /// Hashed class/id names, as decimal numbers.
    pub classes: String,
}

/// One map's entries in key order: the order of a model file, and the order training
/// builds its scoring form in ([`WordOdds::lookup`]), so both read the same values.
fn sorted_entries<K: Ord>(m: &FxHashMap<K, f32>) -> Vec<(&K, f32)> {
    let mut entries: Vec<(&K, f32)> = m.iter().map(|(k, &v)| (k, v)).collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    entries
}

/// One map's entries as sorted lines.
fn pack_map<K: Ord + std::fmt::Display>(m: &FxHashMap<K, f32>) -> String {
    use std::fmt::Write;
    let sorted = sorted_entries(m);
    let mut text = String::with_capacity(sorted.len() * 16);
    for (k, v) in sorted {
        // Writing to a String cannot fail.
        let _ = writeln!(text, "{k}\t{v}");
    }
    text
}

/// The entries of one packed map, checked: a tab in every line, a finite number after
/// it. (Byte by byte: `lines()` and `split_once` cost more than the rest of reading
/// a model.)
fn unpack_map(text: &str) -> Entries<'_> {
    Entries { text, pos: 0 }
}

/// Iterator of [`unpack_map`].
struct Entries<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<(&'a str, f32), String>;

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return None;
        }
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
        }
        self.pos = end + 1;
        // Both ends sit at ASCII bytes (or the text's ends), so slicing is safe.
        let line = self.text.get(start..end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some(tab) = line.bytes().position(|b| b == b'\t') else {
            return Some(Err(format!("entry without a tab: {line:?}")));
        };
        let (key, value) = (&line[..tab], &line[tab + 1..]);
        Some(match parse_odds(value) {
            Some(v) if v.is_finite() => Ok((key, v)),
            _ => Err(format!("entry without a finite log-odds: {line:?}")),
        })
    }
}

/// Parses a log-odds as written ([`pack_map`]: at most two decimals, such as `-0.35`
/// or `2`) as `hundredths / 100`, which is the same `f32` as the general parser
/// gives (both round the exact value once); anything else goes to the general parser.
/// The general one is several times slower, and a model holds ~50,000 of them.
fn parse_odds(text: &str) -> Option<f32> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut hundredths: i32 = 0;
    let mut whole_digits = 0;
    let mut fraction_digits = -1; // -1: no point yet
    for &b in digits {
        match b {
            b'0'..=b'9' if fraction_digits < 0 && whole_digits < 3 => {
                hundredths = hundredths * 10 + (b - b'0') as i32;
                whole_digits += 1;
            }
            b'0'..=b'9' if (0..2).contains(&fraction_digits) => {
                fraction_digits += 1;
                let scale = if fraction_digits == 1 { 10 } else { 1 };
                hundredths += (b - b'0') as i32 * scale;
            }
            b'.' if fraction_digits < 0 && whole_digits > 0 => {
                fraction_digits = 0;
                hundredths *= 100;
            }
            _ => return text.parse().ok(),
        }
    }
    if whole_digits == 0 {
        return text.parse().ok();
    }
    if fraction_digits < 0 {
        hundredths *= 100;
    }
    let v = hundredths as f32 / 100.0;
    Some(if negative { -v } else { v })
}

/// The class entries of a packed map (keys are numbers).
fn unpack_classes(text: &str) -> impl Iterator<Item = Result<(u32, f32), String>> + '_ {
    unpack_map(text).map(|e| {
        let (key, v) = e?;
        let key = key
            .parse::<u32>()
            .map_err(|_| format!("class entry with a key that is not a number: {key:?}"))?;
        Ok((key, v))
    })
}

impl PackedWordOdds {
    /// Packs a table.
    pub fn pack(odds: &WordOdds) -> PackedWordOdds {
        PackedWordOdds {
            words: pack_map(&odds.words),
            bigrams: pack_map(&odds.bigrams),
            lines: pack_map(&odds.lines),
            heads: pack_map(&odds.heads),
            classes: pack_map(&odds.classes),
        }
    }

    /// Checks every entry (what [`PackedWordOdds::lookup`] will read), and that each
    /// map's keys are sorted and given once, as [`PackedWordOdds::pack`] writes them: a
    /// key given twice would be read with whichever value came last.
    pub fn check(&self) -> std::result::Result<(), String> {
        let out_of_order = |map: &str, key: &dyn std::fmt::Debug| {
            format!(
                "{map}: key {key:?} is out of order or given twice (keys are sorted, each once)"
            )
        };
        for (map, text) in [
            ("words", &self.words),
            ("bigrams", &self.bigrams),
            ("lines", &self.lines),
            ("heads", &self.heads),
        ] {
            let mut last: Option<&str> = None;
            for e in unpack_map(text) {
                let (key, _) = e?;
                if last.is_some_and(|l| l >= key) {
                    return Err(out_of_order(map, &key));
                }
                last = Some(key);
            }
        }
        let mut last: Option<u32> = None;
        for e in unpack_classes(&self.classes) {
            let (key, _) = e?;
            if last.is_some_and(|l| l >= key) {
                return Err(out_of_order("classes", &key));
            }
            last = Some(key);
        }
        Ok(())
    }

    /// The table as maps.
    pub fn unpack(&self) -> std::result::Result<WordOdds, String> {
        let map = |text: &str| -> std::result::Result<FxHashMap<String, f32>, String> {
            unpack_map(text)
                .map(|e| e.map(|(k, v)| (k.to_string(), v)))
                .collect()
        };
        Ok(WordOdds {
            words: map(&self.words)?,
            bigrams: map(&self.bigrams)?,
            lines: map(&self.lines)?,
            heads: map(&self.heads)?,
            classes: unpack_classes(&self.classes).collect::<std::result::Result<_, _>>()?,
        })
    }

    /// The scoring form, read straight from the lines (entries that do not parse are
    /// skipped: [`PackedWordOdds::check`] reports them when a model file is loaded).
    pub fn lookup(&self) -> OddsLookup {
        OddsLookup::build(
            unpack_map(&self.words).flatten(),
            unpack_map(&self.bigrams).flatten(),
            unpack_map(&self.lines).flatten(),
            unpack_map(&self.heads).flatten(),
            unpack_classes(&self.classes).flatten(),
        )
    }
}

/// Sum, count, minimum and maximum of the log-odds of the keys found.
#[derive(Debug, Clone, Copy, Default)]
struct Found {
    sum: f32,
    known: u32,
    min: f32,
    max: f32,
}

impl Found {
    #[inline]
    fn add(&mut self, lo: f32) {
        if self.known == 0 {
            (self.min, self.max) = (lo, lo);
        }
        self.sum += lo;
        self.known += 1;
        self.min = self.min.min(lo);
        self.max = self.max.max(lo);
    }

    fn mean(&self) -> f32 {
        if self.known > 0 {
            self.sum / self.known as f32
        } else {
            0.0
        }
    }
}

/// One block's own evidence, before the neighbours are known.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Own {
    /// Words and word pairs, pooled (measured better than apart: held-out text F1
    /// 0.8529 against 0.8516 over five host folds, higher on four).
    words: Found,
    word_count: u32,
    line: Option<f32>,
    head: Option<f32>,
}

/// A table's scoring form ([`WordOdds::lookup`], [`PackedWordOdds::lookup`]): words,
/// then pairs and short blocks, then class names, each in a `WordTable` keyed by 32
/// bits of the hash of their normalized text, so that scoring hashes each word of a
/// block once as it reads it and never builds a string (a pair's and a short block's
/// keys combine their words' hashes).
#[derive(Debug, Clone)]
pub struct OddsLookup {
    words: WordTable<i16>,
    /// Word pairs, short blocks and blocks' first two words.
    phrases: WordTable<i16>,
    /// One bit per value of a key's low 16 bits, set for the keys in `phrases`: most word pairs and lines are in no table, and this 8 KB filter (in
    /// the fastest cache) turns most of their lookups away before the map is probed.
    phrase_filter: Vec<u64>,
    classes: WordTable<i16>,
}

/// Log-odds as the tables hold them: hundredths, exactly what the model file writes
/// (clipped to ±[`MAX_ODDS`], they fit an `i16`).
fn hundredths<K: Copy>(entries: &[(K, f32)]) -> Vec<(K, i16)> {
    entries
        .iter()
        .map(|&(k, v)| {
            (
                k,
                (v * 100.0).round().clamp(i16::MIN as f32, i16::MAX as f32) as i16,
            )
        })
        .collect()
}

#[inline(always)]
fn from_hundredths(h: i16) -> f32 {
    h as f32 / 100.0
}

impl OddsLookup {
    /// Hashes the keys of a table's five maps into the scoring form.
    fn build<'a>(
        words: impl Iterator<Item = (&'a str, f32)>,
        pairs: impl Iterator<Item = (&'a str, f32)>,
        lines: impl Iterator<Item = (&'a str, f32)>,
        heads: impl Iterator<Item = (&'a str, f32)>,
        classes: impl Iterator<Item = (u32, f32)>,
    ) -> OddsLookup {
        fn joined(key: &str, seed: u64) -> u64 {
            key.split(' ').map(word_hash).fold(seed, combine)
        }
        let words: Vec<(u32, f32)> = words.map(|(k, v)| (short(word_hash(k)), v)).collect();
        let mut phrases: Vec<(u32, f32)> = Vec::new();
        let mut phrase_filter = vec![0u64; 1024];
        let pairs = pairs.map(|(k, v)| (short(joined(k, PAIR_SEED)), v));
        let lines = lines.map(|(k, v)| (short(joined(k, LINE_SEED)), v));
        let heads = heads.map(|(k, v)| (short(joined(k, HEAD_SEED)), v));
        for (key, v) in pairs.chain(lines).chain(heads) {
            let bit = (key & 0xffff) as usize;
            phrase_filter[bit >> 6] |= 1 << (bit & 63);
            phrases.push((key, v));
        }
        let classes: Vec<(u32, f32)> = classes.collect();
        OddsLookup {
            // The word table is read for every word: filled to 80%, it stays half the
            // size it would be at 70% for the bundled models (128 KB).
            words: WordTable::with_entries(&hundredths(&words), 0.8),
            phrases: WordTable::with_entries(&hundredths(&phrases), 0.7),
            phrase_filter,
            classes: WordTable::with_entries(&hundredths(&classes), 0.7),
        }
    }

    #[inline]
    fn phrase(&self, key: u32) -> Option<f32> {
        let bit = (key & 0xffff) as usize;
        let word = self.phrase_filter.get(bit >> 6).copied().unwrap_or(0);
        if word & (1 << (bit & 63)) == 0 {
            return None;
        }
        self.phrases.get(key).map(from_hundredths)
    }
}

/// One block's evidence being read, word by word ([`OddsLookup::read_word`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockReader {
    own: Own,
    previous: u64,
    line: u64,
    head: u64,
}

impl Default for BlockReader {
    fn default() -> Self {
        BlockReader {
            own: Own::default(),
            previous: 0,
            line: LINE_SEED,
            head: HEAD_SEED,
        }
    }
}

/// The class-name evidence of one block ([`OddsLookup::classes_of`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClassEvidence {
    found: Found,
    names: u32,
}

/// Remembers the last range of class names looked up: blocks of one container share
/// theirs, so each range is looked up once.
#[derive(Debug, Default)]
pub(crate) struct ClassCache {
    range: (u32, u32),
    evidence: ClassEvidence,
}

impl OddsLookup {
    /// Reads the next word of a block, by its [`word_hash`] (words of the lowercased
    /// text, as the features read them: [`crate::words::lowercase_into`]).
    #[inline(always)]
    pub(crate) fn read_word(&self, r: &mut BlockReader, h: u64) {
        let own = &mut r.own;
        own.word_count += 1;
        if own.word_count <= MAX_LINE_WORDS {
            r.line = combine(r.line, h);
        }
        if own.word_count <= 2 {
            r.head = combine(r.head, h);
        }
        if let Some(lo) = self.words.get(short(h)).map(from_hundredths) {
            own.words.add(lo);
        }
        if own.word_count > 1 {
            let pair = combine(combine(PAIR_SEED, r.previous), h);
            if let Some(lo) = self.phrase(short(pair)) {
                own.words.add(lo);
            }
        }
        r.previous = h;
    }

    /// The block's own evidence once all its words are read. A repeated word counts
    /// each time, though the table counted it once per block: cheaper, and training
    /// computes its features the same way, so the classifier learns them as they are
    /// at run time.
    pub(crate) fn finish(&self, r: BlockReader) -> Own {
        let mut own = r.own;
        if own.word_count > 0 && own.word_count <= MAX_LINE_WORDS {
            own.line = self.phrase(short(r.line));
        }
        if own.word_count >= MIN_HEAD_WORDS {
            own.head = self.phrase(short(r.head));
        }
        own
    }

    /// The class-name evidence of block `i`.
    pub(crate) fn classes_of(
        &self,
        page: &Page,
        i: usize,
        cache: &mut ClassCache,
    ) -> ClassEvidence {
        let b = &page.blocks[i];
        let range = (b.hash_start, b.hash_end);
        if range != cache.range || range == (0, 0) {
            cache.range = range;
            // A name repeated up the ancestry counts each time (sorting them out
            // cost more than the lookups); training reads them the same way.
            let names = page.block_hashes(i);
            let mut found = Found::default();
            for &h in names {
                if let Some(lo) = self.classes.get(h).map(from_hundredths) {
                    found.add(lo);
                }
            }
            cache.evidence = ClassEvidence {
                found,
                names: names.len() as u32,
            };
        }
        cache.evidence
    }

    /// The [`WORD_ODDS_FEATURES`] of every block of a page, row-major. (Scoring reads
    /// the same values while it computes the other features, in one pass over the
    /// words: [`crate::features::for_each_row_with`].)
    pub fn page_values(&self, page: &Page) -> Vec<f32> {
        let mut lower = String::new();
        let own: Vec<Own> = (0..page.len())
            .map(|i| {
                crate::words::lowercase_into(page.block_text(i), &mut lower);
                let mut r = BlockReader::default();
                for_each_word(&lower, |w| self.read_word(&mut r, word_hash(w)));
                self.finish(r)
            })
            .collect();
        let mut out = Vec::with_capacity(own.len() * WORD_ODDS_FEATURES.len());
        let mut cache = ClassCache::default();
        for i in 0..own.len() {
            let classes = self.classes_of(page, i, &mut cache);
            out.extend_from_slice(&block_values(&own, &classes, i));
        }
        out
    }
}

/// Block `i`'s [`WORD_ODDS_FEATURES`], from every block's own evidence (for the
/// neighbours) and its class names.
pub(crate) fn block_values(
    own: &[Own],
    classes: &ClassEvidence,
    i: usize,
) -> [f32; WORD_ODDS_FEATURES.len()] {
    let o = &own[i];
    // The words of the blocks within two places, pooled.
    let mut window = Found::default();
    for near in &own[i.saturating_sub(2)..(i + 3).min(own.len())] {
        window.sum += near.words.sum;
        window.known += near.words.known;
    }
    let class = &classes.found;
    [
        o.words.mean(),
        o.words.known as f32 / o.word_count.max(1) as f32,
        o.words.min,
        o.words.max,
        o.line.unwrap_or(0.0),
        o.line.is_some() as u8 as f32,
        i.checked_sub(1).map_or(0.0, |p| own[p].words.mean()),
        own.get(i + 1).map_or(0.0, |o| o.words.mean()),
        window.mean(),
        class.mean(),
        class.min,
        class.max,
        class.known as f32 / classes.names.max(1) as f32,
        o.head.unwrap_or(0.0),
        o.head.is_some() as u8 as f32,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;
    use crate::segment::segment_str;

    #[test]
    fn the_scoring_form_does_not_depend_on_the_maps_order() {
        // Two words whose 32-bit keys meet: the scoring form keeps one value for both,
        // and which one used to follow the hash map's order, so training (which reads
        // the maps) and a saved model (which reads the sorted file) could disagree.
        let mut first: FxHashMap<u32, String> = FxHashMap::default();
        let (a, b) = (0..1_000_000)
            .find_map(|i| {
                let w = format!("w{i}");
                let key = crate::words::short(crate::words::word_hash(&w));
                first.insert(key, w.clone()).map(|other| (other, w))
            })
            .expect("a collision among a million words");
        let page = segment_str(&format!("{a}\n{b}\n"), InputFormat::Text);
        let mut seen = Vec::new();
        // The same entries in maps of other capacities: other orders.
        for capacity in [0, 3, 1 << 10, 1 << 16] {
            for order in [[(&a, 2.0), (&b, -2.0)], [(&b, -2.0), (&a, 2.0)]] {
                let mut words = FxHashMap::with_capacity_and_hasher(capacity, Default::default());
                for (w, v) in order {
                    words.insert(w.clone(), v);
                }
                for filler in 0..capacity.min(500) {
                    words.insert(format!("filler{filler}"), 1.0);
                }
                let odds = WordOdds {
                    words,
                    ..WordOdds::default()
                };
                let values = odds.lookup().page_values(&page);
                // As the saved model reads it.
                assert_eq!(
                    values,
                    PackedWordOdds::pack(&odds).lookup().page_values(&page)
                );
                seen.push(values);
            }
        }
        assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    }

    const NAMES: [&str; 8] = [
        "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel",
    ];

    /// Counts of `hosts` hosts, each with one page: a "Subscribe" line (boilerplate),
    /// a time line (boilerplate), an article sentence (content) and the host's own
    /// name (boilerplate, on that host only).
    fn counts(hosts: usize) -> WordCounts {
        let mut c = WordCounts::default();
        for (h, name) in NAMES.iter().enumerate().take(hosts) {
            let text = format!(
                "Subscribe now\n{}:0{} PM\nThe council met on Monday to discuss the budget.\nThe Daily {name}\n",
                h % 12 + 1,
                h % 10
            );
            let page = segment_str(&text, InputFormat::Text);
            let labels = [false, false, true, false];
            c.add_host([(&page, &labels[..])]);
        }
        c
    }

    #[test]
    fn keys_need_enough_hosts_and_lean_the_way_their_labels_do() {
        let odds = counts(MIN_HOSTS as usize).odds();
        assert!(odds.words["subscribe"] < -0.5, "{odds:?}");
        assert!(odds.words["council"] > 0.5, "{odds:?}");
        // Digits are shapes: every host's time is "0 00 pm" ("5:04" is two words).
        assert!(odds.lines["0 00 pm"] < -0.5, "{odds:?}");
        assert!(odds.lines["subscribe now"] < -0.5, "{odds:?}");
        // A host's own name is on one host only: not learned.
        assert!(!odds.lines.contains_key("the daily alpha"), "{odds:?}");
        assert!(!odds.words.contains_key("alpha"), "{odds:?}");
        assert!(odds.words.contains_key("daily"), "{odds:?}");
        // One host fewer, and nothing is learned at all.
        let few = counts(MIN_HOSTS as usize - 1).odds();
        assert_eq!(few, WordOdds::default());
        // Counts of disjoint hosts add up to the same table.
        let mut a = counts(2);
        a.add(&counts(MIN_HOSTS as usize - 2));
        assert_eq!(a.odds().words.len(), odds.words.len());
    }

    #[test]
    fn folded_counts_give_the_table_of_the_folds_added_up() {
        // Three "folds" of hosts (NAMES keeps each fold's hosts apart).
        let fold = |names: &[&str]| {
            let mut c = WordCounts::default();
            for (h, name) in names.iter().enumerate() {
                let text = format!(
                    "Subscribe now\n{h}:00 PM\nThe council met to discuss the budget.\nThe Daily {name}\nmin read\n"
                );
                let page = segment_str(&text, InputFormat::Text);
                c.add_host([(&page, &[false, false, true, false, h % 2 == 0][..])]);
            }
            c
        };
        let groups: [&[&str]; 3] = [&NAMES[0..3], &NAMES[3..5], &NAMES[5..8]];
        let folded = FoldedCounts::new(groups.iter().map(|g| fold(g)).collect());
        for excluded in [vec![], vec![0], vec![1], vec![2], vec![0, 2]] {
            let mut sum = WordCounts::default();
            for (f, g) in groups.iter().enumerate() {
                if !excluded.contains(&f) {
                    sum.add(&fold(g));
                }
            }
            assert_eq!(folded.odds_without(&excluded), sum.odds(), "{excluded:?}");
        }
        assert!(!folded.odds_without(&[]).words.is_empty());
    }

    #[test]
    fn pairs_are_kept_only_when_they_say_more_than_their_words() {
        let odds = counts(MIN_HOSTS as usize + 2).odds();
        // "subscribe now" says what "subscribe" and "now" say: both boilerplate.
        assert!(!odds.bigrams.contains_key("subscribe now"), "{odds:?}");
        for (pair, lo) in &odds.bigrams {
            let (a, b) = pair.split_once(' ').unwrap();
            let words = |w: &str| odds.words.get(w).copied().unwrap_or(0.0);
            assert!(
                (lo - (words(a) + words(b)) / 2.0).abs() >= PAIR_MARGIN,
                "{pair}"
            );
        }
    }

    #[test]
    fn page_values_read_words_lines_and_neighbours() {
        let mut odds = WordOdds::default();
        odds.words.insert("subscribe".into(), -3.0);
        odds.words.insert("council".into(), 2.0);
        odds.words.insert("budget".into(), 1.0);
        odds.bigrams.insert("min read".into(), -4.0);
        odds.lines.insert("0 00 pm".into(), -2.5);
        let text = "Subscribe\n5:04 PM\nThe council met on the budget.\n3 min read\n";
        let page = segment_str(text, InputFormat::Text);
        let v = odds.lookup().page_values(&page);
        let k = WORD_ODDS_FEATURES.len();
        assert_eq!(v.len(), 4 * k);
        let col = |name: &str| WORD_ODDS_FEATURES.iter().position(|n| *n == name).unwrap();
        let at = |i: usize, name: &str| odds_row(&v, i)[col(name)];
        assert_eq!(at(0, "word_odds_mean"), -3.0);
        assert_eq!(at(0, "word_odds_known"), 1.0);
        // The time line: its words are unknown, its shape is a known line.
        assert_eq!(at(1, "word_odds_known"), 0.0);
        assert_eq!((at(1, "line_odds"), at(1, "line_known")), (-2.5, 1.0));
        // Two of six words known: mean 1.5, min 1, max 2.
        assert_eq!(at(2, "word_odds_mean"), 1.5);
        assert!((at(2, "word_odds_known") - 2.0 / 6.0).abs() < 1e-6);
        assert_eq!((at(2, "word_odds_min"), at(2, "word_odds_max")), (1.0, 2.0));
        assert_eq!((at(2, "line_known"), at(2, "line_odds")), (0.0, 0.0));
        // A pair counts with the words.
        assert_eq!(at(3, "word_odds_mean"), -4.0);
        // Neighbours and the pooled window of ±2 blocks.
        assert_eq!(at(1, "word_odds_prev"), -3.0);
        assert_eq!(at(1, "word_odds_next"), 1.5);
        assert_eq!(at(0, "word_odds_prev"), 0.0);
        assert_eq!(at(3, "word_odds_next"), 0.0);
        assert_eq!(at(0, "word_odds_window"), (-3.0 + 3.0) / 3.0);
        assert_eq!(at(3, "word_odds_window"), (3.0 - 4.0) / 3.0);
        // Text mode has no class names.
        assert_eq!(at(2, "class_known"), 0.0);
        // No table, no evidence: zeros, whatever the page.
        let none = WordOdds::default().lookup().page_values(&page);
        assert!(none.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn blocks_of_three_words_or_more_are_read_by_their_first_two() {
        // Counted: every host's article sentence starts "the council" (content); its
        // two-word and one-word lines have no head.
        let odds = counts(MIN_HOSTS as usize).odds();
        assert!(odds.heads["the council"] > 0.0, "{:?}", odds.heads);
        assert!(
            !odds.heads.contains_key("subscribe now"),
            "{:?}",
            odds.heads
        );
        // Read: a head is looked up by the block's first two words, not any pair, and
        // only in blocks of at least three words.
        let mut odds = WordOdds::default();
        odds.heads.insert("posted by".into(), -2.0);
        let text = "Posted by Rachel at 5:04 PM\nPosted by\nHe posted by mail.\n";
        let page = segment_str(text, InputFormat::Text);
        let v = odds.lookup().page_values(&page);
        let col = |name: &str| WORD_ODDS_FEATURES.iter().position(|n| *n == name).unwrap();
        let head = |i: usize| {
            let row = odds_row(&v, i);
            (row[col("head_odds")], row[col("head_known")])
        };
        assert_eq!(head(0), (-2.0, 1.0));
        assert_eq!(head(1), (0.0, 0.0));
        assert_eq!(head(2), (0.0, 0.0));
        // The head is not a pair: the block's word evidence is untouched.
        assert_eq!(odds_row(&v, 0)[col("word_odds_known")], 0.0);
    }

    #[test]
    fn word_hashes_are_the_hashes_of_the_normalized_words() {
        // The ASCII shortcut, the general path and the table's keys must agree, or a
        // word would never find its entry.
        let slow = |w: &str| {
            let mut n = String::new();
            push_normalized(w, &mut n);
            let mut h = crate::words::ChunkHasher::default();
            n.bytes().for_each(|b| h.push(b));
            h.finish()
        };
        for w in [
            "a",
            "Subscribe",
            "SUBSCRIBE",
            "2026",
            "5",
            "x9Y8",
            "abcdefgh",
            "abcdefghi",
            "Sixteen1Letters2",
            "café",
            "ÉTÉ",
            "Straße",
            "日",
            "٣",
            "İstanbul",
            "Ωmega42",
        ] {
            assert_eq!(word_hash(w), slow(w), "{w}");
            let mut n = String::new();
            push_normalized(w, &mut n);
            assert_eq!(word_hash(&n), word_hash(w), "{w}: a key hashes as its word");
        }
        assert_eq!(word_hash("2026"), word_hash("1999"));
        assert_ne!(word_hash("ab"), word_hash("ab0"));
        assert_ne!(word_hash("abcdefgh"), word_hash("abcdefgh0"));
    }

    #[test]
    fn the_quick_odds_parser_agrees_with_the_general_one() {
        for k in -500..=500 {
            let v = ((k as f64 / 100.0) as f32, (k as f32) / 100.0);
            for x in [v.0, v.1] {
                let text = format!("{x}");
                assert_eq!(parse_odds(&text), text.parse::<f32>().ok(), "{text}");
            }
        }
        for text in [
            "0", "-0", "4.5", "-4.05", "1e-3", "0.125", "1234.5", "nan", "", "-", ".",
        ] {
            let bits = |v: Option<f32>| v.map(f32::to_bits);
            assert_eq!(
                bits(parse_odds(text)),
                bits(text.parse::<f32>().ok()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn class_names_of_the_ancestry_are_read() {
        let html = r#"<div class="sidebar"><div class="sidebar"><p>Popular now</p></div></div><article class="entry"><p>Text</p></article>"#;
        let page = segment_str(html, InputFormat::Html);
        let hashes = |i: usize| page.block_hashes(i).to_vec();
        let sidebar = *hashes(0).first().unwrap();
        let mut odds = WordOdds::default();
        odds.classes.insert(sidebar, -2.0);
        let v = odds.lookup().page_values(&page);
        let col = |name: &str| WORD_ODDS_FEATURES.iter().position(|n| *n == name).unwrap();
        assert_eq!(odds_row(&v, 0)[col("class_odds_mean")], -2.0);
        assert!(odds_row(&v, 0)[col("class_known")] > 0.0);
        assert_eq!(odds_row(&v, 1)[col("class_odds_min")], 0.0);
    }
}
