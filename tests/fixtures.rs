//! The fixtures under `data/`: `data/mini` is a dataset in the shared format and is
//! exactly what `data/mini/make.py` writes; the examples' `.expected.txt` files are the
//! pages' own text.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::Command;

use dehusk::dataset::Dataset;
use dehusk::input::InputFormat;

use crate::util::{file_names, path, python3, read, read_bytes, tempdir};

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[test]
fn mini_dataset_is_in_the_shared_format() {
    let d = Dataset::open(&path("data/mini")).expect("data/mini opens as a dataset");
    assert_eq!(d.name(), "mini");
    assert_eq!(d.pages.len(), 12);
    assert_eq!(d.split(Some("train")).count(), 8);
    assert_eq!(d.split(Some("dev")).count(), 4);
    // A site is on one side of the split only.
    let mut splits: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in &d.pages {
        splits
            .entry(p.host.as_deref().expect("every page has a host"))
            .or_default()
            .insert(p.split.as_deref().unwrap());
    }
    for (host, s) in &splits {
        assert_eq!(s.len(), 1, "{host} is in both splits");
    }
    assert!(
        d.pages.iter().filter(|p| !p.with.is_empty()).count() >= 3,
        "some pages have snippets"
    );
    for p in &d.pages {
        let html_path = d.page_path(p, InputFormat::Html);
        assert!(
            html_path.to_str().unwrap().ends_with(".html.gz"),
            "{}",
            html_path.display()
        );
        let gz = std::fs::read(&html_path).unwrap();
        // Reproducible gzip: no modification time, no file name.
        assert_eq!(
            &gz[4..8],
            &[0, 0, 0, 0],
            "{}: gzip mtime must be 0",
            html_path.display()
        );
        assert_eq!(
            gz[3] & 0x08,
            0,
            "{}: gzip must not store a file name",
            html_path.display()
        );
        let html = String::from_utf8(gunzip(&gz)).unwrap();
        assert!(
            (1500..=6144).contains(&html.len()),
            "{}: {} bytes",
            p.id,
            html.len()
        );
        let text = std::fs::read_to_string(d.page_path(p, InputFormat::Text)).unwrap();
        // Gold paragraphs are visible text of the page: each is a line of the text file.
        let lines: BTreeSet<&str> = text.lines().map(str::trim).collect();
        for para in p.main_content.split("\n\n") {
            for line in para.lines() {
                assert!(
                    lines.contains(line.trim()),
                    "{}: gold line not in the text rendering: {line:?}",
                    p.id
                );
            }
        }
        let paragraphs = p.main_content.split("\n\n").count();
        assert!(
            (4..=20).contains(&paragraphs),
            "{}: {paragraphs} gold paragraphs",
            p.id
        );
        for w in &p.with {
            assert!(
                p.main_content.contains(w.as_str()),
                "{}: with-snippet not in the gold text: {w}",
                p.id
            );
        }
        for w in &p.without {
            assert!(
                !p.main_content.contains(w.as_str()),
                "{}: without-snippet in the gold text: {w}",
                p.id
            );
            assert!(
                text.contains(w.as_str()),
                "{}: without-snippet not on the page: {w}",
                p.id
            );
        }
    }
}

#[test]
fn mini_dataset_is_what_make_py_writes() {
    let Some(python) = python3() else {
        eprintln!("skipped: python3 is not available");
        return;
    };
    let dir = tempdir();
    let out = Command::new(python)
        .arg(path("data/mini/make.py"))
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eqnice!(
        read("data/mini/truth.jsonl"),
        std::fs::read_to_string(dir.path().join("truth.jsonl")).unwrap(),
        "truth.jsonl"
    );
    for sub in ["html", "text"] {
        let names = file_names(&path("data/mini").join(sub));
        assert_eq!(
            names,
            file_names(&dir.path().join(sub)),
            "files in data/mini/{sub}"
        );
        for name in names {
            let committed = read_bytes(&format!("data/mini/{sub}/{name}"));
            let fresh = std::fs::read(dir.path().join(sub).join(&name)).unwrap();
            // Compare the content: deflate output may differ between zlib builds.
            let (committed, fresh) = if sub == "html" {
                (gunzip(&committed), gunzip(&fresh))
            } else {
                (committed, fresh)
            };
            eqnice!(
                String::from_utf8_lossy(&committed),
                String::from_utf8_lossy(&fresh),
                "data/mini/{sub}/{name}"
            );
        }
    }
}

#[test]
fn example_expected_texts_are_the_pages_own_text() {
    for (page, expected) in [
        (
            "data/examples/article.html",
            "data/examples/article.expected.txt",
        ),
        (
            "data/examples/article.txt",
            "data/examples/article.expected.txt",
        ),
        (
            "data/examples/artikel.de.html",
            "data/examples/artikel.de.expected.txt",
        ),
        (
            "data/examples/forum.html",
            "data/examples/forum.expected.txt",
        ),
    ] {
        let source = read(page);
        for para in read(expected).split("\n\n") {
            assert!(
                source.contains(para.trim()),
                "{expected}: paragraph not found verbatim in {page}: {para:?}"
            );
        }
    }
    // The text rendering of the article holds the husk the tests look for.
    let txt = read("data/examples/article.txt");
    assert_eq!(txt.matches("* indicates required").count(), 2);
    for line in ["Skip to content", "News Feed", "5:04 PM", "Subscribe"] {
        assert!(
            txt.lines().any(|l| l.trim() == line),
            "article.txt has no line {line:?}"
        );
    }
}
