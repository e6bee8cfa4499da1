//! Running the pipeline: [`Extractor`] holds a compiled model and turns one document
//! into labelled blocks or main text; [`Classifier`] picks the HTML or text extractor
//! per document; [`for_each_ordered`] scores many documents in parallel (rayon), with
//! bounded memory, and hands the results back in input order as they are ready.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::input::{self, Document, InputFormat, Transport, MAX_DOCUMENT_BYTES};
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

    /// The main text as Markdown: the same blocks as [`Classified::main_text`], with
    /// their headings, list items, quotations, code blocks and tables
    /// ([`crate::markdown`]; plain text: one paragraph per line).
    pub fn markdown(&self) -> String {
        crate::markdown::content_markdown(&self.page, &self.labels)
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
    /// plain text) with a too-large error from [`Extractor::classify_str`] and
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
    /// [`Extractor::with_max_blocks`] allows is a too-large error (before, such a
    /// string went through unchecked: 4 million one-letter lines took 1.2 GB).
    pub fn classify_str(&self, text: &str) -> Result<Classified> {
        if text.len() as u64 > MAX_DOCUMENT_BYTES {
            return Err(Error::too_large(format!(
                "{} bytes is more than a page can hold ({MAX_DOCUMENT_BYTES})",
                text.len()
            )));
        }
        let page = segment_without_nul(text, self.model.mode, self.max_blocks)?;
        Ok(self.classify_segmented(page, None))
    }

    /// The main text of a string of this extractor's mode ([`Extractor::classify_str`]).
    pub fn extract_str(&self, text: &str) -> Result<String> {
        Ok(self.classify_str(text)?.main_text())
    }

    /// Decodes and classifies the bytes of a document of this extractor's mode, as a
    /// corpus run reads a page it fetched: the charset is found as
    /// [`input::document_from_bytes`] finds it (a byte-order mark, then `transport`'s
    /// HTTP `charset`, then `<meta>`, then sniffing; mojibake in plain text repaired),
    /// and binary data, bytes past [`MAX_DOCUMENT_BYTES`] and pages of more blocks than
    /// [`Extractor::with_max_blocks`] allows are errors. The bytes are taken as they
    /// are: gzip or another content coding must be undone first (a WARC record's
    /// [`crate::records::Record::document`] does that).
    pub fn classify_bytes(&self, bytes: &[u8], transport: Transport<'_>) -> Result<Classified> {
        let doc = input::document_from_bytes(
            String::new(),
            bytes,
            None,
            Some(self.model.mode),
            transport,
        )?;
        let page = segment_within(&doc, self.max_blocks)?;
        Ok(self.classify_segmented(page, None))
    }

    /// The main text of the bytes of a document of this extractor's mode
    /// ([`Extractor::classify_bytes`]).
    pub fn extract_bytes(&self, bytes: &[u8], transport: Transport<'_>) -> Result<String> {
        Ok(self.classify_bytes(bytes, transport)?.main_text())
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
    /// default [`DEFAULT_MAX_BLOCKS`], as a corpus run) with a too-large error
    /// (before, it had no limit; [`Classifier::classify_on_site`] takes another).
    pub fn classify(&self, doc: &Document) -> Result<Classified> {
        let max_blocks = self.for_format(doc.format).max_blocks;
        self.classify_on_site(doc, None, max_blocks)
    }

    /// [`Classifier::classify`] for a document of a corpus run: of a counted corpus
    /// with `site` ([`Extractor::classify_page_on_site`]), and refusing a page of more
    /// than `max_blocks` blocks with a too-large error
    /// ([`crate::segment::segment_within`]; the default is
    /// [`crate::segment::DEFAULT_MAX_BLOCKS`]).
    pub fn classify_on_site(
        &self,
        doc: &Document,
        site: Option<OnSite<'_>>,
        max_blocks: usize,
    ) -> Result<Classified> {
        // A decoded document has no NULs; one built by hand (its fields are public)
        // may (found by an audit: they came out in the main text).
        let page = segment_without_nul(&doc.text, doc.format, max_blocks)?;
        Ok(self.for_format(doc.format).classify_segmented(page, site))
    }
}

/// Segments `text` as a corpus run reads a document, NUL characters dropped (a
/// decoded [`Document`] has none; a string, or a `Document` built by hand, may): one
/// memchr pass, and a copy only when there is one ([`input::without_nul`]).
fn segment_without_nul(text: &str, format: InputFormat, max_blocks: usize) -> Result<Page> {
    segment_str_within(&input::without_nul(text), format, max_blocks)
}

/// Documents in flight per worker thread in [`for_each_ordered`]: enough to keep every
/// core busy while a slow document holds up the output, few enough that memory stays
/// bounded whatever the corpus size.
pub const BATCH: usize = 64;

/// Maps `work` over `items` in parallel and calls `sink` with each result in input
/// order. `sink` returning false stops early (a closed pipe). At most [`BATCH`] items
/// per thread are in flight; see [`for_each_ordered_within`] to bound them in bytes.
pub fn for_each_ordered<I, T, R>(
    items: I,
    work: impl Fn(T) -> R + Sync + Send,
    sink: impl FnMut(R) -> bool,
) where
    I: IntoIterator<Item = T>,
    T: Send,
    R: Send,
{
    let limits = InFlight {
        items: BATCH * rayon::current_num_threads().max(1),
        bytes: u64::MAX,
    };
    for_each_ordered_within(items, limits, work, |_| 0, |_| 0, sink);
}

/// How much [`for_each_ordered_within`] may hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InFlight {
    /// Items taken from the input and not yet handed to the sink (at least one).
    pub items: usize,
    /// Bytes, as the caller weighs them, of the items waiting for a thread and of the
    /// results waiting for an earlier one. One item is always let through, however
    /// heavy, so a single document larger than the budget still runs.
    pub bytes: u64,
}

/// [`for_each_ordered`] with the memory it holds bounded by weight as well as by
/// count: `item_weight` weighs an input (a record's bytes), `result_weight` a result
/// (an output line).
///
/// Results are handed to `sink` as soon as they and every one before them are done,
/// not batch by batch, so a finished result waits only for the earlier ones still
/// running. While the waiting results are over `limits.bytes`, no new item is taken,
/// and an item a thread picks up is put back unless it is the next one the sink needs:
/// what is held stays within the budget plus what the threads were already working on.
/// (Batches that were collected whole held every output of 64 documents per thread: 64
/// records of 60 MB, gzipped to 2 KB each in a 141 KB WARC, took over 3 GB.)
///
/// The work runs on the current rayon pool (the global one outside any pool), and
/// `sink` on the calling thread. Called from a thread of a pool, that thread runs work
/// while it waits, so a pool of one thread cannot deadlock. A panic in `work` is passed
/// on to the caller once the items in flight are done.
pub fn for_each_ordered_within<I, T, R>(
    items: I,
    limits: InFlight,
    work: impl Fn(T) -> R + Sync + Send,
    item_weight: impl Fn(&T) -> u64,
    result_weight: impl Fn(&R) -> u64 + Sync + Send,
    mut sink: impl FnMut(R) -> bool,
) where
    I: IntoIterator<Item = T>,
    T: Send,
    R: Send,
{
    let shared = Ordered {
        state: Mutex::new(OrderedState {
            held: BTreeMap::new(),
            put_back: BTreeMap::new(),
            held_bytes: 0,
            waiting_bytes: 0,
            next_out: 0,
            stopped: false,
            panicked: false,
        }),
        changed: Condvar::new(),
        budget: limits.bytes,
    };
    let (shared, work, result_weight) = (&shared, &work, &result_weight);
    let max_items = limits.items.max(1) as u64;
    let mut items = items.into_iter();
    let mut next_in: u64 = 0;
    let mut exhausted = false;
    // FIFO: spawned from a thread of the pool, the earliest items must still run first.
    rayon::in_place_scope_fifo(|scope| {
        let spawn = |position: u64, item: T, weight: u64| {
            scope.spawn_fifo(move |_| shared.run(position, item, weight, work, result_weight));
        };
        loop {
            // Items put back run again once the budget allows, or when the sink needs
            // them next.
            let mut state = shared.lock();
            let (next_out, over) = (state.next_out, state.held_bytes > shared.budget);
            while let Some(entry) = state.put_back.first_entry() {
                if *entry.key() != next_out && over {
                    break;
                }
                let (position, (item, weight)) = entry.remove_entry();
                spawn(position, item, weight);
            }
            // New items, within the limits; one at least when nothing is in flight.
            while !exhausted
                && next_in - state.next_out < max_items
                && (next_in == state.next_out
                    || state.waiting_bytes.saturating_add(state.held_bytes) <= shared.budget)
            {
                drop(state);
                let next = items.next();
                state = shared.lock();
                match next {
                    None => exhausted = true,
                    Some(item) => {
                        let weight = item_weight(&item);
                        state.waiting_bytes = state.waiting_bytes.saturating_add(weight);
                        spawn(next_in, item, weight);
                        next_in += 1;
                    }
                }
            }
            let position = state.next_out;
            if let Some((result, weight)) = state.held.remove(&position) {
                state.held_bytes = state.held_bytes.saturating_sub(weight);
                state.next_out += 1;
                drop(state);
                if !sink(result) {
                    break;
                }
                continue;
            }
            if state.panicked || (exhausted && position == next_in) {
                break;
            }
            if state.put_back.contains_key(&position) {
                continue;
            }
            shared.wait(state);
        }
        // Items not yet started are dropped unworked.
        let mut state = shared.lock();
        state.stopped = true;
        state.put_back.clear();
    });
}

/// The state [`for_each_ordered_within`] shares between its sink and its threads.
struct Ordered<T, R> {
    state: Mutex<OrderedState<T, R>>,
    changed: Condvar,
    budget: u64,
}

struct OrderedState<T, R> {
    /// Results done before an earlier one, by input position, with their weights.
    held: BTreeMap<u64, (R, u64)>,
    /// Items a thread put back because the held results were over the budget.
    put_back: BTreeMap<u64, (T, u64)>,
    held_bytes: u64,
    /// The weight of the items spawned or put back and not yet started.
    waiting_bytes: u64,
    /// The position of the result the sink needs next.
    next_out: u64,
    /// The sink has stopped: items not yet started are dropped.
    stopped: bool,
    /// A work item panicked: the sink stops waiting for its result.
    panicked: bool,
}

impl<T, R> Ordered<T, R> {
    fn lock(&self) -> MutexGuard<'_, OrderedState<T, R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a thread to finish an item. On a thread of the pool, runs pending work
    /// instead of blocking the thread (in a pool of one, nothing else would run it).
    fn wait(&self, state: MutexGuard<'_, OrderedState<T, R>>) {
        if rayon::current_thread_index().is_none() {
            drop(self.changed.wait(state));
            return;
        }
        drop(state);
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            // Nothing to run here: the items in flight are on other threads.
            let state = self.lock();
            drop(self.changed.wait_timeout(state, Duration::from_millis(1)));
        }
    }

    /// One item on a thread of the pool: worked on, or put back when the held results
    /// are over the budget and the sink does not need this one next.
    fn run(
        &self,
        position: u64,
        item: T,
        weight: u64,
        work: &(impl Fn(T) -> R + Sync),
        result_weight: &(impl Fn(&R) -> u64 + Sync),
    ) {
        let mut state = self.lock();
        if state.stopped {
            return;
        }
        if position != state.next_out && state.held_bytes > self.budget {
            state.put_back.insert(position, (item, weight));
            drop(state);
            self.changed.notify_all();
            return;
        }
        state.waiting_bytes = state.waiting_bytes.saturating_sub(weight);
        drop(state);
        let panicking = PanicFlag(self);
        let result = work(item);
        let weight = result_weight(&result);
        // Disarmed only now: a panic in `result_weight` must stop the sink's wait too
        // (found by a review: it hung).
        std::mem::forget(panicking);
        let mut state = self.lock();
        state.held_bytes = state.held_bytes.saturating_add(weight);
        state.held.insert(position, (result, weight));
        drop(state);
        self.changed.notify_all();
    }
}

/// Tells the sink that a work item panicked (dropped only while unwinding).
struct PanicFlag<'a, T, R>(&'a Ordered<T, R>);

impl<T, R> Drop for PanicFlag<'_, T, R> {
    fn drop(&mut self) {
        self.0.lock().panicked = true;
        self.0.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{segment_str, Block};

    #[test]
    fn classify_bytes_decodes_as_a_corpus_run_does() {
        let html = Extractor::bundled(InputFormat::Html).unwrap();
        let body = "<html><body><nav><a href=/>Главная</a></nav><article><p>Вчера в \
            Москве прошло заседание городской думы, на котором депутаты обсудили бюджет \
            на следующий год и строительство новых школ.</p></article></body></html>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(body);
        // The charset from the HTTP header, as a WARC record gives it ...
        let header = Transport {
            charset: Some("windows-1251"),
            url: None,
        };
        let text = html.extract_bytes(&bytes, header).unwrap();
        assert!(text.contains("заседание городской думы"), "{text}");
        // The header is heeded, not only sniffing (a wrong one garbles the text).
        let wrong = Transport {
            charset: Some("koi8-r"),
            url: None,
        };
        let text = html.extract_bytes(&bytes, wrong).unwrap();
        assert!(!text.contains("заседание"), "{text}");
        // ... or from the page's own <meta>.
        let meta = body.replace("<html>", "<html><meta charset=windows-1251>");
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&meta);
        let text = html.extract_bytes(&bytes, Transport::default()).unwrap();
        assert!(text.contains("заседание городской думы"), "{text}");
        let wrong = body.replace("<html>", "<html><meta charset=koi8-r>");
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&wrong);
        let text = html.extract_bytes(&bytes, Transport::default()).unwrap();
        assert!(!text.contains("заседание"), "{text}");
        // Binary data and a page over the block limit are per-document errors.
        let e = html
            .classify_bytes(&[0u8, 1, 2, 3, 0xff].repeat(400), Transport::default())
            .unwrap_err();
        assert!(e.is_per_document() && !e.is_too_large(), "{e}");
        let many = "<p>a</p>".repeat(20);
        let e = html
            .with_max_blocks(10)
            .classify_bytes(many.as_bytes(), Transport::default())
            .unwrap_err();
        assert!(e.is_too_large(), "{e}");
    }

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
        assert!(e.is_per_document() && e.is_too_large(), "{e}");
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
        // A Document built by hand, NULs and all, reads as `classify_str` reads it
        // (found by an audit: the NUL came out in the main text).
        let by_hand = Document {
            id: "nul".into(),
            format: InputFormat::Text,
            text: nul.into(),
        };
        let classified = classifier.classify(&by_hand).unwrap();
        assert_eq!(classified.main_text(), kept);
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
    fn results_waiting_for_a_slow_one_stay_within_the_budget() {
        // Found by an audit: batches collected whole held every output of 64 documents
        // per thread, 3 GB for 64 gzip-bombed records. The first item is slow, every
        // result weighs 1 MB: what waits for the first stays within the budget plus
        // one result per thread.
        use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
        let threads = 3u64;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads as usize)
            .build()
            .unwrap();
        let (held, most) = (AtomicU64::new(0), AtomicU64::new(0));
        let weight = 1u64 << 20;
        let limits = InFlight {
            items: 1000,
            bytes: 4 * weight,
        };
        let mut out = Vec::new();
        pool.install(|| {
            for_each_ordered_within(
                0..200u64,
                limits,
                |x| {
                    if x == 0 {
                        std::thread::sleep(Duration::from_millis(200));
                    }
                    let now = held.fetch_add(weight, SeqCst) + weight;
                    most.fetch_max(now, SeqCst);
                    x
                },
                |_| 0,
                |_| weight,
                |x| {
                    held.fetch_sub(weight, SeqCst);
                    out.push(x);
                    true
                },
            )
        });
        assert_eq!(out, (0..200).collect::<Vec<_>>());
        let most = most.load(SeqCst);
        assert!(
            most <= limits.bytes + (threads + 1) * weight,
            "held {most} bytes"
        );

        // Items waiting for a thread count too: each weighs 1 MB, so about four wait at
        // a time, not all of them (a thread may have taken one and not yet counted it).
        let (taken, started, waiting_most) =
            (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
        let mut count = 0;
        pool.install(|| {
            for_each_ordered_within(
                0..100u64,
                limits,
                |x| {
                    started.fetch_add(1, SeqCst);
                    std::thread::sleep(Duration::from_millis(1));
                    x
                },
                |_| {
                    let waiting = taken.fetch_add(1, SeqCst) + 1 - started.load(SeqCst);
                    waiting_most.fetch_max(waiting, SeqCst);
                    weight
                },
                |_| 0,
                |_| {
                    count += 1;
                    true
                },
            )
        });
        assert_eq!(count, 100);
        let waiting = waiting_most.load(SeqCst);
        assert!(waiting <= 4 + 1 + threads, "{waiting} items waiting");
    }

    #[test]
    fn ordered_work_stops_with_the_sink_and_passes_on_a_panic() {
        use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
        // A pool of one thread, called from inside it: the caller's thread must run
        // the work while it waits, or nothing would.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let worked = AtomicU64::new(0);
        let mut out = Vec::new();
        pool.install(|| {
            for_each_ordered(
                0..10_000u64,
                |x| {
                    worked.fetch_add(1, SeqCst);
                    x
                },
                |x| {
                    out.push(x);
                    out.len() < 10
                },
            )
        });
        assert_eq!(out, (0..10).collect::<Vec<_>>());
        // Items in flight are dropped unworked once the sink stops.
        let worked = worked.load(SeqCst);
        assert!(worked < 10 + BATCH as u64 + 1, "{worked} items worked");

        let panicked = std::panic::catch_unwind(|| {
            for_each_ordered(
                0..1000u64,
                |x| {
                    assert_ne!(x, 500, "item 500 fails");
                    x
                },
                |_| true,
            )
        });
        assert!(panicked.is_err());
        // A panic in the result's weight, on a pool of two, is passed on too; on a
        // thread of its own, so that a hang fails the test instead of stalling it.
        let (tell, told) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            let limits = InFlight {
                items: 8,
                bytes: 100,
            };
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    for_each_ordered_within(
                        0..50u64,
                        limits,
                        |x| x,
                        |_| 1,
                        |&x| {
                            assert_ne!(x, 5, "weighing item 5 fails");
                            1
                        },
                        |_| true,
                    )
                })
            }));
            let _ = tell.send(result.is_err());
        });
        let outcome = told.recv_timeout(Duration::from_secs(20));
        assert_eq!(outcome, Ok(true), "the panic is passed on, not waited on");
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
