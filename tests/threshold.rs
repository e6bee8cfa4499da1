//! The decision knobs (`--threshold P`, `--favor precision|balanced|recall`) and the
//! page-level rules applied after decoding (hidden copies, `--comments`).
//!
//! Counts of kept blocks are compared, not texts: with sequence smoothing a lower
//! threshold may swap which blocks are kept, but never keeps fewer of them.

use crate::util::{
    classify_blocks, dehusk, extract_text, extract_with_confidence, kept, read, tempdir, write,
};

const INPUTS: [&str; 4] = [
    "data/examples/article.html",
    "data/examples/article.txt",
    "data/examples/forum.html",
    "data/examples/artikel.de.html",
];

#[test]
fn high_threshold_keeps_less_than_low_threshold() {
    for input in INPUTS {
        let strict = classify_blocks(&["--threshold", "0.99", input]);
        let loose = classify_blocks(&["--threshold", "0.01", input]);
        assert!(
            kept(&strict) < kept(&loose),
            "{input}: {} blocks kept at 0.99, {} at 0.01",
            kept(&strict),
            kept(&loose)
        );
        let strict_text = extract_text(&["--threshold", "0.99", input]);
        let loose_text = extract_text(&["--threshold", "0.01", input]);
        assert!(
            strict_text.len() < loose_text.len(),
            "{input}: text at 0.99 is not shorter than at 0.01"
        );
    }
}

#[test]
fn favor_precision_keeps_no_more_and_recall_no_less() {
    for input in INPUTS {
        let balanced = kept(&classify_blocks(&[input]));
        let explicit = kept(&classify_blocks(&["--favor", "balanced", input]));
        let precision = kept(&classify_blocks(&["--favor", "precision", input]));
        let recall = kept(&classify_blocks(&["--favor", "recall", input]));
        assert_eq!(balanced, explicit, "{input}: balanced is the default");
        assert!(
            precision <= balanced,
            "{input}: precision keeps {precision} > default {balanced}"
        );
        assert!(
            recall >= balanced,
            "{input}: recall keeps {recall} < default {balanced}"
        );
    }
}

#[test]
fn threshold_wins_over_favor() {
    let input = "data/examples/article.html";
    let plain = classify_blocks(&["--threshold", "0.5", input]);
    let both = classify_blocks(&["--threshold", "0.5", "--favor", "recall", input]);
    assert_eq!(plain, both, "--favor is ignored when --threshold is given");
}

#[test]
fn threshold_and_min_confidence_outside_zero_to_one_are_refused() {
    for name in ["--threshold", "--min-confidence"] {
        for value in ["1.5", "-0.1", "NaN"] {
            let flag = format!("{name}={value}");
            let out = dehusk()
                .args(["extract", &flag, "data/examples/article.html"])
                .expect_code(1);
            assert_contains!(out.stderr, name.trim_start_matches('-'));
            eqnice!("", out.stdout, "nothing is extracted with {flag}");
        }
    }
}

/// A front page of short headlines between menus: the model keeps the headlines,
/// but with nothing like an article among them it is far less sure of them than of
/// an article's paragraphs.
const LISTING: &str = "Home\nNews\nSports\nWeather\nLatest headlines\n\
City council delays vote on budget\nLocal team wins again\nStorm expected this weekend\n\
New bakery opens downtown\nSchool board meets Tuesday\nMore stories\nSubscribe\n\
Contact us\nPrivacy policy\n";

#[test]
fn issue3_min_confidence_empties_only_doubtful_documents() {
    let dir = tempdir();
    let listing = dir.path().join("listing.txt");
    write(&listing, LISTING);
    let listing = listing.to_str().unwrap();
    let article = "data/examples/article.txt";
    let (article_text, article_c) = extract_with_confidence(&[article]);
    let (listing_text, listing_c) = extract_with_confidence(&[listing]);
    assert!(
        !listing_text.is_empty(),
        "the headlines are kept by default"
    );
    assert!(
        listing_c + 0.1 < article_c,
        "the listing ({listing_c}) should be doubted more than the article ({article_c})"
    );
    let cut = format!("{:.4}", (listing_c + article_c) / 2.0);
    // Above the listing's confidence and below the article's: the listing's record
    // stays, with its confidence, and loses its text; the article is untouched.
    let (text, c) = extract_with_confidence(&["--min-confidence", &cut, listing]);
    eqnice!("", text, "the doubtful document's text is emptied");
    assert_eq!(c, listing_c, "its confidence is still reported");
    let (text, c) = extract_with_confidence(&["--min-confidence", &cut, article]);
    eqnice!(article_text, text, "a confident document keeps its text");
    assert_eq!(c, article_c);
    // classify agrees: every block of the doubtful document is boilerplate.
    let blocks = classify_blocks(&["--min-confidence", &cut, listing]);
    assert_eq!(kept(&blocks), 0, "classify keeps nothing of it either");
    // 0, the default, keeps everything.
    let (text, _) = extract_with_confidence(&["--min-confidence", "0", listing]);
    eqnice!(listing_text, text);
    // A run counts the documents it emptied.
    let out = dehusk()
        .args(["extract", "--min-confidence", &cut, listing, article])
        .expect_code(0);
    assert_eq!(out.records().len(), 2, "{}", out.show());
    assert_contains!(
        out.stderr,
        "2 documents, 2 ok, 0 failed, 1 below --min-confidence (text left empty)"
    );
}

#[test]
fn issue3_confidence_is_a_weighted_mean_of_the_kept_blocks() {
    // A word-weighted mean of the kept blocks' probabilities lies between the least
    // and the most probable kept block (to the four decimals the records round to).
    for input in INPUTS {
        let blocks = classify_blocks(&[input]);
        let kept_p: Vec<f64> = blocks
            .iter()
            .filter(|b| b.2 == "content")
            .map(|b| b.1)
            .collect();
        assert!(!kept_p.is_empty(), "{input}: nothing kept");
        let lo = kept_p.iter().copied().fold(1.0, f64::min);
        let hi = kept_p.iter().copied().fold(0.0, f64::max);
        let (_, c) = extract_with_confidence(&[input]);
        assert!(
            lo - 1e-4 <= c && c <= hi + 1e-4,
            "{input}: confidence {c} outside the kept blocks' [{lo}, {hi}]"
        );
    }
}

/// The bundled HTML model with its decoder replaced: no smoothing, this threshold,
/// relative threshold and confidence slope.
fn html_model_with(dir: &std::path::Path, threshold: f64, relative: f64, slope: f64) -> String {
    let mut m: serde_json::Value = serde_json::from_str(&read("models/html.json")).unwrap();
    m["threshold"] = threshold.into();
    m["relative_threshold"] = relative.into();
    m["confidence_slope"] = slope.into();
    m["smoothing"] = serde_json::Value::Null;
    let p = dir.join(format!("model-{threshold}-{relative}-{slope}.json"));
    write(&p, m.to_string());
    p.to_str().unwrap().to_string()
}

// Issue #3: a page whose blocks all look doubtful keeps its best ones: the threshold
// is lowered to a fraction of the page's highest probability.
#[test]
fn issue3_relative_threshold_follows_the_pages_best_block() {
    let dir = tempdir();
    let input = "data/examples/forum.html";
    // Threshold 1 alone keeps nothing; with relative 0.9 the page's threshold is 0.9
    // times its best block's probability.
    let model = html_model_with(dir.path(), 1.0, 0.9, 0.0);
    let blocks = classify_blocks(&["--model", &model, input]);
    let best = blocks.iter().map(|b| b.1).fold(0.0, f64::max);
    assert!(best > 0.0);
    for (text, p, label) in &blocks {
        // Probabilities are printed rounded; stay clear of the boundary.
        if (p - 0.9 * best).abs() > 1e-3 {
            let want = if *p >= 0.9 * best {
                "content"
            } else {
                "boilerplate"
            };
            assert_eq!(label, want, "p {p}, best {best}: {text}");
        }
    }
    assert!(kept(&blocks) >= 1, "the best block is kept");
    assert!(kept(&blocks) < blocks.len(), "not every block is kept");
    // Off (relative 0), the same threshold keeps nothing.
    let off = html_model_with(dir.path(), 1.0, 0.0, 0.0);
    assert_eq!(kept(&classify_blocks(&["--model", &off, input])), 0);
    // An explicit --threshold means exactly that threshold, on every page.
    let explicit = classify_blocks(&["--model", &model, "--threshold", "1", input]);
    assert_eq!(kept(&explicit), 0);
}

// Issue #3: the confidence slope lowers a page's threshold by the slope times
// (1 - its best block's probability), in classify as in the decoder; --threshold
// turns it off.
#[test]
fn issue3_confidence_slope_lowers_the_threshold_of_doubtful_pages() {
    let dir = tempdir();
    let input = "data/examples/forum.html";
    let probs = classify_blocks(&[
        "--model",
        &html_model_with(dir.path(), 0.5, 0.0, 0.0),
        input,
    ]);
    let best = probs.iter().map(|b| b.1).fold(0.0, f64::max);
    assert!(
        best < 0.99,
        "the example needs a doubtful best block, got {best}"
    );
    // The plain threshold at the best block keeps only it (and its equals); the
    // largest slope lowers this page's threshold by 10 * (1 - best).
    let threshold = best - 1e-4;
    let plain = classify_blocks(&[
        "--model",
        &html_model_with(dir.path(), threshold, 0.0, 0.0),
        input,
    ]);
    let slope = 10.0;
    let model = html_model_with(dir.path(), threshold, 0.0, slope);
    let sloped = classify_blocks(&["--model", &model, input]);
    let page_threshold = threshold - slope * (1.0 - best);
    for (text, p, label) in &sloped {
        // Probabilities are printed rounded; stay clear of the boundary.
        if (p - page_threshold).abs() > 1e-3 {
            let want = if *p >= page_threshold {
                "content"
            } else {
                "boilerplate"
            };
            assert_eq!(
                label, want,
                "p {p}, page threshold {page_threshold}: {text}"
            );
        }
    }
    assert!(
        kept(&sloped) > kept(&plain),
        "the slope keeps more of a doubtful page: {} vs {}",
        kept(&sloped),
        kept(&plain)
    );
    // An explicit --threshold means exactly that threshold, slope or not.
    let explicit = classify_blocks(&[
        "--model",
        &model,
        "--threshold",
        &threshold.to_string(),
        input,
    ]);
    assert_eq!(
        kept(&explicit),
        kept(&plain),
        "--threshold means that threshold"
    );
}

/// An article followed by a WordPress-style comment section, every block long prose.
/// The article is over `policy::MIN_MAIN_WORDS` (100) words, so --drop-comments drops the
/// section.
const ARTICLE_WITH_COMMENTS: &str = "<html><head><title>Bridge opens</title></head><body>\
<article><h1>Bridge opens</h1>\
<p>The council opened the new bridge on Monday after three years of work, and the first \
buses crossed it before noon while a small crowd watched from the river bank.</p>\
<p>Engineers said the structure would carry twice the traffic of the old crossing, which \
had been closed to lorries since a survey found cracks in two of its piers last spring.</p>\
<p>The old crossing will be taken down over the summer, and the council has promised that \
a footpath and a cycle lane will follow on the new bridge before the end of the year, \
once the contractors have finished the work on the eastern ramp and its lighting.</p>\
</article>\
<section id=\"comments\"><h2>12 comments</h2><ol class=\"commentlist\">\
<li class=\"comment\"><p>I drove across it this morning and the approach road is still \
a mess of cones and temporary lights, so the traffic was no better than before.</p></li>\
<li class=\"comment\"><p>Three years for one bridge seems long to me, but the old one was \
in a terrible state and everybody knew it had to be replaced sooner or later.</p></li>\
</ol></section></body></html>";

/// The text of `page` at a threshold that keeps every block, with the model deciding
/// about comments (`--comments model`) and with --drop-comments: what differs, the
/// flag dropped.
fn without_and_with_drop_comments(page: &str) -> (String, String) {
    (
        extract_text(&["--threshold", "0.001", "--comments", "model", page]),
        extract_text(&["--threshold", "0.001", "--drop-comments", page]),
    )
}

// Issue #3 (the datasets disagree about reader comments): --drop-comments removes
// every block of a comment section when the page has main text outside it, in
// extract, classify and eval alike; without it the model decides.
#[test]
fn issue3_drop_comments_removes_comment_sections_only() {
    let dir = tempdir();
    let page = dir.path().join("bridge.html");
    write(&page, ARTICLE_WITH_COMMENTS);
    let page = page.to_str().unwrap();
    // A threshold that keeps every block, so the flag is what drops them.
    let (all, dropped) = without_and_with_drop_comments(page);
    for text in [&all, &dropped] {
        assert_contains!(text, "The council opened the new bridge");
        assert_contains!(text, "Engineers said the structure");
    }
    assert_contains!(all, "I drove across it this morning");
    assert_contains!(all, "Three years for one bridge");
    assert!(!dropped.contains("I drove across it"), "{dropped}");
    assert!(!dropped.contains("Three years for one bridge"), "{dropped}");
    assert!(!dropped.contains("12 comments"), "{dropped}");
    // classify agrees with extract, block by block.
    let blocks = classify_blocks(&["--threshold", "0.001", "--drop-comments", page]);
    for (text, _, label) in &blocks {
        let in_comments = text.contains("comments")
            || text.starts_with("I drove")
            || text.starts_with("Three years");
        let want = if in_comments {
            "boilerplate"
        } else {
            "content"
        };
        assert_eq!(label, want, "{text}");
    }
    // explain says why a block was dropped.
    let out = dehusk()
        .args(["explain", "--threshold", "0.001", "--drop-comments", page])
        .stdout();
    assert_eq!(out.matches("drop (comments)").count(), 3, "{out}");
    // Pages without comment sections are untouched.
    for input in INPUTS {
        assert_eq!(
            extract_text(&[input]),
            extract_text(&["--drop-comments", input]),
            "{input}"
        );
    }
}

// A page that is nothing but comment sections (a forum thread marked up as comments),
// or has only a title outside them, is not emptied by --drop-comments.
#[test]
fn issue3_drop_comments_never_empties_a_page_of_comments() {
    let dir = tempdir();
    let page = dir.path().join("thread.html");
    write(
        &page,
        "<html><body><div class=\"comments\">\
         <div class=\"comment\"><p>Has anyone managed to get the new driver working on an \
         older laptop? Mine freezes every time the screen turns off.</p></div>\
         <div class=\"comment\"><p>Yes, after turning off the power saving option in the \
         settings it has worked for a week without a single freeze.</p></div>\
         </div></body></html>",
    );
    let page = page.to_str().unwrap();
    let (plain, dropped) = without_and_with_drop_comments(page);
    assert_contains!(plain, "new driver");
    eqnice!(plain, dropped, "a page of nothing but comments keeps them");

    // The same thread under its title, outside the comment markup: a few words of main
    // text outside are not an article, so the posts still stay (they once went, and
    // wcxb's forum threads with them).
    let titled = dir.path().join("titled.html");
    write(
        &titled,
        "<html><body><h1>New driver freezes older laptops</h1><div class=\"comments\">\
         <div class=\"comment\"><p>Has anyone managed to get the new driver working on an \
         older laptop? Mine freezes every time the screen turns off.</p></div>\
         <div class=\"comment\"><p>Yes, after turning off the power saving option in the \
         settings it has worked for a week without a single freeze.</p></div>\
         </div></body></html>",
    );
    let (plain, dropped) = without_and_with_drop_comments(titled.to_str().unwrap());
    assert_contains!(plain, "New driver freezes");
    assert_contains!(plain, "power saving option");
    eqnice!(plain, dropped, "a titled thread keeps its posts");
}

// Plain text: --drop-comments drops the lines from a short "N Comments" heading on,
// once the page has main text above it; a "Comments" menu line above the article is
// not a heading.
#[test]
fn issue3_drop_comments_in_text_cuts_at_the_comment_heading() {
    let dir = tempdir();
    let page = dir.path().join("bridge.txt");
    let article = "The council opened the new bridge on Monday after three years of work, \
                   and the first buses crossed it before noon while a small crowd watched.\n"
        .repeat(6);
    write(
        &page,
        format!(
            "Home\nComments\n{article}3 Comments\nI drove across it this morning.\n\
             Three years for one bridge seems long to me.\n"
        ),
    );
    let page = page.to_str().unwrap();
    let (all, dropped) = without_and_with_drop_comments(page);
    assert_contains!(all, "I drove across it");
    assert_contains!(dropped, "The council opened the new bridge");
    assert_contains!(dropped, "Home\nComments\n");
    assert!(!dropped.contains("3 Comments"), "{dropped}");
    assert!(!dropped.contains("I drove across it"), "{dropped}");
    assert!(!dropped.contains("Three years"), "{dropped}");
    // The bundled text model was trained to drop comments, so that is its default;
    // `--comments model` hands the decision back to the model, and the bundled HTML
    // model, trained without the policy, lets its model decide by default.
    eqnice!(
        dropped,
        extract_text(&["--threshold", "0.001", page]),
        "the text model drops comments by default"
    );
    eqnice!(
        extract_text(&["--threshold", "0.001", "--comments", "drop", page]),
        dropped
    );
    let html = dir.path().join("bridge.html");
    write(&html, ARTICLE_WITH_COMMENTS);
    let html = html.to_str().unwrap();
    assert_contains!(
        extract_text(&["--threshold", "0.001", html]),
        "I drove across it"
    );
    // The two spellings of the policy cannot disagree: a bad flag, exit code 1.
    let out = dehusk()
        .args(["extract", "--comments", "model", "--drop-comments", page])
        .expect_code(1);
    assert_contains!(out.stderr, "--comments");
}

// Plain text: a blog or news front page whose stories each end with a comment count
// ("11 Comments. Click to view comments") kept only the stories before the first count
// that followed 100 words; a count repeated under three or more stories is a link, not
// a section's heading, and a real heading after the stories still starts the section.
#[test]
fn issue3_comment_counts_under_every_story_are_kept_in_text() {
    let dir = tempdir();
    let page = dir.path().join("front.txt");
    let story = "The council voted on Tuesday to approve a new budget that spends more on \
                 buses, parks and libraries after months of debate among residents.\n"
        .repeat(5);
    let mut doc = String::from("Home\nNews\n");
    for (k, count) in [11, 3, 27, 5].iter().enumerate() {
        doc.push_str(&format!(
            "Story {k} of the day\n{story}{count} Comments. Click to view comments\n"
        ));
    }
    doc.push_str("Leave a Reply\nFirst!\n");
    write(&page, doc);
    let text = extract_text(&["--threshold", "0.001", page.to_str().unwrap()]);
    for k in 0..4 {
        assert_contains!(text, &format!("Story {k} of the day"));
    }
    assert_contains!(text, "27 Comments. Click to view comments");
    assert!(!text.contains("Leave a Reply"), "{text}");
    assert!(!text.contains("First!"), "{text}");
}

// Issue #3 (precision: text kept twice): a kept block hidden by its markup (a class
// naming it, `display: none`, the `hidden` attribute) whose text repeats a shown kept
// block is dropped; a shown repeat, a hidden block found nowhere else, and a short
// hidden repeat stay, and explain says which blocks the rule dropped.
#[test]
fn issue3_hidden_copies_of_kept_text_are_dropped() {
    const PARA: &str = "The council opened the new bridge on Monday after three years of \
                        work, and the first buses crossed it before noon.";
    const REPEATED: &str = "Engineers said the structure would carry twice the traffic of \
                            the old crossing.";
    const HIDDEN_ONLY: &str = "The old crossing will be taken down over the summer, the \
                               council said in a statement.";
    let page = format!(
        "<html><body><article><h1>Bridge opens</h1><p>{PARA}</p><p>{REPEATED}</p>\
         <p>{REPEATED}</p><p>Read more here</p>\
         <div class=\"mobile-copy hidden\"><p>{PARA}</p></div>\
         <p style=\"display: none\">{PARA}</p><p hidden>{HIDDEN_ONLY}</p>\
         <div aria-hidden=\"true\"><p>Read more here</p></div></article></body></html>"
    );
    let dir = tempdir();
    let path = dir.path().join("bridge.html");
    write(&path, page);
    let path = path.to_str().unwrap();
    // A threshold that keeps every block, so the rule is what drops them.
    let text = extract_text(&["--threshold", "0.001", path]);
    assert_eq!(
        text.matches("The council opened the new bridge").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("Engineers said").count(), 2, "{text}");
    assert_eq!(
        text.matches("taken down over the summer").count(),
        1,
        "{text}"
    );
    assert_eq!(text.matches("Read more here").count(), 2, "{text}");
    // classify agrees, block by block: the first copy is content, the hidden two not.
    let blocks = classify_blocks(&["--threshold", "0.001", path]);
    let labels: Vec<&str> = blocks
        .iter()
        .filter(|(t, _, _)| t.starts_with("The council opened"))
        .map(|(_, _, label)| label.as_str())
        .collect();
    assert_eq!(labels, ["content", "boilerplate", "boilerplate"]);
    let out = dehusk()
        .args(["explain", "--threshold", "0.001", path])
        .stdout();
    assert_eq!(out.matches("drop (hidden copy)").count(), 2, "{out}");
    // Plain text has no markup to hide anything: a repeated line stays.
    let txt = dir.path().join("bridge.txt");
    write(&txt, format!("{PARA}\n{REPEATED}\n{PARA}\n"));
    let text = extract_text(&["--threshold", "0.001", txt.to_str().unwrap()]);
    assert_eq!(
        text.matches("The council opened the new bridge").count(),
        2,
        "{text}"
    );
}
