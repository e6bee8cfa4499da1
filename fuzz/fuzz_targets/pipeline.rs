//! Fuzz target for issue #5: arbitrary bytes through the whole pipeline, as `dehusk
//! extract` runs a document: gunzip (when the bytes are gzip), binary check, charset
//! decoding, segmentation, features and scoring with the bundled models, for both input
//! formats and for the sniffed one. Any panic, overflow (debug assertions are on), hang
//! or runaway allocation is a finding; so is a broken invariant of the result.
//!
//! Run from the package root: `cargo +nightly fuzz run pipeline -- -dict=fuzz/html.dict`
//! (seed it with `mkdir -p fuzz/corpus/pipeline && cp data/examples/* fuzz/corpus/pipeline/`).

#![no_main]

use std::sync::OnceLock;

use dehusk::features;
use dehusk::input::{self, InputFormat, Transport};
use dehusk::pipeline::Classifier;
use dehusk::segment;
use libfuzzer_sys::fuzz_target;

/// Inputs are small: 1 MiB of decompressed data is plenty to reach every state.
const MAX_BYTES: u64 = 1 << 20;

fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    // The bundled models are part of the build, not of the input: failing here means the
    // build is broken (a feature list that no longer matches the models).
    CLASSIFIER.get_or_init(|| Classifier::new(None).expect("the bundled models load"))
}

fn run(bytes: &[u8], format: Option<InputFormat>, charset: Option<&str>) {
    let Ok(doc) = input::document_from_bytes("fuzz".into(), bytes, None, format, Transport { charset, url: None }) else {
        // A clear per-document error (binary data) is a correct outcome.
        return;
    };
    assert!(!doc.text.contains('\0'), "NUL left in the decoded text");
    let page = segment::segment(&doc);
    for b in &page.blocks {
        assert!(b.start < b.end, "empty block");
        assert!(
            page.text.get(b.start as usize..b.end as usize).is_some(),
            "block range outside the page text or not on a char boundary"
        );
        assert!(b.hash_start <= b.hash_end && b.hash_end as usize <= page.class_hashes.len());
    }
    let matrix = features::extract(&page, doc.format);
    assert_eq!(matrix.rows, page.len());
    assert!(
        matrix.data.iter().all(|v| v.is_finite()),
        "a feature is not finite"
    );
    // A page segment made always passes the entry point's checks (Page::check).
    let classified = classifier()
        .for_format(doc.format)
        .classify_page(page)
        .expect("a segmented page of the extractor's own format");
    assert_eq!(classified.probabilities.len(), classified.page.len());
    assert_eq!(classified.labels.len(), classified.page.len());
    assert!(
        classified
            .probabilities
            .iter()
            .all(|p| (0.0..=1.0).contains(p)),
        "a probability outside [0, 1]"
    );
    let _ = classified.main_text();
}

fuzz_target!(|data: &[u8]| {
    // Gzip is unwrapped as for files; a truncated or corrupt stream is a clean error.
    let bytes = match input::read_stream(data, MAX_BYTES) {
        Ok(bytes) => bytes,
        Err(_) => return,
    };
    run(&bytes, Some(InputFormat::Html), None);
    run(&bytes, Some(InputFormat::Text), None);
    // Sniffed format, and a transport charset label taken from the input's first line.
    let label = bytes
        .split(|&b| b == b'\n')
        .next()
        .filter(|l| l.len() <= 40)
        .and_then(|l| std::str::from_utf8(l).ok());
    run(&bytes, None, label);
});
