//! dehusk strips the husk (navigation, menus, cookie and newsletter banners, share
//! bars, teasers, footers) off web pages and keeps the main text.
//!
//! It is a machine-learned block classifier. The pipeline, one module per stage:
//!
//! 1. [`input`]: bytes → [`input::Document`] (gzip, charset detection, HTML or text).
//! 2. [`segment`]: document → [`segment::Page`], an ordered list of text blocks.
//! 3. [`features`]: page → a named, ordered feature vector per block.
//! 4. [`model`]: features → content probability (standardize, dot product, logistic;
//!    optionally a hidden layer of a few rectified units, [`network`]), then
//!    [`context`]: a second stage over the neighbours' probabilities.
//!    [`pooling`] then mixes each block's probability with those of the page's blocks
//!    of like structure (HTML).
//! 5. [`decode`]: probabilities → labels (threshold, optional sequence smoothing),
//!    then [`policy`]: page-level rules (hidden copies of kept text dropped) and the
//!    user's choices the data does not settle (reader comments).
//! 6. [`output`]: labels → main text / JSON lines; [`markdown`]: the main text with
//!    its structure (headings, lists, code, tables), when asked for.
//!
//! Beside the pipeline: [`label`] aligns gold text to blocks to make training labels
//! ([`ceiling`] searches for the best block selection: how far any classifier could go),
//! [`train`] fits a model ([`cv_rows`] hands its cross-validation rows to outside
//! models and scores their probabilities), [`eval`] scores a model against gold text,
//! and [`pipeline`] runs documents in parallel in input order.
//!
//! ```
//! use dehusk::{Extractor, input::InputFormat};
//!
//! let extractor = Extractor::bundled(InputFormat::Html).unwrap();
//! let html = "<html><body><nav><a href=/>Home</a> <a href=/news>News</a></nav>\
//!     <article><p>The council approved the new budget on Tuesday after a long debate \
//!     about school funding, road repairs and the future of the public library.</p>\
//!     </article><footer>© 2026 Example News. All rights reserved.</footer></body></html>";
//! let text = extractor.extract_str(html).unwrap();
//! assert!(text.contains("council approved"));
//! assert!(!text.contains("All rights reserved"));
//! // How sure the model is of that text (the mean probability of the kept blocks,
//! // weighted by their words): a corpus can drop the pages it doubts.
//! let classified = extractor.classify_str(html).unwrap();
//! assert!(classified.confidence > 0.0 && classified.confidence <= 1.0);
//!
//! // The CLI's --threshold and --favor are settings of the model file: set one, then
//! // compile it into an extractor.
//! let mut file = dehusk::model::bundled::file(InputFormat::Html).unwrap();
//! file.shift_threshold(1.0).unwrap(); // --favor precision: one logit stricter
//! let strict = Extractor::new(&file).unwrap();
//! let mut file = dehusk::model::bundled::file(InputFormat::Html).unwrap();
//! file.fix_threshold(0.99).unwrap(); // --threshold 0.99 on every page
//! let strictest = Extractor::new(&file).unwrap();
//! let kept = |e: &Extractor| e.classify_str(html).unwrap().labels.iter().filter(|&&l| l).count();
//! assert!(kept(&strictest) <= kept(&strict) && kept(&strict) <= kept(&extractor));
//! ```
//!
//! A crawl's pages, read one record at a time (memory does not grow with the file), as
//! `dehusk extract crawl.warc.gz` reads them; each record's HTTP charset, content coding
//! and chunking are undone by [`records::Record::document`]. Raw page bytes from
//! elsewhere go to [`Extractor::extract_bytes`].
//!
//! ```
//! use dehusk::pipeline::Classifier;
//! use dehusk::records::{Entry, Options, Reader, RecordFormat};
//!
//! let page = "<html><body><article><p>The council approved the new budget on \
//!     Tuesday after a long debate about school funding and road repairs.</p>\
//!     </article></body></html>";
//! let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{page}");
//! let warc = format!(
//!     "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n\
//!      WARC-Target-URI: https://example.com/news\r\n\
//!      Content-Type: application/http; msgtype=response\r\n\
//!      Content-Length: {}\r\n\r\n{http}\r\n\r\n",
//!     http.len()
//! );
//! let stream = Box::new(std::io::Cursor::new(warc.into_bytes()));
//! let reader = Reader::new(stream, "crawl".into(), RecordFormat::Warc, Options::default())?;
//! let classifier = Classifier::new(None)?; // the bundled models
//! let mut texts = Vec::new();
//! for entry in reader {
//!     match entry {
//!         Entry::Record(record) => {
//!             match record.document().and_then(|doc| classifier.classify(&doc)) {
//!                 Ok(c) => texts.push((record.url().map(String::from), c.main_text())),
//!                 // One bad page is reported; the rest go on.
//!                 Err(e) => eprintln!("{}: {e}", record.id),
//!             }
//!         }
//!         Entry::Skipped { .. } => {} // not a page: an image, a revisit
//!         Entry::Failed { id, error, .. } => eprintln!("{id}: {error}"),
//!     }
//! }
//! assert_eq!(texts[0].0.as_deref(), Some("https://example.com/news"));
//! assert!(texts[0].1.contains("council approved"));
//! # Ok::<(), dehusk::Error>(())
//! ```

#![warn(missing_docs)]
// Library code must not panic on any input: a bad page is an error value, never a
// crash of a corpus run. (Tests may unwrap.)
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod ceiling;
pub mod context;
pub mod cv_rows;
pub mod dataset;
pub mod decode;
pub mod error;
pub mod eval;
pub mod features;
pub mod input;
pub mod label;
pub mod lexicon;
pub mod markdown;
pub mod model;
pub mod network;
pub mod output;
pub mod pipeline;
pub mod policy;
pub mod pooling;
pub mod records;
pub mod segment;
pub mod site;
#[cfg(test)]
mod test_rng;
pub mod train;
pub mod word_odds;
pub mod words;
mod zstd;

pub use error::{Error, ErrorKind, Result};
pub use pipeline::Extractor;
