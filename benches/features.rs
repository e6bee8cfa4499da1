//! Stage 3, features: `features::extract` (per-block statistics, lexicon and
//! stopword passes, page context, neighbour features) over pre-segmented pages.
//! MB/s is in input bytes of the pages the blocks came from.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::features::extract;
use dehusk::input::InputFormat;
use dehusk::segment::{segment_str, Page};

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    let pages = |mode: InputFormat| -> Vec<Page> {
        corpus
            .sample(mode)
            .text
            .iter()
            .map(|t| segment_str(t, mode))
            .collect()
    };
    let html = pages(InputFormat::Html);
    let text = pages(InputFormat::Text);
    eprintln!(
        "blocks: html {}, text {}",
        html.iter().map(Page::len).sum::<usize>(),
        text.iter().map(Page::len).sum::<usize>()
    );
    common::stage(c, "features", |g, unit| {
        for (mode, pages) in [(InputFormat::Html, &html), (InputFormat::Text, &text)] {
            g.throughput(corpus.sample(mode).throughput(unit));
            g.bench_function(mode.as_str(), |b| {
                b.iter(|| {
                    for page in pages.iter() {
                        black_box(extract(black_box(page), mode));
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
