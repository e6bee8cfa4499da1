//! Pooling: blocks of like structure on a page vote together (HTML).
//!
//! A page repeats its structures: the paragraphs of an article sit in the same kind
//! of element under the same containers, and so do the items of a menu, the cards of a
//! related-stories rail or the entries of a comment thread. Such blocks nearly always
//! share one label, while the classifier scores each on its own words and length, so
//! a long teaser blurb can look like prose and a one-line paragraph like a menu item.
//! Pooling mixes each block's probability with the mean probability of the *other*
//! blocks of its structural group:
//!
//! `p' = (1 − weight) · p + weight · mean(p of the group's other blocks)`
//!
//! for groups of at least `min_group` blocks; smaller groups keep their own
//! probabilities. A block's group is its [`StructureKey`]: the block-level element
//! holding its text, the names of the innermost three and two open elements where its
//! text begins (`div>ul>li`, `ul>li`), and the class/id keyword categories of its own
//! element and of its ancestry. Class and id *values* are left out on purpose: they
//! often carry per-item numbers (`post-1234`) that would put every card in a group of
//! its own, and what the categories say (`related`, `comment`, `article`) is what
//! tells one repeated structure from another.
//!
//! It runs after scoring and before decoding, so the decoder (chosen on held-out pages
//! with pooling in place), an explicit `--threshold` and `--favor` all read the pooled
//! probabilities. It is linear in the page apart from one sort of the blocks' keys.
//! Plain text has no structure to pool by (every line would share one key), so only
//! HTML models use it. Measured on held-out training hosts, README's twenty-fourth
//! round: HTML 0.8891 / 0.8884 → 0.8944 / 0.8928 (own decoder / chosen on the other
//! folds), every fold up; the container-mean mixing of an earlier round, which pooled
//! by parent element instead, gained +0.0001 to +0.0005.

use serde::{Deserialize, Serialize};

use crate::segment::Page;

/// Pooling parameters, stored in a model file (`pooling`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Pooling {
    /// The share of a block's pooled probability that comes from the rest of its group
    /// (0 = its own probability, 1 = the group's other blocks only).
    pub weight: f32,
    /// The smallest group that is pooled (at least 2: a block needs another to pool
    /// with).
    pub min_group: u32,
}

impl Pooling {
    /// Checks the parameters' ranges; the message names what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.weight) {
            return Err(format!("pooling weight {} is outside [0, 1]", self.weight));
        }
        if self.min_group < 2 {
            return Err(format!(
                "pooling min_group {} is below 2 (a block needs another block to pool with)",
                self.min_group
            ));
        }
        Ok(())
    }

    /// Pools `probs` (one per block of `page`, in order) in place. Pages without
    /// HTML structure, and a weight of 0, are left as they are.
    pub fn apply(&self, page: &Page, probs: &mut [f32]) {
        if self.weight <= 0.0
            || probs.len() != page.blocks.len()
            || page.format != Some(crate::input::InputFormat::Html)
        {
            return;
        }
        // Sorted by key, then by block: each group is a run, and its sum is taken in
        // block order, so the result does not depend on the sort's tie handling.
        let mut keyed: Vec<(StructureKey, u32)> = (0..page.blocks.len())
            .map(|i| (StructureKey::of(page, i), i as u32))
            .collect();
        keyed.sort_unstable();
        let weight = f64::from(self.weight);
        let min_group = self.min_group as usize;
        for group in keyed.chunk_by(|a, b| a.0 == b.0) {
            if group.len() < min_group {
                continue;
            }
            let sum: f64 = group
                .iter()
                .map(|&(_, i)| f64::from(probs[i as usize]))
                .sum();
            let others = (group.len() - 1) as f64;
            // Every member reads the group's sum of the original probabilities (taken
            // above), so the order in which members are rewritten does not matter.
            for &(_, i) in group {
                let own = f64::from(probs[i as usize]);
                let rest = (sum - own) / others;
                probs[i as usize] = ((1.0 - weight) * own + weight * rest).clamp(0.0, 1.0) as f32;
            }
        }
    }
}

/// What makes two blocks of a page "of like structure" (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StructureKey {
    tag: u8,
    tag_paths: [u32; 2],
    own_classes: u64,
    ancestor_classes: u64,
}

impl StructureKey {
    /// The key of block `i` of `page`.
    pub fn of(page: &Page, i: usize) -> StructureKey {
        let b = &page.blocks[i];
        StructureKey {
            tag: b.tag as u8,
            tag_paths: b.tag_path,
            own_classes: b.own_classes.0,
            ancestor_classes: b.ancestor_classes.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::html::segment_html;
    use crate::segment::text::segment_text;

    const POOL: Pooling = Pooling {
        weight: 0.5,
        min_group: 3,
    };

    /// Three paragraphs of an article and three related-story cards: each block moves
    /// halfway to the mean of its group's other blocks, and a lone heading (a group of
    /// one) keeps its own probability.
    #[test]
    fn blocks_move_toward_their_groups_other_blocks() {
        let page = segment_html(
            "<h1>Title</h1><article><p>One.</p><p>Two.</p><p>Three.</p></article>\
             <div class=related><div class=card>A</div><div class=card>B</div>\
             <div class=card>C</div></div>",
        );
        assert_eq!(page.blocks.len(), 7);
        let mut probs = vec![0.9, 0.9, 0.3, 0.9, 0.1, 0.7, 0.1];
        POOL.apply(&page, &mut probs);
        let expect = [0.9, 0.75, 0.6, 0.75, 0.25, 0.4, 0.25];
        for (got, want) in probs.iter().zip(expect) {
            assert!((got - want).abs() < 1e-6, "{probs:?}");
        }
    }

    /// Groups smaller than `min_group`, a weight of 0, and plain text (where every
    /// line would share one key) are left alone.
    #[test]
    fn small_groups_zero_weight_and_plain_text_are_untouched() {
        let page = segment_html("<article><p>One.</p><p>Two.</p></article><footer>F</footer>");
        let before = vec![0.9, 0.2, 0.1];
        let mut probs = before.clone();
        POOL.apply(&page, &mut probs);
        assert_eq!(probs, before);

        let page = segment_html("<p>One.</p><p>Two.</p><p>Three.</p>");
        let mut probs = vec![0.9, 0.2, 0.1];
        Pooling {
            weight: 0.0,
            ..POOL
        }
        .apply(&page, &mut probs);
        assert_eq!(probs, vec![0.9, 0.2, 0.1]);
        POOL.apply(&page, &mut probs);
        assert_ne!(probs, vec![0.9, 0.2, 0.1]);

        let text = segment_text("one\ntwo\nthree\nfour");
        let mut probs = vec![0.9, 0.2, 0.1, 0.5];
        POOL.apply(&text, &mut probs);
        assert_eq!(probs, vec![0.9, 0.2, 0.1, 0.5]);
    }

    /// Class/id keyword categories split groups: a `related` card and an `article`
    /// paragraph in the same kind of element do not pool together.
    #[test]
    fn class_categories_split_groups() {
        let page = segment_html(
            "<div class=article><p>a</p><p>b</p><p>c</p></div>\
             <div class=related><p>d</p><p>e</p><p>f</p></div>",
        );
        let keys: Vec<StructureKey> = (0..6).map(|i| StructureKey::of(&page, i)).collect();
        assert_eq!(keys[0], keys[2]);
        assert_eq!(keys[3], keys[5]);
        assert_ne!(keys[0], keys[3]);
        let mut probs = vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        POOL.apply(&page, &mut probs);
        assert_eq!(probs, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
    }

    /// A weight of 1 gives each block exactly the mean of its group's other blocks.
    #[test]
    fn weight_one_is_the_mean_of_the_others() {
        let page = segment_html("<ul><li>a</li><li>b</li><li>c</li><li>d</li></ul>");
        let mut probs = vec![0.2, 0.4, 0.6, 0.8];
        Pooling {
            weight: 1.0,
            min_group: 2,
        }
        .apply(&page, &mut probs);
        let expect = [0.6, 1.6 / 3.0, 1.4 / 3.0, 0.4];
        for (got, want) in probs.iter().zip(expect) {
            assert!((got - want).abs() < 1e-6, "{probs:?}");
        }
    }

    #[test]
    fn out_of_range_parameters_are_refused() {
        assert!(Pooling {
            weight: 1.5,
            ..POOL
        }
        .validate()
        .is_err());
        assert!(Pooling {
            weight: -0.1,
            ..POOL
        }
        .validate()
        .is_err());
        assert!(Pooling {
            min_group: 1,
            ..POOL
        }
        .validate()
        .is_err());
        assert!(POOL.validate().is_ok());
    }
}
