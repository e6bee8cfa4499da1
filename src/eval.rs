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
//! One known difference: Python's `\w` excludes combining marks (category Mn), Rust's
//! `char::is_alphanumeric` includes those that are "alphabetic"; scores on Latin,
//! Cyrillic, Greek and CJK text are identical.

use std::collections::HashMap;

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
    /// Adds a page's labels.
    pub fn add(&mut self, pred: &[bool], gold: &[bool]) {
        for (&p, &g) in pred.iter().zip(gold) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
