//! Decoding: a page's block probabilities become content/boilerplate labels.
//!
//! Either each block on its own (probability ≥ threshold), or the whole sequence at
//! once with a two-state HMM decoded by Viterbi (articles are runs: a lone "content"
//! block amid navigation, or a lone gap inside an article, is usually wrong). The
//! transition probabilities are learned from the training labels; the emissions are
//! the classifier's probabilities, re-centred on the threshold so that with flat
//! transitions Viterbi gives exactly the per-block decision. Linear in the page.

use serde::{Deserialize, Serialize};

/// Two-state HMM smoothing parameters.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Smoothing {
    /// P(next is content | content).
    pub stay_content: f32,
    /// P(next is boilerplate | boilerplate).
    pub stay_boilerplate: f32,
    /// How strongly the transitions count against the emissions (1 = as learned).
    pub strength: f32,
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
        Ok(())
    }

    /// Estimates transitions from labelled pages (add-one smoothed).
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
        }
    }
}

/// Turns probabilities into labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoder {
    /// Content when the probability is at least this.
    pub threshold: f32,
    /// Sequence smoothing, if any.
    pub smoothing: Option<Smoothing>,
}

impl Decoder {
    /// Labels a page's blocks (true = content).
    pub fn decode(&self, probs: &[f32]) -> Vec<bool> {
        match &self.smoothing {
            Some(s) if s.strength > 0.0 && probs.len() > 1 => viterbi(probs, self.threshold, s),
            _ => probs.iter().map(|&p| p >= self.threshold).collect(),
        }
    }
}

fn viterbi(probs: &[f32], threshold: f32, s: &Smoothing) -> Vec<bool> {
    const EPS: f32 = 1e-6;
    let t = threshold.clamp(EPS, 1.0 - EPS);
    let emit = |p: f32| {
        let p = p.clamp(EPS, 1.0 - EPS);
        [(1.0 - p).ln() - (1.0 - t).ln(), p.ln() - t.ln()]
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
    let mut score = emit(probs[0]);
    for i in 1..n {
        let e = emit(probs[i]);
        let mut next = [0.0f32; 2];
        for to in 0..2 {
            let from_b = score[0] + trans[0][to];
            let from_c = score[1] + trans[1][to];
            if from_c > from_b {
                next[to] = from_c + e[to];
                back[i][to] = 1;
            } else {
                next[to] = from_b + e[to];
                back[i][to] = 0;
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
    fn threshold_only() {
        let d = Decoder {
            threshold: 0.4,
            smoothing: None,
        };
        assert_eq!(d.decode(&[0.1, 0.4, 0.9, 0.39]), [false, true, true, false]);
    }

    #[test]
    fn flat_transitions_equal_threshold_decisions() {
        let s = Smoothing {
            stay_content: 0.5,
            stay_boilerplate: 0.5,
            strength: 1.0,
        };
        let d = Decoder {
            threshold: 0.3,
            smoothing: Some(s),
        };
        let probs = [0.1, 0.35, 0.9, 0.29, 0.8, 0.2];
        let plain: Vec<bool> = probs.iter().map(|&p| p >= 0.3).collect();
        assert_eq!(d.decode(&probs), plain);
    }

    #[test]
    fn sticky_transitions_fill_gaps_and_drop_islands() {
        let s = Smoothing {
            stay_content: 0.95,
            stay_boilerplate: 0.95,
            strength: 1.0,
        };
        let d = Decoder {
            threshold: 0.5,
            smoothing: Some(s),
        };
        let got = d.decode(&[0.1, 0.1, 0.6, 0.1, 0.1, 0.9, 0.9, 0.45, 0.9, 0.9]);
        assert_eq!(
            got,
            [false, false, false, false, false, true, true, true, true, true]
        );
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
