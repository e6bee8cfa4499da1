//! Shared setup for the benches: the page sample, the models, and the criterion
//! configuration. Included by every bench file with `mod common;`.
//!
//! Pages, in order of preference:
//! 1. `$DEHUSK_BENCH_DATA` (a dataset folder with `html/<id>.html.gz` and optionally
//!    `text/<id>.txt`), else `../shared/data/wcxb` next to the repository: the first
//!    `$DEHUSK_BENCH_PAGES` ids (default 40) in sorted order, read at run time;
//! 2. the small pages in `data/examples/` (any `*.html`, `*.htm`, `*.html.gz`, and
//!    `*.txt` except the expected outputs `*.expected.txt`);
//! 3. a synthetic page generated here.
//!
//! Nothing is copied into the repository.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use dehusk::decode::{Decoder, Smoothing};
use dehusk::input::{self, InputFormat};
use dehusk::model::{bundled, ModelFile, Provenance, MODEL_FORMAT_VERSION};

/// Default number of pages in the sample.
pub const DEFAULT_PAGES: usize = 40;

/// One set of pages of one format.
pub struct Sample {
    /// The pages' raw bytes (after gunzip, before charset decoding).
    pub raw: Vec<Vec<u8>>,
    /// The pages decoded to UTF-8.
    pub text: Vec<String>,
}

impl Sample {
    fn from_raw(raw: Vec<Vec<u8>>, mode: InputFormat) -> Sample {
        let text = raw
            .iter()
            .map(|b| match mode {
                InputFormat::Html => input::decode_html(b, None),
                InputFormat::Text => input::decode_text(b),
            })
            .collect();
        Sample { raw, text }
    }

    /// Number of pages.
    pub fn pages(&self) -> u64 {
        self.raw.len() as u64
    }

    /// Total raw bytes (the unit of every MB/s figure: input bytes of the pages).
    pub fn bytes(&self) -> u64 {
        self.raw.iter().map(|b| b.len() as u64).sum()
    }

    /// The throughput of one pass over the sample, in the given unit.
    pub fn throughput(&self, unit: Unit) -> Throughput {
        match unit {
            Unit::Bytes => Throughput::Bytes(self.bytes()),
            Unit::Pages => Throughput::Elements(self.pages()),
        }
    }
}

/// The HTML and text samples used by every bench.
pub struct Corpus {
    /// Where the pages came from (printed once).
    pub source: String,
    /// HTML pages.
    pub html: Sample,
    /// Plain-text pages (the same pages' WET-like renderings when the dataset has
    /// them, else the HTML pages' blocks one per line).
    pub text: Sample,
}

fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn page_limit() -> usize {
    std::env::var("DEHUSK_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_PAGES)
}

fn read(path: &Path) -> Option<Vec<u8>> {
    input::read_file(path, input::DEFAULT_MAX_BYTES).ok()
}

/// Raw HTML pages and raw plain-text pages.
type Pages = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// The first `limit` pages of a dataset folder, by sorted id.
fn from_dataset(dir: &Path, limit: usize) -> Option<Pages> {
    let mut ids: Vec<String> = std::fs::read_dir(dir.join("html"))
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".html.gz")
                .map(str::to_owned)
        })
        .collect();
    ids.sort();
    ids.truncate(limit);
    let mut html = Vec::new();
    let mut text = Vec::new();
    for id in &ids {
        html.push(read(&dir.join("html").join(format!("{id}.html.gz")))?);
        if let Some(t) = read(&dir.join("text").join(format!("{id}.txt"))) {
            text.push(t);
        }
    }
    if html.is_empty() {
        return None;
    }
    Some((html, text))
}

/// Every example page under `dir`, recursively, in sorted path order.
fn from_examples(dir: &Path, limit: usize) -> Option<Pages> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    paths.sort();
    let (mut html, mut text) = (Vec::new(), Vec::new());
    for p in paths {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".html.gz") {
            if html.len() < limit {
                html.extend(read(&p));
            }
        } else if name.ends_with(".txt") && !name.ends_with(".expected.txt") && text.len() < limit {
            text.extend(read(&p));
        }
    }
    if html.is_empty() {
        return None;
    }
    Some((html, text))
}

/// A deterministic page shaped like a news article: navigation, a cookie banner,
/// paragraphs, a share bar, teasers and a footer (about 25 KB).
pub fn synthetic_html() -> String {
    let mut s = String::from(
        "<!doctype html><html><head><meta charset=utf-8><title>Council approves budget</title></head><body>\
         <div class=\"cookie-banner\">We use cookies. <a href=/privacy>Privacy</a> <button>Accept</button></div>\
         <nav class=menu><ul>",
    );
    for i in 0..30 {
        s += &format!("<li><a href=\"/section/{i}\">Section {i}</a></li>");
    }
    s += "</ul></nav><main><article><h1>Council approves budget</h1><p class=byline>By A. Writer, 3 March 2026</p>";
    let words: Vec<&str> = "the council approved budget after a long debate about school funding \
         road repairs and future of public library residents said"
        .split_whitespace()
        .collect();
    let mut x: u32 = 12345;
    for p in 0..60 {
        s += "<p>";
        for w in 0..(40 + p % 30) {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            s += words[(x >> 16) as usize % words.len()];
            s += if w % 13 == 12 { ". " } else { " " };
        }
        s += "end.</p>";
        if p % 10 == 9 {
            s += "<h2>More details</h2>";
        }
    }
    s += "</article><div class=share><a href=#>Share</a> <a href=#>Tweet</a> <a href=#>Email</a></div>\
          <aside class=related><h3>Related</h3><ul>";
    for i in 0..20 {
        s += &format!("<li><a href=\"/story/{i}\">Another story headline number {i}</a></li>");
    }
    s += "</ul></aside></main><footer>© 2026 Example News. All rights reserved. <a href=/terms>Terms</a></footer></body></html>";
    s
}

/// The HTML pages' blocks, one per line, with a blank line at paragraph breaks: a
/// plain-text rendering for when the dataset has none.
fn text_from_html(html: &[Vec<u8>]) -> Vec<Vec<u8>> {
    html.iter()
        .map(|b| {
            let page = dehusk::segment::html::segment_html(&input::decode_html(b, None));
            let mut out = String::new();
            for i in 0..page.len() {
                if page.blocks[i].break_before && !out.is_empty() {
                    out.push('\n');
                }
                out += page.block_text(i);
                out.push('\n');
            }
            out.into_bytes()
        })
        .collect()
}

impl Corpus {
    /// Loads the sample (see the module docs for the order of preference).
    pub fn load() -> Corpus {
        let limit = page_limit();
        let dataset = std::env::var_os("DEHUSK_BENCH_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_dir().join("../shared/data/wcxb"));
        let examples = repo_dir().join("data/examples");
        let (source, html, mut text) = if let Some((h, t)) = from_dataset(&dataset, limit) {
            (
                format!("{} (first {} ids)", dataset.display(), h.len()),
                h,
                t,
            )
        } else if let Some((h, t)) = from_examples(&examples, limit) {
            (format!("{} ({} pages)", examples.display(), h.len()), h, t)
        } else {
            (
                "synthetic page".to_owned(),
                vec![synthetic_html().into_bytes()],
                Vec::new(),
            )
        };
        if text.is_empty() {
            text = text_from_html(&html);
        }
        let corpus = Corpus {
            source,
            html: Sample::from_raw(html, InputFormat::Html),
            text: Sample::from_raw(text, InputFormat::Text),
        };
        eprintln!(
            "bench pages: {}: html {} pages {:.3} MB, text {} pages {:.3} MB",
            corpus.source,
            corpus.html.pages(),
            corpus.html.bytes() as f64 / 1e6,
            corpus.text.pages(),
            corpus.text.bytes() as f64 / 1e6,
        );
        corpus
    }

    /// The sample of a mode.
    pub fn sample(&self, mode: InputFormat) -> &Sample {
        match mode {
            InputFormat::Html => &self.html,
            InputFormat::Text => &self.text,
        }
    }
}

/// The bundled model of `mode`, or (while the bundled files are still empty or stale)
/// a model with deterministic random weights over this build's feature list, so the
/// scoring cost is the same.
pub fn model_file(mode: InputFormat) -> ModelFile {
    match bundled::file(mode) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("bench: {e}; using a random {} model instead", mode.as_str());
            random_model(mode)
        }
    }
}

/// A model with deterministic pseudo-random weights and sticky smoothing (one stage).
/// Built through JSON so that fields added to [`ModelFile`] later with a serde
/// default do not break the benches.
pub fn random_model(mode: InputFormat) -> ModelFile {
    let names = dehusk::features::feature_names(mode);
    let d = names.len();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let weights: Vec<f32> = (0..d)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        })
        .collect();
    let json = serde_json::json!({
        "version": MODEL_FORMAT_VERSION,
        "mode": mode,
        "feature_names": names,
        "means": vec![0.0f32; d],
        "scales": vec![1.0f32; d],
        "weights": weights,
        "intercept": 0.0,
        "threshold": 0.5,
        "smoothing": Smoothing { stay_content: 0.9, stay_boilerplate: 0.95, strength: 1.0, length_weight: 0.5 },
        "provenance": Provenance::default(),
    });
    ModelFile::from_json(&json.to_string()).expect("the random bench model is valid")
}

/// The threshold-only and Viterbi decoders for a model.
pub fn decoders(file: &ModelFile) -> (Decoder, Decoder) {
    let smoothing = file
        .smoothing
        .clone()
        .filter(|s| s.strength > 0.0)
        .unwrap_or(Smoothing {
            stay_content: 0.9,
            stay_boilerplate: 0.95,
            strength: 1.0,
            length_weight: 0.5,
        });
    (
        Decoder {
            threshold: file.threshold,
            relative: file.relative_threshold,
            confidence_slope: file.confidence_slope,
            smoothing: None,
        },
        Decoder {
            threshold: file.threshold,
            relative: file.relative_threshold,
            confidence_slope: file.confidence_slope,
            smoothing: Some(smoothing),
        },
    )
}

/// The throughput unit of a group.
#[derive(Clone, Copy, Debug)]
pub enum Unit {
    /// Input bytes: criterion prints MB/s (MiB/s, 2^20 bytes).
    Bytes,
    /// Pages: criterion prints elem/s, i.e. pages/s.
    Pages,
}

/// Runs `f` twice, once in a group `<stage>/MBps` (bytes throughput) and once in a
/// group `<stage>/pages` (pages throughput), so every stage reports both.
pub fn stage(
    c: &mut Criterion,
    name: &str,
    mut f: impl FnMut(&mut BenchmarkGroup<'_, WallTime>, Unit),
) {
    for (suffix, unit) in [("bytes", Unit::Bytes), ("pages", Unit::Pages)] {
        let mut g = c.benchmark_group(format!("{name}_{suffix}"));
        // One iteration is a pass over the whole sample (tens of ms to a second):
        // flat sampling with few samples keeps `cargo bench` to a few minutes.
        g.sampling_mode(SamplingMode::Flat);
        f(&mut g, unit);
        g.finish();
    }
}

/// The criterion settings of every bench: few samples, short warm-up and measurement,
/// a wide noise threshold (the machine is small and noisy). Command-line flags
/// (`--measurement-time`, `--sample-size`, ...) still override these.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .noise_threshold(0.05)
        .without_plots()
}
