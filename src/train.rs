//! Training: labelled blocks → a fitted [`ModelFile`].
//!
//! 1. Pages are segmented, featurized and labelled from their gold text in parallel.
//! 2. Training pages are split by host (never by page: a site's template must not be
//!    on both sides) into a fitting part and a held-out part.
//! 3. An L2-regularised logistic regression (linfa-logistic) is fitted on standardized
//!    features of the fitting part (or, with [`TrainParams::network`] units, a network
//!    with one hidden layer, [`crate::network`]).
//! 4. The decision threshold, confidence slope (relative threshold, if asked) and
//!    sequence-smoothing strength are chosen on the held-out part by the benchmark's
//!    own metric, shingle F1 against the gold text (with
//!    [`TrainParams::decoder_on_all_folds`], on every host fold's held-out pages, each
//!    fold held out in turn).
//! 5. The model is refitted on all training pages with those settings.
//!
//! Quirks of linfa-logistic 0.8 this module works around: it wants ndarray 0.16; it is
//! several times faster on a column-major matrix; its "positive" class is whichever
//! label it met first in a binary problem, not `true`, so weights are flipped when
//! needed; it ignores sample weights, so pages are balanced by capping the number of
//! blocks sampled from each, and long blocks are weighted by fitting them two or three
//! times.

use std::collections::HashMap;

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ShapeBuilder};
use rayon::prelude::*;

use crate::context::{context_feature_names, context_features, CoreColumns};
use crate::cv_rows::FitRow;
use crate::dataset::{Dataset, GoldPage};
use crate::decode::{Decoder, Smoothing, MAX_CONFIDENCE_SLOPE, MAX_LENGTH_WEIGHT};
use crate::error::{Error, Result};
use crate::eval::{page_counts, shingles, ShingleF1};
use crate::features::{extract, feature_names, row_names, FeatureMatrix, WORDS_LOG_COLUMN};
use crate::input::{load_document_with, Document, InputFormat, Transport, DEFAULT_MAX_BYTES};
use crate::label::{content_text, GoldIndex, MIN_GOLD_COVERAGE};
use crate::lexicon::fnv1a64;
use crate::model::{
    decode_page, decode_with_policy, ModelFile, Provenance, Scorer, MODEL_FORMAT_VERSION,
};
use crate::network::{HiddenLayer, NetworkParams};
use crate::policy::Comments;
use crate::pooling::Pooling;
use crate::segment::{segment, segment_within, Page, DEFAULT_MAX_BLOCKS};
use crate::site::SiteRepeats;
use crate::word_odds::{odds_row, FoldedCounts, OddsLookup, PackedWordOdds, WordCounts, WordOdds};
use crate::words::count_words;

/// A page ready for training or evaluation.
pub struct LabeledPage {
    /// Dataset name.
    pub dataset: String,
    /// Page id.
    pub id: String,
    /// Host-grouping key.
    pub group: String,
    /// The gold page record.
    pub gold: GoldPage,
    /// The segmented page.
    pub page: Page,
    /// Feature rows.
    pub features: FeatureMatrix,
    /// Aligned gold labels.
    pub labels: Vec<bool>,
    /// Share of the gold text's 4-grams that the page's text holds
    /// ([`crate::label::GoldIndex::label_and_coverage`]): below
    /// [`TrainParams::min_gold_coverage`] the labels are left out of the fit.
    pub gold_coverage: f32,
}

impl LabeledPage {
    /// A training page from a document and its gold record, made as [`prepare`] makes
    /// one from a dataset's files: segmented in the document's format (with `flatten`,
    /// a plain-text page loses its renderer's layout: [`Page::flatten_layout`]),
    /// featurized, and labelled by aligning the gold text. Its host group is
    /// `dataset:host` (or the page's id when the record names no host), so a site's
    /// pages stay in one fold. For training from pages in memory rather than from a
    /// dataset folder.
    ///
    /// The page is segmented without a block limit: [`LabeledPage::new_within`] applies
    /// one, as [`prepare`] does.
    pub fn new(dataset: &str, gold: GoldPage, doc: &Document, flatten: bool) -> LabeledPage {
        Self::from_page(dataset, gold, doc.format, segment(doc), flatten)
    }

    /// [`LabeledPage::new`], refusing a page of more than `max_blocks` blocks (lines, in
    /// plain text) with a too-large error, found while segmenting (before the blocks
    /// past the limit take memory), as a corpus run refuses it
    /// ([`crate::segment::segment_within`]).
    pub fn new_within(
        dataset: &str,
        gold: GoldPage,
        doc: &Document,
        flatten: bool,
        max_blocks: usize,
    ) -> Result<LabeledPage> {
        let page = segment_within(doc, max_blocks)?;
        Ok(Self::from_page(dataset, gold, doc.format, page, flatten))
    }

    fn from_page(
        dataset: &str,
        gold: GoldPage,
        mode: InputFormat,
        mut page: Page,
        flatten: bool,
    ) -> LabeledPage {
        if flatten && mode == InputFormat::Text {
            page.flatten_layout();
        }
        let features = extract(&page, mode);
        let (labels, gold_coverage) = GoldIndex::new(&gold.main_content).label_and_coverage(&page);
        LabeledPage {
            dataset: dataset.to_owned(),
            id: gold.id.clone(),
            group: format!("{dataset}:{}", gold.group()),
            gold,
            page,
            features,
            labels,
            gold_coverage,
        }
    }

    /// The page's site for [`crate::site`]: its dataset and host (its group), or None
    /// when the gold record names no host.
    pub fn site_host(&self) -> Option<&str> {
        self.gold
            .host
            .as_ref()
            .filter(|h| !h.is_empty())
            .map(|_| self.group.as_str())
    }
}

/// Which plain-text pages lose their layout (indents, blank lines) before featurizing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flatten {
    /// Keep the renderer's layout.
    None,
    /// Every other page (by a hash of its id): training, so the model works with and
    /// without layout.
    Half,
    /// Every page: evaluating as if the text came from a renderer without layout.
    All,
}

/// A page of a dataset whose file could not be read: its gold stays known, so an
/// evaluation can score it as an empty extraction (as the reference metric scores a
/// missing prediction) rather than leave it out.
#[derive(Debug)]
pub struct Unreadable {
    /// The dataset's name.
    pub dataset: String,
    /// The page's gold record.
    pub gold: GoldPage,
    /// Why it could not be read.
    pub error: Error,
}

impl Unreadable {
    /// `<dataset>/<id>`, as the reports name it.
    pub fn name(&self) -> String {
        format!("{}/{}", self.dataset, self.gold.id)
    }
}

/// Loads, segments, featurizes and labels one split of datasets, in parallel.
/// Pages that cannot be read are returned with their gold and the error, not dropped
/// silently; so is a page of more than [`DEFAULT_MAX_BLOCKS`] blocks (a too-large
/// error: [`prepare_within`]). `flatten` applies to text mode only.
pub fn prepare(
    datasets: &[Dataset],
    split: Option<&str>,
    mode: InputFormat,
    flatten: Flatten,
) -> (Vec<LabeledPage>, Vec<Unreadable>) {
    prepare_within(datasets, split, mode, flatten, DEFAULT_MAX_BLOCKS)
}

/// [`prepare`] with another block limit: a page of more than `max_blocks` blocks
/// (lines, in plain text) is returned as unreadable, with a too-large error
/// ([`Error::is_too_large`]), found while it is segmented, so its memory stays bounded
/// as in a corpus run. Before the limit, an 8 MB page of 4 million one-letter lines
/// took 3 GB (found by an audit).
pub fn prepare_within(
    datasets: &[Dataset],
    split: Option<&str>,
    mode: InputFormat,
    flatten: Flatten,
    max_blocks: usize,
) -> (Vec<LabeledPage>, Vec<Unreadable>) {
    let jobs: Vec<(&Dataset, &GoldPage)> = datasets
        .iter()
        .flat_map(|d| d.split(split).map(move |p| (d, p)))
        .collect();
    // The error boxed: a gold record is large, and most pages are read.
    let results: Vec<std::result::Result<LabeledPage, Box<Unreadable>>> = jobs
        .par_iter()
        .map(|(d, gold)| {
            let path = d.page_path(gold, mode);
            // A FIFO or device in a page's place would block or never end.
            let read = if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
                Err(Error::bad_document(format!(
                    "{} is not a regular file",
                    path.display()
                )))
            } else {
                let transport = Transport {
                    charset: None,
                    url: gold.url.as_deref(),
                };
                load_document_with(&path, Some(mode), DEFAULT_MAX_BYTES, transport)
            };
            let unreadable = |error| {
                Box::new(Unreadable {
                    dataset: d.name(),
                    gold: (*gold).clone(),
                    error,
                })
            };
            let doc = read.map_err(unreadable)?;
            let flat = match flatten {
                Flatten::None => false,
                Flatten::Half => fnv1a64(&gold.id) % 2 == 0,
                Flatten::All => true,
            };
            LabeledPage::new_within(&d.name(), (*gold).clone(), &doc, flat, max_blocks)
                .map_err(unreadable)
        })
        .collect();
    let mut pages = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(p) => pages.push(p),
            Err(e) => errors.push(*e),
        }
    }
    (pages, errors)
}

/// Refuses pages that cannot be fitted as they stand: prepared for another mode than
/// `mode` (their feature rows have another width: a mix would index past a row; all of
/// another mode would make a model whose feature list does not match its weights), or
/// whose labels, rows or block ranges do not match their blocks.
fn check_prepared(pages: &[LabeledPage], mode: InputFormat) -> Result<()> {
    let width = feature_names(mode).len();
    // A page without blocks has no rows, and no width to go by (its matrix is 0 by 0):
    // counting it wrong refused the bundled text model's own training command, whose
    // data hold empty renderings (wcxb/0501).
    match pages.iter().find(|p| {
        p.page.format.is_some_and(|f| f != mode)
            || (p.features.rows > 0 && p.features.cols != width)
    }) {
        Some(p) => Err(Error::fit(format!(
            "page {}/{} was prepared for {} mode, the model is for {}",
            p.dataset,
            p.id,
            p.page.format.map_or("another", |f| f.as_str()),
            mode.as_str()
        ))),
        None => Ok(()),
    }?;
    // The fields are public: a page put together by hand must hold one label and one
    // row per block, or fitting it panics (found by an audit of the library).
    for p in pages {
        let blocks = p.page.len();
        let rows_fit =
            p.features.rows == blocks && p.features.data.len() == p.features.rows * p.features.cols;
        if p.labels.len() != blocks || !rows_fit {
            return Err(Error::fit(format!(
                "page {}/{} has {blocks} blocks but {} labels and {} feature rows ({} values)",
                p.dataset,
                p.id,
                p.labels.len(),
                p.features.rows,
                p.features.data.len()
            )));
        }
        p.page.check()?;
    }
    Ok(())
}

/// The host fold of a page: host groups are dealt into `folds` folds by a hash, so a
/// site's pages are always on the same side.
fn host_fold(p: &LabeledPage, folds: u64) -> u64 {
    fnv1a64(&p.group) % folds
}

/// The training pages' learned word evidence ([`crate::word_odds`]), out of fold: word
/// counts per host fold, so that a page's values come only from the pages of other
/// folds and, when a fold is held out, never from the held-out pages either. (A page's
/// values from its own labels would make the table look far more reliable to the
/// classifier than it is on new sites.) Pages whose labels are not fitted on
/// ([`TrainParams::min_gold_coverage`]) are not counted either.
struct OddsFolds {
    counts: FoldedCounts,
    folds: u64,
}

impl OddsFolds {
    fn new(pages: &[LabeledPage], folds: u64, params: &TrainParams) -> OddsFolds {
        let mut by_host: std::collections::BTreeMap<&str, Vec<&LabeledPage>> = Default::default();
        for p in pages {
            by_host.entry(p.group.as_str()).or_default().push(p);
        }
        let per_fold: Vec<WordCounts> = (0..folds)
            .into_par_iter()
            .map(|f| {
                let mut c = WordCounts::default();
                for host in by_host.values() {
                    if host_fold(host[0], folds) == f {
                        c.add_host(
                            host.iter()
                                .filter(|p| params.fits(p))
                                .map(|p| (&p.page, p.labels.as_slice())),
                        );
                    }
                }
                c
            })
            .collect();
        OddsFolds {
            counts: FoldedCounts::new(per_fold),
            folds,
        }
    }

    /// The table of every fold except those in `excluded`.
    fn odds_without(&self, excluded: &[u64]) -> WordOdds {
        let excluded: Vec<usize> = excluded.iter().map(|&f| f as usize).collect();
        self.counts.odds_without(&excluded)
    }

    /// Every page's values ([`OddsLookup::page_values`]), each from the folds other
    /// than its own and `held`; silent (an empty table's: every value 0) for the
    /// share `dropout` of the training hosts ([`TrainParams::word_odds_dropout`]) and,
    /// when `held_unknown` ([`TrainParams::held_out_unknown_words`]), for the pages of
    /// the held-out fold.
    fn values(
        &self,
        pages: &[LabeledPage],
        held: Option<u64>,
        dropout: f64,
        held_unknown: bool,
    ) -> Vec<Vec<f32>> {
        let folds = self.folds;
        let lookups: Vec<OddsLookup> = (0..folds)
            .into_par_iter()
            .map(|f| {
                let excluded: Vec<u64> = std::iter::once(f).chain(held).collect();
                self.odds_without(&excluded).lookup()
            })
            .collect();
        let silent = WordOdds::default().lookup();
        pages
            .par_iter()
            .map(|p| {
                let fold = host_fold(p, folds);
                let unknown = if Some(fold) == held {
                    held_unknown
                } else {
                    word_odds_dropped(p, folds, dropout)
                };
                let lookup = if unknown {
                    &silent
                } else {
                    &lookups[fold as usize]
                };
                lookup.page_values(&p.page)
            })
            .collect()
    }
}

/// Whether a training host's pages are fitted without word evidence
/// ([`TrainParams::word_odds_dropout`]): a share `dropout` of the hosts (to the nearest
/// percent), picked by a hash of the host that does not depend on its fold.
fn word_odds_dropped(p: &LabeledPage, folds: u64, dropout: f64) -> bool {
    let percent = (dropout * 100.0).round() as u64;
    (fnv1a64(&p.group) / folds) % 100 < percent
}

/// The values of the pages `keep` selects, by reference.
fn select<'a>(
    pages: &'a [LabeledPage],
    values: &'a [Vec<f32>],
    keep: impl Fn(&LabeledPage) -> bool,
) -> (Vec<&'a LabeledPage>, Vec<&'a [f32]>) {
    pages
        .iter()
        .zip(values)
        .filter(|(p, _)| keep(p))
        .map(|(p, v)| (p, v.as_slice()))
        .unzip()
}

/// Training settings. Validated once by [`TrainParams::check`] before any work.
#[derive(Debug, Clone)]
pub struct TrainParams {
    /// L2 penalty on the summed loss (linfa's `alpha`). Default 1.0.
    pub alpha: f64,
    /// Maximum optimizer iterations. Default 20.
    pub max_iterations: u64,
    /// Blocks sampled per page for fitting (pages are balanced). Default 80.
    pub max_blocks_per_page: usize,
    /// Sampled blocks with at least this many words are fitted once more (linfa
    /// ignores sample weights), so the fit leans toward the blocks that carry most of
    /// the benchmark's shingles; 0 = off. Default [`HEAVY_BLOCK_WORDS`].
    pub heavy_block_words: u32,
    /// Sampled blocks with at least this many words are fitted once more again (three
    /// times with the default `heavy_block_words`); 0 = off. Default
    /// [`LONG_BLOCK_WORDS`].
    pub long_block_words: u32,
    /// One in this many host groups is held out to choose threshold and smoothing.
    /// Default 5.
    pub holdout_every: u64,
    /// Smoothing strengths to try (0 = none). Default [0, 0.5, 1, 2].
    pub smoothing_strengths: Vec<f32>,
    /// The smoothing's length weight ([`Smoothing::length_weight`]). Default
    /// [`LENGTH_WEIGHT`].
    pub length_weight: f32,
    /// Relative thresholds to try (fractions of a page's highest probability; 0 =
    /// none; see [`Decoder::relative`]). Default `[0]`: the confidence slope does its
    /// work. Before the slope, 0.3 to 0.45 gained in HTML mode (a fixed 0.35: +0.0013
    /// to +0.0042 on the five host folds) and was mixed in text mode (−0.0019 to
    /// +0.0043); with the slope, trying 0, 0.3, 0.35, 0.4 and 0.45 measured HTML 0.8779
    /// against 0.8778 without (one fold of five differs) and text 0.8436 against
    /// 0.8435, with five times the settings to choose from.
    pub relative_thresholds: Vec<f32>,
    /// Confidence slopes to try (see [`Decoder::confidence_slope`]; 0 = none).
    /// Default [0, 0.5, 1, 2, 3]: over the five host folds a fixed slope (no choice)
    /// gained on every fold, HTML 0.8729 → 0.8769 (slope 2), text 0.8369 → 0.8427
    /// (slope 1), so the gain is not the larger grid's selection.
    pub confidence_slopes: Vec<f32>,
    /// Which of the `holdout_every` host folds is held out (default 1). The other
    /// folds let a change be checked on other hosts than the standard fold's.
    pub holdout_fold: u64,
    /// Choose the decoder on the out-of-fold pages of *every* host fold (each fold held
    /// out in turn, as [`cross_validate`] does) instead of on `holdout_fold` alone:
    /// five times the pages to choose on, for five stage-one fits instead of one
    /// (about three times the training time). Default false. Chosen elsewhere and
    /// scored on each fold ([`nested_decoder_f1`]), it beat the one-fold choice: text
    /// 0.8529 against 0.8506, HTML 0.8835 against 0.8826 (session 9).
    pub decoder_on_all_folds: bool,
    /// Also fit the context stage (stacking) and keep it when it beats stage one on
    /// the held-out hosts. Default false: it costs two extra fits and has not won on
    /// the shared datasets yet.
    pub context_stage: bool,
    /// The comment policy the model will run with ([`crate::policy`]): applied to the
    /// held-out pages' labels when the decoder is chosen and held-out F1 reported.
    /// Default: as the model decides. The model file carries it
    /// ([`crate::model::ModelFile::comments`]), so it applies by default when extracting.
    pub comments: Comments,
    /// Learn the word-evidence table ([`crate::word_odds`]) and give the classifier
    /// its features. Default true.
    pub word_odds: bool,
    /// The share of training hosts whose pages are fitted with no word evidence (every
    /// value 0, as on a page whose language the table does not know), so the
    /// classifier learns to decide without it instead of reading its silence as a
    /// verdict. Held-out pages keep theirs. Default 0. Over five host folds with the
    /// held-out pages' evidence silenced, 0.2 takes text 0.8340 → 0.8427 and HTML
    /// 0.8775 → 0.8794 (the models without a table: 0.8434, 0.8803), and costs 0.0015
    /// and 0.0003 on pages the table knows: for corpora mostly in languages the
    /// training pages lack (README, "Languages the table does not know").
    pub word_odds_dropout: f64,
    /// In cross-validation ([`cross_validate`]), give the held-out pages no word
    /// evidence, as if the table knew none of their words: how the model does on a
    /// language the training pages lack. [`train`] ignores it, so the model (and the
    /// decoder chosen for it) is the same with or without. Default false.
    pub held_out_unknown_words: bool,
    /// Pages whose text holds less than this share of their gold text's 4-grams
    /// ([`LabeledPage::gold_coverage`]) are left out of the fit: their labels say
    /// "boilerplate" of every block because the gold describes text the page does not
    /// have. They still count wherever pages are held out and scored. 0 fits every
    /// page. Default [`MIN_GOLD_COVERAGE`].
    pub min_gold_coverage: f32,
    /// In cross-validation ([`cross_validate`]), write each fold's fitting rows and
    /// held-out rows to this folder ([`crate::cv_rows`]), so other models can be tried
    /// on the same rows. Default none.
    pub cv_rows: Option<std::path::PathBuf>,
    /// In cross-validation, score each fold's held-out pages with the probabilities
    /// in this folder's `probs-K.f32` ([`crate::cv_rows`]) instead of fitting: an
    /// outside model measured by the same decoder choice and metric. [`train`]
    /// ignores it. Default none.
    pub cv_probabilities: Option<std::path::PathBuf>,
    /// In cross-validation, drop from each held-out page's prediction (the text of
    /// `--cv-predictions`) the kept blocks its host repeats on at least this many
    /// held-out pages ([`crate::site`]; a host's pages are all in one fold). The fit,
    /// the decoder choice and the reported F1 are the same with or without; [`train`]
    /// ignores it. 0, the default: off.
    pub cv_site_repeats: u32,
    /// Stage one as a network with this many hidden units ([`crate::network`]) instead
    /// of the logistic regression (`units` 0, the default).
    pub network: NetworkParams,
    /// Pooling of like blocks' probabilities ([`crate::pooling`]), HTML models only:
    /// applied to the held-out pages' probabilities before the decoder is chosen, and
    /// stored in the model file. A weight of 0 switches it off. Default
    /// [`POOL_WEIGHT`] over groups of at least [`POOL_MIN_GROUP`] blocks.
    pub pooling: Pooling,
}

/// The default [`TrainParams::pooling`] weight. On held-out training hosts (HTML,
/// own decoder / chosen on the other folds; README, twenty-fourth round) 0.5, 0.7 and
/// 1 gave 0.8935 / 0.8912, 0.8944 / 0.8928 and 0.8935 / 0.8924, against 0.8891 /
/// 0.8884 without pooling.
pub const POOL_WEIGHT: f32 = 0.7;

/// The default [`TrainParams::pooling`] smallest group (see [`POOL_WEIGHT`]).
pub const POOL_MIN_GROUP: u32 = 3;

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 1.0,
            max_iterations: 20,
            max_blocks_per_page: 80,
            heavy_block_words: HEAVY_BLOCK_WORDS,
            long_block_words: LONG_BLOCK_WORDS,
            holdout_every: 5,
            smoothing_strengths: vec![0.0, 0.5, 1.0, 2.0],
            length_weight: LENGTH_WEIGHT,
            relative_thresholds: vec![0.0],
            confidence_slopes: vec![0.0, 0.5, 1.0, 2.0, 3.0],
            holdout_fold: 1,
            decoder_on_all_folds: false,
            context_stage: false,
            comments: Comments::Model,
            word_odds: true,
            word_odds_dropout: 0.0,
            held_out_unknown_words: false,
            min_gold_coverage: MIN_GOLD_COVERAGE,
            cv_rows: None,
            cv_probabilities: None,
            cv_site_repeats: 0,
            network: NetworkParams {
                units: 0,
                ..NetworkParams::default()
            },
            pooling: Pooling {
                weight: POOL_WEIGHT,
                min_group: POOL_MIN_GROUP,
            },
        }
    }
}

impl TrainParams {
    /// A held-out page's final probabilities pooled as the trained model will pool
    /// them ([`TrainParams::pooling`]; plain-text pages are left as they are).
    fn pooled(&self, p: &LabeledPage, mut probs: Vec<f32>) -> Vec<f32> {
        self.pooling.apply(&p.page, &mut probs);
        probs
    }

    /// Checks the settings once, so fitting only sees valid ones.
    pub fn check(&self) -> Result<()> {
        if self.cv_probabilities.is_some() && self.decoder_on_all_folds {
            return Err(Error::invalid_parameter(
                "outside probabilities (cv_probabilities) cannot choose the decoder of the model trained afterwards (decoder_on_all_folds)",
            ));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(Error::invalid_parameter(format!(
                "alpha must be >= 0, got {}",
                self.alpha
            )));
        }
        self.network.check()?;
        self.pooling.validate().map_err(Error::invalid_parameter)?;
        if self.max_iterations == 0 {
            return Err(Error::invalid_parameter("max_iterations must be > 0"));
        }
        if !(0.0..1.0).contains(&self.word_odds_dropout) {
            return Err(Error::invalid_parameter(format!(
                "word-evidence dropout must be within 0..1 (a share of the hosts), got {}",
                self.word_odds_dropout
            )));
        }
        if !(0.0..=1.0).contains(&self.min_gold_coverage) {
            return Err(Error::invalid_parameter(format!(
                "the minimum gold coverage must be within 0..1 (a share of the gold's 4-grams), got {}",
                self.min_gold_coverage
            )));
        }
        if self.max_blocks_per_page == 0 {
            return Err(Error::invalid_parameter("max_blocks_per_page must be > 0"));
        }
        if self.holdout_every < 2 {
            return Err(Error::invalid_parameter("holdout_every must be >= 2"));
        }
        if self
            .smoothing_strengths
            .iter()
            .any(|s| !(*s >= 0.0 && s.is_finite()))
        {
            return Err(Error::invalid_parameter("smoothing strengths must be >= 0"));
        }
        if !(0.0..=MAX_LENGTH_WEIGHT).contains(&self.length_weight) {
            return Err(Error::invalid_parameter(format!(
                "length weight must be within 0..{MAX_LENGTH_WEIGHT}, got {}",
                self.length_weight
            )));
        }
        if self.cv_site_repeats != 0 {
            // Refused before any fit rather than after the folds are scored.
            SiteRepeats::new(self.cv_site_repeats)?;
        }
        if self.smoothing_strengths.is_empty()
            || self.relative_thresholds.is_empty()
            || self.confidence_slopes.is_empty()
        {
            return Err(Error::invalid_parameter(
                "smoothing strengths, relative thresholds and confidence slopes need at least one value each (0 = off)",
            ));
        }
        if self
            .confidence_slopes
            .iter()
            .any(|s| !(0.0..=MAX_CONFIDENCE_SLOPE).contains(s))
        {
            return Err(Error::invalid_parameter(format!(
                "confidence slopes must be within 0..{MAX_CONFIDENCE_SLOPE}"
            )));
        }
        if self
            .relative_thresholds
            .iter()
            .any(|r| !(0.0..=1.0).contains(r))
        {
            return Err(Error::invalid_parameter(
                "relative thresholds must be within 0..1",
            ));
        }
        if self.decoder_on_all_folds && self.context_stage {
            return Err(Error::invalid_parameter(
                "the decoder can be chosen on all folds only without the context stage",
            ));
        }
        if self.holdout_fold >= self.holdout_every {
            return Err(Error::invalid_parameter(format!(
                "holdout_fold must be below holdout_every ({}), got {}",
                self.holdout_every, self.holdout_fold
            )));
        }
        Ok(())
    }

    /// Whether `page`'s labels are fitted on ([`TrainParams::min_gold_coverage`]).
    pub fn fits(&self, page: &LabeledPage) -> bool {
        page.gold_coverage >= self.min_gold_coverage
    }

    /// How many times a sampled block of `words` words is fitted
    /// ([`TrainParams::heavy_block_words`], [`TrainParams::long_block_words`]).
    fn copies(&self, words: u32) -> usize {
        let reaches = |t: u32| (t > 0 && words >= t) as usize;
        1 + reaches(self.heavy_block_words) + reaches(self.long_block_words)
    }

    /// The smoothing the decoder choice starts from: transitions learned from all
    /// training labels, with this length weight.
    fn learned_smoothing(&self, pages: &[LabeledPage]) -> Smoothing {
        Smoothing {
            length_weight: self.length_weight,
            ..Smoothing::learn(
                pages
                    .iter()
                    .filter(|p| self.fits(p))
                    .map(|p| p.labels.as_slice()),
                1.0,
            )
        }
    }
}

/// The default of [`TrainParams::heavy_block_words`], in both modes. Measured on
/// held-out training hosts (shingle F1, all four datasets), first in text mode: 0.8376
/// → 0.8403 on the standard fold, and 0.8340 → 0.8361 averaged over all five host
/// folds, none lower (5 words: 0.8392, 20: 0.8402, 40: 0.8395). In HTML it gained too
/// little then (0.8777 → 0.8783) and HTML fitted every block once until session 9,
/// when, with [`LONG_BLOCK_WORDS`], it measured best there too (below).
pub const HEAVY_BLOCK_WORDS: u32 = 10;

/// The default of [`TrainParams::length_weight`], in both modes. Scored on each host
/// fold with the decoder chosen on the other four folds' pages (how the bundled models
/// choose, [`TrainParams::decoder_on_all_folds`]), session 9: HTML 0.8828 / 0.8835 /
/// **0.8859** / 0.8848 for 0.25 / 0.5 / 0.75 / 1 (0.75 against 0.5: every fold up,
/// +0.0007 to +0.0047), text 0.8525 / 0.8529 / 0.8530 for 0.25 / 0.5 / 0.75. (With
/// each fold's decoder chosen on itself the weights are level: HTML 0.8867 to 0.8871.)
/// 0.5 had been chosen in session 3 by the one-fold measure.
pub const LENGTH_WEIGHT: f32 = 0.75;

/// The default of [`TrainParams::long_block_words`], in both modes: blocks of 30+
/// words count three times, 10–29 twice, shorter ones once. Cross-validated over five
/// host folds (session 9, with the block heads): HTML 0.8849 (10+ words never
/// repeated) → 0.8865 with 30+ twice → **0.8870** with 10+ twice and 30+ three times,
/// every fold up (+0.0018 to +0.0035); text (10+ twice) 0.8529 → **0.8541**, every
/// fold up; 20 or 50 words instead of 30: text 0.8541 / 0.8538, HTML 0.8863 / 0.8858
/// (30+ twice, without heads); a fourth copy at 100 words: no gain.
pub const LONG_BLOCK_WORDS: u32 = 30;

/// What training measured.
#[derive(Debug, Clone, Default)]
pub struct TrainReport {
    /// Training pages.
    pub pages: usize,
    /// Training pages whose labels were left out of the fit
    /// ([`TrainParams::min_gold_coverage`]).
    pub pages_left_out: usize,
    /// Blocks in the final fit.
    pub blocks: usize,
    /// Held-out shingle F1 of the chosen setting.
    pub holdout_f1: f64,
    /// Held-out pages.
    pub holdout_pages: usize,
    /// Chosen threshold.
    pub threshold: f32,
    /// Chosen relative threshold (0 = none).
    pub relative_threshold: f32,
    /// Chosen confidence slope (0 = none).
    pub confidence_slope: f32,
    /// Chosen smoothing strength.
    pub smoothing_strength: f32,
    /// Held-out F1 with stage one alone.
    pub holdout_f1_stage1: f64,
    /// Held-out F1 with the context stage.
    pub holdout_f1_stage2: f64,
    /// Whether the context stage was kept.
    pub context_stage: bool,
    /// Held-out (dataset, pages, shingle F1) of the chosen setting.
    pub holdout_by_dataset: Vec<(String, usize, f64)>,
}

/// Prints how long a training step took when `DEHUSK_TIMINGS` is set.
fn timing(step: &str, since: std::time::Instant) {
    if std::env::var_os("DEHUSK_TIMINGS").is_some() {
        eprintln!(
            "dehusk: timing: {step}: {:.1}s",
            since.elapsed().as_secs_f64()
        );
    }
}

/// Which blocks of a page are sampled for fitting: all when few, else a
/// deterministic spread.
fn sampled_rows(n: usize, cap: usize, seed: u64) -> Vec<usize> {
    if n <= cap {
        return (0..n).collect();
    }
    let mut keyed: Vec<(u64, usize)> = (0..n)
        .map(|i| (fnv1a64(&format!("{seed}:{i}")), i))
        .collect();
    keyed.sort_unstable();
    let mut rows: Vec<usize> = keyed[..cap].iter().map(|&(_, i)| i).collect();
    rows.sort_unstable();
    rows
}

/// A fitted model on standardized features: linear, or linear plus a hidden layer.
struct Fitted {
    means: Vec<f32>,
    scales: Vec<f32>,
    weights: Vec<f32>,
    intercept: f32,
    hidden: Option<HiddenLayer>,
}

/// The means and standard deviations (1 where a feature is constant) of rows, each
/// counted `copies` times.
fn standardization<'a>(
    rows: impl Iterator<Item = (&'a [f32], &'a [f32], usize)>,
) -> (Vec<f64>, Vec<f64>) {
    let (mut sum, mut sq, mut n) = (Vec::new(), Vec::new(), 0.0f64);
    for (row, extra, copies) in rows {
        let k = copies as f64;
        if sum.is_empty() {
            sum = vec![0.0f64; row.len() + extra.len()];
            sq = vec![0.0f64; row.len() + extra.len()];
        }
        for (j, &v) in row.iter().chain(extra.iter()).enumerate() {
            sum[j] += k * v as f64;
            sq[j] += k * (v as f64) * (v as f64);
        }
        n += k;
    }
    let means: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let scales: Vec<f64> = sq
        .iter()
        .zip(&means)
        .map(|(s, m)| {
            let sd = (s / n - m * m).max(0.0).sqrt();
            if sd < 1e-6 {
                1.0
            } else {
                sd
            }
        })
        .collect();
    (means, scales)
}

/// Fits a standardized L2 logistic regression on labelled rows.
fn fit_rows(rows: &[(&[f32], &[f32], bool)], params: &TrainParams) -> Result<Fitted> {
    let n = rows.len();
    let d0 = rows.first().map_or(0, |r| r.0.len());
    let d = rows.first().map_or(0, |r| r.0.len() + r.1.len());
    if n == 0 || d == 0 {
        return Err(Error::fit("no training blocks"));
    }
    let (means, scales) = standardization(rows.iter().map(|r| (r.0, r.1, 1)));
    // Column-major: linfa-logistic's gradient runs several times faster on it. (f32
    // would halve the memory traffic, but scored 0.002 lower on held-out train pages
    // after the same 30 iterations.)
    let mut x = Array2::<f64>::zeros((n, d).f());
    let mut y = Array1::<bool>::from_elem(n, false);
    let mut positives = 0;
    let inv: Vec<f64> = scales.iter().map(|s| 1.0 / s).collect();
    // Fill in tiles of rows, column by column inside a tile, so that neither the
    // source rows nor the destination columns are walked with a cache-missing stride.
    const TILE: usize = 256;
    for start in (0..n).step_by(TILE) {
        let end = (start + TILE).min(n);
        for j in 0..d {
            let (m, k) = (means[j], inv[j]);
            let mut col = x.column_mut(j);
            for r in start..end {
                let v = if j < d0 {
                    rows[r].0[j]
                } else {
                    rows[r].1[j - d0]
                };
                col[r] = (v as f64 - m) * k;
            }
        }
    }
    for (r, (_, _, label)) in rows.iter().enumerate() {
        y[r] = *label;
        positives += *label as usize;
    }
    if positives == 0 || positives == n {
        return Err(Error::fit("training labels have only one class"));
    }
    let data = linfa::Dataset::new(x, y);
    let model = LogisticRegression::default()
        .alpha(params.alpha)
        .max_iterations(params.max_iterations)
        .fit(&data)
        .map_err(|e| Error::fit(e.to_string()))?;
    // linfa's positive class is not necessarily `true`.
    let sign = if model.labels().pos.class { 1.0 } else { -1.0 };
    Ok(Fitted {
        means: means.iter().map(|&m| m as f32).collect(),
        scales: scales.iter().map(|&s| s as f32).collect(),
        weights: model.params().iter().map(|&w| (sign * w) as f32).collect(),
        intercept: (sign * model.intercept()) as f32,
        hidden: None,
    })
}

/// Fits stage one on sampled blocks of the given pages (long blocks more than once:
/// [`TrainParams::copies`]; pages whose gold the page lacks not at all:
/// [`TrainParams::min_gold_coverage`]). Returns the number of distinct blocks sampled.
fn fit_stage1(
    pages: &[&LabeledPage],
    odds: &[&[f32]],
    params: &TrainParams,
) -> Result<(Fitted, usize)> {
    let chosen = fit_row_choice(pages, params);
    // Each chosen block once, with the number of times the fit counts it.
    let rows: Vec<(&[f32], &[f32], bool, f32)> = chosen
        .iter()
        .map(|r| {
            let p = pages[r.page];
            (
                p.features.row(r.block),
                odds_row(odds[r.page], r.block),
                p.labels[r.block],
                r.copies as f32,
            )
        })
        .collect();
    let fitted = if params.network.units > 0 {
        fit_network(&rows, params)?
    } else {
        // linfa ignores sample weights: a block counted k times is repeated k times.
        let repeated: Vec<(&[f32], &[f32], bool)> = rows
            .iter()
            .flat_map(|&(row, extra, label, copies)| {
                std::iter::repeat_n((row, extra, label), copies as usize)
            })
            .collect();
        fit_rows(&repeated, params)?
    };
    Ok((fitted, chosen.len()))
}

/// Fits stage one as a network ([`crate::network`]) on the chosen rows: each row
/// once, weighted by its copies (where the logistic regression repeats it), and
/// standardized as the logistic regression's rows are. The linear weights stay zero.
fn fit_network(rows: &[(&[f32], &[f32], bool, f32)], params: &TrainParams) -> Result<Fitted> {
    let (means, scales) = standardization(rows.iter().map(|r| (r.0, r.1, r.3 as usize)));
    let means: Vec<f32> = means.iter().map(|&m| m as f32).collect();
    let scales: Vec<f32> = scales.iter().map(|&s| s as f32).collect();
    let net = crate::network::fit(rows, &means, &scales, &params.network)?;
    Ok(Fitted {
        weights: vec![0.0; means.len()],
        means,
        scales,
        intercept: net.intercept,
        hidden: Some(net.layer),
    })
}

/// The blocks stage one is fitted on: from each page whose labels are used
/// ([`TrainParams::fits`]), a sample of [`TrainParams::max_blocks_per_page`] blocks,
/// each counted [`TrainParams::copies`] times. One definition for the fit and for the
/// rows `--cv-rows` writes ([`crate::cv_rows`]).
fn fit_row_choice(pages: &[&LabeledPage], params: &TrainParams) -> Vec<FitRow> {
    let mut chosen = Vec::new();
    for (k, p) in pages.iter().enumerate().filter(|(_, p)| params.fits(p)) {
        for i in sampled_rows(p.features.rows, params.max_blocks_per_page, fnv1a64(&p.id)) {
            chosen.push(FitRow {
                page: k,
                block: i,
                copies: params.copies(count_words(p.page.block_text(i))),
            });
        }
    }
    chosen
}

impl Fitted {
    /// The fit compiled for scoring (standardization folded into the weights): once
    /// per fit, not once per page.
    fn compile(&self) -> Scorer {
        Scorer::new(&self.means, &self.scales, &self.weights, self.intercept)
            .with_hidden(self.hidden.as_ref(), &self.scales)
    }

    fn linear(&self) -> crate::model::ContextStage {
        crate::model::ContextStage {
            feature_names: context_feature_names(),
            means: self.means.clone(),
            scales: self.scales.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
        }
    }

    fn to_file(
        &self,
        mode: InputFormat,
        decoder: &Decoder,
        word_odds: Option<PackedWordOdds>,
    ) -> ModelFile {
        let names = row_names(mode, word_odds.is_some());
        ModelFile {
            version: MODEL_FORMAT_VERSION,
            mode,
            feature_names: names,
            means: self.means.clone(),
            scales: self.scales.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            threshold: decoder.threshold,
            relative_threshold: decoder.relative,
            confidence_slope: decoder.confidence_slope,
            smoothing: decoder.smoothing.clone(),
            context: None,
            word_odds,
            comments: Comments::Model,
            hidden: self.hidden.clone(),
            pooling: None,
            provenance: Provenance::default(),
        }
    }
}

/// The decoder before one is chosen: stage-one models are compiled with it (only
/// their probabilities are read) and the choice starts from it.
const UNCHOSEN: Decoder = Decoder {
    threshold: 0.5,
    relative: 0.0,
    confidence_slope: 0.0,
    smoothing: None,
};

/// A decoder setting, its held-out score and its place in the [`decoder_grid`] (the
/// column of the pages' [`grid_counts`] it scored).
#[derive(Debug, Clone)]
struct DecoderChoice {
    decoder: Decoder,
    f1: f64,
    index: usize,
}

/// Chooses threshold, relative threshold, confidence slope and smoothing strength on
/// held-out pages by shingle F1; also returns the pages' [`grid_counts`], from which a
/// choice over several folds' pages is made ([`pooled_choice`], [`nested_decoder_f1`]).
fn choose_decoder(
    held: &[&LabeledPage],
    probs: &[Vec<f32>],
    learned: &Smoothing,
    params: &TrainParams,
) -> (DecoderChoice, Vec<GridCounts>) {
    let grid = decoder_grid(learned, params);
    let counts = grid_counts(held, probs, &grid, params);
    let (g, f1) = best_setting(grid.len(), &counts.iter().collect::<Vec<_>>());
    (choice(grid, g, f1), counts)
}

/// Setting `g` of `grid`, with its F1.
fn choice(grid: Vec<Decoder>, g: usize, f1: f64) -> DecoderChoice {
    DecoderChoice {
        decoder: grid.into_iter().nth(g).unwrap_or(UNCHOSEN),
        f1,
        index: g,
    }
}

/// Shingle counts (as [`ShingleF1::add_counts`] takes them) of one page under every
/// setting of [`decoder_grid`], in grid order.
type GridCounts = Vec<(f64, f64, f64)>;

/// The decoder settings [`choose_decoder`] tries, in order.
fn decoder_grid(learned: &Smoothing, params: &TrainParams) -> Vec<Decoder> {
    let mut grid = Vec::new();
    for &strength in &params.smoothing_strengths {
        for &relative in &params.relative_thresholds {
            for &confidence_slope in &params.confidence_slopes {
                for k in 1..20 {
                    grid.push(Decoder {
                        threshold: k as f32 * 0.05,
                        relative,
                        confidence_slope,
                        smoothing: (strength > 0.0).then(|| Smoothing {
                            strength,
                            ..learned.clone()
                        }),
                    });
                }
            }
        }
    }
    grid
}

/// Per page, the shingle counts of every setting in the [`decoder_grid`]. Many
/// settings label a page the same way, so each distinct labelling is scored once.
fn grid_counts(
    held: &[&LabeledPage],
    probs: &[Vec<f32>],
    grid: &[Decoder],
    params: &TrainParams,
) -> Vec<GridCounts> {
    held.par_iter()
        .zip(probs.par_iter())
        .map(|(p, probs)| {
            let gold = shingles(&p.gold.main_content);
            let words_log = p.features.column(WORDS_LOG_COLUMN);
            let mut seen: HashMap<Vec<bool>, (f64, f64, f64)> = HashMap::new();
            grid.iter()
                .map(|decoder| {
                    *seen
                        .entry(decode_with_policy(
                            decoder,
                            params.comments,
                            &p.page,
                            probs,
                            &words_log,
                        ))
                        .or_insert_with_key(|labels| {
                            page_counts(&gold, &shingles(&content_text(&p.page, labels)))
                        })
                })
                .collect()
        })
        .collect()
}

/// The index of the setting with the best shingle F1 over the pages' counts, and that
/// F1. The first best in grid order wins ties, so the choice is deterministic.
fn best_setting(settings: usize, counts: &[&GridCounts]) -> (usize, f64) {
    let mut best = (0, f64::MIN);
    for g in 0..settings {
        let f1 = setting_f1(g, counts);
        if f1 > best.1 {
            best = (g, f1);
        }
    }
    best
}

/// Shingle F1 over the pages' counts of setting `g`.
fn setting_f1(g: usize, counts: &[&GridCounts]) -> f64 {
    let mut f1 = ShingleF1::default();
    for page in counts {
        f1.add_counts(page[g]);
    }
    f1.score().f1
}

/// The held-out pages' extracted text under one decoder setting, and its confidence.
fn held_out_texts(
    held: &[&LabeledPage],
    probs: &[Vec<f32>],
    decoder: &Decoder,
    params: &TrainParams,
) -> Result<Vec<(String, f32)>> {
    let site = match params.cv_site_repeats {
        0 => None,
        n => Some(count_sites(held.iter().copied(), n)?),
    };
    Ok(held
        .par_iter()
        .zip(probs.par_iter())
        .map(|(p, probs)| {
            let words_log = p.features.column(WORDS_LOG_COLUMN);
            let on_site = site.as_ref().zip(p.site_host()).map(|(s, h)| s.on(h));
            let decoded = decode_page(
                decoder,
                params.comments,
                &p.page,
                probs,
                &words_log,
                on_site,
            );
            (content_text(&p.page, &decoded.labels), decoded.confidence)
        })
        .collect())
}

/// The block texts of `pages` counted by site ([`crate::site`]), for `--site-repeats`
/// on labelled pages: the pages without a host ([`LabeledPage::site_host`]) are left
/// out.
pub fn count_sites<'a>(
    pages: impl IntoIterator<Item = &'a LabeledPage>,
    min_pages: u32,
) -> Result<SiteRepeats> {
    let mut site = SiteRepeats::new(min_pages)?;
    for p in pages {
        if let Some(host) = p.site_host() {
            site.add_page(host, &p.page);
        }
    }
    Ok(site)
}

/// Held-out (dataset, pages, shingle F1) under the chosen setting (what the data mix
/// does to each source), from each held-out page's dataset and [`grid_counts`].
fn per_dataset<'a>(
    pages: impl IntoIterator<Item = (&'a str, &'a GridCounts)>,
    chosen: &DecoderChoice,
) -> Vec<(String, usize, f64)> {
    let mut per: std::collections::BTreeMap<&str, ShingleF1> = Default::default();
    for (dataset, counts) in pages {
        per.entry(dataset)
            .or_default()
            .add_counts(counts[chosen.index]);
    }
    per.into_iter()
        .map(|(k, v)| (k.to_string(), v.pages(), v.score().f1))
        .collect()
}

/// [`per_dataset`] of pages and their counts, side by side.
fn held_per_dataset(
    held: &[&LabeledPage],
    counts: &[GridCounts],
    chosen: &DecoderChoice,
) -> Vec<(String, usize, f64)> {
    per_dataset(held.iter().map(|p| p.dataset.as_str()).zip(counts), chosen)
}

/// Fits stage one on `fit_part` and chooses the decoder on the `held` pages: the
/// choice, the held-out pages' probabilities and their [`grid_counts`].
fn held_out_choice(
    (fit_part, fit_odds): (&[&LabeledPage], &[&[f32]]),
    (held, held_odds): (&[&LabeledPage], &[&[f32]]),
    params: &TrainParams,
    learned: &Smoothing,
) -> Result<(DecoderChoice, Vec<Vec<f32>>, Vec<GridCounts>)> {
    let t = std::time::Instant::now();
    let (fitted, _) = fit_stage1(fit_part, fit_odds, params)?;
    timing("stage one on the fitting hosts", t);
    let linear = fitted.compile();
    let held_p: Vec<Vec<f32>> = held
        .par_iter()
        .zip(held_odds.par_iter())
        .map(|(p, odds)| params.pooled(p, linear.matrix_probabilities(&p.features, odds)))
        .collect();
    let t = std::time::Instant::now();
    let (best, counts) = choose_decoder(held, &held_p, learned, params);
    timing("decoder choice", t);
    Ok((best, held_p, counts))
}

/// One host fold's result in [`cross_validate`].
#[derive(Debug, Clone)]
pub struct FoldReport {
    /// The fold held out (0 to `holdout_every` − 1).
    pub fold: u64,
    /// Held-out pages.
    pub pages: usize,
    /// Held-out shingle F1 with the decoder chosen on them.
    pub f1: f64,
    /// The decoder chosen: threshold, relative threshold, confidence slope, smoothing
    /// strength.
    pub threshold: f32,
    /// See `threshold`.
    pub relative_threshold: f32,
    /// See `threshold`.
    pub confidence_slope: f32,
    /// See `threshold`.
    pub smoothing_strength: f32,
    /// Held-out (dataset, pages, shingle F1).
    pub by_dataset: Vec<(String, usize, f64)>,
    /// Each held-out page's extracted text under the chosen decoder, in page order:
    /// out-of-fold predictions to study errors on without touching the dev split.
    pub predictions: Vec<HeldOutPrediction>,
    /// Each held-out page's shingle counts under every decoder setting, for choosing
    /// a decoder on other folds ([`nested_decoder_f1`]).
    grid_counts: Vec<GridCounts>,
    /// The column of `grid_counts` the fold's own decoder choice scored.
    chosen: usize,
}

impl FoldReport {
    /// Each held-out page's prediction with its shingle counts under the fold's chosen
    /// decoder (as [`ShingleF1::add_counts`] takes them), so the fold's pages can be
    /// scored by any grouping without shingling them again.
    pub fn scored_predictions(
        &self,
    ) -> impl Iterator<Item = (&HeldOutPrediction, (f64, f64, f64))> + '_ {
        let counts = self.grid_counts.iter().map(|c| c[self.chosen]);
        self.predictions.iter().zip(counts)
    }
}

/// The decoder chosen on every fold's held-out pages together, and its F1 on them by
/// dataset.
fn pooled_choice(
    folds: &[FoldReport],
    learned: &Smoothing,
    params: &TrainParams,
) -> (DecoderChoice, Vec<(String, usize, f64)>) {
    let grid = decoder_grid(learned, params);
    let counts: Vec<&GridCounts> = folds.iter().flat_map(|f| &f.grid_counts).collect();
    let (g, f1) = best_setting(grid.len(), &counts);
    let best = choice(grid, g, f1);
    let pages = folds.iter().flat_map(|f| {
        let datasets = f.predictions.iter().map(|p| p.dataset.as_str());
        datasets.zip(&f.grid_counts)
    });
    let by_dataset = per_dataset(pages, &best);
    (best, by_dataset)
}

/// Held-out F1 of each fold when the decoder is chosen *elsewhere*, not on the fold's
/// own pages as [`FoldReport::f1`] is (which flatters every fold a little): per fold,
/// `(chosen on the pages of all other folds, chosen on the next fold's pages alone)`,
/// the second being how [`train`] chooses, on one fold.
pub fn nested_decoder_f1(folds: &[FoldReport]) -> Vec<(f64, f64)> {
    let settings = folds
        .iter()
        .flat_map(|f| f.grid_counts.first())
        .map(Vec::len)
        .next()
        .unwrap_or(0);
    (0..folds.len())
        .map(|k| {
            let own: Vec<&GridCounts> = folds[k].grid_counts.iter().collect();
            let others: Vec<&GridCounts> = folds
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != k)
                .flat_map(|(_, f)| &f.grid_counts)
                .collect();
            let next: Vec<&GridCounts> = folds[(k + 1) % folds.len()].grid_counts.iter().collect();
            let (pooled, _) = best_setting(settings, &others);
            let (single, _) = best_setting(settings, &next);
            (setting_f1(pooled, &own), setting_f1(single, &own))
        })
        .collect()
}

/// One held-out page's prediction in a [`FoldReport`].
#[derive(Debug, Clone)]
pub struct HeldOutPrediction {
    /// Dataset name.
    pub dataset: String,
    /// Page id.
    pub id: String,
    /// The main text the fold's model extracted.
    pub text: String,
    /// How sure the fold's model is of it ([`crate::decode::page_confidence`]).
    pub confidence: f32,
}

/// Host-grouped cross-validation: each of the `holdout_every` host folds (that has
/// pages) is held out in turn, stage one is fitted on the others and the decoder chosen
/// on it, as
/// [`train`] does for its one held-out fold. This is how a change is checked on all
/// training hosts rather than one fold's (the context stage is not fitted here). Two
/// folds run at a time (each fit uses one core).
pub fn cross_validate(pages: &[LabeledPage], params: &TrainParams) -> Result<Vec<FoldReport>> {
    params.check()?;
    if let Some(first) = pages.first() {
        check_prepared(pages, first.page.format.unwrap_or(InputFormat::Html))?;
    }
    let odds = params
        .word_odds
        .then(|| OddsFolds::new(pages, params.holdout_every, params));
    cross_validate_with(pages, params, odds.as_ref())
}

/// [`cross_validate`] with the host folds' word counts already made (`odds`: `None`
/// without word evidence).
fn cross_validate_with(
    pages: &[LabeledPage],
    params: &TrainParams,
    odds: Option<&OddsFolds>,
) -> Result<Vec<FoldReport>> {
    let learned = params.learned_smoothing(pages);
    let folds_n = params.holdout_every;
    // Folds without pages (few hosts) are skipped; at least two must remain.
    let folds: Vec<u64> = (0..folds_n)
        .filter(|&k| pages.iter().any(|p| host_fold(p, folds_n) == k))
        .collect();
    if folds.len() < 2 {
        return Err(Error::fit(format!(
            "cross-validation needs pages from hosts in at least two of the {} folds, found {}",
            params.holdout_every,
            folds.len()
        )));
    }
    // The rows' column names, written once for every fold's rows (`--cv-rows`).
    let row_names = match &params.cv_rows {
        Some(dir) => {
            let mode = pages.first().and_then(|p| p.page.format);
            let names = mode.map_or_else(Vec::new, |m| row_names(m, odds.is_some()));
            crate::cv_rows::write_names(dir, &names)?;
            Some(names)
        }
        None => None,
    };
    folds
        .into_par_iter()
        .with_max_len(1)
        .map(|fold| {
            let values = match odds {
                Some(o) => o.values(
                    pages,
                    Some(fold),
                    params.word_odds_dropout,
                    params.held_out_unknown_words,
                ),
                None => vec![Vec::new(); pages.len()],
            };
            let (held, held_odds) = select(pages, &values, |p| host_fold(p, folds_n) == fold);
            let fit_part = select(pages, &values, |p| host_fold(p, folds_n) != fold);
            if let Some((dir, names)) = params.cv_rows.as_ref().zip(row_names.as_ref()) {
                crate::cv_rows::write_fold(
                    dir,
                    fold,
                    names,
                    (&fit_part.0, &fit_part.1),
                    &fit_row_choice(&fit_part.0, params),
                    (&held, &held_odds),
                )?;
            }
            let (best, held_p, grid_counts) = match &params.cv_probabilities {
                // An outside model's probabilities, scored as the model's own would be.
                Some(dir) => {
                    let held_p: Vec<Vec<f32>> =
                        crate::cv_rows::read_probabilities(dir, fold, &held)?
                            .into_iter()
                            .zip(&held)
                            .map(|(probs, p)| params.pooled(p, probs))
                            .collect();
                    let (best, counts) = choose_decoder(&held, &held_p, &learned, params);
                    (best, held_p, counts)
                }
                None => held_out_choice(
                    (&fit_part.0, &fit_part.1),
                    (&held, &held_odds),
                    params,
                    &learned,
                )?,
            };
            let texts = held_out_texts(&held, &held_p, &best.decoder, params)?;
            Ok(FoldReport {
                fold,
                pages: held.len(),
                f1: best.f1,
                threshold: best.decoder.threshold,
                relative_threshold: best.decoder.relative,
                confidence_slope: best.decoder.confidence_slope,
                smoothing_strength: best.decoder.smoothing_strength(),
                by_dataset: held_per_dataset(&held, &grid_counts, &best),
                predictions: held
                    .iter()
                    .zip(texts)
                    .map(|(p, (text, confidence))| HeldOutPrediction {
                        dataset: p.dataset.clone(),
                        id: p.id.clone(),
                        text,
                        confidence,
                    })
                    .collect(),
                grid_counts,
                chosen: best.index,
            })
        })
        .collect()
}

/// Trains a model on labelled pages.
///
/// Host groups are dealt into [`TrainParams::holdout_every`] folds (five by default)
/// by a hash: fold [`TrainParams::holdout_fold`] (1 by default) is held out to choose
/// the decoder threshold and smoothing (or every fold in turn, pooled, with
/// [`TrainParams::decoder_on_all_folds`]); when it has no pages but others do, training
/// is refused rather than left without a chosen decoder. With the context stage, the
/// other folds form halves A and B: stage one fitted on A predicts B and vice versa, so the context
/// stage learns from out-of-sample probabilities, and it is kept only if it beats
/// stage one on the held-out fold. The final stage one is refitted on all pages.
pub fn train(
    pages: &[LabeledPage],
    mode: InputFormat,
    params: &TrainParams,
) -> Result<(ModelFile, TrainReport)> {
    train_after(pages, mode, params, None)
}

/// Fails when `pages` cannot train a model with `params`, in the terms of the setting
/// at fault:
/// - no page is fitted: [`TrainParams::min_gold_coverage`] leaves every one out
///   (before, "no training blocks");
/// - the held-out host fold cannot choose the decoder although the pages are in two
///   folds or more: it has no pages, or (with the context stage) leaves one half of
///   the fit empty. Pages in two folds or more can always choose a decoder, so the
///   message says which folds have pages rather than fit a model whose decoder nobody
///   chose.
///
/// [`train`] checks it; a caller that cross-validates first (minutes) checks it before.
pub fn check_pages(pages: &[LabeledPage], params: &TrainParams) -> Result<()> {
    if !pages.is_empty() && !pages.iter().any(|p| params.fits(p)) {
        return Err(Error::fit(format!(
            "none of the {} training pages is fitted: each page's text holds under {} of its \
             gold's 4-grams (--min-gold-coverage; 0 fits every page)",
            pages.len(),
            params.min_gold_coverage
        )));
    }
    if params.decoder_on_all_folds {
        return Ok(());
    }
    let (folds, held_fold) = (params.holdout_every, params.holdout_fold);
    let mut populated: Vec<u64> = pages.iter().map(|p| host_fold(p, folds)).collect();
    populated.sort_unstable();
    populated.dedup();
    let held = populated.contains(&held_fold);
    let others = |parity: u64| populated.iter().any(|&f| f != held_fold && f % 2 == parity);
    let (half_a, half_b) = (others(0), others(1));
    let choosable = if params.context_stage {
        held && half_a && half_b
    } else {
        held && (half_a || half_b)
    };
    if !choosable && populated.len() > 1 {
        return Err(Error::fit(format!(
            "the held-out host fold {held_fold} {} (host folds with pages: {populated:?}), so it \
             cannot choose the decoder: hold out another fold (`--holdout-fold`), or choose \
             the decoder on every fold's pages (`--decoder-on-all-folds`)",
            if held {
                "leaves the fit too few pages for the context stage"
            } else {
                "has no training pages"
            }
        )));
    }
    Ok(())
}

/// [`train`], given the [`cross_validate`] folds of the same pages and parameters when
/// they were already computed (`dehusk train --cross-validate`): with
/// [`TrainParams::decoder_on_all_folds`] the decoder is then chosen on them instead of
/// on a second cross-validation. The model is the same either way.
pub fn train_after(
    pages: &[LabeledPage],
    mode: InputFormat,
    params: &TrainParams,
    cross_validated: Option<&[FoldReport]>,
) -> Result<(ModelFile, TrainReport)> {
    params.check()?;
    if pages.is_empty() {
        return Err(Error::fit("no training pages"));
    }
    check_prepared(pages, mode)?;
    check_pages(pages, params)?;
    let folds = params.holdout_every;
    let held_fold = params.holdout_fold;
    let t = std::time::Instant::now();
    let odds = params
        .word_odds
        .then(|| OddsFolds::new(pages, folds, params));
    // Word evidence for choosing the decoder (no page's from the held-out fold's
    // labels) and for the final fit (each page's from the other folds'). The held-out
    // pages keep theirs: unknown words there are a cross-validation measurement, and
    // the decoder is chosen for pages the table knows.
    // (Chosen on every fold, the decoder needs no one-fold values: cross-validation
    // computes each fold's.)
    let dropout = params.word_odds_dropout;
    let no_values = || vec![Vec::new(); pages.len()];
    let (choice_values, final_values) = match &odds {
        Some(o) => (
            if params.decoder_on_all_folds {
                no_values()
            } else {
                o.values(pages, Some(held_fold), dropout, false)
            },
            o.values(pages, None, dropout, false),
        ),
        None => (no_values(), no_values()),
    };
    if odds.is_some() {
        timing(
            "word evidence (counts per host fold, out-of-fold values)",
            t,
        );
    }
    let fold = |p: &LabeledPage| host_fold(p, folds);
    let (held, held_odds) = select(pages, &choice_values, |p| fold(p) == held_fold);
    let (half_a, odds_a) = select(pages, &choice_values, |p| {
        fold(p) != held_fold && fold(p) % 2 == 0
    });
    let (half_b, odds_b) = select(pages, &choice_values, |p| {
        fold(p) != held_fold && fold(p) % 2 == 1
    });
    let learned = params.learned_smoothing(pages);
    let can_hold_out = !held.is_empty() && half_a.len() + half_b.len() > 0;
    let choosable = if params.context_stage {
        !held.is_empty() && !half_a.is_empty() && !half_b.is_empty()
    } else {
        can_hold_out
    };
    let (all, all_odds) = select(pages, &final_values, |_| true);
    // The final fit does not depend on the held-out choice: without the context stage,
    // run both at once (each linfa fit uses one core).
    let mut final_fit: Option<Result<(Fitted, usize)>> = None;
    let choice = if params.decoder_on_all_folds {
        let computed;
        let folds = match cross_validated {
            Some(folds) => folds,
            None => {
                computed = cross_validate_with(pages, params, odds.as_ref())?;
                &computed[..]
            }
        };
        let t = std::time::Instant::now();
        let (best, by_dataset) = pooled_choice(folds, &learned, params);
        timing("decoder choice on every fold's pages", t);
        let pages = folds.iter().map(|f| f.pages).sum();
        Some(HeldOutChoice::stage_one(best, pages, by_dataset))
    } else if !params.context_stage && can_hold_out {
        // One fit on the non-held-out hosts chooses the decoder.
        let fit_part: Vec<&LabeledPage> = half_a.iter().chain(half_b.iter()).copied().collect();
        let fit_odds: Vec<&[f32]> = odds_a.iter().chain(odds_b.iter()).copied().collect();
        let (held_side, final_side) = rayon::join(
            || {
                held_out_choice(
                    (&fit_part, &fit_odds),
                    (&held, &held_odds),
                    params,
                    &learned,
                )
            },
            || {
                let t = std::time::Instant::now();
                let r = fit_stage1(&all, &all_odds, params);
                timing("final stage one (concurrently)", t);
                r
            },
        );
        final_fit = Some(final_side);
        let (best, _, counts) = held_side?;
        let by_dataset = held_per_dataset(&held, &counts, &best);
        Some(HeldOutChoice::stage_one(best, held.len(), by_dataset))
    } else if choosable {
        let cols = CoreColumns::find(&feature_names(mode))
            .ok_or_else(|| Error::fit("core feature columns missing"))?;
        let halves = [(&half_a[..], &odds_a[..]), (&half_b[..], &odds_b[..])];
        Some(context_stage_choice(
            halves,
            (&held, &held_odds),
            cols,
            params,
            &learned,
        )?)
    } else {
        None
    };

    let (fitted, blocks) = match final_fit {
        Some(r) => r?,
        None => {
            let t = std::time::Instant::now();
            let r = fit_stage1(&all, &all_odds, params)?;
            timing("final stage one", t);
            r
        }
    };
    let mut report = TrainReport {
        pages: pages.len(),
        pages_left_out: pages.iter().filter(|p| !params.fits(p)).count(),
        blocks,
        holdout_f1: f64::NAN,
        holdout_f1_stage1: f64::NAN,
        holdout_f1_stage2: f64::NAN,
        ..TrainReport::default()
    };
    let (decoder, stage2) = match choice {
        Some(c) => {
            report.holdout_f1 = c.f1_stage1.max(c.f1_stage2);
            report.holdout_f1_stage1 = c.f1_stage1;
            report.holdout_f1_stage2 = c.f1_stage2;
            report.holdout_pages = c.pages;
            report.holdout_by_dataset = c.by_dataset;
            (c.decoder, c.stage2)
        }
        None => (UNCHOSEN, None),
    };
    let mut file = fitted.to_file(
        mode,
        &decoder,
        odds.map(|o| PackedWordOdds::pack(&o.odds_without(&[]))),
    );
    file.context = stage2.map(|s| s.linear());
    file.pooling =
        (mode == InputFormat::Html && params.pooling.weight > 0.0).then_some(params.pooling);
    // The decoder was chosen under this policy: the file applies it by default.
    file.comments = params.comments;
    record_provenance(&mut file, params, &report);
    // The datasets by name (the command line replaces them with its folders).
    let mut datasets: Vec<String> = pages.iter().map(|p| p.dataset.clone()).collect();
    datasets.sort();
    datasets.dedup();
    file.provenance.data = datasets;
    report.threshold = decoder.threshold;
    report.relative_threshold = decoder.relative;
    report.confidence_slope = decoder.confidence_slope;
    report.smoothing_strength = decoder.smoothing_strength();
    report.context_stage = file.context.is_some();
    Ok((file, report))
}

/// The decoder [`train_after`] chose on held-out pages, the context stage when it
/// was tried and won, and their held-out scores.
struct HeldOutChoice {
    decoder: Decoder,
    stage2: Option<Fitted>,
    /// Held-out F1 with stage one alone.
    f1_stage1: f64,
    /// Held-out F1 with the context stage; NaN when it was not tried.
    f1_stage2: f64,
    pages: usize,
    /// Held-out (dataset, pages, shingle F1) of the chosen setting.
    by_dataset: Vec<(String, usize, f64)>,
}

impl HeldOutChoice {
    /// A choice for stage one alone (no context stage tried).
    fn stage_one(
        best: DecoderChoice,
        pages: usize,
        by_dataset: Vec<(String, usize, f64)>,
    ) -> HeldOutChoice {
        HeldOutChoice {
            decoder: best.decoder,
            stage2: None,
            f1_stage1: best.f1,
            f1_stage2: f64::NAN,
            pages,
            by_dataset,
        }
    }
}

/// The context stage's trial ([`TrainParams::context_stage`]): stage one fitted on
/// each half of the fitting hosts predicts the other half, so the context stage
/// learns from out-of-sample probabilities; on the held-out pages (stage one: the two
/// halves' average) the decoder is chosen with and without it, and it is kept only if
/// it wins.
fn context_stage_choice(
    halves: [(&[&LabeledPage], &[&[f32]]); 2],
    (held, held_odds): (&[&LabeledPage], &[&[f32]]),
    cols: CoreColumns,
    params: &TrainParams,
    learned: &Smoothing,
) -> Result<HeldOutChoice> {
    let [(half_a, odds_a), (half_b, odds_b)] = halves;
    let t = std::time::Instant::now();
    let (fit_a, _) = fit_stage1(half_a, odds_a, params)?;
    let (fit_b, _) = fit_stage1(half_b, odds_b, params)?;
    timing("stage one on halves A and B", t);
    let (linear_a, linear_b) = (fit_a.compile(), fit_b.compile());
    // Out-of-sample stage-one probabilities: each half scored by the other's model.
    let context_of = |pages: &[&LabeledPage], odds: &[&[f32]], other: &Scorer| {
        pages
            .par_iter()
            .zip(odds.par_iter())
            .map(|(p, odds)| {
                let probs = other.matrix_probabilities(&p.features, odds);
                context_features(&p.page, &p.features, &probs, cols)
            })
            .collect::<Vec<FeatureMatrix>>()
    };
    let ctx_a = context_of(half_a, odds_a, &linear_b);
    let ctx_b = context_of(half_b, odds_b, &linear_a);
    let mut rows: Vec<(&[f32], &[f32], bool)> = Vec::new();
    for (pages, ctx) in [(half_a, &ctx_a), (half_b, &ctx_b)] {
        for (p, c) in pages.iter().zip(ctx.iter()).filter(|(p, _)| params.fits(p)) {
            for i in sampled_rows(c.rows, params.max_blocks_per_page, fnv1a64(&p.id)) {
                rows.push((c.row(i), &[], p.labels[i]));
            }
        }
    }
    // Stage two is small (a few dozen features): let it converge.
    let stage2_params = TrainParams {
        max_iterations: params.max_iterations.max(200),
        ..params.clone()
    };
    let t = std::time::Instant::now();
    let stage2 = fit_rows(&rows, &stage2_params)?;
    timing("context stage", t);
    // Held-out pages: average of the two half models, then (optionally) stage two.
    let held_p1: Vec<Vec<f32>> = held
        .par_iter()
        .zip(held_odds.par_iter())
        .map(|(p, odds)| {
            let a = linear_a.matrix_probabilities(&p.features, odds);
            let b = linear_b.matrix_probabilities(&p.features, odds);
            a.iter().zip(&b).map(|(x, y)| 0.5 * (x + y)).collect()
        })
        .collect();
    let stage2_linear = stage2.compile();
    let held_p2: Vec<Vec<f32>> = held
        .par_iter()
        .zip(held_p1.par_iter())
        .map(|(p, p1)| {
            let c = context_features(&p.page, &p.features, p1, cols);
            let p2 = (0..c.rows).map(|i| stage2_linear.probability(c.row(i)));
            params.pooled(p, p2.collect())
        })
        .collect();
    // Stage two reads stage one's own probabilities; the decoder, the pooled ones (as
    // a model pools its final probabilities).
    let held_p1: Vec<Vec<f32>> = held
        .par_iter()
        .zip(held_p1.into_par_iter())
        .map(|(p, p1)| params.pooled(p, p1))
        .collect();
    let t = std::time::Instant::now();
    let (one, counts_one) = choose_decoder(held, &held_p1, learned, params);
    let (two, counts_two) = choose_decoder(held, &held_p2, learned, params);
    timing("decoder choice", t);
    let use_two = two.f1 > one.f1;
    let (best, counts) = if use_two {
        (&two, &counts_two)
    } else {
        (&one, &counts_one)
    };
    Ok(HeldOutChoice {
        decoder: best.decoder.clone(),
        by_dataset: held_per_dataset(held, counts, best),
        stage2: use_two.then_some(stage2),
        f1_stage1: one.f1,
        f1_stage2: two.f1,
        pages: held.len(),
    })
}

/// Writes what produced the model into its provenance: the pages and blocks, the
/// fit's settings (the network's or the logistic regression's), the word table's,
/// and the held-out scores the decoder was chosen by.
fn record_provenance(file: &mut ModelFile, params: &TrainParams, report: &TrainReport) {
    let has_hidden = file.hidden.is_some();
    let has_odds = file.word_odds.is_some();
    let provenance = &mut file.provenance;
    // What the library knows of the run; the command line fills in the rest.
    provenance.dehusk_version = env!("CARGO_PKG_VERSION").to_string();
    provenance.train_pages = report.pages;
    provenance.train_blocks = report.blocks;
    let settings = &mut provenance.settings;
    if has_hidden {
        let net = &params.network;
        settings.insert("hidden_units".into(), net.units as f64);
        settings.insert("hidden_alpha".into(), net.alpha);
        settings.insert("hidden_epochs".into(), net.epochs as f64);
        settings.insert("hidden_batch_size".into(), net.batch_size as f64);
        settings.insert("hidden_learning_rate".into(), net.learning_rate);
    } else {
        settings.insert("alpha".into(), params.alpha);
        settings.insert("max_iterations".into(), params.max_iterations as f64);
    }
    settings.insert(
        "max_blocks_per_page".into(),
        params.max_blocks_per_page as f64,
    );
    settings.insert("heavy_block_words".into(), params.heavy_block_words as f64);
    settings.insert("long_block_words".into(), params.long_block_words as f64);
    // How many host folds' held-out pages the decoder was chosen on.
    let decoder_folds = if params.decoder_on_all_folds {
        params.holdout_every
    } else {
        1
    };
    settings.insert("decoder_folds".into(), decoder_folds as f64);
    if has_odds {
        settings.insert(
            "word_odds_min_hosts".into(),
            crate::word_odds::MIN_HOSTS as f64,
        );
        settings.insert(
            "word_odds_pair_margin".into(),
            crate::word_odds::PAIR_MARGIN as f64,
        );
        settings.insert("word_odds_dropout".into(), params.word_odds_dropout);
    }
    if report.holdout_f1.is_finite() {
        let scores = &mut provenance.scores;
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        for (name, _, f1) in &report.holdout_by_dataset {
            scores.insert(format!("train_holdout_{name}_shingle_f1"), r4(*f1));
        }
        scores.insert("train_holdout_shingle_f1".into(), r4(report.holdout_f1));
        if report.holdout_f1_stage2.is_finite() {
            scores.insert(
                "train_holdout_shingle_f1_stage1_only".into(),
                r4(report.holdout_f1_stage1),
            );
            scores.insert(
                "train_holdout_shingle_f1_with_context".into(),
                r4(report.holdout_f1_stage2),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_str;

    #[test]
    fn long_blocks_are_fitted_once_more_per_threshold_they_reach() {
        let params = TrainParams::default();
        let copies: Vec<usize> = [0, 9, 10, 29, 30, 500]
            .iter()
            .map(|&w| params.copies(w))
            .collect();
        assert_eq!(copies, [1, 1, 2, 2, 3, 3]);
        // 0 turns a threshold off.
        let params = TrainParams {
            heavy_block_words: 0,
            ..TrainParams::default()
        };
        assert_eq!((params.copies(10), params.copies(30)), (1, 2));
        let params = TrainParams {
            heavy_block_words: 0,
            long_block_words: 0,
            ..TrainParams::default()
        };
        assert_eq!(params.copies(1000), 1);
    }

    /// Forty hosts, one page each: a "Subscribe" line (boilerplate) above an article
    /// sentence (content), so the table learns both from any four folds.
    fn pages() -> Vec<LabeledPage> {
        (0..40)
            .map(|h| {
                let text = "Subscribe\nThe council met on Monday to discuss the new budget.\n";
                let page = segment_str(text, InputFormat::Text);
                let features = extract(&page, InputFormat::Text);
                LabeledPage {
                    dataset: "t".into(),
                    id: format!("{h}"),
                    group: format!("t:host{h}.example"),
                    gold: GoldPage {
                        id: format!("{h}"),
                        split: Some("train".into()),
                        host: Some(format!("host{h}.example")),
                        main_content: "The council met on Monday to discuss the new budget.".into(),
                        with: Vec::new(),
                        without: Vec::new(),
                        page_type: None,
                        url: None,
                    },
                    page,
                    features,
                    labels: vec![false, true],
                    gold_coverage: 1.0,
                }
            })
            .collect()
    }

    fn silent(values: &[f32]) -> bool {
        values.iter().all(|&v| v == 0.0)
    }

    #[test]
    fn a_page_in_memory_is_labelled_as_a_dataset_page_is() {
        let by_hand = pages().remove(0);
        let doc = Document {
            id: "0".into(),
            format: InputFormat::Text,
            text: "Subscribe\nThe council met on Monday to discuss the new budget.\n".into(),
        };
        let made = LabeledPage::new("t", by_hand.gold.clone(), &doc, false);
        assert_eq!(made.labels, [false, true]);
        assert_eq!(made.group, by_hand.group);
        assert_eq!(made.features.data, by_hand.features.data);
        assert!(made.gold_coverage > 0.99);
        // A gold record without a host groups by its id.
        let mut gold = by_hand.gold.clone();
        gold.host = None;
        assert_eq!(LabeledPage::new("t", gold, &doc, false).group, "t:0");
        // With a block limit: the same page within it, a too-large error past it.
        let within = LabeledPage::new_within("t", by_hand.gold.clone(), &doc, false, 2).unwrap();
        assert_eq!(within.features.data, made.features.data);
        let over = LabeledPage::new_within("t", by_hand.gold.clone(), &doc, false, 1);
        assert!(over.is_err_and(|e| e.is_too_large()));
    }

    #[test]
    fn pages_put_together_by_hand_are_checked_and_the_model_says_where_it_came_from() {
        // Found by an audit of the library: a label short, or rows added to the
        // matrix, panicked in the fit; a library-trained model named no version.
        let params = TrainParams {
            word_odds: false,
            ..TrainParams::default()
        };
        type Edit = fn(&mut LabeledPage);
        let edits: [(&str, Edit); 3] = [
            ("page t/0 has 2 blocks but 1 labels", |p| {
                p.labels.pop();
            }),
            (
                "page t/0 has 2 blocks but 2 labels and 5 feature rows",
                |p| p.features.rows += 3,
            ),
            ("block 0's text range", |p| p.page.blocks[0].end = 1000),
        ];
        for (says, edit) in edits {
            let mut pages = pages();
            edit(&mut pages[0]);
            let e = train(&pages, InputFormat::Text, &params)
                .map(|_| ())
                .unwrap_err();
            assert!(e.to_string().contains(says), "{says}: {e}");
        }
        let (file, _) = train(&pages(), InputFormat::Text, &params).unwrap();
        assert_eq!(file.provenance.dehusk_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(file.provenance.data, ["t"]);
    }

    #[test]
    fn pages_of_another_mode_are_refused_not_indexed_past() {
        // Found by a review: a mix of modes panicked in the fit (rows of two widths),
        // and text pages trained as HTML gave a model whose weights did not match its
        // feature list.
        let text = pages();
        let params = TrainParams::default();
        let err = train(&text, InputFormat::Html, &params).unwrap_err();
        assert!(err.to_string().contains("prepared for text mode"), "{err}");
        let mut mixed = pages();
        let html = segment_str("<p>The council met on Monday.</p>", InputFormat::Html);
        mixed[3].features = extract(&html, InputFormat::Html);
        mixed[3].page = html;
        mixed[3].labels = vec![true];
        for result in [
            train(&mixed, InputFormat::Text, &params).map(|_| ()),
            cross_validate(&mixed, &params).map(|_| ()),
        ] {
            let err = result.unwrap_err();
            assert!(
                err.to_string().contains("page t/3 was prepared for html"),
                "{err}"
            );
        }
        // A page of the right mode without blocks (an empty rendering) is no other
        // mode: found when the bundled text model's training command was refused.
        let mut with_empty = pages();
        let empty = segment_str("", InputFormat::Text);
        with_empty[3].features = extract(&empty, InputFormat::Text);
        with_empty[3].page = empty;
        with_empty[3].labels = Vec::new();
        assert_eq!(with_empty[3].features.rows, 0);
        train(&with_empty, InputFormat::Text, &params).unwrap();
        cross_validate(&with_empty, &params).unwrap();
    }

    #[test]
    fn word_odds_dropout_silences_a_share_of_the_training_hosts_only() {
        let pages = pages();
        let odds = OddsFolds::new(&pages, 5, &TrainParams::default());
        let held = Some(1);
        let in_held = |p: &LabeledPage| host_fold(p, 5) == 1;
        // No dropout: every page reads the table.
        let values = odds.values(&pages, held, 0.0, false);
        assert!(values.iter().all(|v| !silent(v)));
        // Dropout: the chosen training hosts are silent, the held-out pages never.
        let values = odds.values(&pages, held, 0.5, false);
        let mut dropped = 0;
        for (p, v) in pages.iter().zip(&values) {
            let expect = !in_held(p) && word_odds_dropped(p, 5, 0.5);
            assert_eq!(silent(v), expect, "{}", p.group);
            dropped += expect as usize;
        }
        let training = pages.iter().filter(|p| !in_held(p)).count();
        assert!(dropped > 0 && dropped < training, "{dropped} of {training}");
        // Measuring an unknown language: the held-out pages are silent, however many
        // training hosts are dropped.
        let values = odds.values(&pages, held, 0.0, true);
        for (p, v) in pages.iter().zip(&values) {
            assert_eq!(silent(v), in_held(p), "{}", p.group);
        }
    }

    #[test]
    fn the_decoder_is_scored_on_folds_it_was_not_chosen_on() {
        // Two settings; each fold's one page is perfect under one and half wrong
        // under the other. Settings preferred: folds 0 and 3 the first, 1 and 2 the
        // second.
        let (good, bad) = ((1.0, 0.0, 0.0), (0.5, 0.5, 0.0));
        let fold = |k: u64, counts: GridCounts| FoldReport {
            fold: k,
            pages: 1,
            f1: 0.0,
            threshold: 0.5,
            relative_threshold: 0.0,
            confidence_slope: 0.0,
            smoothing_strength: 0.0,
            by_dataset: Vec::new(),
            predictions: Vec::new(),
            grid_counts: vec![counts],
            chosen: 0,
        };
        let folds = [
            fold(0, vec![good, bad]),
            fold(1, vec![bad, good]),
            fold(2, vec![bad, good]),
            fold(3, vec![good, bad]),
        ];
        let (g, b) = (setting_f1(0, &[&vec![good]]), setting_f1(0, &[&vec![bad]]));
        assert!(g > b);
        // Pooled, every fold is outvoted by the others (ties go to the first
        // setting); alone, the next fold agrees with folds 1 and 3 only.
        assert_eq!(nested_decoder_f1(&folds), [(b, b), (b, g), (b, b), (b, g)]);
    }

    #[test]
    fn the_decoder_can_be_chosen_on_every_folds_pages() {
        let pages = pages();
        let params = TrainParams {
            decoder_on_all_folds: true,
            ..TrainParams::default()
        };
        let (file, report) = train(&pages, InputFormat::Text, &params).unwrap();
        // Every page is held out once.
        assert_eq!(report.holdout_pages, pages.len());
        assert_eq!(file.provenance.settings["decoder_folds"], 5.0);
        // Given the folds of a cross-validation already run, the same model.
        let folds = cross_validate(&pages, &params).unwrap();
        let (again, _) = train_after(&pages, InputFormat::Text, &params, Some(&folds)).unwrap();
        assert_eq!(
            (&again.weights, again.threshold, again.confidence_slope),
            (&file.weights, file.threshold, file.confidence_slope)
        );
        let (file, report) = train(&pages, InputFormat::Text, &TrainParams::default()).unwrap();
        assert!(report.holdout_pages < pages.len());
        assert_eq!(file.provenance.settings["decoder_folds"], 1.0);
        let params = TrainParams {
            context_stage: true,
            ..params
        };
        let err = params.check().unwrap_err().to_string();
        assert!(err.contains("context stage"), "{err}");
    }

    #[test]
    fn pages_whose_gold_is_not_on_them_are_left_out_of_the_fit() {
        // Every fourth page's gold is a summary the page does not hold: all its blocks
        // are labelled boilerplate, the article sentence included.
        let kept: Vec<LabeledPage> = (pages().into_iter().enumerate())
            .filter_map(|(i, p)| (i % 4 != 0).then_some(p))
            .collect();
        let mut pages = pages();
        for p in pages.iter_mut().step_by(4) {
            p.gold_coverage = 0.1;
            p.labels = vec![false, false];
        }
        let params = TrainParams::default();
        let every_page = TrainParams {
            min_gold_coverage: 0.0,
            ..params.clone()
        };
        let refs: Vec<&LabeledPage> = pages.iter().collect();
        let no_odds: Vec<&[f32]> = vec![&[]; pages.len()];
        let (_, sampled) = fit_stage1(&refs, &no_odds, &params).unwrap();
        assert_eq!(sampled, 2 * kept.len());
        let (_, sampled) = fit_stage1(&refs, &no_odds, &every_page).unwrap();
        assert_eq!(sampled, 2 * pages.len());
        // The word-odds table reads the kept pages as if the others were not there,
        // and differs when it counts them.
        let odds = |all: &[LabeledPage], params: &TrainParams| {
            OddsFolds::new(all, 5, params).values(&kept, Some(1), 0.0, false)
        };
        assert_eq!(odds(&pages, &params), odds(&kept, &params));
        assert_ne!(odds(&pages, &every_page), odds(&kept, &params));
        // The learned transitions, too.
        assert_eq!(
            params.learned_smoothing(&pages),
            params.learned_smoothing(&kept)
        );
        assert_ne!(
            every_page.learned_smoothing(&pages),
            params.learned_smoothing(&kept)
        );
        let (_, report) = train(&pages, InputFormat::Text, &params).unwrap();
        assert_eq!((report.pages, report.pages_left_out), (40, 10));
        for bad in [-0.1, 1.5, f32::NAN] {
            let params = TrainParams {
                min_gold_coverage: bad,
                ..TrainParams::default()
            };
            let err = params.check().unwrap_err().to_string();
            assert!(err.contains("gold coverage"), "{bad}: {err}");
        }
    }

    #[test]
    fn word_odds_dropout_is_a_share() {
        for bad in [-0.1, 1.0, 2.0, f64::NAN] {
            let params = TrainParams {
                word_odds_dropout: bad,
                ..TrainParams::default()
            };
            let err = params.check().unwrap_err().to_string();
            assert!(err.contains("dropout"), "{bad}: {err}");
        }
        assert!(TrainParams::default().check().is_ok());
    }
}
