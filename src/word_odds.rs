//! Learned word evidence: how much more often a word (or a whole short block, such as
//! "News Feed" or "* indicates required") appears in content than in boilerplate, as a
//! smoothed log-odds learned from the training labels.
//!
//! The hand lexicon ([`crate::lexicon`]) knows a few hundred phrases by category; this
//! table knows every word the training pages share across hosts ("photo", "min",
//! "reply", "subscribers", a month's name). Only words seen on at least
//! [`MIN_HOSTS`] different hosts are kept, so a site's name or a template's labels
//! cannot be learned as evidence; a word the table does not know contributes nothing,
//! which is what happens on a language the training pages lack.
//!
//! Training computes each page's values from the counts of the *other* host folds
//! (out of fold), so the classifier learns how far to trust the table on words it has
//! not seen labelled; the model file carries the table built from all training pages.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::lexicon::FxHasher;
use crate::segment::Page;
use crate::words::for_each_word;

type FxHashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// A word (or short block) must appear on this many hosts to enter the table.
pub const MIN_HOSTS: u32 = 3;

/// Blocks of at most this many words are also looked up whole.
pub const MAX_LINE_WORDS: u32 = 10;

/// Pseudo-count of the smoothing toward the overall content rate.
const PRIOR_WEIGHT: f64 = 4.0;

/// Log-odds are clipped to ±this.
const MAX_ODDS: f64 = 5.0;

/// The names of the per-block values [`WordOdds::block_values`] writes, in order.
pub const WORD_ODDS_FEATURES: [&str; 13] = [
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
}

/// Counts of words and short blocks over labelled pages, grouped by host: the raw
/// material of a [`WordOdds`] table. Counts of disjoint host sets add up.
#[derive(Debug, Clone, Default)]
pub struct WordCounts {
    words: FxHashMap<String, Count>,
    lines: FxHashMap<String, Count>,
    classes: FxHashMap<u32, Count>,
    content_blocks: u64,
    blocks: u64,
}

/// The normalized form of a word: lowercase, every digit as `0` (so "5:04" and "2026"
/// count as the shapes they are).
fn push_normalized(word: &str, out: &mut String) {
    for c in word.chars() {
        if c.is_numeric() {
            out.push('0');
        } else {
            out.extend(c.to_lowercase());
        }
    }
}

/// The normalized words of a block and, when it is short, its whole text normalized
/// (words joined by single spaces; punctuation dropped).
fn normalized(text: &str, words: &mut Vec<String>, line: &mut String) {
    words.clear();
    line.clear();
    for_each_word(text, |w| {
        let mut s = String::with_capacity(w.len());
        push_normalized(w, &mut s);
        words.push(s);
    });
    if words.len() as u32 <= MAX_LINE_WORDS {
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                line.push(' ');
            }
            line.push_str(w);
        }
    }
}

impl WordCounts {
    /// Adds the labelled pages of one host.
    pub fn add_host<'a>(&mut self, pages: impl IntoIterator<Item = (&'a Page, &'a [bool])>) {
        let mut seen_words: FxHashMap<String, Count> = FxHashMap::default();
        let mut seen_lines: FxHashMap<String, Count> = FxHashMap::default();
        let mut seen_classes: FxHashMap<u32, Count> = FxHashMap::default();
        let (mut words, mut line) = (Vec::new(), String::new());
        let mut classes: Vec<u32> = Vec::new();
        for (page, labels) in pages {
            for (i, &label) in labels.iter().enumerate().take(page.len()) {
                normalized(page.block_text(i), &mut words, &mut line);
                if words.is_empty() {
                    continue;
                }
                self.blocks += 1;
                self.content_blocks += label as u64;
                words.sort_unstable();
                words.dedup();
                for w in words.drain(..) {
                    let c = seen_words.entry(w).or_default();
                    if label {
                        c.content += 1;
                    } else {
                        c.boilerplate += 1;
                    }
                }
                if !line.is_empty() {
                    let c = seen_lines.entry(std::mem::take(&mut line)).or_default();
                    if label {
                        c.content += 1;
                    } else {
                        c.boilerplate += 1;
                    }
                }
                classes.clear();
                classes.extend_from_slice(page.block_hashes(i));
                classes.sort_unstable();
                classes.dedup();
                for &h in &classes {
                    let c = seen_classes.entry(h).or_default();
                    if label {
                        c.content += 1;
                    } else {
                        c.boilerplate += 1;
                    }
                }
            }
        }
        for (k, mut c) in seen_classes {
            c.hosts = 1;
            self.classes.entry(k).or_default().add(&c);
        }
        for (seen, all) in [(seen_words, &mut self.words), (seen_lines, &mut self.lines)] {
            for (k, mut c) in seen {
                c.hosts = 1;
                all.entry(k).or_default().add(&c);
            }
        }
    }

    /// Adds another set of counts (of other hosts).
    pub fn add(&mut self, other: &WordCounts) {
        for (all, more) in [(&mut self.words, &other.words), (&mut self.lines, &other.lines)] {
            for (k, c) in more {
                all.entry(k.clone()).or_default().add(c);
            }
        }
        for (k, c) in &other.classes {
            self.classes.entry(*k).or_default().add(c);
        }
        self.content_blocks += other.content_blocks;
        self.blocks += other.blocks;
    }

    /// The table: smoothed log-odds of every key seen on at least [`MIN_HOSTS`] hosts,
    /// relative to the overall content rate.
    pub fn odds(&self) -> WordOdds {
        let prior = (self.content_blocks as f64 + 1.0) / (self.blocks as f64 + 2.0);
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
        let table = |m: &FxHashMap<String, Count>| -> BTreeMap<String, f32> {
            m.iter()
                .filter_map(|(k, c)| Some((k.clone(), log_odds(c)?)))
                .collect()
        };
        WordOdds {
            words: table(&self.words),
            lines: table(&self.lines),
            classes: self
                .classes
                .iter()
                .filter_map(|(k, c)| Some((*k, log_odds(c)?)))
                .collect(),
        }
    }
}

/// The learned table: log-odds of content by normalized word and by normalized short
/// block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WordOdds {
    /// Word → log-odds.
    pub words: BTreeMap<String, f32>,
    /// Short block → log-odds.
    pub lines: BTreeMap<String, f32>,
    /// Hashed class/id token ([`Page::block_hashes`]) → log-odds (HTML).
    #[serde(default)]
    pub classes: BTreeMap<u32, f32>,
}

/// Lookup form of a [`WordOdds`] table.
#[derive(Debug, Clone, Default)]
pub struct OddsLookup {
    words: FxHashMap<String, f32>,
    lines: FxHashMap<String, f32>,
    classes: FxHashMap<u32, f32>,
}

impl WordOdds {
    /// The hash-map form for scoring.
    pub fn lookup(&self) -> OddsLookup {
        OddsLookup {
            words: self.words.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            lines: self.lines.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            classes: self.classes.iter().map(|(k, v)| (*k, *v)).collect(),
        }
    }
}

/// One block's word evidence before the neighbours are known.
#[derive(Debug, Clone, Copy, Default)]
struct Own {
    sum: f32,
    known: u32,
    words: u32,
    min: f32,
    max: f32,
    line: Option<f32>,
}

impl OddsLookup {
    /// One block's own evidence. `word` and `line` are reused buffers: no allocation
    /// per block or word once they have grown.
    fn own(&self, text: &str, word: &mut String, line: &mut String) -> Own {
        line.clear();
        let mut own = Own::default();
        for_each_word(text, |w| {
            word.clear();
            push_normalized(w, word);
            own.words += 1;
            if own.words <= MAX_LINE_WORDS {
                if own.words > 1 {
                    line.push(' ');
                }
                line.push_str(word);
            }
            if let Some(&lo) = self.words.get(word.as_str()) {
                if own.known == 0 {
                    (own.min, own.max) = (lo, lo);
                }
                own.sum += lo;
                own.known += 1;
                own.min = own.min.min(lo);
                own.max = own.max.max(lo);
            }
        });
        if own.words > 0 && own.words <= MAX_LINE_WORDS {
            own.line = self.lines.get(line.as_str()).copied();
        }
        own
    }

    /// The [`WORD_ODDS_FEATURES`] of every block of a page, row-major.
    pub fn page_values(&self, page: &Page) -> Vec<f32> {
        let (mut word, mut line) = (String::new(), String::new());
        let own: Vec<Own> = (0..page.len())
            .map(|i| self.own(page.block_text(i), &mut word, &mut line))
            .collect();
        let mean = |o: &Own| {
            if o.known > 0 {
                o.sum / o.known as f32
            } else {
                0.0
            }
        };
        let n = own.len();
        let mut out = Vec::with_capacity(n * WORD_ODDS_FEATURES.len());
        let mut classes: Vec<u32> = Vec::new();
        for i in 0..n {
            let o = &own[i];
            let lo = i.saturating_sub(2);
            let hi = (i + 3).min(n);
            let (s, k) = own[lo..hi]
                .iter()
                .fold((0.0f32, 0u32), |(s, k), o| (s + o.sum, k + o.known));
            // Class tokens repeat on the ancestry: each counts once.
            classes.clear();
            classes.extend_from_slice(page.block_hashes(i));
            classes.sort_unstable();
            classes.dedup();
            let (mut c_sum, mut c_known, mut c_min, mut c_max) = (0.0f32, 0u32, 0.0f32, 0.0f32);
            for h in &classes {
                if let Some(&lo) = self.classes.get(h) {
                    if c_known == 0 {
                        (c_min, c_max) = (lo, lo);
                    }
                    c_sum += lo;
                    c_known += 1;
                    c_min = c_min.min(lo);
                    c_max = c_max.max(lo);
                }
            }
            out.extend_from_slice(&[
                mean(o),
                o.known as f32 / o.words.max(1) as f32,
                o.min,
                o.max,
                o.line.unwrap_or(0.0),
                o.line.is_some() as u8 as f32,
                if i > 0 { mean(&own[i - 1]) } else { 0.0 },
                own.get(i + 1).map_or(0.0, mean),
                if k > 0 { s / k as f32 } else { 0.0 },
                if c_known > 0 { c_sum / c_known as f32 } else { 0.0 },
                c_min,
                c_max,
                c_known as f32 / classes.len().max(1) as f32,
            ]);
        }
        out
    }
}
