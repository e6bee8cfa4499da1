//! Stage 1, charset decoding: `input::decode_html` (BOM, `<meta>` prescan, UTF-8
//! validation or chardetng detection, conversion) over the raw bytes of the sample
//! pages, and `input::decode_text` over their plain-text renderings.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::input;

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    common::stage(c, "decode", |g, unit| {
        g.throughput(corpus.html.throughput(unit));
        g.bench_function("html", |b| {
            b.iter(|| {
                for raw in &corpus.html.raw {
                    black_box(input::decode_html(black_box(raw), None));
                }
            })
        });
        g.throughput(corpus.text.throughput(unit));
        g.bench_function("text", |b| {
            b.iter(|| {
                for raw in &corpus.text.raw {
                    black_box(input::decode_text(black_box(raw)));
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
