//! The model file and the compiled scorer.
//!
//! A [`ModelFile`] is what `dehusk train` writes: JSON that describes itself (format
//! version first, mode, the ordered feature names it was trained on, standardization,
//! weights, decision threshold, optional sequence smoothing, and provenance). Loading
//! checks the version and the feature list against this build of dehusk and names
//! the first difference, so a stale model is an error, never silent garbage.
//!
//! A [`Model`] is the compiled form: standardization folded into the weights, so
//! scoring a block is one dot product and a logistic; with a hidden layer
//! ([`crate::network`], format 7), each non-zero value of the row also adds to eight
//! units' sums as it is written, and the rectified units add to the logit.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::context::{context_feature_names, context_features, CoreColumns};
use crate::decode::{Decoder, Smoothing, MAX_CONFIDENCE_SLOPE};
use crate::error::{Error, Result};
use crate::features::{row_names, FeatureMatrix, Sink, WORDS_LOG_COLUMN};
use crate::input::InputFormat;
use crate::network::{dot, logit, sigmoid, HiddenLayer, MAX_UNITS};
use crate::policy::Comments;
use crate::pooling::Pooling;
use crate::segment::Page;
use crate::site::OnSite;
use crate::word_odds::{odds_row, OddsLookup, PackedWordOdds};

/// Version of the model file format this build writes. Version 2 added
/// `relative_threshold`, version 3 `confidence_slope`, version 4 `word_odds`, version 5
/// the word table's block heads (`word_odds.heads`, and the `head_odds`/`head_known`
/// features they feed), version 6 the comment policy the decoder was chosen under
/// (`comments`), version 7 the optional hidden layer (`hidden`), version 8 the optional
/// pooling of like blocks' probabilities (`pooling`): an older dehusk would silently
/// score or decode such a model differently, so it must refuse the file.
pub const MODEL_FORMAT_VERSION: u32 = 8;

/// The oldest model file version this build still reads: version 1 files are version 6
/// without a relative threshold, a confidence slope, word evidence or a comment policy,
/// which is what a missing `relative_threshold`, `confidence_slope`, `word_odds` or
/// `comments` means (version 2: without the last three, versions 3 and 4: without
/// word evidence, version 5: the model decides about comments); no version before 7
/// has a hidden layer, and none before 8 pools (a file that carries either before its
/// version is refused). A version 4 file
/// *with* a word table is refused ([`ModelFile::validate`]): its weights were fitted
/// without the head features that this build's word evidence always writes.
pub const OLDEST_MODEL_FORMAT_VERSION: u32 = 1;

/// The first version whose word tables have block heads.
const HEADS_VERSION: u32 = 5;

/// The first version with an optional hidden layer (`hidden`).
const HIDDEN_VERSION: u32 = 7;

/// The first version with optional pooling (`pooling`).
const POOLING_VERSION: u32 = 8;

/// Where a model came from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// The training data (dataset folders and split).
    pub data: Vec<String>,
    /// The command that produced the model.
    pub command: String,
    /// When it was trained (UTC, RFC 3339).
    pub date: String,
    /// dehusk version that trained it.
    pub dehusk_version: String,
    /// Training blocks and pages used.
    pub train_blocks: usize,
    /// Training pages used.
    pub train_pages: usize,
    /// Settings of the fit (regularization, iterations, ...).
    #[serde(default)]
    pub settings: BTreeMap<String, f64>,
    /// Held-out (inside train) and dev-split scores, by name.
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
}

/// The second (context) stage of a model: a logistic regression over
/// [`context_feature_names`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContextStage {
    /// Ordered feature names; must equal [`context_feature_names`].
    pub feature_names: Vec<String>,
    /// Per-feature means used for standardization.
    pub means: Vec<f32>,
    /// Per-feature scales.
    pub scales: Vec<f32>,
    /// Weights on standardized features.
    pub weights: Vec<f32>,
    /// Intercept on standardized features.
    pub intercept: f32,
}

/// Checks one linear layer's numbers against its expected feature names.
fn check_linear(
    what: &str,
    names: &[String],
    expected: &[String],
    means: &[f32],
    scales: &[f32],
    weights: &[f32],
    intercept: f32,
) -> Result<()> {
    if names != expected {
        let first = names
            .iter()
            .zip(expected)
            .position(|(a, b)| a != b)
            .unwrap_or(names.len().min(expected.len()));
        let got = names.get(first).map(String::as_str).unwrap_or("<end>");
        let want = expected.get(first).map(String::as_str).unwrap_or("<end>");
        return Err(Error::bad_model(format!(
            "{what} feature list does not match this dehusk ({} features in the file, {} expected; first difference at #{first}: file has {got:?}, expected {want:?}); retrain the model",
            names.len(),
            expected.len()
        )));
    }
    let d = expected.len();
    for (name, len) in [
        ("means", means.len()),
        ("scales", scales.len()),
        ("weights", weights.len()),
    ] {
        if len != d {
            return Err(Error::bad_model(format!(
                "{what} {name} has {len} values, expected {d}"
            )));
        }
    }
    let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
    if !finite(means) || !finite(scales) || !finite(weights) || !intercept.is_finite() {
        return Err(Error::bad_model(format!(
            "non-finite numbers in the {what}"
        )));
    }
    if scales.iter().any(|&s| s <= 0.0) {
        return Err(Error::bad_model(format!("{what} scales must be positive")));
    }
    // Scoring folds the scales and means into the weights (`fold`): numbers that are
    // finite one by one (a scale of 1e-40, a mean of 3e38) can overflow there and make
    // every probability NaN or 0.
    let (folded, bias) = fold(means, scales, weights, intercept);
    if !finite(&folded) || !bias.is_finite() {
        return Err(Error::bad_model(format!(
            "the {what}'s weights overflow once divided by its scales (a scale or mean \
             out of any trained model's range)"
        )));
    }
    Ok(())
}

impl ContextStage {
    /// Compiles the stage for scoring context rows.
    pub(crate) fn compile(&self) -> Scorer {
        Scorer::new(&self.means, &self.scales, &self.weights, self.intercept)
    }
}

/// A scoring layer with standardization folded into the weights: a dot product, plus
/// the hidden units' when the model has them ([`crate::network`]).
#[derive(Debug, Clone)]
pub(crate) struct Scorer {
    means: Vec<f32>,
    weights: Vec<f32>,
    bias: f32,
    hidden: Option<Hidden>,
}

/// A hidden layer in scoring form: each unit's weights divided by the features'
/// scales, and its bias less the weighted means, so a unit reads the raw row.
#[derive(Debug, Clone)]
struct Hidden {
    /// The units' weights feature after feature, every unit's weight on a feature side
    /// by side (units past the layer's own padded with zeros): scoring adds each
    /// non-zero value of a row (about a quarter of an HTML row: the 0/1 families are
    /// nearly all zeros) times its feature's weights to all units at once, fixed-width
    /// vector code. Eight dot products over the whole row cost a fifth more time per
    /// page.
    columns: Vec<[f32; MAX_UNITS]>,
    /// Biases and output weights, padded with zeros like the columns (a padded unit
    /// adds nothing).
    biases: [f32; MAX_UNITS],
    output: [f32; MAX_UNITS],
    /// The layer's own units (before the padding).
    units: usize,
    /// Whether the scorer's linear weights are not all zero (a fitted network's are),
    /// so the per-value sums can leave them out.
    linear: bool,
    /// Each unit's input at the average training block (the means), which `explain`
    /// measures every block's switching against; computed once, by the scorer itself.
    at_mean: [f32; MAX_UNITS],
}

/// A row's running sums in a model with a hidden layer: the linear logit and each
/// unit's input, as the row's non-zero values are added in feature order.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    z: f32,
    pre: [f32; MAX_UNITS],
}

/// `weights` divided by `scales`, and the bias that makes them read raw rows.
fn fold(means: &[f32], scales: &[f32], weights: &[f32], intercept: f32) -> (Vec<f32>, f32) {
    let weights: Vec<f32> = weights.iter().zip(scales).map(|(w, s)| w / s).collect();
    let offset: f32 = weights.iter().zip(means).map(|(w, m)| w * m).sum();
    (weights, intercept - offset)
}

impl Scorer {
    pub(crate) fn new(means: &[f32], scales: &[f32], weights: &[f32], intercept: f32) -> Scorer {
        let (weights, bias) = fold(means, scales, weights, intercept);
        Scorer {
            means: means.to_vec(),
            weights,
            bias,
            hidden: None,
        }
    }

    /// The scorer with a hidden layer on the same standardized features (checked
    /// against their number: [`HiddenLayer::check`]); without one, unchanged.
    pub(crate) fn with_hidden(mut self, layer: Option<&HiddenLayer>, scales: &[f32]) -> Scorer {
        let Some(layer) = layer else {
            return self;
        };
        let d = self.means.len();
        let mut weights = Vec::with_capacity(layer.weights.len());
        let mut biases = Vec::with_capacity(layer.units());
        for (unit, &bias) in layer.weights.chunks(d.max(1)).zip(&layer.biases) {
            let (w, b) = fold(&self.means, scales, unit, bias);
            weights.extend(w);
            biases.push(b);
        }
        // Units past the layer's own (up to MAX_UNITS) have zero weights, bias and
        // output: they add nothing, and the per-value loop has a fixed width.
        let units = biases.len().min(MAX_UNITS);
        let columns = (0..d)
            .map(|j| std::array::from_fn(|u| if u < units { weights[u * d + j] } else { 0.0 }))
            .collect();
        let pad = |v: &[f32]| std::array::from_fn(|u| v.get(u).copied().unwrap_or(0.0));
        self.hidden = Some(Hidden {
            columns,
            biases: pad(&biases),
            output: pad(&layer.output),
            units,
            linear: self.weights.iter().any(|&w| w != 0.0),
            at_mean: [0.0; MAX_UNITS],
        });
        let mut at_mean = Vec::with_capacity(units);
        self.logit(&self.means, Some(&mut at_mean));
        if let Some(h) = self.hidden.as_mut() {
            h.at_mean = std::array::from_fn(|u| at_mean.get(u).copied().unwrap_or(0.0));
        }
        self
    }

    /// The row's logit, and each hidden unit's input (empty without a hidden layer)
    /// written into `units` when it is given.
    #[inline]
    fn logit(&self, row: &[f32], units: Option<&mut Vec<f32>>) -> f32 {
        let Some(h) = &self.hidden else {
            return self.bias + dot(&self.weights, row);
        };
        // One pass over the row's non-zero values, the linear weight and every
        // unit's together (see `Hidden::columns`).
        let mut sums = self.start(h);
        for (j, &v) in row.iter().enumerate() {
            if v != 0.0 {
                self.add(h, &mut sums, j, v);
            }
        }
        self.finish(h, &sums, units)
    }

    /// A hidden model's sums before any value of a row.
    fn start(&self, h: &Hidden) -> Sums {
        Sums {
            z: self.bias,
            pre: h.biases,
        }
    }

    /// Adds feature `j`'s value `v` to the sums: its linear weight's share and every
    /// unit's. Values are added in feature order, skipping zeros, by the stored-row
    /// path and the streamed one ([`SumSink`]) alike, so both give the same bits.
    /// (Adding every value instead, zeros too, to spare the branch: 4% more
    /// instructions per page and no faster.)
    #[inline(always)]
    fn add(&self, h: &Hidden, sums: &mut Sums, j: usize, v: f32) {
        let Some(column) = h.columns.get(j) else {
            return;
        };
        // A fitted network's linear weights are all zero: not read at all.
        if h.linear {
            if let Some(&w) = self.weights.get(j) {
                sums.z += v * w;
            }
        }
        for (p, c) in sums.pre.iter_mut().zip(column) {
            *p += v * c;
        }
    }

    /// The logit from a row's sums: the units rectified and weighed. Writes the real
    /// units' inputs into `units` when it is given.
    fn finish(&self, h: &Hidden, sums: &Sums, units: Option<&mut Vec<f32>>) -> f32 {
        let mut z = sums.z;
        for (&p, &out) in sums.pre.iter().zip(&h.output) {
            z += out * p.max(0.0);
        }
        if let Some(u) = units {
            u.extend_from_slice(&sums.pre[..h.units]);
        }
        z
    }

    #[inline]
    pub(crate) fn probability(&self, row: &[f32]) -> f32 {
        sigmoid(self.logit(row, None))
    }

    /// A sink that writes a row into one buffer reused for every row of a page
    /// ([`crate::features::write_rows_into`]) and scores it when it is complete. Right
    /// for any scorer; [`Scorer::sum_sink`] is faster for one with a hidden layer.
    pub(crate) fn row_sink(&self) -> RowSink<'_> {
        RowSink {
            scorer: self,
            row: vec![0.0; self.weights.len()],
            k: 0,
        }
    }

    /// With a hidden layer, a sink that adds each value to the running sums as it is
    /// written, so the row is never stored nor scanned again; `None` without one.
    pub(crate) fn sum_sink(&self) -> Option<SumSink<'_>> {
        let hidden = self.hidden.as_ref()?;
        Some(SumSink {
            scorer: self,
            hidden,
            sums: self.start(hidden),
            words_log: 0.0,
            k: 0,
        })
    }

    /// The probability of every row of a page's feature matrix, each row followed by
    /// the block's word evidence from `odds` (row-major [`WORD_ODDS_FEATURES`] values,
    /// empty when the model has none). The two parts are joined in one reused buffer,
    /// so the sum runs exactly as on a whole row (the streamed path, [`Model::score`])
    /// and both give the same bits. Scoring a matrix (`explain`) and training use it.
    ///
    /// [`WORD_ODDS_FEATURES`]: crate::word_odds::WORD_ODDS_FEATURES
    pub(crate) fn matrix_probabilities(&self, m: &FeatureMatrix, odds: &[f32]) -> Vec<f32> {
        let mut buffer = Vec::new();
        (0..m.rows)
            .map(|i| {
                let (row, extra) = (m.row(i), odds_row(odds, i));
                if extra.is_empty() {
                    return self.probability(row);
                }
                buffer.clear();
                buffer.extend_from_slice(row);
                buffer.extend_from_slice(extra);
                self.probability(&buffer)
            })
            .collect()
    }
}

/// A trained model as stored on disk. A field this dehusk does not know is refused
/// (`smothing` for `smoothing` would otherwise load a model without its smoothing and
/// score differently, without a word); only the provenance takes any field, as it
/// does not change how a page is scored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    /// File format version ([`MODEL_FORMAT_VERSION`]).
    pub version: u32,
    /// Which input the model is for.
    pub mode: InputFormat,
    /// Ordered feature names; must equal [`row_names`] for `mode` (with the word
    /// evidence's when the model has a word table).
    pub feature_names: Vec<String>,
    /// Per-feature means used for standardization.
    pub means: Vec<f32>,
    /// Per-feature scales (standard deviations; 1 where a feature is constant).
    pub scales: Vec<f32>,
    /// Weights on standardized features.
    pub weights: Vec<f32>,
    /// Intercept on standardized features.
    pub intercept: f32,
    /// Content when the (smoothed) probability is at least this.
    pub threshold: f32,
    /// When above 0, a page's threshold is at most this fraction of its highest block
    /// probability ([`Decoder::relative`]; chosen on held-out training hosts).
    #[serde(default)]
    pub relative_threshold: f32,
    /// When above 0, a page's threshold is lowered by this times (1 − its highest
    /// block probability) ([`Decoder::confidence_slope`]; chosen on held-out training
    /// hosts).
    #[serde(default)]
    pub confidence_slope: f32,
    /// Optional sequence smoothing (two-state HMM) learned from the training labels.
    #[serde(default)]
    pub smoothing: Option<Smoothing>,
    /// Optional second stage over the first stage's probabilities
    /// ([`crate::context`]). When present, `threshold` applies to its output.
    #[serde(default)]
    pub context: Option<ContextStage>,
    /// Optional learned word evidence ([`crate::word_odds`]); when present the last
    /// features are [`WORD_ODDS_FEATURES`], computed from it.
    ///
    /// [`WORD_ODDS_FEATURES`]: crate::word_odds::WORD_ODDS_FEATURES
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub word_odds: Option<PackedWordOdds>,
    /// The comment policy the decoder was chosen under (`dehusk train
    /// --drop-comments`), applied after decoding unless the caller sets another
    /// ([`Model::comments`]). Absent before version 6: the model decides.
    #[serde(default)]
    pub comments: Comments,
    /// Optional hidden layer ([`crate::network`]) on the same standardized features:
    /// its units' output adds to the linear logit. Absent before version 7.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<HiddenLayer>,
    /// Optional pooling of like blocks' probabilities before decoding
    /// ([`crate::pooling`]; HTML models only). Absent before version 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooling: Option<Pooling>,
    /// Where the model came from.
    pub provenance: Provenance,
}

/// A model file's `version`, read without the rest of it.
fn version_of(json: &str) -> Result<u64> {
    #[derive(Deserialize)]
    struct Header {
        #[serde(default)]
        version: Option<serde_json::Value>,
    }
    let header: Header = serde_json::from_str(json).map_err(|e| {
        if e.is_data() {
            Error::bad_model("not a dehusk model file (not a JSON object)")
        } else {
            Error::bad_model(format!("not valid JSON (truncated or corrupted?): {e}"))
        }
    })?;
    header
        .version
        .ok_or_else(|| Error::bad_model("no \"version\" field: not a dehusk model file"))?
        .as_u64()
        .ok_or_else(|| Error::bad_model("the \"version\" field is not a whole number"))
}

/// Refuses a model format this dehusk does not read.
fn check_version(version: u64) -> Result<()> {
    if (OLDEST_MODEL_FORMAT_VERSION as u64..=MODEL_FORMAT_VERSION as u64).contains(&version) {
        return Ok(());
    }
    Err(Error::bad_model(format!(
        "model format version {version} is not supported by this dehusk (it reads versions {OLDEST_MODEL_FORMAT_VERSION} to {MODEL_FORMAT_VERSION}); retrain the model or use a matching dehusk"
    )))
}

impl ModelFile {
    /// Parses and validates a model from JSON.
    pub fn from_json(json: &str) -> Result<ModelFile> {
        ModelFile::parse(json, true)
    }

    /// Parses a model and validates it, its word table's entries only when
    /// `check_entries` (see [`ModelFile::from_bundled_json`]).
    fn parse(json: &str, check_entries: bool) -> Result<ModelFile> {
        // One parse on the way that matters (a model of this dehusk); only when it
        // fails is the version read on its own, so an old or future file gets a clear
        // message rather than a field-by-field parse error. (Going through a
        // `serde_json::Value` tree doubled the start-up time once models carried word
        // tables; reading the version first, always, cost a second pass over them.)
        let file: ModelFile = match serde_json::from_str(json) {
            Ok(file) => file,
            Err(e) => {
                check_version(version_of(json)?)?;
                return Err(Error::bad_model(format!("malformed model file: {e}")));
            }
        };
        if check_entries {
            file.validate()?;
        } else {
            file.validate_structure()?;
        }
        Ok(file)
    }

    /// [`ModelFile::from_json`] for the bundled models, without reading every entry of
    /// the word table: those were checked when this binary was tested
    /// (`bundled_models_pass_every_check`), and reading the table twice, once to check
    /// it and once to build its scoring form, was a sixth of a short run's start-up
    /// (33 M of 204 M instructions for one small page).
    fn from_bundled_json(json: &str) -> Result<ModelFile> {
        ModelFile::parse(json, false)
    }

    /// Reads and validates a model file.
    pub fn load(path: &Path) -> Result<ModelFile> {
        let json =
            std::fs::read_to_string(path).map_err(|e| Error::io(Some(path.to_owned()), e))?;
        ModelFile::from_json(&json).map_err(|e| match e.kind() {
            crate::ErrorKind::BadModel(m) => Error::bad_model(format!("{}: {m}", path.display())),
            _ => e,
        })
    }

    /// Serializes to pretty JSON (version first).
    pub fn to_json(&self) -> String {
        // Serialization of plain numbers and strings cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Writes the model file, after [`ModelFile::validate`]: a file edited in memory
    /// into one [`ModelFile::load`] would refuse (a NaN weight is written as `null`) is
    /// refused here instead (found by an audit of the library).
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        std::fs::write(path, self.to_json() + "\n").map_err(|e| Error::io(Some(path.to_owned()), e))
    }

    /// Keeps blocks whose probability is at least `threshold` (0..1) on every page:
    /// the page-adaptive lowering (relative threshold and confidence slope) is
    /// switched off, so the threshold means exactly that.
    pub fn fix_threshold(&mut self, threshold: f32) -> Result<()> {
        if !(0.0..=1.0).contains(&threshold) {
            return Err(Error::invalid_parameter(format!(
                "the threshold must be within 0..1, got {threshold}"
            )));
        }
        self.threshold = threshold;
        self.relative_threshold = 0.0;
        self.confidence_slope = 0.0;
        Ok(())
    }

    /// Moves the decision by `logits` in logit space: above 0 keeps less (toward
    /// precision), below 0 keeps more (toward recall). A step in logits means the
    /// same whatever the model's own threshold. The relative threshold, when the
    /// model has one, moves the same step: on a page whose best block is certain, it
    /// is the threshold. An error when `logits` is not finite.
    pub fn shift_threshold(&mut self, logits: f32) -> Result<()> {
        if !logits.is_finite() {
            return Err(Error::invalid_parameter(format!(
                "the threshold shift must be a finite number of logits, got {logits}"
            )));
        }
        let moved = |p: f32| sigmoid(logit(p) + logits);
        self.threshold = moved(self.threshold);
        if self.relative_threshold > 0.0 {
            self.relative_threshold = moved(self.relative_threshold);
        }
        Ok(())
    }

    /// Checks the file against this build's feature list and its own consistency.
    pub fn validate(&self) -> Result<()> {
        // A file built in memory is checked as one read from disk would be, so `save`
        // never writes what `load` refuses.
        self.validate_structure()?;
        if let Some(odds) = &self.word_odds {
            odds.check()
                .map_err(|e| Error::bad_model(format!("word odds: {e}")))?;
        }
        Ok(())
    }

    /// [`ModelFile::validate`] but for the word table's entries: the version, and
    /// everything that must fit the feature list.
    fn validate_structure(&self) -> Result<()> {
        check_version(self.version as u64)?;
        let expected = row_names(self.mode, self.word_odds.is_some());
        if self.word_odds.is_some() && self.version < HEADS_VERSION {
            return Err(Error::bad_model(format!(
                "a version {} model with word evidence lacks the block heads this dehusk reads (format {HEADS_VERSION}); retrain the model with `dehusk train`",
                self.version
            )));
        }
        // A field newer than the file's version means the file was edited or written
        // by something other than a dehusk of that version: a dehusk that reads the
        // version would have ignored the field, so the file does not say how to score.
        // (A field that serde fills in when absent counts as present when it differs
        // from what its absence means.)
        for (present, since, field) in [
            (self.relative_threshold != 0.0, 2, "relative_threshold"),
            (self.confidence_slope != 0.0, 3, "confidence_slope"),
            (self.word_odds.is_some(), 4, "word_odds"),
            (self.comments != Comments::Model, 6, "comments"),
            (self.hidden.is_some(), HIDDEN_VERSION, "hidden"),
            (self.pooling.is_some(), POOLING_VERSION, "pooling"),
        ] {
            if present && self.version < since {
                return Err(Error::bad_model(format!(
                    "a version {} model file carries `{field}`, which format {since} introduced; retrain the model with `dehusk train`",
                    self.version
                )));
            }
        }
        check_linear(
            "model",
            &self.feature_names,
            &expected,
            &self.means,
            &self.scales,
            &self.weights,
            self.intercept,
        )?;
        if let Some(h) = &self.hidden {
            h.check(self.feature_names.len())
                .map_err(Error::bad_model)?;
        }
        if let Some(c) = &self.context {
            check_linear(
                "context stage",
                &c.feature_names,
                &context_feature_names(),
                &c.means,
                &c.scales,
                &c.weights,
                c.intercept,
            )?;
            if CoreColumns::find(&self.feature_names).is_none() {
                return Err(Error::bad_model(
                    "the context stage needs core features the model lacks",
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::bad_model(format!(
                "threshold {} is outside [0, 1]",
                self.threshold
            )));
        }
        if !(0.0..=1.0).contains(&self.relative_threshold) {
            return Err(Error::bad_model(format!(
                "relative_threshold {} is outside [0, 1]",
                self.relative_threshold
            )));
        }
        if !(0.0..=MAX_CONFIDENCE_SLOPE).contains(&self.confidence_slope) {
            return Err(Error::bad_model(format!(
                "confidence_slope {} is outside [0, {MAX_CONFIDENCE_SLOPE}]",
                self.confidence_slope
            )));
        }
        if let Some(s) = &self.smoothing {
            s.validate().map_err(Error::bad_model)?;
        }
        if let Some(pooling) = &self.pooling {
            pooling.validate().map_err(Error::bad_model)?;
            if self.mode != InputFormat::Html {
                return Err(Error::bad_model(
                    "pooling needs HTML structure; a plain-text model cannot pool",
                ));
            }
        }
        Ok(())
    }

    /// Compiles the model for scoring. The file's fields are public, so it is checked
    /// first, as [`ModelFile::validate`] checks it but for the order of the word
    /// table's entries (checked when a file is read): a file edited in memory into
    /// one whose weights, scales, hidden layer or decoder do not fit its feature list
    /// is refused, rather than scored wrongly or with a panic (found by an audit of
    /// the library).
    pub fn compile(&self) -> Result<Model> {
        self.validate_structure()?;
        let context = self.context.as_ref().and_then(|c| {
            let cols = CoreColumns::find(&self.feature_names)?;
            Some((c.compile(), cols))
        });
        Ok(Model {
            mode: self.mode,
            stage1: Scorer::new(&self.means, &self.scales, &self.weights, self.intercept)
                .with_hidden(self.hidden.as_ref(), &self.scales),
            context,
            odds: self.word_odds.clone().map(LazyOdds::new),
            feature_names: self.feature_names.clone(),
            pooling: self.pooling,
            decoder: Decoder {
                threshold: self.threshold,
                relative: self.relative_threshold,
                confidence_slope: self.confidence_slope,
                smoothing: self.smoothing.clone(),
            },
            comments: self.comments,
            min_confidence: 0.0,
        })
    }
}

/// A model's word evidence in scoring form, built on first use: a program that loads
/// both bundled models but reads only HTML never spends the start-up time on the
/// plain-text model's table.
#[derive(Debug, Clone)]
struct LazyOdds {
    packed: std::sync::Arc<PackedWordOdds>,
    lookup: std::sync::OnceLock<OddsLookup>,
}

impl LazyOdds {
    fn new(packed: PackedWordOdds) -> LazyOdds {
        LazyOdds {
            packed: std::sync::Arc::new(packed),
            lookup: std::sync::OnceLock::new(),
        }
    }

    fn get(&self) -> &OddsLookup {
        self.lookup.get_or_init(|| self.packed.lookup())
    }
}

/// A page's labels as [`Model::label_on_site`] decodes them.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Per block, true = content.
    pub labels: Vec<bool>,
    /// [`crate::decode::page_confidence`] over the labels (before the confidence cut).
    pub confidence: f32,
    /// Kept blocks dropped because the page's host repeats their text ([`crate::site`]).
    pub site_dropped: usize,
}

/// A page's labels under `decoder` (true = content), then the comment policy.
pub(crate) fn decode_with_policy(
    decoder: &Decoder,
    comments: Comments,
    page: &Page,
    probs: &[f32],
    words_log: &[f32],
) -> Vec<bool> {
    let mut labels = decoder.decode(probs, words_log);
    crate::policy::apply(comments, page, &mut labels);
    labels
}

/// [`decode_with_policy`], then the site rule ([`crate::site`]) when the page has a
/// counted site, and the page's confidence over what is left: the one order of these
/// steps, for [`Model::label_on_site`] and for training's held-out pages.
pub(crate) fn decode_page(
    decoder: &Decoder,
    comments: Comments,
    page: &Page,
    probs: &[f32],
    words_log: &[f32],
    site: Option<OnSite<'_>>,
) -> Decoded {
    let mut labels = decode_with_policy(decoder, comments, page, probs, words_log);
    let site_dropped = site.map_or(0, |site| site.drop_repeats(page, &mut labels));
    let confidence = crate::decode::page_confidence(probs, words_log, &labels);
    Decoded {
        labels,
        confidence,
        site_dropped,
    }
}

/// A page's block scores: what the decoder reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageScores {
    /// Content probability per block (after the model's pooling, if it has one:
    /// what the decoder reads).
    pub probabilities: Vec<f32>,
    /// ln(1 + words) per block (the `words_log` feature), for length-weighted
    /// smoothing.
    pub words_log: Vec<f32>,
}

/// A compiled model: scores feature rows. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Model {
    /// Which input the model is for.
    pub mode: InputFormat,
    stage1: Scorer,
    context: Option<(Scorer, CoreColumns)>,
    odds: Option<LazyOdds>,
    feature_names: Vec<String>,
    /// Mixes like blocks' probabilities before decoding ([`crate::pooling`]).
    pooling: Option<Pooling>,
    /// Turns probabilities into labels.
    pub decoder: Decoder,
    /// What to do with reader comments after decoding: the model file's policy
    /// ([`ModelFile::comments`]) unless the caller sets another.
    pub comments: Comments,
    /// A page whose [`crate::decode::page_confidence`] is below this keeps no text
    /// (0, the default: every page keeps what it decodes). Set by the caller
    /// ([`Model::set_min_confidence`]), not stored in the model file: it is a use's
    /// choice, like `--favor`.
    min_confidence: f32,
}

impl Model {
    /// Stage one: the content probability of one feature row on its own (a whole row:
    /// with a word table, its [`WORD_ODDS_FEATURES`] last, as [`Model::feature_names`]
    /// lists them).
    ///
    /// [`WORD_ODDS_FEATURES`]: crate::word_odds::WORD_ODDS_FEATURES
    #[inline]
    pub fn probability(&self, row: &[f32]) -> f32 {
        self.stage1.probability(row)
    }

    /// The page's word evidence ([`WORD_ODDS_FEATURES`] per block, row-major), or
    /// nothing when the model has no word table.
    ///
    /// [`WORD_ODDS_FEATURES`]: crate::word_odds::WORD_ODDS_FEATURES
    pub fn word_odds_values(&self, page: &Page) -> Vec<f32> {
        self.odds
            .as_ref()
            .map_or_else(Vec::new, |o| o.get().page_values(page))
    }

    /// The names of every feature the model weighs: the mode's, then the word
    /// evidence's when it has a table.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Stage one for every row of a page's matrix ([`Model::check_rows`]).
    pub fn probabilities(&self, page: &Page, m: &FeatureMatrix) -> Result<Vec<f32>> {
        let odds = self.word_odds_values(page);
        self.check_rows(page.len(), m, &odds)?;
        Ok(self.stage1.matrix_probabilities(m, &odds))
    }

    /// [`Model::probabilities`] with the page's word evidence already computed
    /// ([`Model::word_odds_values`]): stage one alone, before the context stage and
    /// pooling (what `explain`'s contributions add up to).
    pub fn probabilities_with(&self, m: &FeatureMatrix, odds: &[f32]) -> Result<Vec<f32>> {
        self.check_rows(m.rows, m, odds)?;
        Ok(self.stage1.matrix_probabilities(m, odds))
    }

    /// Checks that `m` and `odds` are the rows of a page of `blocks` blocks in this
    /// model's layout: one row per block, the mode's features
    /// ([`crate::features::extract`]), and the word evidence of every block when the
    /// model has a word table (none when it has not). Before, a matrix of another
    /// width was scored as if it fitted, and one shorter than its row count panicked
    /// (found by an audit of the library).
    pub fn check_rows(&self, blocks: usize, m: &FeatureMatrix, odds: &[f32]) -> Result<()> {
        let k = crate::word_odds::WORD_ODDS_FEATURES.len();
        let table = self.odds.is_some();
        let cols = self.feature_names.len() - if table { k } else { 0 };
        let want_odds = if table { blocks * k } else { 0 };
        // An empty page's matrix is 0 by 0 (its width is read off its first row).
        let width_ok = m.cols == cols || blocks == 0;
        if m.rows != blocks || !width_ok || m.data.len() != m.rows * m.cols {
            return Err(Error::invalid_parameter(format!(
                "the feature matrix is {} rows by {} columns holding {} values; the model \
                 scores {blocks} rows by {cols}",
                m.rows,
                m.cols,
                m.data.len()
            )));
        }
        if odds.len() != want_odds {
            return Err(Error::invalid_parameter(format!(
                "{} word-evidence values given; the model reads {want_odds}",
                odds.len()
            )));
        }
        Ok(())
    }

    /// The final content probabilities of a page's blocks (stage one, then the context
    /// stage when the model has one) and their lengths ([`Model::check_rows`]).
    pub fn score_page(&self, page: &Page, m: &FeatureMatrix) -> Result<PageScores> {
        self.score_page_with(page, m, &self.word_odds_values(page))
    }

    /// [`Model::score_page`] with the page's word evidence already computed
    /// ([`Model::word_odds_values`]), for callers that also read it (`explain`).
    pub fn score_page_with(
        &self,
        page: &Page,
        m: &FeatureMatrix,
        odds: &[f32],
    ) -> Result<PageScores> {
        self.check_rows(page.len(), m, odds)?;
        Ok(self.score_matrix(page, m, odds))
    }

    /// [`Model::score_page_with`] of rows known to fit.
    fn score_matrix(&self, page: &Page, m: &FeatureMatrix, odds: &[f32]) -> PageScores {
        let p1 = self.stage1.matrix_probabilities(m, odds);
        let mut probabilities = match &self.context {
            None => p1,
            Some((linear, cols)) => {
                let c = context_features(page, m, &p1, *cols);
                (0..c.rows).map(|i| linear.probability(c.row(i))).collect()
            }
        };
        self.pool(page, &mut probabilities);
        PageScores {
            probabilities,
            words_log: m.column(WORDS_LOG_COLUMN),
        }
    }

    /// Decodes a page's scores into labels (true = content), then applies the
    /// comment policy ([`Model::comments`]) and the confidence cut
    /// ([`Model::set_min_confidence`]).
    pub fn label(&self, page: &Page, scores: &PageScores) -> Vec<bool> {
        self.label_with_confidence(page, scores).0
    }

    /// [`Model::label`], and the page's [`crate::decode::page_confidence`] over the
    /// labels decoded (before the confidence cut empties a doubtful page, so the
    /// caller can report why).
    pub fn label_with_confidence(&self, page: &Page, scores: &PageScores) -> (Vec<bool>, f32) {
        let decoded = self.label_on_site(page, scores, None);
        (decoded.labels, decoded.confidence)
    }

    /// [`Model::label_with_confidence`] for a page of a counted corpus: after the
    /// comment policy, the kept blocks whose text the page's host repeats
    /// ([`crate::site`]) are dropped, and the confidence is taken over what is left.
    pub fn label_on_site(
        &self,
        page: &Page,
        scores: &PageScores,
        site: Option<OnSite<'_>>,
    ) -> Decoded {
        let mut decoded = decode_page(
            &self.decoder,
            self.comments,
            page,
            &scores.probabilities,
            &scores.words_log,
            site,
        );
        if self.below_min_confidence(decoded.confidence) {
            decoded.labels.fill(false);
        }
        decoded
    }

    /// Sets the confidence a page needs to keep its text (0..1; 0, the default, keeps
    /// every page's text): a page whose [`crate::decode::page_confidence`] is below it
    /// is labelled boilerplate throughout.
    pub fn set_min_confidence(&mut self, min: f32) -> Result<()> {
        if !(0.0..=1.0).contains(&min) {
            return Err(Error::invalid_parameter(format!(
                "the minimum confidence must be within 0..1, got {min}"
            )));
        }
        self.min_confidence = min;
        Ok(())
    }

    /// Whether a page of this confidence keeps no text under the confidence cut
    /// ([`Model::set_min_confidence`]).
    pub fn below_min_confidence(&self, confidence: f32) -> bool {
        confidence < self.min_confidence
    }

    /// The final content probabilities of a page's blocks, computing the features
    /// itself. Without a context stage, rows are scored as they are written and the
    /// feature matrix is never built (bounded memory on pages of millions of blocks).
    pub fn score(&self, page: &Page) -> PageScores {
        if self.context.is_some() {
            let m = crate::features::extract(page, self.mode);
            return self.score_matrix(page, &m, &self.word_odds_values(page));
        }
        let mut scores = PageScores {
            probabilities: Vec::with_capacity(page.len()),
            words_log: Vec::with_capacity(page.len()),
        };
        // The rows carry the word evidence, read in the same pass as the features.
        let odds = self.odds.as_ref().map(LazyOdds::get);
        // Each row is scored as it is written (one sink type per kind of stage one, so
        // the row's path has no per-value test of which it is).
        match self.stage1.sum_sink() {
            Some(sink) => self.score_rows(page, odds, sink, &mut scores),
            None => self.score_rows(page, odds, self.stage1.row_sink(), &mut scores),
        }
        self.pool(page, &mut scores.probabilities);
        scores
    }

    /// Applies the model's pooling, if any, to a page's final probabilities.
    fn pool(&self, page: &Page, probabilities: &mut [f32]) {
        if let Some(pooling) = &self.pooling {
            pooling.apply(page, probabilities);
        }
    }

    /// The model's pooling of like blocks ([`crate::pooling`]), if it has one.
    pub fn pooling(&self) -> Option<&Pooling> {
        self.pooling.as_ref()
    }

    fn score_rows<S: ScoringSink>(
        &self,
        page: &Page,
        odds: Option<&OddsLookup>,
        mut sink: S,
        scores: &mut PageScores,
    ) {
        crate::features::write_rows_into(page, self.mode, odds, &mut sink, |_, row| {
            scores.words_log.push(row.words_log());
            scores.probabilities.push(row.take_probability());
        });
    }

    /// Whether the model has a context stage.
    pub fn has_context_stage(&self) -> bool {
        self.context.is_some()
    }

    /// Per-feature contributions of one row to the stage-one logit, relative to an
    /// average training block: weight × (value − mean). They sum, with
    /// [`Model::base_logit`], to the row's stage-one logit. For `dehusk explain`.
    /// `extra` is the block's word evidence ([`Model::word_odds_values`]), in the order
    /// of [`Model::feature_names`].
    ///
    /// With a hidden layer the weight is the row's own: the linear weight plus, for
    /// every unit the row switches on, the unit's weight times its output weight (a
    /// rectified network is linear among the rows that switch on the same units, so
    /// this is exact, not an approximation). One more value then follows the
    /// features': what the units switched on or off by the row, rather than by an
    /// average block, add at the average block ([`HIDDEN_SWITCH`] names it).
    pub fn contributions(&self, row: &[f32], extra: &[f32]) -> Vec<f32> {
        let s = &self.stage1;
        let mut weights = s.weights.clone();
        let mut switch = None;
        if let Some(h) = &s.hidden {
            let full: Vec<f32> = row.iter().chain(extra).copied().collect();
            let mut on_row = Vec::new();
            s.logit(&full, Some(&mut on_row));
            let mut sum = 0.0;
            for (k, &out) in h.output[..h.units].iter().enumerate() {
                let at_mean = h.at_mean[k];
                let (row_on, mean_on) = (on_row[k] > 0.0, at_mean > 0.0);
                if row_on {
                    for (w, column) in weights.iter_mut().zip(&h.columns) {
                        *w += out * column[k];
                    }
                }
                sum += out * at_mean * (row_on as u8 as f32 - mean_on as u8 as f32);
            }
            switch = Some(sum);
        }
        weights
            .iter()
            .zip(row.iter().chain(extra))
            .zip(&s.means)
            .map(|((w, x), m)| w * (x - m))
            .chain(switch)
            .collect()
    }

    /// The stage-one logit of an average training block.
    pub fn base_logit(&self) -> f32 {
        self.stage1.logit(&self.stage1.means, None)
    }
}

/// The name `dehusk explain` gives the last of [`Model::contributions`] when the model
/// has a hidden layer.
pub const HIDDEN_SWITCH: &str = "hidden_units_switched";

/// A sink that scores each row as it is written ([`Model::score`]): after a row's
/// last value, the row's `words_log` value (which the decoder weighs blocks by) and its
/// probability, exactly as [`Scorer::probability`] gives it for the stored row.
pub(crate) trait ScoringSink: Sink {
    /// The row's [`WORDS_LOG_COLUMN`] value.
    fn words_log(&self) -> f32;
    /// The probability of the row written so far; then ready for the next row.
    fn take_probability(&mut self) -> f32;
}

/// A row being written into a buffer of the model's width ([`Scorer::row_sink`]): no
/// growth checks, and a 0/1 family ([`Sink::put_flags`]: a block has one tag and a
/// few class categories) is a cleared range with its set bits written, instead of one
/// call per feature. The probability is [`Scorer::probability`] of that buffer.
pub(crate) struct RowSink<'a> {
    scorer: &'a Scorer,
    row: Vec<f32>,
    /// The next value's column.
    k: usize,
}

impl ScoringSink for RowSink<'_> {
    fn words_log(&self) -> f32 {
        self.row.get(WORDS_LOG_COLUMN).copied().unwrap_or(0.0)
    }

    fn take_probability(&mut self) -> f32 {
        debug_assert_eq!(self.k, self.row.len(), "row length differs from the model");
        self.k = 0;
        self.scorer.probability(&self.row)
    }
}

impl Sink for RowSink<'_> {
    #[inline(always)]
    fn put(&mut self, _name: &str, value: f32) {
        if let Some(slot) = self.row.get_mut(self.k) {
            *slot = value;
        }
        self.k += 1;
    }

    #[inline(always)]
    fn put_indexed(&mut self, _prefix: &str, _index: &str, value: f32) {
        self.put("", value);
    }

    #[inline]
    fn put_flags(&mut self, _prefix: &str, names: &[&str], bits: u64) {
        let end = (self.k + names.len()).min(self.row.len());
        if let Some(range) = self.row.get_mut(self.k..end) {
            range.fill(0.0);
            let mut bits = bits;
            while bits != 0 {
                if let Some(slot) = range.get_mut(bits.trailing_zeros() as usize) {
                    *slot = 1.0;
                }
                bits &= bits - 1;
            }
        }
        self.k += names.len();
    }
}

/// A row of a model with a hidden layer being written ([`Scorer::sum_sink`]): each
/// non-zero value goes straight into the running sums (a 0/1 family's set bits only),
/// in feature order as [`Scorer::probability`] adds them, so the bits are the same;
/// only the `words_log` value is kept.
pub(crate) struct SumSink<'a> {
    scorer: &'a Scorer,
    hidden: &'a Hidden,
    /// The row's sums so far.
    sums: Sums,
    words_log: f32,
    /// The next value's column.
    k: usize,
}

impl ScoringSink for SumSink<'_> {
    fn words_log(&self) -> f32 {
        self.words_log
    }

    fn take_probability(&mut self) -> f32 {
        debug_assert_eq!(
            self.k,
            self.scorer.weights.len(),
            "row length differs from the model"
        );
        self.k = 0;
        let z = self.scorer.finish(self.hidden, &self.sums, None);
        self.sums = self.scorer.start(self.hidden);
        sigmoid(z)
    }
}

impl Sink for SumSink<'_> {
    #[inline(always)]
    fn put(&mut self, _name: &str, value: f32) {
        if self.k == WORDS_LOG_COLUMN {
            self.words_log = value;
        }
        if value != 0.0 {
            self.scorer.add(self.hidden, &mut self.sums, self.k, value);
        }
        self.k += 1;
    }

    #[inline(always)]
    fn put_indexed(&mut self, _prefix: &str, _index: &str, value: f32) {
        self.put("", value);
    }

    #[inline]
    fn put_flags(&mut self, _prefix: &str, names: &[&str], bits: u64) {
        // The family's bits that fall inside the row.
        let width = names
            .len()
            .min(self.scorer.weights.len().saturating_sub(self.k));
        let mut bits = bits;
        if width < 64 {
            bits &= (1u64 << width) - 1;
        }
        if (self.k..self.k + width).contains(&WORDS_LOG_COLUMN) {
            self.words_log = ((bits >> (WORDS_LOG_COLUMN - self.k)) & 1) as f32;
        }
        while bits != 0 {
            let b = bits.trailing_zeros() as usize;
            self.scorer
                .add(self.hidden, &mut self.sums, self.k + b, 1.0);
            bits &= bits - 1;
        }
        self.k += names.len();
    }
}

/// The models shipped inside the binary.
pub mod bundled {
    /// The bundled HTML model's JSON.
    pub const HTML: &str = include_str!("../models/html.json");
    /// The bundled plain-text model's JSON.
    pub const TEXT: &str = include_str!("../models/text.json");

    /// The bundled model file of a mode, parsed and validated.
    pub fn file(mode: crate::input::InputFormat) -> crate::Result<super::ModelFile> {
        let json = match mode {
            crate::input::InputFormat::Html => HTML,
            crate::input::InputFormat::Text => TEXT,
        };
        super::ModelFile::from_bundled_json(json).map_err(|e| {
            let reason = match e.kind() {
                crate::ErrorKind::BadModel(m) => m.clone(),
                _ => e.to_string(),
            };
            crate::Error::bad_model(format!("bundled {} model: {reason}", mode.as_str()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::feature_names;
    use crate::word_odds::WORD_ODDS_FEATURES;

    /// The bundled models are loaded without reading their word tables' entries
    /// (`from_bundled_json`), so this is where every entry is checked: a table that
    /// would fail `ModelFile::from_json` never ships.
    #[test]
    fn bundled_models_pass_every_check() {
        for (name, json) in [("html", bundled::HTML), ("text", bundled::TEXT)] {
            let full = ModelFile::from_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            let fast = ModelFile::from_bundled_json(json).unwrap();
            assert!(full.word_odds.is_some(), "{name}");
            assert_eq!(full, fast, "{name}");
        }
    }

    /// The scoring sinks give the stored row's bits whatever the row's length (lanes
    /// and tail), its mix of single values and 0/1 families, and its zeros, with and
    /// without a hidden layer.
    #[test]
    fn scoring_sinks_equal_the_stored_row_bit_for_bit() {
        let mut rng = crate::test_rng::XorShift::new(0x51ed_270b_2f3a_9c47);
        for len in [1usize, 7, 8, 9, 63, 64, 65, 200, 468] {
            let unit = |rng: &mut crate::test_rng::XorShift| rng.unit() * 4.0 - 2.0;
            let weights: Vec<f32> = (0..len).map(|_| unit(&mut rng)).collect();
            let means: Vec<f32> = (0..len).map(|_| unit(&mut rng)).collect();
            let scales: Vec<f32> = (0..len).map(|_| 0.1 + rng.unit()).collect();
            // Plain, and with a hidden layer of 3 or 8 units (3 padded to 8), whose
            // streamed sums must match the stored row's too.
            let units = [0, 3, 8][len % 3];
            let mut linear = Scorer::new(&means, &scales, &weights, 0.3);
            if units > 0 {
                let layer = HiddenLayer {
                    weights: (0..units * len).map(|_| unit(&mut rng) * 0.2).collect(),
                    biases: (0..units).map(|_| unit(&mut rng)).collect(),
                    output: (0..units).map(|_| unit(&mut rng)).collect(),
                };
                linear = linear.with_hidden(Some(&layer), &scales);
            }
            let names: Vec<&str> = vec!["x"; 64];
            // Every scorer's row sink, and with a hidden layer its sum sink too.
            streamed_equals_stored(&linear, linear.row_sink(), len, &mut rng, &names);
            if let Some(sink) = linear.sum_sink() {
                streamed_equals_stored(&linear, sink, len, &mut rng, &names);
            }
            assert_eq!(linear.sum_sink().is_some(), units > 0);
        }
    }

    /// Writes 20 random rows of `len` values into `sink` and checks each streamed
    /// probability against the stored row's.
    fn streamed_equals_stored(
        linear: &Scorer,
        mut sink: impl ScoringSink,
        len: usize,
        rng: &mut crate::test_rng::XorShift,
        names: &[&str],
    ) {
        let unit = |rng: &mut crate::test_rng::XorShift| rng.unit() * 4.0 - 2.0;
        for _ in 0..20 {
            let mut row = Vec::with_capacity(len);
            while row.len() < len {
                let room = len - row.len();
                if rng.below(3) == 0 {
                    // A 0/1 family of up to 64 features, some bits set.
                    let width = 1 + rng.below(room.min(64) as u64) as usize;
                    let bits = rng.next_u64() & rng.next_u64();
                    sink.put_flags("f_", &names[..width], bits);
                    row.extend((0..width).map(|k| ((bits >> k) & 1) as f32));
                } else {
                    let v = if rng.below(4) == 0 { 0.0 } else { unit(rng) };
                    sink.put("v", v);
                    row.push(v);
                }
            }
            assert_eq!(sink.words_log(), row[WORDS_LOG_COLUMN]);
            let streamed = sink.take_probability();
            assert_eq!(
                streamed.to_bits(),
                linear.probability(&row).to_bits(),
                "{len}"
            );
        }
    }

    fn tiny(mode: InputFormat) -> ModelFile {
        let d = feature_names(mode).len();
        ModelFile {
            version: MODEL_FORMAT_VERSION,
            mode,
            feature_names: feature_names(mode),
            means: vec![0.5; d],
            scales: vec![2.0; d],
            weights: (0..d).map(|i| (i % 7) as f32 * 0.1 - 0.3).collect(),
            intercept: 0.25,
            threshold: 0.5,
            relative_threshold: 0.0,
            confidence_slope: 0.0,
            smoothing: None,
            context: None,
            word_odds: None,
            comments: Comments::Model,
            hidden: None,
            pooling: None,
            provenance: Provenance::default(),
        }
    }

    /// The knobs move the decision and nothing else: a logit up keeps less, the same
    /// step back restores it, the relative threshold moves only when the model has
    /// one, and a fixed threshold switches the page-adaptive lowering off.
    #[test]
    fn rows_of_another_shape_are_refused_not_scored() {
        // Found by an audit of the library: a matrix of another width was scored as if
        // it fitted, and one with fewer values than its rows panicked.
        let model = bundled::file(InputFormat::Html).unwrap().compile().unwrap();
        let page = crate::segment::segment_str(
            "<p>The council met on Monday.</p><p>Home</p>",
            InputFormat::Html,
        );
        let m = crate::features::extract(&page, InputFormat::Html);
        assert!(model.score_page(&page, &m).is_ok());
        let text_rows = crate::features::extract(&page, InputFormat::Text);
        let hollow = FeatureMatrix {
            rows: m.rows,
            cols: m.cols,
            data: Vec::new(),
        };
        let short = FeatureMatrix {
            rows: m.rows - 1,
            cols: m.cols,
            data: m.data[..m.cols].to_vec(),
        };
        for (what, rows) in [
            ("text width", &text_rows),
            ("no values", &hollow),
            ("a row short", &short),
        ] {
            assert!(model.score_page(&page, rows).is_err(), "{what}");
            assert!(model.probabilities(&page, rows).is_err(), "{what}");
        }
        let odds = model.word_odds_values(&page);
        assert!(model.score_page_with(&page, &m, &odds).is_ok());
        assert!(model.score_page_with(&page, &m, &odds[1..]).is_err());
        assert!(
            model.probabilities_with(&m, &[]).is_err(),
            "the table's evidence missing"
        );
        // An empty page's matrix is 0 by 0, and fits.
        let empty = crate::segment::segment_str("", InputFormat::Html);
        let none = crate::features::extract(&empty, InputFormat::Html);
        assert!(model
            .score_page(&empty, &none)
            .unwrap()
            .probabilities
            .is_empty());
    }

    #[test]
    fn a_file_edited_into_an_inconsistent_one_is_refused_not_scored() {
        // Found by an audit of the library: the fields are public, and compiling an
        // edited file panicked (a hidden layer of the wrong size) or scored wrongly (a
        // weight short, means cut, a threshold of 7); save wrote what load refuses.
        type Edit = fn(&mut ModelFile);
        let edits: [(&str, Edit); 6] = [
            ("a weight short", |f| {
                f.weights.pop();
            }),
            ("means cut", |f| f.means.truncate(3)),
            ("threshold 7", |f| f.threshold = 7.0),
            ("pooling in text", |f| {
                f.pooling = Some(Pooling {
                    weight: 0.7,
                    min_group: 3,
                })
            }),
            ("hidden layer of the wrong size", |f| {
                f.hidden = Some(HiddenLayer {
                    weights: vec![1.0; 3],
                    biases: vec![0.0],
                    output: vec![1.0],
                })
            }),
            ("a NaN threshold", |f| f.threshold = f32::NAN),
        ];
        let dir = std::env::temp_dir().join(format!("dehusk-edit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (what, edit) in edits {
            let mut f = tiny(InputFormat::Text);
            assert!(f.compile().is_ok());
            edit(&mut f);
            let e = f.compile().map(|_| ()).unwrap_err();
            assert!(
                matches!(e.kind(), crate::ErrorKind::BadModel(_)),
                "{what}: {e}"
            );
            let path = dir.join("m.json");
            assert!(f.save(&path).is_err(), "{what}: saved");
            assert!(!path.exists(), "{what}: written");
        }
        let mut f = tiny(InputFormat::Text);
        for bad in [f32::NAN, f32::INFINITY] {
            assert!(f.shift_threshold(bad).is_err());
        }
        assert!(f.compile().is_ok(), "a refused shift changes nothing");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn favor_moves_the_thresholds_in_logits_and_a_fixed_threshold_means_exactly_that() {
        let mut m = tiny(InputFormat::Html);
        m.threshold = 0.5;
        m.shift_threshold(1.0).unwrap();
        assert!((m.threshold - 0.731_058_6).abs() < 1e-6, "{}", m.threshold);
        assert_eq!(m.relative_threshold, 0.0, "no relative threshold to move");
        m.shift_threshold(-1.0).unwrap();
        assert!((m.threshold - 0.5).abs() < 1e-6, "{}", m.threshold);

        m.threshold = 0.4;
        m.relative_threshold = 0.6;
        m.confidence_slope = 2.0;
        m.shift_threshold(-1.0).unwrap();
        assert!(m.threshold < 0.4 && m.relative_threshold < 0.6);
        assert!((logit(m.threshold) - (logit(0.4) - 1.0)).abs() < 1e-5);
        assert!((logit(m.relative_threshold) - (logit(0.6) - 1.0)).abs() < 1e-5);
        assert_eq!(m.confidence_slope, 2.0, "the slope is not a threshold");

        m.fix_threshold(0.3).unwrap();
        assert_eq!(
            (m.threshold, m.relative_threshold, m.confidence_slope),
            (0.3, 0.0, 0.0)
        );
        for bad in [-0.1, 1.5, f32::NAN] {
            let e = m.fix_threshold(bad).unwrap_err();
            assert!(e.to_string().contains("within 0..1"), "{e}");
        }
        assert_eq!(m.threshold, 0.3, "a refused threshold changes nothing");

        let mut model = m.compile().unwrap();
        model.set_min_confidence(0.6).unwrap();
        assert!(model.below_min_confidence(0.59) && !model.below_min_confidence(0.6));
        for bad in [-0.1, 1.5, f32::NAN] {
            let e = model.set_min_confidence(bad).unwrap_err();
            assert!(e.to_string().contains("within 0..1"), "{e}");
        }
        assert!(
            !model.below_min_confidence(0.6),
            "a refused cut changes nothing"
        );
    }

    #[test]
    fn site_repeats_drop_kept_lines_before_the_confidence_is_taken() {
        let model = bundled::file(InputFormat::Text).unwrap().compile().unwrap();
        let article = "The council approved the new budget on Tuesday after a long \
            debate about school funding, road repairs and the future of the library.";
        let about = "The Valley Gazette is an independent newspaper that has covered \
            the towns of the valley since 1901 and is owned by its own readers.";
        let page = crate::segment::segment_str(
            &format!("Home\n{article}\n{about}\nContact"),
            InputFormat::Text,
        );
        let other = crate::segment::segment_str(&format!("Home\n{about}"), InputFormat::Text);
        let mut site = crate::site::SiteRepeats::new(2).unwrap();
        site.add_page("gazette.example", &page);
        site.add_page("gazette.example", &other);
        let scores = model.score(&page);
        let (alone, _) = model.label_with_confidence(&page, &scores);
        assert!(
            alone[1] && alone[2],
            "the model keeps both paragraphs: {alone:?}"
        );
        let decoded = model.label_on_site(&page, &scores, Some(site.on("gazette.example")));
        let (labels, confidence) = (decoded.labels, decoded.confidence);
        let mut expected = alone.clone();
        expected[2] = false;
        // "Home" repeats too: dropped if it was kept.
        expected[0] = false;
        assert_eq!(labels, expected);
        let dropped = alone
            .iter()
            .zip(&labels)
            .filter(|(a, l)| **a && !**l)
            .count();
        assert_eq!(decoded.site_dropped, dropped, "the kept blocks it dropped");
        let after =
            crate::decode::page_confidence(&scores.probabilities, &scores.words_log, &labels);
        assert_eq!(confidence, after);
        assert_eq!(confidence, scores.probabilities[1], "one kept block left");
        // Another host's counts change nothing.
        let decoded = model.label_on_site(&page, &scores, Some(site.on("other.example")));
        assert_eq!((decoded.labels, decoded.site_dropped), (alone, 0));
    }

    /// [`tiny`] with a hidden layer of three units of random weights.
    fn tiny_with_hidden(mode: InputFormat, seed: u64) -> ModelFile {
        let mut m = tiny(mode);
        let d = m.feature_names.len();
        let mut rng = crate::test_rng::XorShift::new(seed);
        let mut unit = |scale: f32| (rng.unit() * 2.0 - 1.0) * scale;
        m.hidden = Some(HiddenLayer {
            weights: (0..3 * d).map(|_| unit(0.3)).collect(),
            biases: (0..3).map(|_| unit(1.0)).collect(),
            output: (0..3).map(|_| unit(2.0)).collect(),
        });
        m
    }

    /// A hidden layer is stored, read back exactly, scored the same streamed or from a
    /// stored row, and explained exactly: the contributions (with the units'
    /// switching last) add up, with the base, to the block's logit.
    #[test]
    fn issue3_hidden_layer_round_trips_scores_and_explains_exactly() {
        let m = tiny_with_hidden(InputFormat::Html, 0x5eed);
        let json = m.to_json();
        assert!(json.contains("\n  \"hidden\": {\n"), "{json}");
        let back = ModelFile::from_json(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), json);
        let model = back.compile().unwrap();
        let d = m.feature_names.len();
        let mut rng = crate::test_rng::XorShift::new(0xfeed);
        let mut switched = 0;
        for _ in 0..50 {
            let row: Vec<f32> = (0..d).map(|_| rng.unit() * 3.0 - 1.0).collect();
            let z = model.stage1.logit(&row, None);
            let p = model.probability(&row);
            assert!((p - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
            // The streamed path gives the same bits.
            let mut sink = model.stage1.sum_sink().unwrap();
            for &v in &row {
                sink.put("v", v);
            }
            assert_eq!(sink.take_probability().to_bits(), p.to_bits());
            let c = model.contributions(&row, &[]);
            assert_eq!(c.len(), d + 1, "one value per feature, then the switching");
            let sum: f32 = model.base_logit() + c.iter().sum::<f32>();
            assert!((sum - z).abs() < 1e-3 * (1.0 + z.abs()), "{sum} vs {z}");
            switched += (c[d] != 0.0) as usize;
        }
        // The rows switch units the average block does not (or the reverse), so the
        // last term is exercised, not always zero.
        assert!(switched > 0);
        // Without a hidden layer there is no switching term.
        let plain = tiny(InputFormat::Html).compile().unwrap();
        assert_eq!(plain.contributions(&vec![0.5; d], &[]).len(), d);
    }

    #[test]
    fn issue3_a_hidden_layer_of_the_wrong_shape_is_refused() {
        let mut m = tiny_with_hidden(InputFormat::Text, 9);
        if let Some(h) = m.hidden.as_mut() {
            h.weights.pop();
        }
        let err = ModelFile::from_json(&m.to_json()).unwrap_err().to_string();
        assert!(
            err.contains("hidden layer") && err.contains("weights"),
            "{err}"
        );

        // A file older than the hidden layer that carries one is refused, not read.
        let mut m = tiny_with_hidden(InputFormat::Text, 9);
        m.version = HIDDEN_VERSION - 1;
        let err = ModelFile::from_json(&m.to_json()).unwrap_err().to_string();
        assert!(
            err.contains("`hidden`") && err.contains("format 7"),
            "{err}"
        );
    }

    /// [`tiny`] with a word table, and weight 1 on `word_odds_mean`, 0 on the other
    /// word-evidence features.
    fn tiny_with_word_odds(mode: InputFormat) -> ModelFile {
        let mut m = tiny(mode);
        let mut odds = crate::word_odds::WordOdds::default();
        odds.words.insert("subscribe".into(), -3.0);
        odds.words.insert("council".into(), 1.5);
        odds.bigrams.insert("min read".into(), -2.25);
        odds.lines.insert("news feed".into(), -4.0);
        odds.heads.insert("posted by".into(), -1.75);
        odds.classes.insert(12345, -0.5);
        m.word_odds = Some(PackedWordOdds::pack(&odds));
        for name in WORD_ODDS_FEATURES {
            m.feature_names.push(name.to_string());
            m.means.push(0.0);
            m.scales.push(1.0);
            m.weights.push((name == "word_odds_mean") as u8 as f32);
        }
        m
    }

    /// The `version` member as this build writes it.
    fn current_version() -> String {
        format!("\"version\": {MODEL_FORMAT_VERSION}")
    }

    /// An HTML model with pooling writes it, reads it back exactly, and scores a
    /// page's blocks as its stage one would, pooled ([`crate::pooling`]); a plain-text
    /// model with pooling, or pooling out of range, is refused by name.
    #[test]
    fn issue3_pooling_is_stored_applied_and_checked() {
        let mut m = tiny(InputFormat::Html);
        let pooling = Pooling {
            weight: 0.7,
            min_group: 3,
        };
        m.pooling = Some(pooling);
        let json = m.to_json();
        assert!(
            json.contains("\"pooling\": {\n    \"weight\": 0.7,\n    \"min_group\": 3\n  },"),
            "{json}"
        );
        let back = ModelFile::from_json(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), json);

        let page = crate::segment::segment_str(
            "<nav><a href=/a>Home</a><a href=/b>World news</a><a href=/c>Sport</a></nav>\
             <article><p>The council approved the budget on Tuesday.</p>\
             <p>Schools and roads get most of it.</p><p>The library stays open.</p></article>",
            InputFormat::Html,
        );
        let m_feat = crate::features::extract(&page, InputFormat::Html);
        let plain = tiny(InputFormat::Html).compile().unwrap();
        let pooled = back.compile().unwrap();
        let mut expect = plain.score_page(&page, &m_feat).unwrap().probabilities;
        pooling.apply(&page, &mut expect);
        assert_ne!(
            expect,
            plain.score_page(&page, &m_feat).unwrap().probabilities
        );
        assert_eq!(pooled.score(&page).probabilities, expect);
        assert_eq!(
            pooled.score_page(&page, &m_feat).unwrap().probabilities,
            expect
        );
        assert_eq!(pooled.pooling(), Some(&pooling));

        let mut text = tiny(InputFormat::Text);
        text.pooling = Some(pooling);
        let err = text.validate().unwrap_err().to_string();
        assert!(
            err.contains("pooling") && err.contains("plain-text"),
            "{err}"
        );
        m.pooling = Some(Pooling {
            min_group: 1,
            ..pooling
        });
        let err = m.validate().unwrap_err().to_string();
        assert!(err.contains("min_group"), "{err}");

        // A file older than pooling that carries it is refused, not read.
        m.pooling = Some(pooling);
        m.version = POOLING_VERSION - 1;
        let err = m.validate().unwrap_err().to_string();
        assert!(
            err.contains("`pooling`") && err.contains("format 8"),
            "{err}"
        );
        m.version = POOLING_VERSION;
        assert!(m.validate().is_ok());
    }

    #[test]
    fn a_field_older_files_lack_is_refused_in_them() {
        // Found by a review: only `hidden` and `pooling` were checked, so a version 5
        // file with `comments: drop` (a version 6 field) was read and applied.
        let mut m = tiny(InputFormat::Text);
        m.comments = Comments::Drop;
        m.version = 5;
        let err = m.validate().unwrap_err().to_string();
        assert!(
            err.contains("`comments`") && err.contains("format 6"),
            "{err}"
        );
        m.version = 6;
        assert!(m.validate().is_ok());
        let mut m = tiny(InputFormat::Text);
        m.version = 2;
        m.confidence_slope = 1.0;
        let err = m.validate().unwrap_err().to_string();
        assert!(err.contains("`confidence_slope`"), "{err}");
    }

    #[test]
    fn json_round_trip_is_exact() {
        let m = tiny(InputFormat::Text);
        let json = m.to_json();
        let back = ModelFile::from_json(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), json);
        assert!(json
            .trim_start()
            .starts_with(&format!("{{\n  {},", current_version())));
        // Without a word table or pooling the file has no `word_odds` or `pooling`
        // key at all.
        assert!(!json.contains("word_odds") && !json.contains("pooling"));
        let m = tiny_with_word_odds(InputFormat::Html);
        let json = m.to_json();
        let back = ModelFile::from_json(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), json);
        assert!(json.contains("min read\\t-2.25\\n"), "{json}");
        assert!(
            json.contains("\"heads\": \"posted by\\t-1.75\\n\""),
            "{json}"
        );
        assert!(json.contains("\"classes\": \"12345\\t-0.5\\n\""), "{json}");
        assert_eq!(
            back.word_odds.unwrap().unpack().unwrap().bigrams["min read"],
            -2.25
        );
    }

    #[test]
    fn reads_version_3_and_4_files_without_word_odds() {
        for version in [3, 4] {
            let json = tiny(InputFormat::Text)
                .to_json()
                .replace(&current_version(), &format!("\"version\": {version}"));
            let back = ModelFile::from_json(&json).unwrap();
            assert_eq!((back.version, back.word_odds.is_none()), (version, true));
        }
    }

    #[test]
    fn carries_its_comment_policy_and_reads_version_5_files_as_letting_the_model_decide() {
        let mut m = tiny(InputFormat::Text);
        m.comments = Comments::Drop;
        let json = m.to_json();
        assert!(json.contains("\n  \"comments\": \"drop\",\n"), "{json}");
        let back = ModelFile::from_json(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.compile().unwrap().comments, Comments::Drop);
        // Before version 6 there was no policy in the file: the model decided.
        let v5 = json
            .replace(&current_version(), "\"version\": 5")
            .replace("  \"comments\": \"drop\",\n", "");
        assert!(!v5.contains("comments"), "{v5}");
        let back = ModelFile::from_json(&v5).unwrap();
        assert_eq!((back.version, back.comments), (5, Comments::Model));
        assert_eq!(back.compile().unwrap().comments, Comments::Model);
        let err = ModelFile::from_json(&json.replace("\"drop\"", "\"sometimes\"")).unwrap_err();
        assert!(err.to_string().contains("sometimes"), "{err}");
    }

    #[test]
    fn refuses_version_4_files_with_a_word_table() {
        // A version 4 table was fitted without the head features: refused, by name,
        // even when its feature list happens to match this build's.
        let json = tiny_with_word_odds(InputFormat::Text)
            .to_json()
            .replace(&current_version(), "\"version\": 4");
        let err = ModelFile::from_json(&json).unwrap_err().to_string();
        assert!(
            err.contains("version 4") && err.contains("retrain"),
            "{err}"
        );
    }

    #[test]
    fn word_odds_must_match_the_feature_list_and_be_finite() {
        // A table without its features, or the features without a table.
        let mut m = tiny(InputFormat::Text);
        m.word_odds = Some(PackedWordOdds::default());
        let err = m.validate().unwrap_err();
        assert!(err.to_string().contains("first difference"), "{err}");
        let mut m = tiny_with_word_odds(InputFormat::Text);
        m.word_odds = None;
        assert!(m.validate().is_err());
        for (map, bad) in [
            (0, "nan\tNaN\n"),
            (0, "tabless 1\n"),
            (1, "a b\tinf\n"),
            (3, "a b\t\n"),
            (4, "x\t1\n"),
        ] {
            let mut m = tiny_with_word_odds(InputFormat::Text);
            if let Some(o) = m.word_odds.as_mut() {
                let maps = [
                    &mut o.words,
                    &mut o.bigrams,
                    &mut o.lines,
                    &mut o.heads,
                    &mut o.classes,
                ];
                maps[map].push_str(bad);
            }
            let err = m.validate().unwrap_err();
            assert!(err.to_string().contains("word odds"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn word_odds_move_the_probability_by_their_weight() {
        // Weight 1 on word_odds_mean: a block of only "subscribe" (log-odds −3) scores
        // exactly 3 logits below the same block's score without the table.
        let with = tiny_with_word_odds(InputFormat::Text);
        let model = with.compile().unwrap();
        let page = crate::segment::segment_str("Subscribe\nThe council met.\n", InputFormat::Text);
        let m = crate::features::extract(&page, InputFormat::Text);
        let values = model.word_odds_values(&page);
        assert_eq!(values.len(), 2 * WORD_ODDS_FEATURES.len());
        let p = model.probabilities(&page, &m).unwrap();
        let logit = |p: f32| (p / (1.0 - p)).ln();
        let base = tiny(InputFormat::Text).compile().unwrap();
        let p0 = base.probabilities(&page, &m).unwrap();
        assert!(
            (logit(p[0]) - logit(p0[0]) - -3.0).abs() < 1e-3,
            "{p:?} {p0:?}"
        );
        assert!(
            (logit(p[1]) - logit(p0[1]) - 1.5).abs() < 1e-3,
            "{p:?} {p0:?}"
        );
        // The streamed path agrees with the matrix path.
        assert_eq!(model.score(&page), model.score_page(&page, &m).unwrap());
        // Contributions follow the model's feature list, word evidence last.
        let c = model.contributions(m.row(0), crate::word_odds::odds_row(&values, 0));
        assert_eq!(c.len(), model.feature_names().len());
        let k = model
            .feature_names()
            .iter()
            .position(|n| n == "word_odds_mean")
            .unwrap();
        assert!((c[k] - -3.0).abs() < 1e-6);
    }

    #[test]
    fn reads_version_1_files_as_without_a_relative_threshold_or_length_weight() {
        let mut m = tiny(InputFormat::Html);
        m.smoothing = Some(Smoothing {
            stay_content: 0.9,
            stay_boilerplate: 0.95,
            strength: 1.0,
            length_weight: 0.5,
        });
        // The current format round-trips exactly, smoothing and all.
        let json = m.to_json();
        assert_eq!(ModelFile::from_json(&json).unwrap().to_json(), json);
        let v1 = json
            .replace(&current_version(), "\"version\": 1")
            .replace("  \"comments\": \"model\",\n", "")
            .replace("  \"relative_threshold\": 0.0,\n", "")
            .replace("  \"confidence_slope\": 0.0,\n", "")
            .replace(",\n    \"length_weight\": 0.5", "");
        assert!(
            !v1.contains("relative_threshold")
                && !v1.contains("comments")
                && !v1.contains("length_weight")
                && !v1.contains("confidence_slope")
        );
        let back = ModelFile::from_json(&v1).unwrap();
        assert_eq!(back.relative_threshold, 0.0);
        assert_eq!(back.smoothing.map(|s| s.length_weight), Some(0.0));
        assert_eq!(back.version, 1);
        let mut bad = m.clone();
        bad.relative_threshold = 1.5;
        let err = ModelFile::from_json(&bad.to_json()).unwrap_err();
        assert!(err.to_string().contains("relative_threshold"), "{err}");
        if let Some(s) = bad.smoothing.as_mut() {
            s.length_weight = -1.0;
        }
        bad.relative_threshold = 0.3;
        let err = ModelFile::from_json(&bad.to_json()).unwrap_err();
        assert!(err.to_string().contains("length_weight"), "{err}");
    }

    #[test]
    fn reads_version_2_files_as_without_a_confidence_slope() {
        let mut m = tiny(InputFormat::Html);
        m.relative_threshold = 0.35;
        m.confidence_slope = 2.0;
        let json = m.to_json();
        assert!(json.contains("\n  \"confidence_slope\": 2.0,\n"), "{json}");
        assert_eq!(ModelFile::from_json(&json).unwrap(), m);
        let v2 = json
            .replace(&current_version(), "\"version\": 2")
            .replace("  \"confidence_slope\": 2.0,\n", "");
        let back = ModelFile::from_json(&v2).unwrap();
        assert_eq!((back.version, back.confidence_slope), (2, 0.0));
        assert_eq!(back.relative_threshold, 0.35);
        for bad_slope in [-0.5, MAX_CONFIDENCE_SLOPE + 1.0, f32::NAN] {
            let mut bad = m.clone();
            bad.confidence_slope = bad_slope;
            let err = bad.validate().unwrap_err();
            assert!(err.to_string().contains("confidence_slope"), "{err}");
        }
    }

    #[test]
    fn folded_weights_match_standardized_dot_product() {
        let m = tiny(InputFormat::Html);
        let compiled = m.compile().unwrap();
        let row: Vec<f32> = (0..m.weights.len()).map(|i| (i as f32).sin()).collect();
        let z: f32 = m.intercept
            + row
                .iter()
                .enumerate()
                .map(|(i, x)| m.weights[i] * (x - m.means[i]) / m.scales[i])
                .sum::<f32>();
        let p = 1.0 / (1.0 + (-z).exp());
        assert!((compiled.probability(&row) - p).abs() < 1e-4);
    }

    #[test]
    fn rejects_wrong_version_features_and_garbage() {
        let json = tiny(InputFormat::Text).to_json();
        let err =
            ModelFile::from_json(&json.replace(&current_version(), "\"version\": 99")).unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
        // A file that does not parse is still named by its version when that is the
        // reason (a future format that changed a field), and as malformed otherwise.
        let changed = json.replace("\"threshold\": 0.5", "\"threshold\": \"high\"");
        assert_ne!(changed, json);
        let err = ModelFile::from_json(&changed.replace(&current_version(), "\"version\": 99"))
            .unwrap_err();
        assert!(err.to_string().contains("version 99"), "{err}");
        let err = ModelFile::from_json(&changed).unwrap_err();
        assert!(err.to_string().contains("malformed model file"), "{err}");
        let err = ModelFile::from_json(&json.replace("\"words_log\"", "\"renamed\"")).unwrap_err();
        assert!(err.to_string().contains("first difference"), "{err}");
        let err = ModelFile::from_json(&json[..json.len() / 2]).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let err = ModelFile::from_json("{\"mode\": \"html\"}").unwrap_err();
        assert!(err.to_string().contains("version"), "{err}");
        let err = ModelFile::from_json("42").unwrap_err();
        assert!(err.to_string().contains("not a dehusk model"), "{err}");
    }
}
