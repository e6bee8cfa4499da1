//! Lines a site repeats (issue #3): with `--site-repeats N`, a kept block whose text
//! occurs on N or more pages of the same host in the run is dropped as the site's
//! template. The corpora are generated here: pages of one made-up site that share a
//! template paragraph the model keeps on a page alone, and differ in their articles.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::records::{gzip_each, partial_of, warc_record, warcinfo};
use crate::util::{dehusk, read, tempdir, write};

/// A paragraph every page of the site prints under its article: prose that looks like
/// content on any one page.
const TEMPLATE: &str = "The Millbrook Courier is an independent newspaper that has \
    reported on the towns of the Mill Valley since 1889, and it is owned by the people \
    who read it every morning.";

/// The article paragraphs of the example page (its lines of 25 words or more).
fn article_paragraphs() -> Vec<String> {
    read("data/examples/article.txt")
        .lines()
        .filter(|l| l.split_whitespace().count() >= 25)
        .map(str::to_string)
        .collect()
}

/// Page `k`: a menu, a title, the example's article paragraphs each ending with a
/// sentence of its own (so no two pages share one), the template paragraph, a footer.
fn page(k: usize) -> String {
    let mut lines = vec![
        "Home".to_string(),
        "News".into(),
        "Subscribe".into(),
        format!("Millbrook report number {k} of the season"),
    ];
    for (j, p) in article_paragraphs().iter().enumerate() {
        lines.push(format!("{p} This was noted in report {k}, part {j}."));
    }
    lines.push(TEMPLATE.into());
    lines.push("Privacy policy".into());
    lines.join("\n")
}

/// A WET file of `pages`, each `(url, text)`.
fn wet(path: &Path, pages: &[(String, String)]) {
    let mut records = vec![warcinfo()];
    for (n, (url, text)) in pages.iter().enumerate() {
        records.push(warc_record(
            "conversion",
            &format!("<urn:uuid:51e00000-0000-4000-8000-{n:012}>"),
            &[("WARC-Target-URI", url), ("Content-Type", "text/plain")],
            text.as_bytes(),
        ));
    }
    write(path, gzip_each(&records));
}

/// Each record's text by URL.
fn texts_by_url(recs: &[Value]) -> BTreeMap<String, String> {
    recs.iter()
        .map(|r| {
            (
                r["url"].as_str().expect("a url").to_string(),
                r["text"].as_str().expect("a text").to_string(),
            )
        })
        .collect()
}

/// Four pages of one site and one of another host that prints the same paragraph.
fn corpus(path: &Path) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = (1..=4)
        .map(|k| (format!("https://courier.example/news/{k}"), page(k)))
        .collect();
    pages.push(("https://elsewhere.example/copy".into(), page(5)));
    wet(path, &pages);
    pages
}

fn extract(path: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let out = dehusk()
        .args(["extract", "-q"])
        .args(extra)
        .arg(path)
        .expect_code(0);
    texts_by_url(&out.records())
}

#[test]
fn issue3_site_repeats_drop_a_sites_template_and_keep_its_articles() {
    let dir = tempdir();
    let path = dir.path().join("corpus.warc.wet.gz");
    let pages = corpus(&path);
    let alone = extract(&path, &[]);
    // What the test stands on: page by page, the model keeps the template paragraph
    // and the articles.
    for (url, text) in &alone {
        assert!(text.contains(TEMPLATE), "{url} keeps no template:\n{text}");
    }
    let site = extract(&path, &["--site-repeats", "3"]);
    assert_eq!(site.len(), pages.len());
    for (url, text) in &site {
        let before = &alone[url];
        // Only the site's pages lose the template; the page of the other host, alone
        // on its host, has nothing to be compared with. Nothing else goes.
        let on_site = url.starts_with("https://courier.example/");
        let expected: Vec<&str> = before
            .lines()
            .filter(|l| !(on_site && *l == TEMPLATE))
            .collect();
        assert_eq!(text.lines().collect::<Vec<_>>(), expected, "{url}");
        assert_eq!(text.contains(TEMPLATE), !on_site, "{url}");
        for (j, _) in article_paragraphs().iter().enumerate() {
            assert!(
                text.contains(&format!("part {j}.")),
                "{url} lost paragraph {j}"
            );
        }
    }
    // The summary counts what the rule dropped: the template on the site's four pages.
    let out = dehusk()
        .args(["extract", "--site-repeats", "3", "-o"])
        .arg(dir.path().join("out.jsonl"))
        .arg(&path)
        .expect_code(0);
    assert!(
        out.stderr
            .contains(", 4 blocks a site repeats dropped from 4 documents"),
        "{}",
        out.show()
    );
    // Four pages of the site: with 5 required, nothing is a repeat.
    assert_eq!(extract(&path, &["--site-repeats", "5"]), alone);
    // JSON lines with a `url` field are a corpus of sites too.
    let jsonl = dir.path().join("corpus.jsonl");
    let lines: Vec<String> = pages
        .iter()
        .map(|(url, text)| serde_json::json!({"url": url, "text": text}).to_string())
        .collect();
    write(&jsonl, lines.join("\n"));
    assert_eq!(extract(&jsonl, &["--site-repeats", "3"]), site);
}

#[test]
fn issue3_site_repeats_apply_to_classify_too() {
    let dir = tempdir();
    let path = dir.path().join("corpus.warc.wet.gz");
    corpus(&path);
    let run = |job: &str, extra: &[&str]| -> Vec<Value> {
        dehusk()
            .args([job, "-q"])
            .args(extra)
            .arg(&path)
            .expect_code(0)
            .records()
    };
    // The template block of each page: (probability, label).
    let template = |recs: &[Value]| -> Vec<(f64, String)> {
        recs.iter()
            .flat_map(|r| r["blocks"].as_array().unwrap().clone())
            .filter(|b| b["text"] == TEMPLATE)
            .map(|b| {
                (
                    b["p"].as_f64().unwrap(),
                    b["label"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let alone = template(&run("classify", &[]));
    let classified = run("classify", &["--site-repeats", "3"]);
    let site = template(&classified);
    assert_eq!(alone.len(), 5);
    // The rule changes labels, not the model's probabilities.
    for (k, ((p0, l0), (p1, l1))) in alone.iter().zip(&site).enumerate() {
        assert_eq!(p0, p1, "page {k}");
        assert_eq!(l0, "content", "page {k}");
        assert_eq!(
            l1,
            if k < 4 { "boilerplate" } else { "content" },
            "page {k}"
        );
    }
    // extract and classify agree on the confidence, taken after the rule.
    let extracted = run("extract", &["--site-repeats", "3"]);
    for (c, e) in classified.iter().zip(&extracted) {
        assert_eq!(c["confidence"], e["confidence"], "{}", c["url"]);
    }
}

#[test]
fn issue3_site_repeats_leave_documents_without_a_url_alone() {
    let dir = tempdir();
    let (a, b, c) = (
        dir.path().join("a.txt"),
        dir.path().join("b.txt"),
        dir.path().join("c.txt"),
    );
    for (k, path) in [&a, &b, &c].into_iter().enumerate() {
        write(path, page(k));
    }
    let run = |extra: &[&str]| {
        dehusk()
            .args(["extract"])
            .args(extra)
            .args([&a, &b, &c])
            .expect_code(0)
    };
    let plain = run(&[]);
    let site = run(&["--site-repeats", "2"]);
    assert_eq!(site.stdout, plain.stdout);
    assert!(
        site.stderr.contains("no document has a URL"),
        "no warning:\n{}",
        site.show()
    );
}

#[test]
fn issue3_site_repeats_refuse_stdin_pipes_and_a_single_page() {
    let out = dehusk()
        .args(["extract", "--site-repeats", "3", "-"])
        .stdin(page(1))
        .expect_code(1);
    assert!(out.stderr.contains("standard input"), "{}", out.show());
    // A device, pipe or FIFO named as a file would be used up by the first pass (the
    // second then read nothing and the run said "ok"), or block it.
    #[cfg(unix)]
    {
        let out = dehusk()
            .args(["extract", "--site-repeats", "3", "/dev/null"])
            .expect_code(1);
        assert!(
            out.stderr.contains("/dev/null is not a regular file"),
            "{}",
            out.show()
        );
    }
    let dir = tempdir();
    let path = dir.path().join("corpus.warc.wet.gz");
    corpus(&path);
    let out = dehusk()
        .args(["extract", "--site-repeats", "1"])
        .arg(&path)
        .expect_code(1);
    assert!(
        out.stderr.contains("--site-repeats") && out.stderr.contains("at least 2 pages"),
        "{}",
        out.show()
    );
}

/// The lines of a page's text rendering in data/mini.
fn mini_lines(id: &str) -> BTreeSet<String> {
    read(&format!("data/mini/text/{id}.txt"))
        .lines()
        .map(|l| l.trim().to_lowercase())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn issue3_eval_site_repeats_drop_only_lines_a_host_repeats() {
    let dir = tempdir();
    let predict = |name: &str, extra: &[&str]| -> BTreeMap<String, String> {
        let pred = dir.path().join(name);
        dehusk()
            .args([
                "eval",
                "--data",
                "data/mini",
                "--mode",
                "text",
                "--predictions",
            ])
            .arg(&pred)
            .args(extra)
            .expect_code(0);
        std::fs::read_to_string(pred.join("mini.jsonl"))
            .unwrap()
            .lines()
            .map(|l| {
                let r: Value = serde_json::from_str(l).unwrap();
                (
                    r["id"].as_str().unwrap().into(),
                    r["text"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let alone = predict("alone", &[]);
    let site = predict("site", &["--site-repeats", "2"]);
    // The dev split: two pages of harbourherald.example, one page each of two others.
    let shared: BTreeSet<String> = mini_lines("herald-1")
        .intersection(&mini_lines("herald-2"))
        .cloned()
        .collect();
    let mut dropped = 0;
    for (id, text) in &alone {
        let expected: Vec<&str> = if id.starts_with("herald-") {
            text.lines()
                .filter(|l| !shared.contains(&l.trim().to_lowercase()))
                .collect()
        } else {
            text.lines().collect()
        };
        dropped += text.lines().count() - expected.len();
        assert_eq!(site[id].lines().collect::<Vec<_>>(), expected, "{id}");
    }
    assert!(
        dropped > 0,
        "the herald pages keep no line they share: {alone:?}"
    );
}

#[test]
fn issue3_site_repeats_count_every_page_when_a_run_resumes() {
    let dir = tempdir();
    let path = dir.path().join("corpus.warc.wet.gz");
    corpus(&path);
    // With 4 of the site's 4 pages needed, a first pass that skipped the records an
    // earlier run wrote would count too few and keep the template.
    let whole = dir.path().join("whole.jsonl");
    dehusk()
        .args(["extract", "-q", "--site-repeats", "4", "-o"])
        .arg(&whole)
        .arg(&path)
        .expect_code(0);
    let expected = std::fs::read_to_string(&whole).unwrap();
    // Only the other host's page keeps it.
    assert_eq!(
        expected.matches("owned by the people").count(),
        1,
        "{expected}"
    );
    // A run killed after two records left them in `.partial`.
    let dest = dir.path().join("resumed.jsonl");
    let first_two: String = expected.lines().take(2).map(|l| format!("{l}\n")).collect();
    write(&partial_of(&dest), &first_two);
    dehusk()
        .args(["extract", "-q", "--site-repeats", "4", "--resume", "-o"])
        .arg(&dest)
        .arg(&path)
        .expect_code(0);
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), expected);
}
