//! Model files given with `--model`. A model file describes itself (version, mode,
//! feature names); one that is truncated, from another format version or trained on
//! another feature list is refused with exit code 1 and a message naming the problem
//! and the file — never a panic, never silently wrong output.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{classify_blocks, dehusk, extract_text, read, tempdir, write};

const HTML_MODEL: &str = "models/html.json";
const TEXT_MODEL: &str = "models/text.json";

/// Writes a model file into `dir`.
fn model_file(dir: &Path, name: &str, json: &str) -> PathBuf {
    let p = dir.join(name);
    write(&p, json);
    p
}

/// The bundled models' version field, as written.
fn version_field() -> String {
    format!("\"version\": {},", dehusk::model::MODEL_FORMAT_VERSION)
}

/// Replaces exactly one occurrence of `from` in the bundled HTML model.
fn edited(from: &str, to: &str) -> String {
    let json = read(HTML_MODEL);
    assert_eq!(
        json.matches(from).count(),
        1,
        "{from:?} must occur once in {HTML_MODEL}"
    );
    json.replacen(from, to, 1)
}

/// Runs every command that takes --model with this model, and checks each refuses it
/// with exit code 1, naming the file and `problem`.
fn refused_everywhere(model: &Path, problem: &str) {
    let model = model.to_str().unwrap();
    let runs: [&[&str]; 4] = [
        &["extract", "--model", model, "data/examples/article.html"],
        &["classify", "--model", model, "data/examples/article.html"],
        &["explain", "--model", model, "data/examples/article.html"],
        &["eval", "--data", "data/mini", "--model", model],
    ];
    for args in runs {
        let out = dehusk().args(args).expect_code(1);
        assert_contains!(out.stderr, problem);
        assert_contains!(out.stderr, model);
        if args[0] != "eval" {
            eqnice!("", out.stdout, "no output from a run with a bad model");
        }
    }
}

#[test]
fn truncated_model_is_refused_naming_json() {
    let dir = tempdir();
    let json = read(HTML_MODEL);
    let m = model_file(dir.path(), "truncated.json", &json[..json.len() / 2]);
    refused_everywhere(&m, "JSON");
}

#[test]
fn empty_model_is_refused_naming_json() {
    let dir = tempdir();
    let m = model_file(dir.path(), "empty.json", "");
    refused_everywhere(&m, "JSON");
}

#[test]
fn model_of_an_unknown_format_version_is_refused_naming_the_version() {
    let dir = tempdir();
    let m = model_file(
        dir.path(),
        "v999.json",
        &edited(&version_field(), "\"version\": 999,"),
    );
    refused_everywhere(&m, "version 999");
}

#[test]
fn model_without_a_version_is_refused() {
    let dir = tempdir();
    let m = model_file(dir.path(), "noversion.json", &edited(&version_field(), ""));
    refused_everywhere(&m, "version");
}

// Issue #2: the feature list is part of the model; a model trained on another list
// must never be applied to this build's features.
#[test]
fn issue2_model_with_a_renamed_feature_is_refused_naming_it() {
    let dir = tempdir();
    let m = model_file(
        dir.path(),
        "renamed.json",
        &edited("\"link_density\",", "\"link_density_v0\","),
    );
    refused_everywhere(&m, "feature");
    let out = dehusk()
        .args([
            "extract",
            "--model",
            m.to_str().unwrap(),
            "data/examples/article.html",
        ])
        .expect_code(1);
    assert_contains!(out.stderr, "link_density_v0");
}

// Issue #2: a model with one feature fewer (an older feature list) is refused too.
#[test]
fn issue2_model_with_a_missing_feature_is_refused() {
    let dir = tempdir();
    let mut v: Value = serde_json::from_str(&read(HTML_MODEL)).unwrap();
    for key in ["feature_names", "means", "scales", "weights"] {
        v[key].as_array_mut().unwrap().pop();
    }
    let m = model_file(
        dir.path(),
        "short.json",
        &serde_json::to_string_pretty(&v).unwrap(),
    );
    refused_everywhere(&m, "feature");
}

#[test]
fn model_with_too_few_weights_is_refused() {
    let dir = tempdir();
    let mut v: Value = serde_json::from_str(&read(HTML_MODEL)).unwrap();
    v["weights"].as_array_mut().unwrap().pop();
    let m = model_file(
        dir.path(),
        "weights.json",
        &serde_json::to_string_pretty(&v).unwrap(),
    );
    refused_everywhere(&m, "weights");
}

#[test]
fn model_with_a_threshold_outside_zero_to_one_is_refused() {
    let dir = tempdir();
    let mut v: Value = serde_json::from_str(&read(HTML_MODEL)).unwrap();
    v["threshold"] = Value::from(3.0);
    let m = model_file(
        dir.path(),
        "threshold.json",
        &serde_json::to_string_pretty(&v).unwrap(),
    );
    refused_everywhere(&m, "threshold");
}

#[test]
fn missing_model_file_is_refused_naming_it() {
    let out = dehusk()
        .args([
            "extract",
            "--model",
            "no/such/model.json",
            "data/examples/article.html",
        ])
        .expect_code(1);
    assert_contains!(out.stderr, "no/such/model.json");
}

#[test]
fn copy_of_the_bundled_model_gives_the_same_output() {
    let dir = tempdir();
    for (model, input) in [
        (HTML_MODEL, "data/examples/article.html"),
        (TEXT_MODEL, "data/examples/article.txt"),
    ] {
        let m = model_file(dir.path(), "copy.json", &read(model));
        eqnice!(
            extract_text(&[input]),
            extract_text(&["--model", m.to_str().unwrap(), input]),
            "{model}"
        );
    }
}

/// A copy of the bundled model `bundled` that keeps blocks of probability 0.99 or more
/// on every page, written into `dir`. (`--threshold` also switches off the page-level
/// adjustments, so the copy goes without them too: with a confidence slope of 2 a
/// page's best blocks would still clear 0.99 less the slope's share.)
fn strict_copy(dir: &Path, bundled: &str) -> PathBuf {
    let mut v: Value = serde_json::from_str(&read(bundled)).unwrap();
    v["threshold"] = Value::from(0.99);
    v["confidence_slope"] = Value::from(0.0);
    v["relative_threshold"] = Value::from(0.0);
    let name = Path::new(bundled).file_name().unwrap().to_str().unwrap();
    model_file(dir, name, &serde_json::to_string_pretty(&v).unwrap())
}

#[test]
fn model_flag_is_used_for_its_mode_only() {
    // A strict copy of either bundled model must act like --threshold 0.99 on input of
    // its mode, and leave input of the other mode to the bundled model of that mode
    // (both arms: since session 22 the --model file is read once for both modes).
    let dir = tempdir();
    let txt = "data/examples/article.txt";
    let html = "data/examples/article.html";
    for (bundled, own, other) in [(TEXT_MODEL, txt, html), (HTML_MODEL, html, txt)] {
        let m = strict_copy(dir.path(), bundled);
        let m = m.to_str().unwrap();
        assert_eq!(
            classify_blocks(&["--model", m, own]),
            classify_blocks(&["--threshold", "0.99", own]),
            "{bundled}"
        );
        assert_ne!(
            classify_blocks(&["--model", m, own]),
            classify_blocks(&[own]),
            "the strict model must change the output: {bundled}"
        );
        assert_eq!(
            classify_blocks(&["--model", m, other]),
            classify_blocks(&[other]),
            "{bundled}"
        );
    }
}

#[test]
fn eval_refuses_a_model_of_the_other_mode() {
    // extract applies --model to inputs of its mode only; eval scores one mode, so a
    // model of the other mode is a mistake to report, not a reason to fall back silently.
    let out = dehusk()
        .args([
            "eval",
            "--data",
            "data/mini",
            "--mode",
            "html",
            "--model",
            TEXT_MODEL,
        ])
        .expect_code(1);
    assert_contains!(out.stderr, "text");
    assert_contains!(out.stderr, "html");
    eqnice!("", out.stdout, "no scores with the wrong model");
}

/// The bundled HTML model, edited as JSON.
fn html_model_with(change: impl Fn(&mut Value)) -> String {
    let mut m: Value = serde_json::from_str(&read(HTML_MODEL)).unwrap();
    change(&mut m);
    serde_json::to_string(&m).unwrap()
}

// Found by a review of the library: model files that loaded without a word and then
// scored wrongly. A misspelt field (`smothing`) dropped the smoothing; numbers finite
// one by one overflowed once the scales were folded into the weights (every
// probability NaN: empty text, exit 0); a word given twice in the table was read with
// its last value. Each is now refused, naming the problem.
#[test]
fn model_files_that_would_score_wrongly_are_refused() {
    let base: Value = serde_json::from_str(&read(HTML_MODEL)).unwrap();
    // The feature whose weight the scale multiplies most.
    let ratio = |j: usize| {
        (base["weights"][j].as_f64().unwrap() / base["scales"][j].as_f64().unwrap()).abs()
    };
    let n = base["weights"].as_array().unwrap().len();
    let j = (0..n)
        .max_by(|&a, &b| ratio(a).total_cmp(&ratio(b)))
        .unwrap();
    assert!(ratio(j) > 2.0, "some weight is large on the raw scale");
    type Change = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "misspelt",
            Box::new(|m| {
                let s = m.as_object_mut().unwrap().remove("smoothing").unwrap();
                m["smothing"] = s;
            }),
            "unknown field `smothing`",
        ),
        (
            "extra",
            Box::new(|m| m["word_odds"]["extra"] = Value::from("")),
            "unknown field `extra`",
        ),
        (
            "tiny-scale",
            Box::new(move |m| m["scales"][j] = Value::from(1e-40)),
            "overflow once divided by its scales",
        ),
        (
            "huge-mean",
            Box::new(move |m| m["means"][j] = Value::from(3e38)),
            "overflow once divided by its scales",
        ),
        (
            "word-twice",
            Box::new(|m| {
                let words = m["word_odds"]["words"].as_str().unwrap().to_string();
                let first = words.lines().next().unwrap().to_string();
                m["word_odds"]["words"] = Value::from(format!("{words}{first}\n"));
            }),
            "out of order or given twice",
        ),
        (
            "version-text",
            Box::new(|m| m["version"] = Value::from("8")),
            "is not a whole number",
        ),
    ];
    let dir = tempdir();
    for (name, change, problem) in cases {
        let path = model_file(
            dir.path(),
            &format!("{name}.json"),
            &html_model_with(change),
        );
        refused_everywhere(&path, problem);
    }
}
