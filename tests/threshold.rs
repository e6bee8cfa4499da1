//! The decision knobs: `--threshold P` and `--favor precision|balanced|recall`.
//!
//! Counts of kept blocks are compared, not texts: with sequence smoothing a lower
//! threshold may swap which blocks are kept, but never keeps fewer of them.

use crate::util::{classify_blocks, dehusk, extract_text, kept};

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
fn threshold_outside_zero_to_one_is_refused() {
    for t in ["1.5", "-0.1", "NaN"] {
        let flag = format!("--threshold={t}");
        let out = dehusk()
            .args(["extract", &flag, "data/examples/article.html"])
            .expect_code(1);
        assert_contains!(out.stderr, "threshold");
        eqnice!("", out.stdout, "nothing is extracted with a bad threshold");
    }
}
