//! Content policies: choices about what counts as main text that the annotated data
//! does not settle, applied to a page's labels after decoding.
//!
//! Reader comments are the one that matters. The four training sets disagree about
//! them: dragnet's gold leaves the comments under an article out (except on a few
//! pages), CleanEval's often keeps them, wcxb keeps a forum thread's posts and some
//! articles' comments. A model fitted to all four keeps comments that look like prose
//! and drops the rest, which suits none of the policies exactly. A user who never wants
//! comments (a search index, a language-model corpus) says so with
//! [`Comments::Drop`]; the default leaves the decision to the model.
//!
//! HTML only: comment sections are found by their class/id names (`comment`, `reply`,
//! `disqus`: the "comment" category of [`crate::segment::tags::CLASS_CATEGORIES`]), on
//! the block's own element or any ancestor. Plain text has no such markup, so the
//! policy leaves text-mode labels alone.

use crate::segment::tags::CLASS_CATEGORIES;
use crate::segment::Page;

/// What to do with reader comments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Comments {
    /// Keep or drop each comment block as the model decides.
    #[default]
    Model,
    /// Drop every block inside a comment section, as long as the page keeps main text
    /// outside comment sections (a page that is nothing but comments, such as a forum
    /// thread whose posts are all marked as comments, is left as the model labelled it
    /// rather than emptied).
    Drop,
}

/// Bit of the "comment" class/id category.
fn comment_category() -> usize {
    // CLASS_CATEGORIES is a constant list that contains "comment" (a test holds it).
    CLASS_CATEGORIES
        .iter()
        .position(|c| *c == "comment")
        .unwrap_or(usize::MAX)
}

/// Whether block `i` of `page` lies inside a comment section.
fn in_comment_section(page: &Page, i: usize, category: usize) -> bool {
    let b = &page.blocks[i];
    category < 64 && b.own_classes.union(b.ancestor_classes).has(category)
}

/// Applies `policy` to a page's labels (true = content); returns how many blocks it
/// turned from content into boilerplate.
pub fn apply(policy: Comments, page: &Page, labels: &mut [bool]) -> usize {
    match policy {
        Comments::Model => 0,
        Comments::Drop => drop_comment_sections(page, labels),
    }
}

/// [`Comments::Drop`]: clears the labels of blocks inside comment sections when some
/// block outside them is content.
pub fn drop_comment_sections(page: &Page, labels: &mut [bool]) -> usize {
    let category = comment_category();
    let n = labels.len().min(page.len());
    let main_text_outside = (0..n).any(|i| labels[i] && !in_comment_section(page, i, category));
    if !main_text_outside {
        return 0;
    }
    let mut dropped = 0;
    for (i, label) in labels.iter_mut().enumerate().take(n) {
        if *label && in_comment_section(page, i, category) {
            *label = false;
            dropped += 1;
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_str;
    use crate::input::InputFormat;

    fn page() -> Page {
        segment_str(
            "<article><p>The article's only paragraph.</p></article>\
             <section id=\"comments\"><div class=\"comment\"><p>First!</p></div>\
             <div class=\"comment-body\"><p>A long and thoughtful reply.</p></div></section>",
            InputFormat::Html,
        )
    }

    #[test]
    fn the_comment_category_exists() {
        assert!(comment_category() < 64);
    }

    #[test]
    fn comments_after_an_article_are_dropped() {
        let p = page();
        assert_eq!(p.len(), 3);
        let mut labels = vec![true; 3];
        assert_eq!(apply(Comments::Drop, &p, &mut labels), 2);
        assert_eq!(labels, [true, false, false]);
    }

    #[test]
    fn the_model_policy_changes_nothing() {
        let p = page();
        let mut labels = vec![true, false, true];
        assert_eq!(apply(Comments::Model, &p, &mut labels), 0);
        assert_eq!(labels, [true, false, true]);
    }

    #[test]
    fn a_page_of_nothing_but_comments_is_not_emptied() {
        // The article is boilerplate here (say, a one-line teaser): only comments are
        // content, so they are the page's main text and stay.
        let p = page();
        let mut labels = vec![false, true, true];
        assert_eq!(apply(Comments::Drop, &p, &mut labels), 0);
        assert_eq!(labels, [false, true, true]);
    }

    #[test]
    fn plain_text_has_no_comment_sections() {
        let p = segment_str("An article line.\nA comment line.\n", InputFormat::Text);
        let mut labels = vec![true; p.len()];
        assert_eq!(apply(Comments::Drop, &p, &mut labels), 0);
        assert!(labels.iter().all(|&l| l));
    }
}
