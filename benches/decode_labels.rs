//! Stage 5, label decoding: `decode::Decoder::decode` over the sample pages' block
//! probabilities (`Model::score_page` with the bundled HTML model, or a random one
//! while it is empty or stale), per-block threshold and two-state Viterbi. MB/s is in
//! input bytes of the pages the probabilities came from.

mod common;

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dehusk::features::extract;
use dehusk::input::InputFormat;
use dehusk::segment::segment_str;

fn bench(c: &mut Criterion) {
    let corpus = common::Corpus::load();
    let mode = InputFormat::Html;
    let file = common::model_file(mode);
    let model = file.compile().expect("a valid model");
    let scores: Vec<_> = corpus
        .html
        .text
        .iter()
        .map(|t| {
            let page = segment_str(t, mode);
            model
                .score_page(&page, &extract(&page, mode))
                .expect("rows of the model's mode")
        })
        .collect();
    let (threshold, viterbi) = common::decoders(&file);
    common::stage(c, "decode_labels", |g, unit| {
        g.throughput(corpus.html.throughput(unit));
        for (name, decoder) in [("threshold", &threshold), ("viterbi", &viterbi)] {
            g.bench_function(name, |b| {
                b.iter(|| {
                    for s in &scores {
                        black_box(decoder.decode(black_box(&s.probabilities), &s.words_log));
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
