//! End to end: `pipeline::Extractor::classify_str` (segment, features, score,
//! decode) on decoded pages, HTML and text, with the bundled models (random-weight
//! models of the same shape while the bundled files are empty); plus `html_bytes`,
//! which also decodes the raw bytes and builds the main text, i.e. all the per-page
//! work of `dehusk extract` short of file reading and JSON output.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::input::{self, InputFormat};
use dehusk::Extractor;

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    let html = Extractor::new(&common::model_file(InputFormat::Html)).expect("a valid model");
    let text = Extractor::new(&common::model_file(InputFormat::Text)).expect("a valid model");
    common::stage(c, "end_to_end", |g, unit| {
        for (mode, extractor) in [(InputFormat::Html, &html), (InputFormat::Text, &text)] {
            let sample = corpus.sample(mode);
            g.throughput(sample.throughput(unit));
            g.bench_function(mode.as_str(), |b| {
                b.iter(|| {
                    for page in &sample.text {
                        let _ = black_box(extractor.classify_str(black_box(page)));
                    }
                })
            });
        }
        g.throughput(corpus.html.throughput(unit));
        g.bench_function("html_bytes", |b| {
            b.iter(|| {
                for raw in &corpus.html.raw {
                    let decoded = input::decode_html(black_box(raw), None);
                    let _ = black_box(html.classify_str(&decoded).map(|c| c.main_text()));
                }
            })
        });
    });
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
