//! `extract`, `classify` and `explain`: run the classifier over inputs.
//!
//! Batch policy (as ripgrep does it): a document that fails is reported on stderr with
//! its id and reason and written as an error record, the run goes on, a summary counts
//! what happened, and the exit code is 2 if anything failed.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use dehusk::input::{self, Document, InputFormat};
use dehusk::output;
use dehusk::pipeline::{for_each_ordered, Classifier};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{ExplainArgs, OutFormat, RunArgs};

/// What to print per document.
#[derive(Clone, Copy, PartialEq)]
pub enum Job {
    Extract,
    Classify,
}

/// Output that becomes visible only when complete: `-o FILE` writes `FILE.partial`
/// and renames it at the end, so a killed run never leaves a file that looks whole.
struct Output {
    writer: Box<dyn Write>,
    finish: Option<(PathBuf, PathBuf)>,
}

impl Output {
    fn open(path: Option<&Path>) -> Result<Output> {
        match path {
            None => Ok(Output {
                writer: Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
                finish: None,
            }),
            Some(p) => {
                let mut tmp = p.as_os_str().to_owned();
                tmp.push(".partial");
                let tmp = PathBuf::from(tmp);
                let f =
                    File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
                Ok(Output {
                    writer: Box::new(BufWriter::with_capacity(1 << 16, f)),
                    finish: Some((tmp, p.to_owned())),
                })
            }
        }
    }

    fn close(mut self) -> Result<()> {
        self.writer.flush()?;
        drop(self.writer);
        if let Some((tmp, dest)) = self.finish {
            std::fs::rename(&tmp, &dest)
                .with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
        }
        Ok(())
    }
}

enum Outcome {
    Done { line: String },
    Failed { id: String, reason: String },
}

fn load(path: &Path, format: Option<InputFormat>, max_bytes: u64) -> dehusk::Result<Document> {
    if path.as_os_str() == "-" {
        let bytes = input::read_stream(std::io::stdin().lock(), max_bytes)?;
        return input::document_from_bytes("-".into(), &bytes, None, format, None);
    }
    input::load_document(path, format, max_bytes)
}

/// Runs extract or classify over all inputs.
pub fn run(args: RunArgs, job: Job) -> Result<ExitCode> {
    crate::set_threads(args.threads)?;
    let classifier: Classifier = crate::classifier(&args.model)?;
    let format = args.input_format.map(InputFormat::from);
    let paths = input::expand_inputs(&args.inputs);
    let total = paths.len() as u64;
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let progress = if show_progress {
        let pb = ProgressBar::new(total);
        pb.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} docs  {per_sec}  eta {eta}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut out = Output::open(args.output.as_deref())?;
    let max_bytes = args.max_bytes;
    let text_out = job == Job::Extract && args.format == OutFormat::Text;
    let mut ok = 0u64;
    let mut failed = 0u64;
    let mut io_error: Option<std::io::Error> = None;
    let started = Instant::now();
    let mut first_text = true;

    for_each_ordered(
        paths,
        |entry| -> Outcome {
            let path = match entry {
                Ok(p) => p,
                Err(e) => {
                    return Outcome::Failed {
                        id: error_id(&e),
                        reason: e.reason(),
                    }
                }
            };
            let id = path.display().to_string();
            match load(&path, format, max_bytes) {
                Err(e) => Outcome::Failed {
                    id,
                    reason: e.reason(),
                },
                Ok(doc) => {
                    let c = classifier.classify(&doc);
                    let line = match job {
                        Job::Extract if text_out => c.main_text(),
                        Job::Extract => output::text_record(&doc.id, &c.main_text()),
                        Job::Classify => output::blocks_record(&doc.id, &c),
                    };
                    Outcome::Done { line }
                }
            }
        },
        |outcome| {
            let res = match outcome {
                Outcome::Done { line, .. } => {
                    ok += 1;
                    if text_out {
                        let sep = if first_text { "" } else { "\n" };
                        first_text = false;
                        writeln!(out.writer, "{sep}{line}")
                    } else {
                        writeln!(out.writer, "{line}")
                    }
                }
                Outcome::Failed { id, reason } => {
                    failed += 1;
                    // Through the progress bar's suspend, so the message is not drawn over;
                    // never through indicatif's println, which is dropped off a terminal.
                    progress.suspend(|| eprintln!("dehusk: {id}: {reason}"));
                    if text_out {
                        Ok(())
                    } else {
                        writeln!(out.writer, "{}", output::error_record(&id, &reason))
                    }
                }
            };
            progress.inc(1);
            if failed > 0 {
                progress.set_message(format!("{failed} failed"));
            }
            match res {
                Ok(()) => true,
                Err(e) => {
                    io_error = Some(e);
                    false
                }
            }
        },
    );
    progress.finish_and_clear();
    if let Some(e) = io_error {
        return Err(e).context("writing output");
    }
    out.close()?;
    if !args.quiet && (failed > 0 || total > 1) {
        eprintln!(
            "dehusk: {} documents, {ok} ok, {failed} failed, {:.1}s",
            ok + failed,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn error_id(e: &dehusk::Error) -> String {
    match e.kind() {
        dehusk::ErrorKind::Io { path: Some(p), .. } => p.display().to_string(),
        _ => "?".into(),
    }
}

/// `dehusk explain PAGE`.
pub fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let classifier = crate::classifier(&args.model)?;
    let format = args.input_format.map(InputFormat::from);
    let doc = if args.page.as_os_str() == "-" {
        let bytes = input::read_stream(std::io::stdin().lock(), input::DEFAULT_MAX_BYTES)?;
        input::document_from_bytes("-".into(), &bytes, None, format, None)?
    } else {
        input::load_document(&args.page, format, input::DEFAULT_MAX_BYTES)?
    };
    let extractor = classifier.for_format(doc.format);
    let page = dehusk::segment::segment(&doc);
    let features = dehusk::features::extract(&page, doc.format);
    let names = dehusk::features::feature_names(doc.format);
    let model = extractor.model();
    let probs = model.score_page(&page, &features);
    let labels = model.decoder.decode(&probs);
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    writeln!(
        w,
        "# {} ({} blocks, {} mode, threshold {:.3}{}); contributions are logit units vs an average block (base {:+.2})",
        doc.id,
        page.len(),
        doc.format.as_str(),
        model.decoder.threshold,
        if model.decoder.smoothing.is_some() { ", smoothed" } else { "" },
        model.base_logit()
    )?;
    for i in 0..page.len() {
        let text: String = page.block_text(i).chars().take(100).collect();
        let mut contrib: Vec<(f32, &str)> = model
            .contributions(features.row(i))
            .into_iter()
            .zip(names.iter().map(String::as_str))
            .collect();
        contrib.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        let top: Vec<String> = contrib
            .iter()
            .take(args.top)
            .map(|(c, n)| format!("{n} {c:+.2}"))
            .collect();
        writeln!(
            w,
            "{i:>4} {:>5.3} {} {:?}\n       {}",
            probs[i],
            if labels[i] { "KEEP" } else { "drop" },
            text,
            top.join(", ")
        )?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
