//! Command-line flags. Every flag is documented here, where it is defined; `--help`
//! shows these docs. Number flags take a leading minus (`allow_negative_numbers`), so
//! `--alpha -1` meets the range check's message rather than clap's "unexpected
//! argument '-1'".

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use dehusk::input::InputFormat;
use dehusk::policy::Comments;

/// dehusk strips navigation, banners, teasers and footers off web pages (HTML or
/// plain text, one block per line) and keeps the main text.
#[derive(Parser, Debug)]
#[command(name = "dehusk", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the main text of each input: one JSON line {"id","text","confidence"} per document.
    Extract(ExtractArgs),
    /// Print every block of each input with its probability and label, and the
    /// document's confidence.
    ///
    /// A block labelled content that has no visible character (only zero-width
    /// spacers) is listed here but never written in extract's text.
    Classify(RunArgs),
    /// Show why each block of one page was kept or dropped: probability, label and
    /// the features that pushed it most.
    Explain(ExplainArgs),
    /// Align gold text to blocks and write block-labelled training data; reports the
    /// oracle score (the aligned labels scored as an extraction: what a classifier
    /// that learned them perfectly would score) and the best block selection found
    /// (a local search: the most any block classifier can reach on this segmentation
    /// is at least this).
    Label(LabelArgs),
    /// Train a model from gold-text datasets.
    Train(TrainArgs),
    /// Score a model on a gold-text dataset split: block P/R/F1, shingle F1 and
    /// snippet F1 (as ../shared/reference/shingle_f1.py computes them).
    Eval(EvalArgs),
}

/// HTML or plain text.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Mode {
    /// HTML pages.
    Html,
    /// Plain text, one block per line (Common Crawl WET style).
    Text,
}

impl From<Mode> for InputFormat {
    fn from(m: Mode) -> InputFormat {
        match m {
            Mode::Html => InputFormat::Html,
            Mode::Text => InputFormat::Text,
        }
    }
}

/// Output format of `extract`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum OutFormat {
    /// One JSON object per line.
    Jsonl,
    /// Just the main text (blocks one per line, a code block's lines kept but not its
    /// blank lines; documents separated by a blank line, or with --markdown by a form
    /// feed line; one entry per document in input order: a document that failed, or
    /// kept no text, is an empty entry).
    Text,
}

/// Which side of the precision/recall trade-off to favour.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Favor {
    /// Keep less: fewer boilerplate leaks, some content lost.
    Precision,
    /// The model's own threshold, chosen for the best F1 on held-out training pages.
    Balanced,
    /// Keep more: less content lost, more boilerplate kept.
    Recall,
}

#[derive(Args, Debug)]
pub struct ModelArgs {
    /// Model file to use instead of the bundled model of its mode (html or text); for
    /// `explain`, of the page's mode (a model of the other mode is refused).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Override the model's decision threshold (0..1): blocks with a content
    /// probability at least this are kept, on every page (the model's page-adaptive
    /// lowering, its confidence slope and relative threshold, is switched off).
    #[arg(allow_negative_numbers = true, long, value_name = "P")]
    pub threshold: Option<f32>,
    /// Shift the decision toward precision or recall (see the README for what each
    /// costs on the dev splits). Ignored when --threshold is given.
    #[arg(long, value_enum, default_value_t = Favor::Balanced)]
    pub favor: Favor,
    /// What to do with reader comments; by default, what the model was trained for
    /// (the bundled plain-text model drops them, the bundled HTML model lets the
    /// model decide: the training sets disagree about comments, and the README shows
    /// what each policy costs and gains on each dev split).
    ///
    /// `drop`: HTML, every block inside a comment section (an element whose class or
    /// id names comments, replies or Disqus, or inside one), provided the page keeps
    /// main text outside comment sections; plain text, every line from the first
    /// short line heading comments ("12 Comments", "Leave a Reply", "7 Responses to
    /// “Title”", "2 thoughts on “Title”"; not a post's footer such as "Permalink |
    /// Comments (3)", nor a "Reply" button, nor a count repeated under every story of a
    /// front page) that follows at least 100 words of kept text. `model`: the model
    /// decides block by block.
    #[arg(long, value_enum, value_name = "POLICY")]
    pub comments: Option<CommentPolicy>,
    /// Shorthand for `--comments drop`.
    #[arg(long, conflicts_with = "comments")]
    pub drop_comments: bool,
    /// Keep no text of a document whose confidence is below this (0..1). The
    /// confidence (`"confidence"` in extract's and classify's records) is the mean
    /// content probability of the blocks kept, each weighted by its words: how sure the
    /// model is of the document's text. Listings, shops, forums and pages whose article
    /// the model doubts score low, and their text is worse more often; the README
    /// ("Document confidence") shows what each level keeps and loses. A document below
    /// the cut still gets its record, with empty text (classify: every block
    /// boilerplate). Default 0: every document keeps its text.
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "C",
        default_value_t = 0.0
    )]
    pub min_confidence: f32,
}

/// The values of `--comments`.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum CommentPolicy {
    /// The model decides block by block.
    Model,
    /// Drop comment sections (see --comments).
    Drop,
}

impl ModelArgs {
    /// The comment policy the flags ask for, if any (otherwise the model's own).
    pub fn comments(&self) -> Option<Comments> {
        match (self.comments, self.drop_comments) {
            (Some(CommentPolicy::Drop), _) | (None, true) => Some(Comments::Drop),
            (Some(CommentPolicy::Model), _) => Some(Comments::Model),
            (None, false) => None,
        }
    }
}

/// The comment policy of a `--drop-comments` flag (extract and the like, or train).
pub fn comment_policy(drop_comments: bool) -> Comments {
    if drop_comments {
        Comments::Drop
    } else {
        Comments::Model
    }
}

/// `--max-blocks`, one definition for every command that segments pages.
#[derive(Args, Debug)]
pub struct BlockLimit {
    /// The most blocks (lines, in plain text) a page may have: the limit on the memory
    /// one page takes (about 320 bytes a block), found while the page is segmented. The
    /// default is some 300 times the largest annotated page; without it, 64 MiB of
    /// one-letter lines (within --max-bytes) took 10 GB. `extract` and `classify` skip
    /// a page over it, reporting it; `label`, `train` and `eval` report it and count it
    /// as a page that could not be read (`train` fits without it, `eval` scores it as
    /// an empty extraction, `label` leaves it out; exit 2); `explain` refuses it. At
    /// least 1 (0 would refuse every page).
    #[arg(
        long,
        value_name = "N",
        default_value_t = dehusk::segment::DEFAULT_MAX_BLOCKS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub max_blocks: usize,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Files or folders (walked recursively) to read; `-` reads standard input.
    /// `.gz` and `.zst` (zstd) files are decompressed transparently, told by their first
    /// bytes, standard input too; a page's format is taken from its name without the
    /// `.gz` or `.zst` (`.html`, `.htm`, ... HTML; `.txt`, `.text`, `.wet` plain text,
    /// unless the text begins as an HTML document does, with `<!doctype html>`,
    /// `<html`, `<head` or `<body`: a page saved under a text name), else from its
    /// content. zstd written with a dictionary (`zstd -D`, some `.warc.zst`) is
    /// refused with an error: decompress it first. A walk skips hidden names, and it
    /// does not follow symbolic links to folders (as ripgrep does not by default: a
    /// link back up the tree would never end); links to files are read. It also leaves
    /// out (and says so) what dehusk wrote there: this run's -o, an earlier run's
    /// output (a file named as JSON lines, `.jsonl` or `.ndjson`, or by a name that says
    /// nothing, such as `.json`, `.partial` or `results`, gzip or zstd too, whose first
    /// line is a record as dehusk writes it; extract's bare-text output cannot be told
    /// from text and is read), and a `.partial.settings` file. Named on the command
    /// line, such a file is read.
    ///
    /// Record files hold many documents and are streamed record by record, each name
    /// also with `.gz` or `.zst`: WARC (`.warc`: HTML `response` and `resource` records,
    /// a response HTML by its HTTP Content-Type or, where that is
    /// `application/octet-stream`, by its `WARC-Identified-Payload-Type`; other
    /// responses, resources and revisits are skipped and counted, and `request`,
    /// `metadata` and `warcinfo` records passed over), WET (`.wet`, `.warc.wet`:
    /// `conversion` records, read as text), ARC (`.arc`, versions 1 and 2, the Internet
    /// Archive's format before WARC and Common Crawl's until 2013: records of HTTP URLs
    /// read as WARC responses are, others such as `dns:` skipped) and JSON lines
    /// (`.jsonl`, `.ndjson`: see --field).
    ///
    /// A file or standard input with another name (not a page's, such as `.html`) is
    /// looked at, decompressed: it is read as a WARC when it starts with `WARC/` (after a
    /// byte-order mark and blank lines), as an ARC when it starts with `filedesc://`, or
    /// as a WARC when its first 16 KiB show a whole record after other bytes (its block
    /// as long as its Content-Length says, then the next record's start; the bytes
    /// before it are one failed document; a piece of a split crawl file whose first
    /// record is larger is one document unless named `.warc`), and as JSON lines when
    /// every line of its first 16 KiB starts with `{` and the first that is a JSON
    /// object has the document's field (`html` or `text`, or --field) holding a string
    /// (a line that is not JSON is then one failed document). A zstd input read so is
    /// read on decompressed: a damaged frame ends it, where a named `.zst` file's reader
    /// goes on at the next frame. A `.warc` or `.wet` whose first 16 KiB hold no WARC
    /// record is one document, and so is a `.arc` that starts neither with
    /// `filedesc://` nor with an ARC header line.
    ///
    /// Records keep their ids (WARC-Record-ID; the line's `id`, a number written back
    /// as a number, in JSON's normal form: `1e2` as `1e+2`; for ARC records, which have
    /// none, `<file>:record <n>`, n counting the file's records from its `filedesc://`
    /// one, 1) and a WARC or ARC record its URL (`url`), date (`date`, an ARC date
    /// written as WARC-Date is: `2009-03-01T12:34:56Z`) and, in a WET, its languages
    /// (`language`) in the output, a response its HTTP status (`status`: a 404 or a
    /// redirect is extracted like any page; filter on it), and a record the crawler cut
    /// short its `WARC-Truncated` reason (`truncated`, e.g. `length`).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Treat every input as this format instead of deciding by extension and content.
    /// For JSON lines it is the format of the documents in --field; WARC, WET and ARC
    /// records are read by their record type (HTML responses, text conversions), so it
    /// has no effect on them (a warning says so when a run reads one).
    #[arg(long, value_enum)]
    pub input_format: Option<Mode>,
    /// Worker threads (default: all cores; at most 1,024).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Skip a document larger than this many bytes (after decompression), reporting it.
    /// At least 1 (0 would skip every document).
    #[arg(
        long,
        value_name = "BYTES",
        default_value_t = dehusk::input::DEFAULT_MAX_BYTES,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_bytes: u64,
    #[command(flatten)]
    pub limit: BlockLimit,
    /// Write output to this file. It is written as `FILE.partial` and renamed to FILE
    /// when the run completes, so a file named FILE is always whole. `FILE.partial` is
    /// locked while a run writes it (an advisory lock, which the system drops when the
    /// process ends, however it ends): a second run with the same -o is refused at
    /// its start instead of mixing its records into the first's. A FILE whose name
    /// ends in `.gz` is gzipped, as a series of gzip members of about 1 MiB of records
    /// each (one gzip file to `zcat`, `gzip -d` or Python's `gzip`), so that --resume
    /// keeps every whole member after a kill and redoes only the cut one.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print no progress and no summary; errors and warnings are still reported.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// JSON-lines inputs: the field that holds each document. Default `html` (`text`
    /// with `--input-format text`; a line without an `html` field falls back to its
    /// `text` field). A field named `text` is read as plain text and one named `html` as
    /// HTML, unless --input-format says otherwise; any other is sniffed. The line's `id`
    /// field becomes the record id, written as given (a number stays a number; else
    /// `<file>:<line number>`; a line that fails, not being JSON, too long or cut,
    /// keeps the id read before the damage), and all its
    /// other fields are copied into the output record (except ones named `text`,
    /// `blocks`, `error`, `too_large` or `confidence`, which dehusk writes itself).
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// Continue an interrupted run (needs `-o FILE` and JSON-lines output): the ids
    /// already written to `FILE.partial` (a killed or interrupted run) or `FILE` (a
    /// finished one) are read back, documents with those ids are skipped, and the new
    /// records are appended, so rerunning the same command over the same inputs gives
    /// the same output as one uninterrupted run, with nothing duplicated. A record cut
    /// off by the kill (the last, incomplete line; in a `.gz` output, the last,
    /// incomplete gzip member) is dropped and redone. Without an earlier output this is
    /// an ordinary run. Records made another way are refused, not mixed in: a
    /// `FILE.partial` is resumed only with the inputs and settings it was started with
    /// (the INPUT arguments as typed, and the files they name, since the records' ids
    /// are the paths as typed; the command, the models as --model, --threshold,
    /// --favor and --comments make them, --min-confidence, --input-format, --field,
    /// --max-bytes, --max-blocks and --site-repeats; all saved in
    /// `FILE.partial.settings` until the run completes), and a finished `FILE` only by
    /// the command that wrote it (extract or classify).
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Drop the text a site repeats: a kept block whose text (lowercased, whitespace
    /// collapsed) occurs on at least N pages of the same host in this run is dropped as
    /// the site's template (its menu, footer, newsletter box). The host is taken from
    /// each record's URL (WARC, WET and ARC records; a JSON line's `url` field), without a
    /// leading `www.` or a trailing dot (`www.example.com` and `example.com` are one
    /// site); documents
    /// without one are extracted as usual, and a page whose block texts are exactly
    /// those of a page already counted on its host (the same URL crawled twice) counts
    /// once. The run's summary counts the blocks dropped. The inputs are read twice (a
    /// first pass counts each site's lines), so standard input, pipes and FIFOs are refused, and a page's
    /// output then depends on the other pages of its site in the run. 3 is the value
    /// chosen and measured in the README ("Lines a site repeats"); 0 (the default) is
    /// off: each page on its own.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub site_repeats: u32,
}

/// `extract`'s flags: a corpus run's, and the output format.
#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub run: RunArgs,
    /// Output format: jsonl, or the bare text.
    #[arg(long, value_enum, default_value_t = OutFormat::Jsonl)]
    pub format: OutFormat,
    /// Write the text as Markdown, in the records' `text` and in `--format text`: the
    /// same blocks, with their structure. HTML: headings as `#` to `######`, list items
    /// as `- ` (`1. ` when every list around them is an `<ol>`, from its `start`, or
    /// down in an `<ol reversed>`; nested lists written flat), quotations as `> `,
    /// `<pre>` as fenced code blocks, and a table's rows as `| a | b |` lines under a
    /// header row (the first), each cell's paragraphs, items and lines joined by `<br>`
    /// in its column (a table laying the page out, one holding another table, of one
    /// row or column, or with a cell of over 1,500 characters, is written as its
    /// blocks); anything else, and every line of plain text, as a paragraph. Blocks are
    /// separated by a blank line (a list's items by a line break), and text that
    /// Markdown would read as structure at a line's start (`# `, `1. `, `- `, `>`...)
    /// or as markup inside it (`<tag>`, `&amp;`...) gets a backslash. Markdown is the
    /// form of the text, not of the records, so it is a flag of its own and not a
    /// --format. With `--format text`, the documents are separated by a line holding
    /// only a form feed (`\f`; a code line of only a form feed is written blank), since
    /// blank lines separate paragraphs, and a code block keeps its blank lines: split
    /// the output on `\n\f\n` (awk: `RS="\n\f\n"`).
    #[arg(long)]
    pub markdown: bool,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The page to explain (HTML or text; `-` for standard input), or a record file
    /// (WARC, WET, ARC, JSON lines, as `extract` tells them) with --record.
    #[arg(value_name = "PAGE")]
    pub page: PathBuf,
    /// The record of a record file to explain: its id as `extract` and `classify`
    /// write it (a WARC-Record-ID such as `<urn:uuid:...>`, a JSON line's `id`,
    /// `<file>:<line>`, or an ARC record's `<file>:record <n>`), with or without a WARC id's angle brackets, or the record's
    /// URL (`url` in the output); the first record that matches is explained. A record
    /// file without it is refused: explaining the whole file as one page would mix
    /// every record's blocks.
    #[arg(long, value_name = "ID")]
    pub record: Option<String>,
    /// JSON-lines files: the field that holds each document, as `extract --field`.
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Treat the page as this format instead of deciding by extension and content.
    #[arg(long, value_enum)]
    pub input_format: Option<Mode>,
    /// How many feature contributions to show per block.
    #[arg(long, default_value_t = 5)]
    pub top: usize,
    #[command(flatten)]
    pub limit: BlockLimit,
}

#[derive(Args, Debug)]
pub struct DataArgs {
    /// Dataset folders (each with truth.jsonl and html/ or text/), e.g.
    /// ../shared/data/wcxb. Repeat or list several.
    #[arg(long = "data", value_name = "DIR", required = true, num_args = 1..)]
    pub data: Vec<PathBuf>,
    /// Which pages: html or text renderings.
    #[arg(long, value_enum, default_value_t = Mode::Html)]
    pub mode: Mode,
    /// Worker threads (default: all cores; at most 1,024).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Text mode: drop the renderer's layout (indents, blank lines) from the pages, as
    /// if the text came from a tool that writes bare lines. `train` defaults to `half`
    /// (every other page), so the text model holds up on both; `eval` and `label`
    /// default to `none`.
    #[arg(long, value_enum)]
    pub flatten: Option<FlattenArg>,
    #[command(flatten)]
    pub limit: BlockLimit,
}

/// How many text pages lose their layout.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum FlattenArg {
    /// Keep the layout.
    None,
    /// Every other page.
    Half,
    /// Every page.
    All,
}

impl From<FlattenArg> for dehusk::train::Flatten {
    fn from(f: FlattenArg) -> Self {
        match f {
            FlattenArg::None => dehusk::train::Flatten::None,
            FlattenArg::Half => dehusk::train::Flatten::Half,
            FlattenArg::All => dehusk::train::Flatten::All,
        }
    }
}

#[derive(Args, Debug)]
pub struct LabelArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Split to label (train, dev, or all).
    #[arg(long, default_value = "train", value_parser = ["train", "dev", "all"])]
    pub split: String,
    /// Write the labelled blocks as JSON lines to this file: per page its dataset, id
    /// and gold coverage, and per block its text, aligned `label` and whether it is in
    /// the best selection found (`best`).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Where to write the model JSON.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// L2 regularisation strength (linfa's alpha, on the summed loss).
    #[arg(allow_negative_numbers = true, long, default_value_t = 1.0)]
    pub alpha: f64,
    /// Maximum optimizer iterations (past about 20 they buy little: 20 and 30 scored
    /// the same on held-out training hosts).
    #[arg(long, default_value_t = 20)]
    pub max_iterations: u64,
    /// Fit stage one as a small network of this many hidden rectified units (at most
    /// 8) instead of the logistic regression (0, the default). In HTML mode 8 units
    /// read what a sum of weights cannot (held-out training hosts 0.8919 against
    /// 0.8879; `models/html-network.json`) for about 5% more time per page; in
    /// text mode they did not carry (README, nineteenth round).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub hidden_units: usize,
    /// The hidden layer's L2 penalty (scikit-learn's alpha: per minibatch, over the
    /// batch's summed row weights). On held-out training hosts 5 scored level with 10,
    /// 20 below (README, nineteenth round).
    #[arg(allow_negative_numbers = true, long, default_value_t = dehusk::network::DEFAULT_ALPHA, value_name = "ALPHA")]
    pub hidden_alpha: f64,
    /// Passes of the hidden layer's fit over the rows (40 scored no better than 20).
    #[arg(long, default_value_t = dehusk::network::DEFAULT_EPOCHS, value_name = "N")]
    pub hidden_epochs: usize,
    /// HTML: the share of each block's probability taken from the other blocks of the
    /// page with the same structure (element, tag path where its text begins, class/id
    /// keyword categories), in groups of at least --pool-min-group blocks; 0 = off.
    /// Stored in the model and applied before decoding (README, twenty-fourth round:
    /// held-out training hosts 0.8891 -> 0.8944). Plain-text models never pool.
    #[arg(allow_negative_numbers = true, long, value_name = "W", default_value_t = dehusk::train::POOL_WEIGHT)]
    pub pool_weight: f32,
    /// HTML: the smallest group of like blocks that --pool-weight pools (at least 2).
    #[arg(long, value_name = "N", default_value_t = dehusk::train::POOL_MIN_GROUP)]
    pub pool_min_group: u32,
    /// Blocks sampled per page for fitting (balances long and short pages).
    #[arg(long, default_value_t = 80)]
    pub max_blocks_per_page: usize,
    /// Fit sampled blocks with at least this many words once more, weighting the fit
    /// toward the blocks that carry most of the text (0 = off).
    #[arg(long, value_name = "WORDS", default_value_t = dehusk::train::HEAVY_BLOCK_WORDS)]
    pub heavy_block_words: u32,
    /// Fit sampled blocks with at least this many words once more again (with the
    /// defaults: blocks of 30+ words three times, of 10–29 twice; 0 = off).
    #[arg(long, value_name = "WORDS", default_value_t = dehusk::train::LONG_BLOCK_WORDS)]
    pub long_block_words: u32,
    /// Sequence-smoothing strengths to try on held-out training pages (0 = none).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_delimiter = ',',
        default_value = "0,0.5,1,2"
    )]
    pub smoothing: Vec<f32>,
    /// Length weight of the smoothing: a block's evidence counts
    /// (1 + ln(1 + words))^W times against its neighbours' (0 = every block the same).
    /// 0.5 gained on each of the five held-out host folds in HTML mode and on four of
    /// five in text mode (the fifth: equal); since session 9, 0.75 (README).
    #[arg(allow_negative_numbers = true, long, default_value_t = dehusk::train::LENGTH_WEIGHT, value_name = "W")]
    pub length_weight: f32,
    /// Relative thresholds to try on held-out training pages: a page's threshold is
    /// lowered to this fraction of its highest block probability when that is lower,
    /// so a page of doubtful blocks keeps its best ones (0 = off). Off by default: the
    /// confidence slope does the same work better (trying 0, 0.3, 0.35, 0.4, 0.45 with
    /// it changed held-out F1 by +0.0001 in either mode, README).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_delimiter = ',',
        default_value = "0",
        value_name = "FRACTIONS"
    )]
    pub relative_thresholds: Vec<f32>,
    /// Confidence slopes to try on held-out training pages: a page's threshold is
    /// lowered by the slope times (1 − its highest block probability), so the pages
    /// the model is unsure of keep more, and the base threshold can be stricter on
    /// pages with a certain article (0 = off). Each fixed slope of 1 or 2 gained on
    /// every held-out host fold in both modes (README).
    #[arg(
        allow_negative_numbers = true,
        long,
        value_delimiter = ',',
        default_value = "0,0.5,1,2,3",
        value_name = "SLOPES"
    )]
    pub confidence_slopes: Vec<f32>,
    /// Which of the five host folds (0-4) is held out to choose the decoder and report
    /// held-out F1. The default, 1, is the standard fold every figure in the README
    /// uses; the others check that a change holds on other hosts.
    #[arg(long, default_value_t = 1, value_name = "FOLD")]
    pub holdout_fold: u64,
    /// Choose the decoder (threshold, confidence slope, smoothing) on the held-out
    /// pages of every host fold, each held out in turn, instead of on one fold: five
    /// times the pages to choose on, for about three times the training time. The
    /// bundled models are trained with it (README: it beat the one-fold choice when
    /// both were scored on folds they were not chosen on). Not with --context-stage.
    #[arg(long)]
    pub decoder_on_all_folds: bool,
    /// Before training, hold out each of the five host folds in turn (fit on the other
    /// four, choose the decoder on it) and print each fold's held-out F1 and their mean:
    /// a change should hold on every fold, not only the standard one. Then each fold's
    /// F1 with the decoder chosen on the *other* folds' pages (pooled, as
    /// --decoder-on-all-folds chooses) and on the next fold's alone (as training
    /// otherwise chooses): the honest version, since a fold's own choice flatters it.
    /// Last, the held-out F1 by language of the gold text (English, all others pooled,
    /// too short to tell): how the model does on real pages in languages the training
    /// pages hardly have. About 3x the training time.
    #[arg(long)]
    pub cross_validate: bool,
    /// With --cross-validate: write each held-out page's extracted text
    /// ({"id","fold","text","confidence"} per page, as `eval --predictions` does) to
    /// this folder, one `<dataset>.jsonl` per dataset. Every training page is held out
    /// by exactly one fold, so these are out-of-fold predictions of all training pages:
    /// study errors on them, not on the dev split.
    #[arg(long, value_name = "DIR", requires = "cross_validate")]
    pub cv_predictions: Option<PathBuf>,
    /// With --cross-validate: write each host fold's fitting rows and held-out rows
    /// (feature values, labels, block texts) to this folder, so that another model can
    /// be fitted on exactly the rows dehusk fits (file layout: the `cv_rows` module's
    /// documentation; `scripts/nonlinear.py` is an example).
    #[arg(long, value_name = "DIR", requires = "cross_validate")]
    pub cv_rows: Option<PathBuf>,
    /// With --cv-predictions: drop from each held-out page's text the kept blocks its
    /// host repeats on at least N held-out pages, as `extract --site-repeats N` does in
    /// a corpus (hosts from truth.jsonl; a host's pages are all in one fold). The model,
    /// the decoder and the printed scores are the same with or without; score the
    /// predictions with `scripts/oof.py`. 0 (the default): off.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        requires = "cv_predictions"
    )]
    pub site_repeats: u32,
    /// With --cross-validate: instead of fitting, read each fold's held-out block
    /// probabilities from `DIR/probs-K.f32` (one little-endian f32 per row of the
    /// `held-K.f32` that --cv-rows wrote) and score them as dehusk's own: the same
    /// decoder choice, comment policy and reported F1. Measures an outside model on
    /// dehusk's folds; the model trained afterwards is dehusk's as usual.
    #[arg(
        long,
        value_name = "DIR",
        requires = "cross_validate",
        conflicts_with = "decoder_on_all_folds"
    )]
    pub cv_probabilities: Option<PathBuf>,
    /// Also fit the context stage (a second logistic regression over the neighbours'
    /// stage-one probabilities) and keep it if it beats stage one on held-out hosts.
    #[arg(long)]
    pub context_stage: bool,
    /// Train without the learned word evidence (the table of words, word pairs, short
    /// blocks and class names with their log-odds of content that the model file
    /// otherwise carries; see the README): a smaller model, to measure what the table
    /// is worth.
    #[arg(long)]
    pub no_word_odds: bool,
    /// The share of training hosts (0 to 1, to the nearest percent) whose pages are
    /// fitted with no word evidence, as pages in a language the table does not know
    /// would be, so the model learns to decide without it. Held-out pages keep theirs.
    /// 0.2 is worth it when most pages to extract are in languages the training pages
    /// lack (it costs a little on the others; see the README).
    /// Refused with --no-word-odds, where it would do nothing.
    #[arg(
        allow_negative_numbers = true,
        long,
        value_name = "SHARE",
        default_value_t = 0.0,
        conflicts_with = "no_word_odds"
    )]
    pub word_odds_dropout: f64,
    /// With --cross-validate: give every held-out fold's pages no word evidence, as if
    /// the table knew none of their words: what the held-out F1 would be on a language
    /// the training pages lack. For measuring only; the model trained afterwards is
    /// the same with or without it.
    #[arg(long, requires = "cross_validate")]
    pub held_out_unknown_words: bool,
    /// Leave a page's labels out of the fit when its text holds less than this share
    /// (0 to 1) of the 4-grams of its gold text: the gold then describes text the page
    /// does not have (a summary written in its place, items a script fills in), and
    /// every block would be labelled boilerplate. Such pages are still scored wherever
    /// held out. 0 fits every page. `dehusk label` counts them.
    #[arg(allow_negative_numbers = true, long, value_name = "SHARE", default_value_t = dehusk::label::MIN_GOLD_COVERAGE)]
    pub min_gold_coverage: f32,
    /// After training, also score the model on the dev split of each dataset and
    /// record the scores in the model's provenance (reported, never used to choose).
    #[arg(long)]
    pub report_dev: bool,
    /// Train a model that drops reader comments (see `extract --comments`): the
    /// policy is applied to the held-out pages when choosing the decoder and
    /// reporting held-out (and cross-validated, and --report-dev) F1, and the model
    /// file carries it (`"comments": "drop"`), so `extract` applies it by default.
    #[arg(long)]
    pub drop_comments: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Split to score (dev, train, or all).
    #[arg(long, default_value = "dev", value_parser = ["train", "dev", "all"])]
    pub split: String,
    /// Also print scores per page type (wcxb's page_type); with --json, as the
    /// object's "per_type": {type: {"pages", "shingle": {"f1", "precision", "recall"}}}.
    #[arg(long)]
    pub per_type: bool,
    /// Also print scores per language of the gold text (guessed from its stopwords;
    /// "und" when too short to tell); with --json, as the object's "per_language", in
    /// the form of "per_type".
    #[arg(long)]
    pub per_language: bool,
    /// Drop the text a site repeats, as `extract --site-repeats N` does in a corpus:
    /// a kept block whose text occurs on at least N pages of the same host in the
    /// split scored (hosts from truth.jsonl, counted within each dataset) is dropped.
    /// 0 (the default): off, each page on its own.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub site_repeats: u32,
    /// Write the predictions ({"id","text","confidence"} per page) to this folder, one
    /// `<dataset>.jsonl` per dataset, for cross-checking with shingle_f1.py
    /// (`scripts/confidence.py` reads the confidences).
    #[arg(long, value_name = "DIR")]
    pub predictions: Option<PathBuf>,
    /// Print the scores as one JSON object per dataset instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also give a 95% interval for each dataset's shingle F1: its pages resampled with
    /// replacement this many times (the percentile bootstrap, a fixed seed so reruns
    /// agree). On a split of 20 pages the interval is wide; two extractors whose
    /// intervals overlap this much may not differ. 0: no interval.
    #[arg(long, value_name = "RESAMPLES", default_value_t = 0)]
    pub intervals: usize,
}
