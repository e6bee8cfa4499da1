//! Stage 4, scoring: `model::Model::score_page` (stage one: one dot product and a
//! logistic per block; then the context stage, when the model has one) over
//! pre-extracted feature matrices, with the bundled model of each mode (a random-weight
//! one-stage model of the same shape while the bundled files are empty or stale).
//! `*_stage1` is `Model::probabilities`, stage one alone. MB/s is in input bytes of the
//! pages the matrices came from.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::features::{extract, FeatureMatrix};
use dehusk::input::InputFormat;
use dehusk::segment::{segment_str, Page};

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    let setup = |mode: InputFormat| {
        let model = common::model_file(mode).compile().expect("a valid model");
        let pages: Vec<(Page, FeatureMatrix)> = corpus
            .sample(mode)
            .text
            .iter()
            .map(|t| {
                let page = segment_str(t, mode);
                let m = extract(&page, mode);
                (page, m)
            })
            .collect();
        eprintln!(
            "{} model: context stage {}",
            mode.as_str(),
            if model.has_context_stage() {
                "yes"
            } else {
                "no"
            }
        );
        (model, pages)
    };
    let html = setup(InputFormat::Html);
    let text = setup(InputFormat::Text);
    common::stage(c, "score", |g, unit| {
        for (mode, (model, pages)) in [(InputFormat::Html, &html), (InputFormat::Text, &text)] {
            g.throughput(corpus.sample(mode).throughput(unit));
            g.bench_function(mode.as_str(), |b| {
                b.iter(|| {
                    for (page, m) in pages.iter() {
                        let _ = black_box(model.score_page(black_box(page), black_box(m)));
                    }
                })
            });
            g.bench_function(format!("{}_stage1", mode.as_str()), |b| {
                b.iter(|| {
                    for (page, m) in pages.iter() {
                        let _ = black_box(model.probabilities(black_box(page), black_box(m)));
                    }
                })
            });
        }
    });
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
