//! Running the pipeline: [`Extractor`] holds a compiled model and turns one document
//! into labelled blocks or main text; [`Classifier`] picks the HTML or text extractor
//! per document; [`for_each_ordered`] scores many documents in parallel (rayon) in
//! bounded batches and hands the results back in input order.

use rayon::prelude::*;

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::input::{Document, InputFormat, MAX_DOCUMENT_BYTES};
use crate::model::{bundled, Model, ModelFile};
use crate::policy::Comments;
use crate::segment::{segment_str_within, segment_within, Page, DEFAULT_MAX_BLOCKS};
use crate::site::OnSite;

/// A model ready to classify documents of its mode. `Send + Sync`: share one across
/// threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    model: Model,
    /// The most blocks a string may make ([`Extractor::with_max_blocks`]).
    max_blocks: usize,
}

/// A classified document: its blocks with probabilities and labels.
#[derive(Debug, Clone)]
pub struct Classified {
    /// The segmented page.
    pub page: Page,
    /// Content probability per block.
    pub probabilities: Vec<f32>,
    /// Decoded label per block (true = content).
    pub labels: Vec<bool>,
    /// How sure the model is of the page's main text
    /// ([`crate::decode::page_confidence`]), computed before a
    /// [`Extractor::with_min_confidence`] cut.
    pub confidence: f32,
    /// Kept blocks dropped because the page's host repeats their text
    /// ([`Extractor::classify_page_on_site`]; 0 without a site).
    pub site_dropped: usize,
}

impl Classified {
    /// The main text: content blocks, one per line.
    pub fn main_text(&self) -> String {
        crate::label::content_text(&self.page, &self.labels)
    }
}

impl Extractor {
    /// Compiles a model file ([`ModelFile::compile`]: an inconsistent file is an
    /// error).
    pub fn new(file: &ModelFile) -> Result<Extractor> {
        Ok(Extractor {
            model: file.compile()?,
            max_blocks: DEFAULT_MAX_BLOCKS,
        })
    }

    /// The model shipped inside the binary for `mode`.
    pub fn bundled(mode: InputFormat) -> Result<Extractor> {
        Extractor::new(&bundled::file(mode)?)
    }

    /// The same extractor with a comment policy ([`crate::policy`]).
    pub fn with_comments(mut self, comments: Comments) -> Extractor {
        self.model.comments = comments;
        self
    }

    /// The same extractor, keeping no text of a page whose confidence
    /// ([`Classified::confidence`]) is below `min` (0..1; 0: every page keeps its
    /// text). An error when `min` is outside 0..1.
    pub fn with_min_confidence(mut self, min: f32) -> Result<Extractor> {
        self.model.set_min_confidence(min)?;
        Ok(self)
    }

    /// The same extractor, refusing a string of more than `max` blocks (lines, in
    /// plain text) with a bad-document error from [`Extractor::classify_str`] and
    /// [`Extractor::extract_str`]: the limit on one page's memory, about 320 bytes a
    /// block. Default [`DEFAULT_MAX_BLOCKS`] (without it, 64 MiB of one-letter lines
    /// took 10 GB).
    pub fn with_max_blocks(mut self, max: usize) -> Extractor {
        self.max_blocks = max;
        self
    }

    /// The input format this extractor's model is for.
    pub fn mode(&self) -> InputFormat {
        self.model.mode
    }

    /// The compiled model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Classifies the blocks of a segmented page. An error when the page is of the
    /// other format (an HTML model reading a plain-text page's blocks scores them as
    /// nothing it was trained on) or is inconsistent ([`Page::check`]).
    pub fn classify_page(&self, page: Page) -> Result<Classified> {
        self.classify_page_on_site(page, None)
    }

    /// [`Extractor::classify_page`] for a page of a counted corpus: the kept blocks
    /// whose text `site` (the counts read for the page's host) repeats are dropped
    /// ([`crate::site`]).
    pub fn classify_page_on_site(
        &self,
        page: Page,
        site: Option<OnSite<'_>>,
    ) -> Result<Classified> {
        if let Some(format) = page.format.filter(|&f| f != self.model.mode) {
            return Err(Error::invalid_parameter(format!(
                "the page is {} but the model is for {} input",
                format.as_str(),
                self.model.mode.as_str()
            )));
        }
        page.check()?;
        Ok(self.classify_segmented(page, site))
    }

    /// [`Extractor::classify_page_on_site`] of a page [`crate::segment`] made in this
    /// extractor's mode, which needs no checks.
    fn classify_segmented(&self, page: Page, site: Option<OnSite<'_>>) -> Classified {
        let scores = self.model.score(&page);
        let decoded = self.model.label_on_site(&page, &scores, site);
        Classified {
            page,
            probabilities: scores.probabilities,
            labels: decoded.labels,
            confidence: decoded.confidence,
            site_dropped: decoded.site_dropped,
        }
    }

    /// Segments and classifies a string of this extractor's mode, as a corpus run
    /// reads a document: NUL characters are dropped (a decoded [`Document`] has
    /// none), and a string past [`MAX_DOCUMENT_BYTES`] or of more blocks than
    /// [`Extractor::with_max_blocks`] allows is a bad-document error (before, such a
    /// string went through unchecked: 4 million one-letter lines took 1.2 GB).
    pub fn classify_str(&self, text: &str) -> Result<Classified> {
        if text.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(Error::bad_document(format!(
                "{} bytes is more than a page can hold ({MAX_DOCUMENT_BYTES})",
                text.len()
            )));
        }
        let text = match text.contains('\0') {
            true => Cow::Owned(text.replace('\0', "")),
            false => Cow::Borrowed(text),
        };
        let page = segment_str_within(&text, self.model.mode, self.max_blocks)?;
        Ok(self.classify_segmented(page, None))
    }

    /// The main text of a string of this extractor's mode ([`Extractor::classify_str`]).
    pub fn extract_str(&self, text: &str) -> Result<String> {
        Ok(self.classify_str(text)?.main_text())
    }
}

/// One extractor per input format.
#[derive(Debug, Clone)]
pub struct Classifier {
    html: Extractor,
    text: Extractor,
}

impl Classifier {
    /// The bundled models, with `custom` replacing the one of its mode.
    pub fn new(custom: Option<&ModelFile>) -> Result<Classifier> {
        let custom = custom.map(Extractor::new).transpose()?;
        let pick = |mode: InputFormat| -> Result<Extractor> {
            match &custom {
                Some(e) if e.mode() == mode => Ok(e.clone()),
                _ => Extractor::bundled(mode),
            }
        };
        Ok(Classifier {
            html: pick(InputFormat::Html)?,
            text: pick(InputFormat::Text)?,
        })
    }

    /// Builds a classifier from one extractor per mode.
    pub fn from_extractors(html: Extractor, text: Extractor) -> Result<Classifier> {
        if html.mode() != InputFormat::Html || text.mode() != InputFormat::Text {
            return Err(Error::invalid_parameter(
                "the html and text models are swapped",
            ));
        }
        Ok(Classifier { html, text })
    }

    /// The extractor for a format.
    pub fn for_format(&self, format: InputFormat) -> &Extractor {
        match format {
            InputFormat::Html => &self.html,
            InputFormat::Text => &self.text,
        }
    }

    /// Classifies one document with the extractor of its format, refusing a page of
    /// more blocks than that extractor allows ([`Extractor::with_max_blocks`], by
    /// default [`DEFAULT_MAX_BLOCKS`], as a corpus run) with a bad-document error
    /// (before, it had no limit; [`Classifier::classify_on_site`] takes another).
    pub fn classify(&self, doc: &Document) -> Result<Classified> {
        let max_blocks = self.for_format(doc.format).max_blocks;
        self.classify_on_site(doc, None, max_blocks)
    }

    /// [`Classifier::classify`] for a document of a corpus run: of a counted corpus
    /// with `site` ([`Extractor::classify_page_on_site`]), and refusing a page of more
    /// than `max_blocks` blocks with a bad-document error
    /// ([`crate::segment::segment_within`]; the default is
    /// [`crate::segment::DEFAULT_MAX_BLOCKS`]).
    pub fn classify_on_site(
        &self,
        doc: &Document,
        site: Option<OnSite<'_>>,
        max_blocks: usize,
    ) -> Result<Classified> {
        let page = segment_within(doc, max_blocks)?;
        Ok(self.for_format(doc.format).classify_segmented(page, site))
    }
}

/// Documents per parallel batch: enough to keep every core busy, few enough that
/// memory stays bounded whatever the corpus size.
pub const BATCH: usize = 64;

/// Maps `work` over `items` in parallel, batch by batch, and calls `sink` with each
/// result in input order. `sink` returning false stops early (a closed pipe).
pub fn for_each_ordered<I, T, R>(
    items: I,
    work: impl Fn(T) -> R + Sync + Send,
    mut sink: impl FnMut(R) -> bool,
) where
    I: IntoIterator<Item = T>,
    T: Send,
    R: Send,
{
    let mut iter = items.into_iter();
    loop {
        let batch: Vec<T> = iter
            .by_ref()
            .take(BATCH * rayon::current_num_threads().max(1))
            .collect();
        if batch.is_empty() {
            return;
        }
        let results: Vec<R> = batch.into_par_iter().map(&work).collect();
        for r in results {
            if !sink(r) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{segment_str, Block};

    #[test]
    fn the_library_entry_points_check_what_they_are_given() {
        // Found by an audit of the library: a page of the other format was scored
        // silently, a hand-made page with a block past its text panicked, and the
        // string entry points had no block limit and kept NULs.
        let html = Extractor::bundled(InputFormat::Html).unwrap();
        let text = Extractor::bundled(InputFormat::Text).unwrap();
        let lines = "Home\nThe council met on Monday to discuss the new budget for schools.\n";
        let e = html
            .classify_page(segment_str(lines, InputFormat::Text))
            .unwrap_err();
        assert!(e.to_string().contains("the page is text"), "{e}");
        assert!(text
            .classify_page(segment_str(lines, InputFormat::Text))
            .is_ok());
        for (start, end) in [(0, 100), (2, 1), (1, 2)] {
            let page = Page {
                text: "aé".into(),
                blocks: vec![Block {
                    start,
                    end,
                    ..Block::default()
                }],
                ..Page::default()
            };
            assert!(text.classify_page(page).is_err(), "{start}..{end}");
        }
        let page = Page {
            text: "abc".into(),
            blocks: vec![Block {
                start: 0,
                end: 3,
                hash_start: 0,
                hash_end: 4,
                ..Block::default()
            }],
            ..Page::default()
        };
        assert!(
            html.classify_page(page).is_err(),
            "hash range past the hashes"
        );

        let many = "a\n".repeat(50);
        let e = text
            .clone()
            .with_max_blocks(10)
            .extract_str(&many)
            .unwrap_err();
        assert!(e.is_per_document(), "{e}");
        assert!(text.clone().with_max_blocks(50).extract_str(&many).is_ok());
        // A document past the default block limit, as a corpus run refuses it.
        let doc = Document {
            id: "many".into(),
            format: InputFormat::Text,
            text: "a\n".repeat(DEFAULT_MAX_BLOCKS + 1),
        };
        let classifier = Classifier::new(None).unwrap();
        assert!(classifier.classify(&doc).unwrap_err().is_per_document());
        // ... and the extractor's own limit, when it has one (found by a review).
        let few = Document {
            text: "a\n".repeat(20),
            ..doc
        };
        assert!(classifier.classify(&few).is_ok());
        let strict =
            Classifier::from_extractors(html.clone(), text.clone().with_max_blocks(10)).unwrap();
        assert!(strict.classify(&few).unwrap_err().is_per_document());
        let nul = "The council\0 met on Monday to discuss the new budget for the schools.";
        let kept = text.extract_str(nul).unwrap();
        assert!(
            !kept.contains('\0') && kept.contains("council met"),
            "{kept:?}"
        );
    }

    #[test]
    fn streamed_scoring_equals_matrix_scoring() {
        for (mode, doc) in [
            (InputFormat::Html, "<nav><a href=/>Home</a></nav><p>The council met on Monday to discuss the new budget.</p><footer>© 2026</footer>"),
            (InputFormat::Text, "Home\nThe council met on Monday to discuss the new budget.\n© 2026\n"),
        ] {
            let e = Extractor::bundled(mode).unwrap();
            let page = segment_str(doc, mode);
            let m = crate::features::extract(&page, mode);
            assert_eq!(e.model().score(&page), e.model().score_page(&page, &m).unwrap());
        }
        // The streamed path reads the word evidence in the features' pass over the
        // words, the matrix path on its own (as training does): the same bits, on real
        // pages in three languages' worth of words.
        for (mode, path) in [
            (InputFormat::Html, "data/examples/article.html"),
            (InputFormat::Html, "data/examples/artikel.de.html"),
            (InputFormat::Html, "data/examples/forum.html"),
            (InputFormat::Text, "data/examples/article.txt"),
        ] {
            let e = Extractor::bundled(mode).unwrap();
            let text = std::fs::read_to_string(path).unwrap();
            let page = segment_str(&text, mode);
            assert!(page.len() > 10, "{path}");
            let m = crate::features::extract(&page, mode);
            assert!(!e.model().word_odds_values(&page).is_empty(), "{path}");
            assert_eq!(
                e.model().score(&page),
                e.model().score_page(&page, &m).unwrap(),
                "{path}"
            );
        }
    }

    #[test]
    fn shared_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Extractor>();
        check::<Classifier>();
        check::<Model>();
    }

    #[test]
    fn ordered_results_whatever_the_thread_count() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let mut out = Vec::new();
        pool.install(|| {
            for_each_ordered(
                0..1000u64,
                |x| {
                    // Uneven work, so batches finish out of order.
                    std::thread::sleep(std::time::Duration::from_micros((x * 7919) % 50));
                    x * 2
                },
                |r| {
                    out.push(r);
                    true
                },
            )
        });
        assert_eq!(out, (0..1000u64).map(|x| x * 2).collect::<Vec<_>>());
    }
}
