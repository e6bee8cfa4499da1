//! Stage 2, segmentation: `segment::html::segment_html` (WHATWG tokenizer plus the
//! element stack, block building, class/id keyword masks) over the decoded HTML of
//! the sample pages, and `segment::text::segment_text` over their plain-text
//! renderings. Input: already decoded `&str`.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::segment::{html::segment_html, text::segment_text};

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    common::stage(c, "segment", |g, unit| {
        g.throughput(corpus.html.throughput(unit));
        g.bench_function("html", |b| {
            b.iter(|| {
                for page in &corpus.html.text {
                    black_box(segment_html(black_box(page)));
                }
            })
        });
        g.throughput(corpus.text.throughput(unit));
        g.bench_function("text", |b| {
            b.iter(|| {
                for page in &corpus.text.text {
                    black_box(segment_text(black_box(page)));
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
