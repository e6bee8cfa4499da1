//! Labels from gold text: align a page's blocks to its gold main text and call a block
//! content when enough of it aligns.
//!
//! The gold text was written from the rendered page, so whitespace, bullets and the
//! odd word differ from the HTML: we align on lowercase `\w+` tokens. A block with at
//! least four tokens is content when at least half of its token 4-grams occur in the
//! gold text (set containment: robust to small edits and to reordering of whole
//! paragraphs; a 4-gram the block repeats counts each time, however often the gold
//! has it). A shorter block (a heading, a date, a list item) is content when its
//! whole token sequence occurs in the gold text *and* a long content block lies within
//! three blocks of it: on its own, "Share" or "Menu" occurs in many articles. (A gold
//! of under four words has no long content to ask for: then a short block is content
//! when its whole sequence occurs in the gold.)
//!
//! The oracle score (shingle F1 of the content blocks' text against the gold text)
//! is what a classifier that learned these labels perfectly would score; `dehusk
//! label` reports it. It is not a bound: the labels are not the best block selection
//! for the metric (a repeated title is content in every copy, a short item next to
//! no long content is not), and a model can score above it ([`crate::ceiling`]
//! finds the best selection; README, eighteenth round).
//!
//! Some gold texts are not on their page at all: a summary written in place of the
//! page's text, or text a script fills in that the HTML lacks. Every block of such a
//! page is labelled boilerplate, forum posts and product descriptions included, which
//! teaches the model the opposite of what the gold means. [`GoldIndex::label_and_coverage`]
//! measures how much of the gold the page holds, so training can leave those labels
//! out ([`MIN_GOLD_COVERAGE`]).

use std::collections::HashSet;

use crate::segment::Page;

/// Share of a long block's 4-grams that must occur in the gold text.
pub const MIN_ALIGNED: f32 = 0.5;
/// How far (in blocks) a short block may be from long content to count.
const SHORT_CONTEXT: usize = 3;

/// Share of the gold's distinct 4-grams a page's text must hold for its labels to be
/// fitted on ([`GoldIndex::label_and_coverage`]; `dehusk train --min-gold-coverage`). Below it
/// the gold describes text the page does not have. On the training splits, from HTML:
/// 19 of wcxb's 831 pages (summaries written in place of forum threads and
/// documentation, listings and shops whose items a script writes) and 3 of the other
/// sets' 1,789 (dragnet 2, cleaneval 1); from the text renderings: 40 of wcxb's (17 of
/// them empty renderings) and 4 of the others' (dragnet 2, cleaneval 2).
/// Leaving their labels out of the fit (they are still scored wherever held out):
/// HTML over the five host folds 0.8873 / 0.8866 → 0.8879 / 0.8873 (own decoder /
/// chosen on the other folds; the latter no fold down, four up); text 0.8593 / 0.8581
/// → 0.8595 / 0.8577, level (README, fourteenth round).
pub const MIN_GOLD_COVERAGE: f32 = 0.5;

fn lower_tokens(text: &str) -> Vec<String> {
    crate::eval::tokens(text)
        .into_iter()
        .map(|t| t.to_lowercase())
        .collect()
}

/// The gold text prepared for alignment.
pub struct GoldIndex {
    grams4: HashSet<u64>,
    short: HashSet<u64>,
}

impl GoldIndex {
    /// Indexes the gold text's 4-grams and all 1- to 3-grams.
    pub fn new(gold: &str) -> GoldIndex {
        let toks = lower_tokens(gold);
        let mut grams4 = HashSet::new();
        let mut short = HashSet::new();
        for i in 0..toks.len() {
            for k in 1..=4 {
                if i + k <= toks.len() {
                    let h = crate::eval::hash_tokens(&toks[i..i + k]);
                    if k == 4 {
                        grams4.insert(h);
                    } else {
                        short.insert(h);
                    }
                }
            }
        }
        GoldIndex { grams4, short }
    }

    /// Labels every block of `page` against this gold text (true = content), and gives
    /// the page's gold coverage: the share of the gold's distinct 4-grams that occur in
    /// the page's text, the blocks read in order as one text (as the benchmark reads an
    /// extraction, so a 4-gram may span blocks: a listing's short items; 1 when the gold
    /// has no 4-gram). One pass: each block is tokenized once for both.
    pub fn label_and_coverage(&self, page: &Page) -> (Vec<bool>, f32) {
        let mut stream: Vec<String> = Vec::new();
        let aligned: Vec<(f32, bool)> = (0..page.len())
            .map(|i| {
                let toks = lower_tokens(page.block_text(i));
                let a = self.alignment_of(&toks);
                stream.extend(toks);
                a
            })
            .collect();
        let short_gold = self.grams4.is_empty();
        (labels_of(&aligned, short_gold), self.coverage_of(&stream))
    }

    /// Share of the gold's distinct 4-grams found in `toks`, a page's tokens in order.
    fn coverage_of(&self, toks: &[String]) -> f32 {
        if self.grams4.is_empty() {
            return 1.0;
        }
        let found: HashSet<u64> = toks
            .windows(4)
            .map(crate::eval::hash_tokens)
            .filter(|h| self.grams4.contains(h))
            .collect();
        found.len() as f32 / self.grams4.len() as f32
    }

    /// Share of the block's aligned 4-grams (long blocks), or 1/0 for whether a short
    /// block's whole sequence occurs.
    pub fn alignment(&self, text: &str) -> (f32, bool) {
        self.alignment_of(&lower_tokens(text))
    }

    /// [`GoldIndex::alignment`] of a block's lowercased tokens.
    fn alignment_of(&self, toks: &[String]) -> (f32, bool) {
        if toks.is_empty() {
            return (0.0, false);
        }
        if toks.len() < 4 {
            let hit = self.short.contains(&crate::eval::hash_tokens(toks));
            return (hit as u8 as f32, false);
        }
        let total = toks.len() - 3;
        let hits = (0..total)
            .filter(|&i| {
                self.grams4
                    .contains(&crate::eval::hash_tokens(&toks[i..i + 4]))
            })
            .count();
        (hits as f32 / total as f32, true)
    }
}

/// The labels of a page's blocks from their alignments ([`GoldIndex::alignment`]): a
/// long block is content when at least [`MIN_ALIGNED`] of its 4-grams are the gold's, a
/// short one when its whole sequence occurs in the gold within [`SHORT_CONTEXT`] blocks
/// of such a long block. When the gold itself is shorter than four words
/// (`short_gold`: a page whose main text is one heading), no block can be long content,
/// so a short block is content when its whole sequence occurs in the gold.
fn labels_of(aligned: &[(f32, bool)], short_gold: bool) -> Vec<bool> {
    let long_content: Vec<bool> = aligned
        .iter()
        .map(|&(a, long)| long && a >= MIN_ALIGNED)
        .collect();
    (0..aligned.len())
        .map(|i| {
            let (a, long) = aligned[i];
            if long {
                return long_content[i];
            }
            if a < 1.0 {
                return false;
            }
            if short_gold {
                return true;
            }
            let lo = i.saturating_sub(SHORT_CONTEXT);
            let hi = (i + SHORT_CONTEXT + 1).min(aligned.len());
            long_content[lo..hi].iter().any(|&c| c)
        })
        .collect()
}

/// Labels every block of `page` against `gold` (true = content).
pub fn label_page(page: &Page, gold: &str) -> Vec<bool> {
    GoldIndex::new(gold).label_and_coverage(page).0
}

/// The text of the blocks labelled content, one block per line (a `<pre>` block as
/// laid out, [`Page::display_text`]: its own lines and indentation). A kept block with
/// nothing visible in it (a zero-width joiner or space, a byte-order mark, a soft
/// hyphen: spacers some pages put between paragraphs, 150 blocks on 33 of the 2,620
/// training pages) is left out rather than written as a blank-looking line.
pub fn content_text(page: &Page, labels: &[bool]) -> String {
    let mut out = String::new();
    for (_, text) in written_blocks(page, labels) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(text);
    }
    out
}

/// The blocks the main text is made of, in page order: those labelled content with
/// something visible in them, each with its text as the output shows it
/// ([`Page::display_text`]). What [`content_text`] writes, and what the Markdown
/// output ([`crate::markdown`]) writes with structure.
pub(crate) fn written_blocks<'a>(
    page: &'a Page,
    labels: &'a [bool],
) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    // Labels past the page's blocks (a caller's mismatch) have no text to keep.
    labels
        .iter()
        .take(page.len())
        .enumerate()
        .filter(|&(_, &keep)| keep)
        .map(|(i, _)| (i, page.display_text(i)))
        .filter(|&(_, text)| !is_invisible(text))
}

/// Whether `text` has no visible character: only whitespace, control characters and
/// the invisible format characters pages use as spacers. (Nothing here is a word
/// character, so leaving such text out changes no score.)
fn is_invisible(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;
    use crate::segment::segment_str;

    #[test]
    fn labels_past_the_page_are_ignored_not_indexed() {
        // Found by a review: more labels than blocks panicked in `block_text`.
        let page = segment_str("One.\nTwo.\nThree.\n", InputFormat::Text);
        assert_eq!(
            content_text(&page, &[true, false, true, true, true]),
            "One.\nThree."
        );
    }

    #[test]
    fn invisible_blocks_are_left_out_of_the_main_text() {
        let page = segment_str(
            "<p>First.</p><p>\u{200d}</p><p>\u{feff} \u{200b}</p><p>Family: 👨\u{200d}👩\u{200d}👧</p>",
            InputFormat::Html,
        );
        assert_eq!(page.len(), 4);
        assert_eq!(
            content_text(&page, &[true; 4]),
            "First.\nFamily: 👨\u{200d}👩\u{200d}👧"
        );
        assert_eq!(content_text(&page, &[false, true, true, false]), "");
    }

    #[test]
    fn a_gold_shorter_than_four_words_labels_the_blocks_that_hold_it() {
        // Found by an audit: the readability page whose gold is "Test" had every block
        // labelled boilerplate (a short block needs long content near it, and such a
        // gold has none), with coverage 1, so training fitted the wrong labels.
        let page = segment_str("Menu\nTest\nHome | About\nTest\n", InputFormat::Text);
        let (labels, coverage) = GoldIndex::new("Test").label_and_coverage(&page);
        assert_eq!(labels, [false, true, false, true]);
        assert_eq!(coverage, 1.0);
        // With a long gold, a short block still needs long content near it.
        let page = segment_str("Test\nMenu\nHome\nAbout\nContact\n", InputFormat::Text);
        let gold = GoldIndex::new("Test of the council budget vote on Monday");
        assert!(gold.label_and_coverage(&page).0.iter().all(|&l| !l));
    }

    #[test]
    fn coverage_is_the_share_of_the_gold_the_page_holds() {
        // A listing: every item a short block, the gold's 4-grams spanning them.
        let page = segment_str(
            "Menu\nRed shoes\n$20\nBlue shoes\n$25\nGreen hat\n$9\n",
            InputFormat::Text,
        );
        let index = GoldIndex::new("Red shoes $20 Blue shoes $25 Green hat $9");
        assert_eq!(index.label_and_coverage(&page).1, 1.0);
        // A summary written in the page's place: none of it is on the page, and every
        // block is labelled boilerplate.
        let summary = GoldIndex::new("A listing page of shoes and hats in several colours.");
        let (labels, coverage) = summary.label_and_coverage(&page);
        assert_eq!(coverage, 0.0);
        assert!(labels.iter().all(|&l| !l));
        // Half the gold on the page: 3 of its 6 distinct 4-grams.
        let half = GoldIndex::new("Red shoes 20 Blue shoes 25 one two three");
        assert_eq!(half.label_and_coverage(&page).1, 0.5);
        // A gold too short to have a 4-gram says nothing against its page.
        assert_eq!(GoldIndex::new("Hats").label_and_coverage(&page).1, 1.0);
    }

    #[test]
    fn aligns_paragraphs_and_nearby_headings_only() {
        let page = segment_str(
            "Home\nNews\nThe Headline\nFirst paragraph of the story has several words.\n\
             Second paragraph, also long enough to align well.\nShare\nRelated: other stuff here now\n",
            InputFormat::Text,
        );
        let gold = "The headline\n\nFirst paragraph of the story has several words.\n\n\
                    Second paragraph also long enough to align well. Share this story.";
        let labels = label_page(&page, gold);
        assert_eq!(labels, [false, false, true, true, true, true, false]);
        // "Story" occurs in the gold, but six blocks from any long content.
        let page = segment_str(
            &("Story\n".to_owned()
                + &"x\n".repeat(5)
                + "First paragraph of the story has several words.\n"),
            InputFormat::Text,
        );
        let labels = label_page(&page, gold);
        assert!(!labels[0]);
        assert!(labels[6]);
    }
}
