//! Evaluation metrics, exactly as `shingle_f1.py` (the article-extraction benchmark's
//! reference) computes them:
//!
//! * **shingle F1**: tokens are `\w+` runs, 4-gram shingles are counted per page,
//!   per-page tp/fp/fn are normalised to sum 1, precision and recall are averaged over
//!   pages (a page counts toward precision only if it has predicted shingles, toward
//!   recall only if it has gold ones), and F1 is taken of the two averages;
//! * **snippet F1**: a `with` string found in the output (whitespace normalised) is a
//!   true positive, a `without` string found is a false positive; micro-averaged;
//! * **block P/R/F1** of predicted labels against aligned gold labels.
//!
//! [`evaluate`] scores a model on prepared pages with all three, as `dehusk eval` and
//! `train --report-dev` print them (so a model trained through the library can be
//! measured the same way).
//!
//! One known difference: Python's `\w` excludes combining marks (category Mn), Rust's
//! `char::is_alphanumeric` includes those that are "alphabetic"; scores on Latin,
//! Cyrillic, Greek and CJK text are identical.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::dataset::GoldPage;
use crate::error::Result;
use crate::label::content_text;
use crate::model::Model;
use crate::site::SiteRepeats;
use crate::train::{LabeledPage, Unreadable};

/// Shingle counts of a text.
pub fn shingles(text: &str) -> HashMap<u64, u32> {
    let tokens = tokens(text);
    let mut out = HashMap::with_capacity(tokens.len());
    if tokens.is_empty() {
        return out;
    }
    let n = 4;
    let last = tokens.len().saturating_sub(n - 1).max(1);
    for i in 0..last {
        let end = (i + n).min(tokens.len());
        *out.entry(hash_tokens(&tokens[i..end])).or_insert(0) += 1;
    }
    out
}

/// `\w+` tokens of a text (word characters: alphanumerics and underscore).
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() || c == '_' {
            if start.is_none() {
                start = Some(i);
            }
        } else if let Some(s) = start.take() {
            out.push(&text[s..i]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// FNV-1a over a token sequence, with a separator after each token so ("ab", "c") and
/// ("a", "bc") differ. Shared with the gold-text alignment ([`crate::label`]).
pub(crate) fn hash_tokens<S: AsRef<str>>(tokens: &[S]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for t in tokens {
        for &b in t.as_ref().as_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ tokens.len() as u64
}

/// Normalised (tp, fp, fn) of one page.
pub fn page_counts(truth: &HashMap<u64, u32>, pred: &HashMap<u64, u32>) -> (f64, f64, f64) {
    let mut tp = 0u64;
    let mut fp = 0u64;
    let mut fneg = 0u64;
    for (k, &p) in pred {
        let t = truth.get(k).copied().unwrap_or(0);
        tp += p.min(t) as u64;
        fp += p.saturating_sub(t) as u64;
    }
    for (k, &t) in truth {
        let p = pred.get(k).copied().unwrap_or(0);
        fneg += t.saturating_sub(p) as u64;
    }
    let s = (tp + fp + fneg) as f64;
    if s == 0.0 {
        (0.0, 0.0, 0.0)
    } else {
        (tp as f64 / s, fp as f64 / s, fneg as f64 / s)
    }
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Prf {
    /// F1 of precision and recall.
    pub f1: f64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
}

impl Prf {
    /// Micro-averaged scores from true positive, false positive and false negative
    /// counts, or shares of a total (0 where undefined).
    pub(crate) fn from_counts(tp: f64, fp: f64, fneg: f64) -> Prf {
        let ratio = |a: f64, b: f64| if a + b > 0.0 { a / (a + b) } else { 0.0 };
        Prf::from_pr(ratio(tp, fp), ratio(tp, fneg))
    }

    fn from_pr(p: f64, r: f64) -> Prf {
        Prf {
            f1: if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
            precision: p,
            recall: r,
        }
    }
}

/// Accumulates shingle F1 over pages.
#[derive(Debug, Clone, Default)]
pub struct ShingleF1 {
    /// Each page's precision (when it predicted shingles) and recall (when its gold has
    /// shingles): the reference leaves a page out of the mean it has nothing for.
    per_page: Vec<(Option<f64>, Option<f64>)>,
}

impl ShingleF1 {
    /// Adds one page and returns its own (tp, fp, fn).
    pub fn add(&mut self, truth: &str, pred: &str) -> (f64, f64, f64) {
        self.add_shingles(&shingles(truth), &shingles(pred))
    }

    /// Adds one page from precomputed shingles.
    pub fn add_shingles(
        &mut self,
        truth: &HashMap<u64, u32>,
        pred: &HashMap<u64, u32>,
    ) -> (f64, f64, f64) {
        let counts = page_counts(truth, pred);
        self.add_counts(counts);
        counts
    }

    /// Adds one page from its (tp, fp, fn) shingle counts ([`page_counts`]).
    pub fn add_counts(&mut self, (tp, fp, fneg): (f64, f64, f64)) {
        let both_zero = fp == 0.0 && fneg == 0.0;
        let precision = (tp + fp > 0.0).then(|| if both_zero { 1.0 } else { tp / (tp + fp) });
        let recall = (tp + fneg > 0.0).then(|| if both_zero { 1.0 } else { tp / (tp + fneg) });
        self.per_page.push((precision, recall));
    }

    /// Pages added.
    pub fn pages(&self) -> usize {
        self.per_page.len()
    }

    /// The score so far.
    pub fn score(&self) -> Prf {
        score_of(self.per_page.iter().copied())
    }

    /// A 95% interval for the score over pages like these: the 2.5th and 97.5th
    /// percentiles of the score of `resamples` samples of the pages, drawn with
    /// replacement (the percentile bootstrap; `seed` makes it reproducible). It says how
    /// far the score could move on another draw of pages from the same sources: on 20
    /// pages, a lot. `None` without pages or resamples.
    pub fn interval(&self, resamples: usize, seed: u64) -> Option<(f64, f64)> {
        let n = self.per_page.len();
        if n == 0 || resamples == 0 {
            return None;
        }
        let mut state = seed;
        let mut scores: Vec<f64> = (0..resamples)
            .map(|_| {
                score_of((0..n).map(|_| {
                    let i = (splitmix64(&mut state) % n as u64) as usize;
                    self.per_page[i]
                }))
                .f1
            })
            .collect();
        scores.sort_by(f64::total_cmp);
        let at = |q: f64| scores[((q * resamples as f64) as usize).min(resamples - 1)];
        Some((at(0.025), at(0.975)))
    }
}

/// Shingle P, R and F1 of pages' (precision, recall): F1 of the mean precision and the
/// mean recall, each over the pages that have one.
fn score_of(pages: impl Iterator<Item = (Option<f64>, Option<f64>)>) -> Prf {
    let (mut p, mut np, mut r, mut nr) = (0.0, 0usize, 0.0, 0usize);
    for (pp, rr) in pages {
        if let Some(x) = pp {
            p += x;
            np += 1;
        }
        if let Some(x) = rr {
            r += x;
            nr += 1;
        }
    }
    let mean = |sum: f64, n: usize| if n == 0 { 0.0 } else { sum / n as f64 };
    Prf::from_pr(mean(p, np), mean(r, nr))
}

/// The splitmix64 generator: a few lines, no dependency, the same draws everywhere.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn norm_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Accumulates snippet F1 (with/without strings).
#[derive(Debug, Clone, Default)]
pub struct SnippetF1 {
    tp: usize,
    fp: usize,
    fneg: usize,
    /// Whether any page had snippets.
    pub any: bool,
}

impl SnippetF1 {
    /// Adds one page.
    pub fn add(&mut self, with: &[String], without: &[String], pred: &str) {
        if !with.is_empty() || !without.is_empty() {
            self.any = true;
        }
        let out = norm_ws(pred);
        let tp = with.iter().filter(|w| out.contains(&norm_ws(w))).count();
        let fp = without.iter().filter(|w| out.contains(&norm_ws(w))).count();
        self.tp += tp;
        self.fp += fp;
        self.fneg += with.len() - tp;
    }

    /// The score so far.
    pub fn score(&self) -> Prf {
        Prf::from_counts(self.tp as f64, self.fp as f64, self.fneg as f64)
    }
}

/// Block-level confusion counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockCounts {
    /// Predicted content, labelled content.
    pub tp: usize,
    /// Predicted content, labelled boilerplate.
    pub fp: usize,
    /// Predicted boilerplate, labelled content.
    pub fneg: usize,
    /// Predicted boilerplate, labelled boilerplate.
    pub tn: usize,
}

impl BlockCounts {
    /// Adds a page's labels. Where one side is shorter, its missing labels count as
    /// boilerplate, so a gold content block without a prediction is a miss (before,
    /// the longer side's tail was passed over: an empty prediction scored F1 1.0,
    /// found by an audit of the library).
    pub fn add(&mut self, pred: &[bool], gold: &[bool]) {
        let label = |labels: &[bool], i: usize| labels.get(i).copied().unwrap_or(false);
        let both = (0..pred.len().max(gold.len())).map(|i| (label(pred, i), label(gold, i)));
        for (p, g) in both {
            match (p, g) {
                (true, true) => self.tp += 1,
                (true, false) => self.fp += 1,
                (false, true) => self.fneg += 1,
                (false, false) => self.tn += 1,
            }
        }
    }

    /// Block precision, recall and F1 (content is positive).
    pub fn score(&self) -> Prf {
        Prf::from_counts(self.tp as f64, self.fp as f64, self.fneg as f64)
    }
}

/// A model's scores on one dataset's pages ([`evaluate`]), as `dehusk eval --json`
/// writes them.
#[derive(Debug, Default, Serialize)]
pub struct Scores {
    /// The dataset's name (the caller's to set: [`evaluate`] leaves it empty).
    pub dataset: String,
    /// `html` or `text` (the caller's to set).
    pub mode: String,
    /// The split scored (the caller's to set).
    pub split: String,
    /// Pages scored, the unreadable ones included.
    pub pages: usize,
    /// Shingle precision, recall and F1 (the benchmark's metric).
    pub shingle: Prf,
    /// 95% bootstrap interval of the shingle F1 (`eval --intervals`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shingle_interval: Option<[f64; 2]>,
    /// Snippet precision, recall and F1, when the gold records have snippets.
    pub snippet: Option<Prf>,
    /// Block precision, recall and F1 against the aligned labels.
    pub block: Prf,
    /// The aligned labels' shingle score: what a model that learned them perfectly
    /// would score.
    pub oracle: Prf,
    /// Pages whose input has no text at all (a rendering that came out empty, such as
    /// pages a script writes): every extractor's recall is 0 on them.
    #[serde(skip_serializing_if = "is_zero")]
    pub empty_inputs: usize,
    /// Shingle F1 on the other pages, when some are empty: what the extractor does
    /// with the text it is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shingle_with_text: Option<Prf>,
    /// Pages whose file could not be read (each reported): scored as empty
    /// extractions, as `shingle_f1.py` scores a missing prediction, so the score is of
    /// every page of the split.
    #[serde(skip_serializing_if = "is_zero")]
    pub unreadable: usize,
    /// By page type (`eval --per-type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_type: Option<BTreeMap<String, GroupScore>>,
    /// By guessed language of the gold text (`eval --per-language`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_language: Option<BTreeMap<String, GroupScore>>,
}

/// One group's score in [`Scores`]' breakdowns.
#[derive(Debug, Serialize)]
pub struct GroupScore {
    /// Pages in the group.
    pub pages: usize,
    /// Their shingle score.
    pub shingle: Prf,
}

/// A breakdown's groups with their scores.
pub fn group_scores(group: &BTreeMap<String, ShingleF1>) -> BTreeMap<String, GroupScore> {
    group
        .iter()
        .map(|(name, f)| {
            let score = GroupScore {
                pages: f.pages(),
                shingle: f.score(),
            };
            (name.clone(), score)
        })
        .collect()
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Per-group scores: by page type and by (guessed) language of the gold text.
#[derive(Debug, Default)]
pub struct Groups {
    /// By the gold record's `page_type`.
    pub page_type: BTreeMap<String, ShingleF1>,
    /// By [`crate::lexicon::guess_language`] of the gold text.
    pub language: BTreeMap<String, ShingleF1>,
}

impl Groups {
    /// Adds a page's shingle counts to its page type's group and its language's.
    fn add(&mut self, gold: &GoldPage, counts: (f64, f64, f64)) {
        if let Some(t) = &gold.page_type {
            self.page_type
                .entry(t.clone())
                .or_default()
                .add_counts(counts);
        }
        let lang = crate::lexicon::guess_language(&gold.main_content);
        self.language
            .entry(lang.to_string())
            .or_default()
            .add_counts(counts);
    }
}

/// The bootstrap's seed for [`evaluate`]'s interval: fixed, so a rerun gives the same
/// interval.
pub const INTERVAL_SEED: u64 = 0x00de_4a5c;

/// What [`evaluate`] gives.
#[derive(Debug)]
pub struct Evaluation {
    /// The scores of all the pages.
    pub scores: Scores,
    /// The pages' shingle counts by page type and language.
    pub groups: Groups,
    /// Each page's extraction: id, text, confidence (the unreadable pages' empty).
    pub predictions: Vec<(String, String, f32)>,
}

/// Scores `model` on prepared pages of one dataset ([`crate::train::prepare`]), as
/// `dehusk eval` does: each page extracted (with `site`'s repeated lines dropped, when
/// given), the `unreadable` pages of the dataset counted as empty extractions, as
/// `shingle_f1.py` counts a missing prediction, and with `resamples` > 0 a 95%
/// bootstrap interval of the shingle F1. An error when a page's rows do not fit the
/// model ([`Model::check_rows`]: pages prepared in the other mode).
pub fn evaluate(
    pages: &[&LabeledPage],
    unreadable: &[&Unreadable],
    model: &Model,
    resamples: usize,
    site: Option<&SiteRepeats>,
) -> Result<Evaluation> {
    let mut shingle = ShingleF1::default();
    let mut with_text = ShingleF1::default();
    let mut oracle = ShingleF1::default();
    let mut snippet = SnippetF1::default();
    let mut blocks = BlockCounts::default();
    let mut groups = Groups::default();
    let mut predictions = Vec::new();
    for p in pages {
        let on_site = site.zip(p.site_host()).map(|(s, h)| s.on(h));
        let scores = model.score_page(&p.page, &p.features)?;
        let decoded = model.label_on_site(&p.page, &scores, on_site);
        let (labels, confidence) = (decoded.labels, decoded.confidence);
        let text = content_text(&p.page, &labels);
        // Shingled once; the subsets (pages with text, types, languages) add the counts.
        let counts = shingle.add(&p.gold.main_content, &text);
        if !p.page.is_empty() {
            with_text.add_counts(counts);
        }
        oracle.add(&p.gold.main_content, &content_text(&p.page, &p.labels));
        snippet.add(&p.gold.with, &p.gold.without, &text);
        blocks.add(&labels, &p.labels);
        groups.add(&p.gold, counts);
        predictions.push((p.id.clone(), text, confidence));
    }
    for u in unreadable {
        let counts = shingle.add(&u.gold.main_content, "");
        oracle.add(&u.gold.main_content, "");
        snippet.add(&u.gold.with, &u.gold.without, "");
        groups.add(&u.gold, counts);
        predictions.push((u.gold.id.clone(), String::new(), 0.0));
    }
    Ok(Evaluation {
        scores: Scores {
            pages: pages.len() + unreadable.len(),
            shingle: shingle.score(),
            shingle_interval: shingle
                .interval(resamples, INTERVAL_SEED)
                .map(|(lo, hi)| [lo, hi]),
            snippet: snippet.any.then(|| snippet.score()),
            block: blocks.score(),
            oracle: oracle.score(),
            empty_inputs: pages.len() - with_text.pages(),
            shingle_with_text: (with_text.pages() < pages.len()).then(|| with_text.score()),
            unreadable: unreadable.len(),
            ..Scores::default()
        },
        groups,
        predictions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_counts_read_a_missing_label_as_boilerplate() {
        let mut c = BlockCounts::default();
        c.add(&[], &[true, false, true]);
        assert_eq!((c.tp, c.fp, c.fneg, c.tn), (0, 0, 2, 1));
        assert_eq!(c.score().recall, 0.0);
        let mut c = BlockCounts::default();
        c.add(&[true, true, false], &[true]);
        assert_eq!((c.tp, c.fp, c.fneg, c.tn), (1, 1, 0, 1));
    }

    #[test]
    fn evaluate_scores_its_own_predictions_and_refuses_pages_of_the_other_mode() {
        use crate::input::InputFormat;
        let mini = crate::dataset::Dataset::open(std::path::Path::new("data/mini")).unwrap();
        let datasets = [mini];
        let prepared =
            |mode| crate::train::prepare(&datasets, Some("dev"), mode, crate::train::Flatten::None);
        let (pages, unreadable) = prepared(InputFormat::Html);
        assert!(unreadable.is_empty() && pages.len() >= 2);
        let pages: Vec<&LabeledPage> = pages.iter().collect();
        let model = crate::model::bundled::file(InputFormat::Html)
            .unwrap()
            .compile()
            .unwrap();
        let e = evaluate(&pages, &[], &model, 0, None).unwrap();
        assert_eq!(e.scores.pages, pages.len());
        assert_eq!(e.predictions.len(), pages.len());
        // The score is the metric over the predictions it returns.
        let mut again = ShingleF1::default();
        for (p, (id, text, _)) in pages.iter().zip(&e.predictions) {
            assert_eq!(&p.id, id);
            again.add(&p.gold.main_content, text);
        }
        assert_eq!(again.score().f1, e.scores.shingle.f1);
        assert!(e.scores.shingle.f1 > 0.5 && e.scores.oracle.f1 >= 0.9);
        assert!(
            e.scores.shingle_interval.is_none(),
            "no resamples, no interval"
        );
        // Text renderings' rows are not an HTML model's.
        let (text_pages, _) = prepared(InputFormat::Text);
        let text_pages: Vec<&LabeledPage> = text_pages.iter().collect();
        assert!(evaluate(&text_pages, &[], &model, 0, None).is_err());
    }

    #[test]
    fn interval_brackets_the_score_and_narrows_with_more_pages() {
        // Half the pages perfect, half missed entirely: F1 0.5 whatever the count.
        let pages = |n: usize| {
            let mut f = ShingleF1::default();
            for k in 0..n {
                f.add_counts(if k % 2 == 0 {
                    (1.0, 0.0, 0.0)
                } else {
                    (0.0, 0.5, 0.5)
                });
            }
            f
        };
        let few = pages(20);
        let many = pages(2000);
        let (lo, hi) = few.interval(1000, 7).unwrap();
        assert!(lo < few.score().f1 && few.score().f1 < hi, "{lo} {hi}");
        let (mlo, mhi) = many.interval(1000, 7).unwrap();
        assert!(mlo <= many.score().f1 && many.score().f1 <= mhi);
        assert!(mhi - mlo < (hi - lo) / 4.0, "{mlo}..{mhi} vs {lo}..{hi}");
        // The same seed draws the same pages; identical pages leave no spread.
        assert_eq!(few.interval(1000, 7), few.interval(1000, 7));
        let mut same = ShingleF1::default();
        for _ in 0..30 {
            same.add_counts((0.8, 0.1, 0.1));
        }
        let (a, b) = same.interval(200, 1).unwrap();
        assert_eq!(a, b);
        assert!((a - same.score().f1).abs() < 1e-12);
        assert_eq!(ShingleF1::default().interval(100, 1), None);
    }

    #[test]
    fn identical_texts_score_one_and_disjoint_zero() {
        let mut s = ShingleF1::default();
        s.add("the quick brown fox jumps", "The quick brown fox jumps");
        // Case matters, as in the reference: "the" vs "The" differ in one shingle.
        let sc = s.score();
        assert!(sc.f1 < 1.0 && sc.f1 > 0.0);
        let mut s = ShingleF1::default();
        s.add("a b c d e f", "a b c d e f");
        assert_eq!(s.score().f1, 1.0);
        let mut s = ShingleF1::default();
        s.add("a b c d e f", "u v w x y z");
        assert_eq!(s.score().f1, 0.0);
    }

    #[test]
    fn short_texts_make_one_shingle() {
        assert_eq!(shingles("one two").len(), 1);
        assert_eq!(shingles("").len(), 0);
        assert_eq!(shingles("a b c d e").len(), 2);
    }

    #[test]
    fn empty_pages_are_excluded_like_the_reference() {
        let mut s = ShingleF1::default();
        s.add("a b c d e", "");
        s.add("", "");
        // Only the first page counts, toward recall (0); no precision pages.
        assert_eq!(s.score().recall, 0.0);
        assert_eq!(s.score().precision, 0.0);
    }

    #[test]
    fn snippets() {
        let mut s = SnippetF1::default();
        s.add(
            &["must  be here".into()],
            &["cookie banner".into()],
            "x must be\nhere y cookie banner",
        );
        let sc = s.score();
        assert_eq!((sc.precision, sc.recall), (0.5, 1.0));
    }
}
