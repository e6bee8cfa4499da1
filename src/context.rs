//! Stage two of scoring: context features from the first stage's probabilities.
//!
//! A block's own features say what it looks like; its neighbours' *probabilities* say
//! whether it sits inside the article. Stage two is a second logistic regression over
//! the block's stage-one logit, the probabilities around it (±3 blocks, a ±5 window,
//! everything before and after), the mean probability of its container and of the
//! page, and a few of its own core features. This is stacking: stage one is trained
//! on part of the training pages and predicts the rest, so stage two learns from
//! honest, out-of-sample probabilities. Scoring stays linear: one more dot product
//! per block, and every aggregate is a prefix sum or a hash-map pass.

use std::collections::HashMap;

use crate::features::FeatureMatrix;
use crate::network::logit;
use crate::segment::Page;

/// Indices of the stage-one feature columns that stage two reuses.
#[derive(Debug, Clone, Copy)]
pub struct CoreColumns {
    /// `words_log`.
    pub words_log: usize,
    /// `link_density`.
    pub link_density: usize,
    /// `heading`.
    pub heading: usize,
    /// `list_item`.
    pub list_item: usize,
    /// `stop_ratio`.
    pub stop_ratio: usize,
}

impl CoreColumns {
    /// Finds the columns in a feature-name list.
    pub fn find(names: &[String]) -> Option<CoreColumns> {
        let col = |n: &str| names.iter().position(|x| x == n);
        Some(CoreColumns {
            words_log: col("words_log")?,
            link_density: col("link_density")?,
            heading: col("heading")?,
            list_item: col("list_item")?,
            stop_ratio: col("stop_ratio")?,
        })
    }
}

const OFFSETS: [(isize, &str); 6] = [
    (-3, "p_prev3"),
    (-2, "p_prev2"),
    (-1, "p_prev1"),
    (1, "p_next1"),
    (2, "p_next2"),
    (3, "p_next3"),
];

/// Names of the stage-two features, in order.
pub fn context_feature_names() -> Vec<String> {
    let mut names: Vec<String> = vec!["logit".into()];
    names.extend(OFFSETS.iter().map(|(_, n)| n.to_string()));
    for n in [
        "win5_mean",
        "win5_max",
        "before_max",
        "after_max",
        "content_words_before_log",
        "content_words_after_log",
        "dist_content_before_log",
        "dist_content_after_log",
        "between_content",
        "parent_mean_p",
        "parent_blocks_log",
        "grandparent_mean_p",
        "page_mean_p",
        "page_frac_content",
        "words_log",
        "link_density",
        "heading",
        "list_item",
        "stop_ratio",
        "logit_x_words",
        "heading_before_content",
    ] {
        names.push(n.into());
    }
    names
}

/// Computes the stage-two feature matrix of a page from its stage-one probabilities.
pub fn context_features(
    page: &Page,
    features: &FeatureMatrix,
    probs: &[f32],
    cols: CoreColumns,
) -> FeatureMatrix {
    let n = probs.len();
    let d = context_feature_names().len();
    let mut data = Vec::with_capacity(n * d);
    if n == 0 {
        return FeatureMatrix {
            rows: 0,
            cols: d,
            data,
        };
    }
    let words: Vec<f32> = (0..n)
        .map(|i| features.row(i)[cols.words_log].exp() - 1.0)
        .collect();
    let content = |p: f32| p >= 0.5;

    // Prefix sums of probabilities, and of content words.
    let mut psum = vec![0.0f32; n + 1];
    let mut cwords = vec![0.0f32; n + 1];
    for i in 0..n {
        psum[i + 1] = psum[i] + probs[i];
        cwords[i + 1] = cwords[i] + if content(probs[i]) { words[i] } else { 0.0 };
    }
    // Running maxima from the left and the right.
    let mut max_before = vec![0.0f32; n];
    let mut m = 0.0f32;
    for i in 0..n {
        max_before[i] = m;
        m = m.max(probs[i]);
    }
    let mut max_after = vec![0.0f32; n];
    let mut m = 0.0f32;
    for i in (0..n).rev() {
        max_after[i] = m;
        m = m.max(probs[i]);
    }
    // Distance to the nearest content block on each side.
    let mut dist_before = vec![n as f32; n];
    let mut last: Option<usize> = None;
    for i in 0..n {
        if let Some(l) = last {
            dist_before[i] = (i - l) as f32;
        }
        if content(probs[i]) {
            last = Some(i);
        }
    }
    let mut dist_after = vec![n as f32; n];
    let mut next: Option<usize> = None;
    for i in (0..n).rev() {
        if let Some(nx) = next {
            dist_after[i] = (nx - i) as f32;
        }
        if content(probs[i]) {
            next = Some(i);
        }
    }
    // Container means.
    let mut parents: HashMap<u32, (f32, f32)> = HashMap::new();
    let mut grands: HashMap<u32, (f32, f32)> = HashMap::new();
    for (i, b) in page.blocks.iter().enumerate().take(n) {
        let e = parents.entry(b.parent).or_default();
        e.0 += probs[i];
        e.1 += 1.0;
        let e = grands.entry(b.grandparent).or_default();
        e.0 += probs[i];
        e.1 += 1.0;
    }
    let page_mean = psum[n] / n as f32;
    let frac_content = probs.iter().filter(|&&p| content(p)).count() as f32 / n as f32;
    let total_cwords = cwords[n];

    for i in 0..n {
        let row = features.row(i);
        let l = logit(probs[i]);
        data.push(l);
        for (off, _) in OFFSETS {
            let j = i as isize + off;
            data.push(if j >= 0 && (j as usize) < n {
                probs[j as usize]
            } else {
                0.0
            });
        }
        let lo = i.saturating_sub(5);
        let hi = (i + 6).min(n);
        let win_n = (hi - lo - 1).max(1) as f32;
        data.push((psum[hi] - psum[lo] - probs[i]) / win_n);
        let mut wmax = 0.0f32;
        for (j, &p) in probs.iter().enumerate().take(hi).skip(lo) {
            if j != i {
                wmax = wmax.max(p);
            }
        }
        data.push(wmax);
        data.push(max_before[i]);
        data.push(max_after[i]);
        data.push((1.0 + cwords[i]).ln());
        data.push((1.0 + total_cwords - cwords[i + 1]).ln());
        data.push((1.0 + dist_before[i]).ln());
        data.push((1.0 + dist_after[i]).ln());
        data.push((max_before[i] >= 0.5 && max_after[i] >= 0.5) as u8 as f32);
        let b = &page.blocks[i];
        let (ps, pc) = parents.get(&b.parent).copied().unwrap_or((0.0, 1.0));
        data.push(ps / pc.max(1.0));
        data.push((1.0 + pc).ln());
        let (gs, gc) = grands.get(&b.grandparent).copied().unwrap_or((0.0, 1.0));
        data.push(gs / gc.max(1.0));
        data.push(page_mean);
        data.push(frac_content);
        data.push(row[cols.words_log]);
        data.push(row[cols.link_density]);
        data.push(row[cols.heading]);
        data.push(row[cols.list_item]);
        data.push(row[cols.stop_ratio]);
        data.push(l * row[cols.words_log] / 5.0);
        data.push(
            row[cols.heading]
                * (max_after[i] >= 0.5) as u8 as f32
                * (dist_after[i] <= 3.0) as u8 as f32,
        );
    }
    debug_assert_eq!(data.len(), n * d);
    FeatureMatrix {
        rows: n,
        cols: d,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::{extract, feature_names};
    use crate::input::InputFormat;
    use crate::segment::segment_str;

    #[test]
    fn context_rows_have_named_columns_and_see_neighbours() {
        let page = segment_str("a\nb\nc\nd\ne\n", InputFormat::Text);
        let m = extract(&page, InputFormat::Text);
        let cols = CoreColumns::find(&feature_names(InputFormat::Text)).unwrap();
        let probs = [0.1, 0.9, 0.8, 0.2, 0.1];
        let c = context_features(&page, &m, &probs, cols);
        let names = context_feature_names();
        assert_eq!(c.cols, names.len());
        assert_eq!(c.rows, 5);
        let col = |n: &str| names.iter().position(|x| x == n).unwrap();
        assert_eq!(c.row(0)[col("p_next1")], 0.9);
        assert_eq!(c.row(0)[col("p_prev1")], 0.0);
        assert_eq!(c.row(3)[col("between_content")], 0.0);
        assert_eq!(c.row(3)[col("before_max")], 0.9);
        assert!((c.row(2)[col("page_mean_p")] - 0.42).abs() < 1e-6);
        assert!(c.data.iter().all(|v| v.is_finite()));
    }
}
