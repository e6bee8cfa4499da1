//! dehusk's integration tests: one test binary (so the crate and the `dehusk` binary
//! are built once), one module per area. Every test runs the real binary on fixtures
//! from `data/` and asserts something that could fail: bounds on what the bundled
//! models keep and drop, invariants (thread count, input order, stdin vs file, gzip vs
//! plain), and the exact contracts of the output formats and exit codes. None compares
//! against a recorded model output, so retraining the bundled models does not break
//! them unless extraction really got worse.
//!
//! Naming: a test is named after what it guards. Tests that guard a tracked issue
//! start with the issue number (`issue2_...`: the block features, and so the feature
//! list that every model file carries, come from issue #2).

// Running the binary; assertions that print expected and actual output between rulers.
#[macro_use]
mod util;

// `extract`: main text of the examples (HTML, text, German, forum), stdin, gzip,
// --input-format, --format text.
mod extract;
// Batch runs: bad documents reported and skipped (exit 2), missing paths, input order,
// thread-count invariance, -o FILE.
mod batch;
// `classify` and `explain`: per-block output, consistency with `extract`.
mod classify;
// Decision knobs: --threshold and --favor.
mod threshold;
// Model files: broken, stale or foreign models are refused with a message naming the
// problem, never a panic; --model is really used.
mod model_file;
// `label`, `train` and `eval` on data/mini, cross-checked against the reference script.
mod train_eval;
// The fixtures themselves: data/mini is in the shared format and is what make.py writes.
mod fixtures;
// Record files (WARC, WET, JSON lines) and --resume (issues #4, #5).
mod records;
// Lines a site repeats (issue #3): `--site-repeats` in extract, eval and train.
mod site;
// Output safety (a new-user audit): one run per -o (a lock), --resume only over the
// run's own inputs, gzipped .gz outputs, Ctrl-C, empty inputs, limits of 0, flags that
// do nothing.
mod output;
// Hostile input (issue #5): charsets, binary, empty, deep nesting, a million blocks,
// huge attributes, unclosed raw text, size limits, truncated gzip; and a randomized
// stress run of the whole pipeline.
mod hostile;
