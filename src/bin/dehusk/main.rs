//! The `dehusk` command: parses flags, builds the library objects and runs one
//! subcommand. Exit codes: 0 all went well; 1 the run itself failed (it could not
//! start: bad flags, a bad model, an output another run is writing; or it could not
//! write its output: a full disk); 2 the run finished but some documents failed (each
//! was reported); 130 `extract` or `classify` was interrupted (Ctrl-C), 143 stopped by
//! SIGTERM, either way cleanly, leaving what it wrote for `--resume`.

mod args;
mod corpus;
mod datasets;

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;

use args::{Cli, Command, Favor, ModelArgs, OutFormat};
use dehusk::input::InputFormat;
use dehusk::model::{bundled, ModelFile};
use dehusk::pipeline::{Classifier, Extractor};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` print and succeed. A bad flag exits 1, not clap's
            // 2: 2 tells a corpus run's caller that some documents failed.
            let code = if e.use_stderr() { 1 } else { 0 };
            // Nothing more to do if even the message cannot be written.
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`dehusk ... | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("dehusk: error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Extract(a) => corpus::run(a.run, corpus::Job::Extract, a.format, a.markdown),
        Command::Classify(a) => corpus::run(a, corpus::Job::Classify, OutFormat::Jsonl, false),
        Command::Explain(a) => corpus::explain(a),
        Command::Label(a) => datasets::label(a),
        Command::Train(a) => datasets::train(a),
        Command::Eval(a) => datasets::eval(a),
    }
}

/// `path` made absolute through the links of its folder (it need not exist yet), to
/// tell an output among the inputs or a dataset's files.
pub fn resolved(path: &std::path::Path) -> Option<std::path::PathBuf> {
    std::fs::canonicalize(path).ok().or_else(|| {
        let parent = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
    })
}

/// The most worker threads `--threads` takes. Found by an audit: unbounded, `-j 5000`
/// took 15 s to extract one page, `-j 20000` ignored SIGTERM and aborted after 519 s
/// (no memory left for the threads' stacks), and `-j 100000` was still starting
/// threads after 13 minutes. Far above any machine dehusk runs on today.
pub const MAX_THREADS: usize = 1024;

/// Sets the global rayon pool size.
pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        anyhow::ensure!(
            n <= MAX_THREADS,
            "--threads {n} is more than the {MAX_THREADS} dehusk starts at most (this machine \
             has {} cores; the default uses them all)",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("setting up the thread pool")?;
    }
    Ok(())
}

/// Applies --threshold / --favor to a model file.
fn adjust(file: &mut ModelFile, args: &ModelArgs) -> Result<()> {
    if let Some(comments) = args.comments() {
        file.comments = comments;
    }
    if let Some(t) = args.threshold {
        file.fix_threshold(t).context("--threshold")?;
        return Ok(());
    }
    // One logit either way: see the README for what each costs on the dev splits.
    match args.favor {
        Favor::Balanced => {}
        Favor::Precision => file.shift_threshold(1.0)?,
        Favor::Recall => file.shift_threshold(-1.0)?,
    }
    Ok(())
}

/// The --model file, read and checked, when one is given.
fn custom_model(args: &ModelArgs) -> Result<Option<ModelFile>> {
    let Some(path) = &args.model else {
        return Ok(None);
    };
    Ok(Some(ModelFile::load(path).context("loading model")?))
}

/// The model for `mode`: `custom` (taken) when it is of that mode, else the bundled
/// one; with the threshold flags applied.
fn model_for(
    custom: &mut Option<ModelFile>,
    mode: InputFormat,
    args: &ModelArgs,
) -> Result<ModelFile> {
    let mut file = match custom.take_if(|f| f.mode == mode) {
        Some(f) => f,
        None => bundled::file(mode)?,
    };
    adjust(&mut file, args)?;
    Ok(file)
}

/// The model for one mode (the --model file, which must be of that mode, else the
/// bundled one), with the threshold flags applied.
pub fn load_model(args: &ModelArgs, mode: InputFormat) -> Result<ModelFile> {
    let mut custom = custom_model(args)?;
    if let Some(f) = custom.as_ref().filter(|f| f.mode != mode) {
        anyhow::bail!(
            "the model is for {} input but {} input was asked for",
            f.mode.as_str(),
            mode.as_str()
        );
    }
    model_for(&mut custom, mode, args)
}

/// A classifier for both modes: the --model file for its own mode (read once), the
/// bundled models for the rest.
pub fn classifier(args: &ModelArgs) -> Result<Classifier> {
    let (html, text) = models(args)?;
    classifier_of(&html, &text, args)
}

/// The models of both modes, as [`classifier`] uses them: the --model file for its own
/// mode, the bundled models for the rest, with the threshold flags applied.
pub fn models(args: &ModelArgs) -> Result<(ModelFile, ModelFile)> {
    let mut custom = custom_model(args)?;
    let html = model_for(&mut custom, InputFormat::Html, args)?;
    let text = model_for(&mut custom, InputFormat::Text, args)?;
    Ok((html, text))
}

/// A classifier of the two models of [`models`], with --min-confidence.
pub fn classifier_of(html: &ModelFile, text: &ModelFile, args: &ModelArgs) -> Result<Classifier> {
    Ok(Classifier::from_extractors(
        extractor_of(html, args)?,
        extractor_of(text, args)?,
    )?)
}

/// An extractor of one model file, with --min-confidence.
pub fn extractor_of(file: &ModelFile, args: &ModelArgs) -> Result<Extractor> {
    Extractor::new(file)?
        .with_min_confidence(args.min_confidence)
        .context("--min-confidence")
}
