//! Decoding: a page's block probabilities become content/boilerplate labels.
//!
//! The threshold is the lower of the model's threshold and, when the model has one, a
//! fixed fraction of the page's highest probability (the *relative* threshold). A page
//! whose blocks all look doubtful (forums, product pages: short, repeated items) then
//! still keeps its most article-like blocks instead of coming out empty or nearly so.
//! On held-out training hosts this measured +0.0013 to +0.0042 in HTML mode on each of
//! the five host folds (mean +0.0024).
//!
//! The *confidence slope* generalises that: the threshold falls by the slope times
//! (1 − the page's highest probability). The probabilities are not calibrated page by
//! page: on a page with a certain article the useful threshold is higher than on a
//! page where even the best block is doubtful, and one global threshold has to
//! compromise. A fixed slope gained on each of the five host folds in both modes
//! (HTML 0.8729 → 0.8769 with slope 2, text 0.8369 → 0.8427 with slope 1).
//!
//! Either each block on its own (probability ≥ threshold), or the whole sequence at
//! once with a two-state HMM decoded by Viterbi (articles are runs: a lone "content"
//! block amid navigation, or a lone gap inside an article, is usually wrong). The
//! transition probabilities are learned from the training labels; the emissions are
//! the classifier's probabilities, re-centred on the threshold so that with flat
//! transitions Viterbi gives exactly the per-block decision, and weighted by the
//! block's length (a paragraph's evidence should outweigh a one-word line's when the
//! two disagree about a run; the benchmark counts words, not blocks). Linear in the
//! page.
//!
//! Decoded labels also give the page's confidence ([`page_confidence`]): how sure the
//! model is of the text it keeps, reported with every extraction and, under
//! `--min-confidence`, a reason to keep none of a page.

use serde::{Deserialize, Serialize};

/// The largest [`Smoothing::length_weight`] a model or a training run may use.
pub const MAX_LENGTH_WEIGHT: f32 = 4.0;

/// The largest [`Decoder::confidence_slope`] a model or a training run may use (past
/// it, any page whose best block is not certain keeps everything).
pub const MAX_CONFIDENCE_SLOPE: f32 = 10.0;

/// How sure the model is of a page's main text: the mean content probability of the
/// blocks it keeps, each weighted by its words (`words_log` is ln(1 + words) per
/// block, as [`Decoder::decode`] reads it); 0 when it keeps nothing. When the kept
/// blocks have no words at all (a page whose only text is "..." or "© 2026"), it is
/// their plain mean, so kept text never reports the confidence of an empty page.
///
/// A page where the model is sure of its article keeps paragraphs it scores near 1; a
/// page where it had to lower its threshold (a listing, a shop, a forum) or keeps
/// doubtful text beside the article scores lower, and its extraction is worse more
/// often. Out of sample (plain text: wcxb's and dragnet's training pages, each set
/// scored by a model trained on the other three sources), the confidence orders pages
/// by their shingle F1 with a Spearman correlation of 0.61 and 0.56; the README
/// ("Document confidence") shows what a cut at each level keeps and loses.
pub fn page_confidence(probs: &[f32], words_log: &[f32], labels: &[bool]) -> f32 {
    let (mut weighted, mut words) = (0.0f64, 0.0f64);
    let (mut plain, mut kept_blocks) = (0.0f64, 0u32);
    for ((&p, &wl), &kept) in probs.iter().zip(words_log).zip(labels) {
        if kept {
            let w = f64::from(wl).exp_m1();
            weighted += f64::from(p) * w;
            words += w;
            plain += f64::from(p);
            kept_blocks += 1;
        }
    }
    if words > 0.0 {
        (weighted / words) as f32
    } else if kept_blocks > 0 {
        (plain / f64::from(kept_blocks)) as f32
    } else {
        0.0
    }
}

/// Two-state HMM smoothing parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Smoothing {
    /// P(next is content | content).
    pub stay_content: f32,
    /// P(next is boilerplate | boilerplate).
    pub stay_boilerplate: f32,
    /// How strongly the transitions count against the emissions (1 = as learned).
    pub strength: f32,
    /// A block's emission counts (1 + ln(1 + words))^length_weight times; 0 = every
    /// block the same (what model files of format 1 meant).
    #[serde(default)]
    pub length_weight: f32,
}

impl Smoothing {
    /// Checks the parameters are probabilities and the strength is sane.
    pub fn validate(&self) -> std::result::Result<(), String> {
        for (name, p) in [
            ("stay_content", self.stay_content),
            ("stay_boilerplate", self.stay_boilerplate),
        ] {
            if !(p > 0.0 && p < 1.0) {
                return Err(format!("smoothing {name} = {p} must be inside (0, 1)"));
            }
        }
        if !(self.strength >= 0.0 && self.strength.is_finite()) {
            return Err(format!("smoothing strength {} must be >= 0", self.strength));
        }
        if !(0.0..=MAX_LENGTH_WEIGHT).contains(&self.length_weight) {
            return Err(format!(
                "smoothing length_weight {} must be within 0..{MAX_LENGTH_WEIGHT}",
                self.length_weight
            ));
        }
        Ok(())
    }

    /// Estimates transitions from labelled pages (add-one smoothed); no length weight.
    pub fn learn<'a>(pages: impl IntoIterator<Item = &'a [bool]>, strength: f32) -> Smoothing {
        let mut counts = [[1.0f64; 2]; 2];
        for labels in pages {
            for w in labels.windows(2) {
                counts[w[0] as usize][w[1] as usize] += 1.0;
            }
        }
        Smoothing {
            stay_content: (counts[1][1] / (counts[1][0] + counts[1][1])) as f32,
            stay_boilerplate: (counts[0][0] / (counts[0][0] + counts[0][1])) as f32,
            strength,
            length_weight: 0.0,
        }
    }
}

/// Turns probabilities into labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoder {
    /// Content when the probability is at least this (or at least the relative
    /// threshold, when that is lower).
    pub threshold: f32,
    /// When above 0: a page's threshold is at most this fraction of its highest block
    /// probability.
    pub relative: f32,
    /// When above 0: a page's threshold is lowered by this times (1 − its highest
    /// block probability), so a page whose best block is doubtful keeps its more
    /// likely blocks, and a page with a certain article keeps only what is likely.
    pub confidence_slope: f32,
    /// Sequence smoothing, if any.
    pub smoothing: Option<Smoothing>,
}

impl Decoder {
    /// The threshold for one page: the model's threshold, lowered by
    /// `confidence_slope` times (1 − the page's highest probability), and then to
    /// `relative` times that highest probability when that is lower. At or below 0
    /// every block is kept.
    pub fn page_threshold(&self, probs: &[f32]) -> f32 {
        if self.relative <= 0.0 && self.confidence_slope <= 0.0 {
            return self.threshold;
        }
        let max = probs.iter().copied().fold(0.0f32, f32::max);
        let mut threshold = self.threshold;
        if self.confidence_slope > 0.0 {
            threshold -= self.confidence_slope * (1.0 - max);
        }
        if self.relative > 0.0 {
            threshold = threshold.min(self.relative * max);
        }
        threshold
    }

    /// The smoothing strength (0 without smoothing).
    pub fn smoothing_strength(&self) -> f32 {
        self.smoothing.as_ref().map_or(0.0, |s| s.strength)
    }

    /// Labels a page's blocks (true = content) from their probabilities and
    /// `words_log`, ln(1 + words) per block (the feature of that name, column
    /// [`crate::features::WORDS_LOG_COLUMN`]; only read by smoothing with a length
    /// weight, where a missing value counts as an empty block).
    pub fn decode(&self, probs: &[f32], words_log: &[f32]) -> Vec<bool> {
        let threshold = self.page_threshold(probs);
        match &self.smoothing {
            Some(s) if s.strength > 0.0 && probs.len() > 1 => {
                viterbi(probs, words_log, threshold, s)
            }
            _ => probs.iter().map(|&p| p >= threshold).collect(),
        }
    }
}

fn viterbi(probs: &[f32], words_log: &[f32], threshold: f32, s: &Smoothing) -> Vec<bool> {
    const EPS: f32 = 1e-6;
    let t = threshold.clamp(EPS, 1.0 - EPS);
    let gamma = s.length_weight;
    let emit = |i: usize| {
        let p = probs[i].clamp(EPS, 1.0 - EPS);
        let w = if gamma > 0.0 {
            (1.0 + words_log.get(i).copied().unwrap_or(0.0).max(0.0)).powf(gamma)
        } else {
            1.0
        };
        [w * ((1.0 - p).ln() - (1.0 - t).ln()), w * (p.ln() - t.ln())]
    };
    // Transition log-probabilities, scaled by strength; [from][to], 0 = boilerplate.
    let k = s.strength;
    let trans = [
        [
            k * s.stay_boilerplate.ln(),
            k * (1.0 - s.stay_boilerplate).ln(),
        ],
        [k * (1.0 - s.stay_content).ln(), k * s.stay_content.ln()],
    ];
    let n = probs.len();
    let mut back = vec![[0u8; 2]; n];
    let mut score = emit(0);
    for (i, from) in back.iter_mut().enumerate().skip(1) {
        let e = emit(i);
        let mut next = [0.0f32; 2];
        for to in 0..2 {
            let from_b = score[0] + trans[0][to];
            let from_c = score[1] + trans[1][to];
            if from_c > from_b {
                next[to] = from_c + e[to];
                from[to] = 1;
            } else {
                next[to] = from_b + e[to];
                from[to] = 0;
            }
        }
        score = next;
    }
    let mut labels = vec![false; n];
    let mut state = (score[1] > score[0]) as usize;
    for i in (0..n).rev() {
        labels[i] = state == 1;
        state = back[i][state] as usize;
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_confidence_is_the_word_weighted_mean_of_the_kept_blocks() {
        let words_log = |w: &[f32]| w.iter().map(|&n| n.ln_1p()).collect::<Vec<f32>>();
        let probs = [0.9, 0.6, 0.1, 0.3];
        // 30 words at 0.9 and 10 at 0.6: (27 + 6) / 40. The dropped blocks, however
        // long, do not count.
        let wl = words_log(&[30.0, 10.0, 500.0, 2.0]);
        let c = page_confidence(&probs, &wl, &[true, true, false, false]);
        assert!((c - 33.0 / 40.0).abs() < 1e-5, "{c}");
        // A kept block without words weighs nothing; nothing kept is 0.
        let wl = words_log(&[30.0, 0.0, 1.0, 1.0]);
        let c = page_confidence(&probs, &wl, &[true, true, false, false]);
        assert!((c - 0.9).abs() < 1e-5, "{c}");
        assert_eq!(page_confidence(&probs, &wl, &[false; 4]), 0.0);
        assert_eq!(page_confidence(&[], &[], &[]), 0.0);
    }

    #[test]
    fn kept_blocks_without_words_report_their_mean_not_zero() {
        // A page whose kept text is "..." and "©": no words, yet text is kept, so its
        // confidence is not the 0 of a page that keeps nothing (found by a new-user
        // audit: `<html>...</html>` came out with its text at confidence 0).
        let probs = [0.8, 0.6, 0.1];
        let wl = [0.0, 0.0, 0.0];
        let c = page_confidence(&probs, &wl, &[true, true, false]);
        assert!((c - 0.7).abs() < 1e-6, "{c}");
    }

    #[test]
    fn threshold_only() {
        let d = Decoder {
            threshold: 0.4,
            relative: 0.0,
            confidence_slope: 0.0,
            smoothing: None,
        };
        assert_eq!(
            d.decode(&[0.1, 0.4, 0.9, 0.39], &[]),
            [false, true, true, false]
        );
    }

    #[test]
    fn flat_transitions_equal_threshold_decisions() {
        let s = Smoothing {
            stay_content: 0.5,
            stay_boilerplate: 0.5,
            strength: 1.0,
            length_weight: 0.0,
        };
        let d = Decoder {
            threshold: 0.3,
            relative: 0.0,
            confidence_slope: 0.0,
            smoothing: Some(s),
        };
        let probs = [0.1, 0.35, 0.9, 0.29, 0.8, 0.2];
        let plain: Vec<bool> = probs.iter().map(|&p| p >= 0.3).collect();
        assert_eq!(d.decode(&probs, &[]), plain);
    }

    /// Threshold 0.5, sticky transitions (0.95 both ways), no length weight.
    fn sticky() -> Decoder {
        Decoder {
            threshold: 0.5,
            relative: 0.0,
            confidence_slope: 0.0,
            smoothing: Some(Smoothing {
                stay_content: 0.95,
                stay_boilerplate: 0.95,
                strength: 1.0,
                length_weight: 0.0,
            }),
        }
    }

    #[test]
    fn sticky_transitions_fill_gaps_and_drop_islands() {
        let d = sticky();
        let got = d.decode(&[0.1, 0.1, 0.6, 0.1, 0.1, 0.9, 0.9, 0.45, 0.9, 0.9], &[]);
        assert_eq!(
            got,
            [false, false, false, false, false, true, true, true, true, true]
        );
    }

    #[test]
    fn length_weight_lets_a_long_block_hold_out_against_its_neighbours() {
        let d = sticky();
        // A doubtful block between article paragraphs: 200 words, or none.
        let probs = [0.9, 0.9, 0.2, 0.9, 0.9];
        let long = [3.0, 3.0, 201f32.ln(), 3.0, 3.0];
        let short = [3.0, 3.0, 0.0, 3.0, 3.0];
        // Without a length weight, the run swallows it either way.
        assert_eq!(d.decode(&probs, &long), [true; 5]);
        let mut weighted = sticky();
        if let Some(s) = weighted.smoothing.as_mut() {
            s.length_weight = 1.0;
        }
        // Weighted, the long block's own evidence wins; the empty one is still filled.
        assert_eq!(
            weighted.decode(&probs, &long),
            [true, true, false, true, true]
        );
        assert_eq!(weighted.decode(&probs, &short), [true; 5]);
        // Missing lengths count as empty blocks.
        assert_eq!(weighted.decode(&probs, &[]), [true; 5]);
    }

    #[test]
    fn relative_threshold_follows_the_page_maximum() {
        let d = Decoder {
            threshold: 0.5,
            relative: 0.4,
            confidence_slope: 0.0,
            smoothing: None,
        };
        // A doubtful page (best block 0.3): threshold 0.4 * 0.3 = 0.12.
        assert_eq!(
            d.decode(&[0.1, 0.3, 0.13, 0.05], &[]),
            [false, true, true, false]
        );
        // A confident page (best block 1.0): min(0.5, 0.4) = 0.4.
        assert_eq!(d.decode(&[0.39, 1.0, 0.41], &[]), [false, true, true]);
        // Off: the plain threshold, so the doubtful page comes out empty.
        let plain = Decoder {
            relative: 0.0,
            confidence_slope: 0.0,
            ..d.clone()
        };
        assert_eq!(plain.decode(&[0.1, 0.3, 0.13, 0.05], &[]), [false; 4]);
        assert_eq!(plain.page_threshold(&[0.9]), 0.5);
        // Never above the model's threshold.
        assert_eq!(d.page_threshold(&[1.0]), 0.4);
        let high = Decoder {
            relative: 0.9,
            confidence_slope: 0.0,
            ..d.clone()
        };
        assert_eq!(high.page_threshold(&[1.0]), 0.5);
        assert_eq!(d.page_threshold(&[]), 0.0);
    }

    #[test]
    fn confidence_slope_lowers_the_threshold_of_doubtful_pages() {
        let d = Decoder {
            threshold: 0.5,
            relative: 0.0,
            confidence_slope: 2.0,
            smoothing: None,
        };
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        // A certain page keeps the model's threshold: 0.5 - 2 * (1 - 1).
        assert!(close(d.page_threshold(&[0.2, 1.0]), 0.5));
        assert_eq!(d.decode(&[0.49, 1.0, 0.5], &[]), [false, true, true]);
        // Best block 0.9: 0.5 - 2 * 0.1 = 0.3.
        assert!(close(d.page_threshold(&[0.9, 0.1]), 0.3));
        assert_eq!(d.decode(&[0.9, 0.31, 0.29], &[]), [true, true, false]);
        // Best block 0.7: 0.5 - 0.6 < 0, every block is kept, also when smoothed.
        assert!(d.page_threshold(&[0.7, 0.01]) < 0.0);
        assert_eq!(d.decode(&[0.7, 0.01, 0.02], &[]), [true; 3]);
        let smoothed = Decoder {
            smoothing: Some(Smoothing {
                stay_content: 0.9,
                stay_boilerplate: 0.9,
                strength: 1.0,
                length_weight: 0.5,
            }),
            ..d.clone()
        };
        assert_eq!(smoothed.decode(&[0.7, 0.01, 0.02], &[]), [true; 3]);
        // With a relative threshold too, the lower of the two applies.
        let both = Decoder {
            relative: 0.35,
            ..d.clone()
        };
        assert!(close(both.page_threshold(&[0.9]), 0.3_f32.min(0.35 * 0.9)));
        assert!(close(both.page_threshold(&[0.98]), 0.35 * 0.98));
    }

    #[test]
    fn a_larger_slope_keeps_a_superset_and_never_raises_the_threshold() {
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.unit();
        for _ in 0..2_000 {
            let n = 1 + (next() * 30.0) as usize;
            let probs: Vec<f32> = (0..n).map(|_| next()).collect();
            let threshold = next();
            let relative = if next() < 0.5 { 0.0 } else { next() };
            let (s1, s2) = (next() * 3.0, next() * 3.0);
            let (lo, hi) = (s1.min(s2), s1.max(s2));
            let d = |slope| Decoder {
                threshold,
                relative,
                confidence_slope: slope,
                smoothing: None,
            };
            let (t_lo, t_hi) = (d(lo).page_threshold(&probs), d(hi).page_threshold(&probs));
            assert!(
                t_hi <= t_lo && t_lo <= threshold,
                "{t_hi} {t_lo} {threshold}"
            );
            let (kept_lo, kept_hi) = (d(lo).decode(&probs, &[]), d(hi).decode(&probs, &[]));
            for (a, b) in kept_lo.iter().zip(&kept_hi) {
                assert!(
                    !a || *b,
                    "slope {hi} dropped a block slope {lo} kept: {probs:?}"
                );
            }
        }
    }

    #[test]
    fn learns_transitions() {
        let pages: Vec<Vec<bool>> = vec![vec![false, false, true, true, true, false]];
        let s = Smoothing::learn(pages.iter().map(|p| p.as_slice()), 1.0);
        // content->content 2 of 3 (+1 smoothing each): 3/5.
        assert!((s.stay_content - 0.6).abs() < 1e-6);
        assert!(s.validate().is_ok());
    }
}
