//! `label`, `train` and `eval`: the commands that work on gold-text datasets.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use dehusk::ceiling::best_selection;
use dehusk::dataset::Dataset;
use dehusk::eval::{evaluate, group_scores, Evaluation, ShingleF1};
use dehusk::input::InputFormat;
use dehusk::label::content_text;
use dehusk::model::ModelFile;
use dehusk::policy::Comments;
use dehusk::site::SiteRepeats;
use dehusk::train::{
    count_sites, cross_validate, prepare_within, train_after as fit_model, Flatten, FoldReport,
    LabeledPage, TrainParams, Unreadable,
};
use rayon::prelude::*;
use serde::Serialize;

use crate::args::{comment_policy, DataArgs, EvalArgs, LabelArgs, Mode, TrainArgs};

fn open_all(args: &DataArgs) -> Result<Vec<Dataset>> {
    // Accepted and ignored before (found by an audit).
    anyhow::ensure!(
        args.flatten.is_none() || args.mode == Mode::Text,
        "--flatten is for --mode text: HTML pages have no renderer's layout to drop"
    );
    let datasets: Vec<Dataset> = args
        .data
        .iter()
        .map(|d| Dataset::open(d).with_context(|| format!("opening dataset {}", d.display())))
        .collect::<Result<_>>()?;
    // Reports, predictions and word tables name a dataset by its folder's name: two of
    // one name would be merged (or one fitted twice).
    for (i, d) in datasets.iter().enumerate() {
        if let Some(other) = datasets[..i].iter().find(|o| o.name() == d.name()) {
            anyhow::bail!(
                "two datasets are named {:?} ({} and {}): give each folder its own name",
                d.name(),
                other.root.display(),
                d.root.display()
            );
        }
    }
    Ok(datasets)
}

/// Fails now, not after minutes of work, when `path` cannot be written as a file: its
/// folder must exist, and it must not be a folder itself.
fn check_output_file(path: &Path, what: &str) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    anyhow::ensure!(
        parent.is_dir(),
        "{what} {}: the folder {} does not exist",
        path.display(),
        parent.display()
    );
    anyhow::ensure!(!path.is_dir(), "{what} {} is a folder", path.display());
    Ok(())
}

/// Fails now, not after the work, when the file `path` cannot be written (a folder
/// the user may not write, a name too long, a read-only file): README, "checked before
/// the work starts". Found by an audit: `train -o` into a read-only folder trained to
/// the end, then lost the model. An existing file is opened to append, not truncated
/// (a model is replaced only once training succeeds); a missing one is created and
/// removed again, so no file is left behind either way.
fn check_writable_file(path: &Path, what: &str) -> Result<()> {
    probe_file(path, 0).with_context(|| format!("{what} {} cannot be written", path.display()))
}

fn probe_file(path: &Path, links: u32) -> std::io::Result<()> {
    use std::fs::OpenOptions;
    use std::io::ErrorKind;
    match OpenOptions::new().append(true).open(path) {
        Ok(_) => return Ok(()),
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    // A link to a file not made yet: writing creates the file it names.
    if let Ok(target) = std::fs::read_link(path) {
        if links < 8 {
            let base = path.parent().unwrap_or(Path::new(""));
            return probe_file(&base.join(target), links + 1);
        }
    }
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(path)
        }
        // Made meanwhile by someone else: it exists, and is theirs to keep.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// [`check_writable_file`] for an output folder (created when missing) and the files
/// `names` the run writes into it: the folder (and each missing folder above it) is
/// created, a file is created and removed in it, then the folders made are removed;
/// each of `names` that exists already must open for appending.
fn check_writable_dir(dir: &Path, names: &[String], what: &str) -> Result<()> {
    let fail = |e: std::io::Error| {
        anyhow::Error::new(e).context(format!("{what} {} cannot be written", dir.display()))
    };
    // The folders to make, deepest first.
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err() {
        missing.push(d.to_path_buf());
        d = d.parent().unwrap_or(Path::new(""));
    }
    let made = std::fs::create_dir_all(dir);
    let probe = made.and_then(|()| {
        let name = format!(".dehusk-write-check-{}", std::process::id());
        probe_file(&dir.join(name), 0)?;
        for n in names {
            probe_file(&dir.join(n), 0)?;
        }
        Ok(())
    });
    for d in &missing {
        // Only empty folders are removed: never what someone else put there meanwhile.
        let _ = std::fs::remove_dir(d);
    }
    probe.map_err(fail)
}

/// Fails when writing the file `path` would replace a dataset's own files: its
/// `truth.jsonl`, or anything in its `html/` or `text/` folder. Found by an audit:
/// `train -o data/x/truth.jsonl` replaced the gold with a model, and `eval
/// --predictions` into a dataset named `truth` wrote `truth/truth.jsonl`.
fn check_outside_datasets(path: &Path, datasets: &[Dataset], what: &str) -> Result<()> {
    let Some(path) = crate::resolved(path) else {
        return Ok(());
    };
    for d in datasets {
        let Ok(root) = std::fs::canonicalize(&d.root) else {
            continue;
        };
        // Each of the dataset's own files as named and, when it is a link (a dataset
        // kept by git-annex or DVC), as it resolves: the review found a linked
        // truth.jsonl replaced through its link.
        let own = |name: &str| {
            let named = root.join(name);
            let real = std::fs::canonicalize(&named).ok();
            [Some(named), real].into_iter().flatten()
        };
        let gold = own("truth.jsonl").any(|g| path == g);
        let pages = own("html").chain(own("text")).any(|d| path.starts_with(d));
        anyhow::ensure!(
            !gold && !pages,
            "{what} {} would overwrite the dataset {}'s own files: write it elsewhere",
            path.display(),
            d.name()
        );
    }
    Ok(())
}

/// [`check_outside_datasets`] for a folder of one `<dataset>.jsonl` per dataset.
fn check_dir_outside_datasets(dir: &Path, datasets: &[Dataset], what: &str) -> Result<()> {
    check_outside_datasets(dir, datasets, what)?;
    for d in datasets {
        check_outside_datasets(&dir.join(format!("{}.jsonl", d.name())), datasets, what)?;
    }
    Ok(())
}

/// The files an output folder of one `<dataset>.jsonl` per dataset gets.
fn jsonl_names(datasets: &[Dataset]) -> Vec<String> {
    datasets
        .iter()
        .map(|d| format!("{}.jsonl", d.name()))
        .collect()
}

/// Fails now when `dir` exists and is not a folder (it is created when missing).
fn check_output_dir(dir: &Path, what: &str) -> Result<()> {
    anyhow::ensure!(
        !dir.exists() || dir.is_dir(),
        "{what} {} exists and is not a folder",
        dir.display()
    );
    Ok(())
}

fn split_filter(split: &str) -> Option<&str> {
    if split == "all" {
        None
    } else {
        Some(split)
    }
}

/// How the messages name `split` (None: every page).
fn split_name(split: Option<&str>) -> String {
    match split {
        Some(split) => format!("the {split} split"),
        None => "any split".to_owned(),
    }
}

/// The names of the datasets with no page in `split`; an error when that is all of
/// them.
fn without_pages(datasets: &[Dataset], split: Option<&str>) -> Result<Vec<String>> {
    let empty: Vec<String> = datasets
        .iter()
        .filter(|d| d.split(split).next().is_none())
        .map(|d| d.name())
        .collect();
    anyhow::ensure!(
        empty.len() < datasets.len(),
        "no page of {} is in {}",
        empty.join(", "),
        split_name(split)
    );
    Ok(empty)
}

/// Loads one split of the datasets, reporting unreadable pages (a page of more than
/// `max_blocks` blocks among them); a dataset with no page in the split is reported
/// too, and none at all is an error.
fn load_split(
    datasets: &[Dataset],
    split: Option<&str>,
    mode: InputFormat,
    flatten: Flatten,
    max_blocks: usize,
) -> Result<(Vec<LabeledPage>, Vec<Unreadable>)> {
    for name in without_pages(datasets, split)? {
        eprintln!("dehusk: {name}: no page is in {}", split_name(split));
    }
    let (pages, unreadable) = prepare_within(datasets, split, mode, flatten, max_blocks);
    for u in &unreadable {
        eprintln!("dehusk: {}: {}", u.name(), u.error);
    }
    Ok((pages, unreadable))
}

/// The names of the datasets the pages (and the unreadable ones) come from, sorted.
fn datasets_of(pages: &[LabeledPage], unreadable: &[Unreadable]) -> Vec<String> {
    let mut names: Vec<String> = pages
        .iter()
        .map(|p| p.dataset.clone())
        .chain(unreadable.iter().map(|u| u.dataset.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The pages `label` and `eval` read: the split named (`all`: every page), in the
/// mode asked, their layout dropped only as --flatten says (unlike `train`, which
/// flattens half by default).
fn load_named_split(
    data: &DataArgs,
    datasets: &[Dataset],
    split: &str,
) -> Result<(Vec<LabeledPage>, Vec<Unreadable>)> {
    load_split(
        datasets,
        split_filter(split),
        data.mode.into(),
        data.flatten.map_or(Flatten::None, Flatten::from),
        data.limit.max_blocks,
    )
}

/// One dataset's pages and unreadable pages.
fn subset<'a>(
    name: &str,
    pages: &'a [LabeledPage],
    unreadable: &'a [Unreadable],
) -> (Vec<&'a LabeledPage>, Vec<&'a Unreadable>) {
    (
        pages.iter().filter(|p| p.dataset == name).collect(),
        unreadable.iter().filter(|u| u.dataset == name).collect(),
    )
}

/// `dehusk label`.
pub fn label(args: LabelArgs) -> Result<ExitCode> {
    crate::set_threads(args.data.threads)?;
    let datasets = open_all(&args.data)?;
    if let Some(p) = &args.output {
        check_output_file(p, "-o")?;
        check_outside_datasets(p, &datasets, "-o")?;
        check_writable_file(p, "-o")?;
    }
    let (pages, unreadable) = load_named_split(&args.data, &datasets, &args.split)?;
    let failed = unreadable.len();
    if pages.is_empty() {
        // Said, not printed as an empty table (found by an audit).
        eprintln!("dehusk: none of the {failed} pages could be read (reported above)");
        return Ok(ExitCode::from(2));
    }
    let mut out = match &args.output {
        Some(p) => Some(BufWriter::new(
            File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    // Written through a handle, not `println!`: a closed pipe (`| head`) or a full
    // disk is an error that ends the run cleanly, not a panic.
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{:<12} {:>6} {:>8} {:>8}  oracle shingle F1 / P / R  best selection F1 / P / R  gold not on the page",
        "dataset", "pages", "blocks", "content"
    )?;
    // Pages the default training leaves out of the fit: their gold is not on them.
    let defaults = TrainParams::default();
    for name in datasets_of(&pages, &[]) {
        let mut oracle = ShingleF1::default();
        let mut ceiling = ShingleF1::default();
        let (mut n_blocks, mut n_content, mut n_pages, mut n_absent) = (0, 0, 0, 0);
        let in_set: Vec<&LabeledPage> = pages.iter().filter(|p| p.dataset == name).collect();
        // The search is the slow part (a few ms a page): in parallel, in page order.
        let best: Vec<Vec<bool>> = in_set
            .par_iter()
            .map(|p| best_selection(&p.page, &p.gold.main_content, &p.labels))
            .collect();
        for (p, best) in in_set.iter().zip(&best) {
            n_absent += !defaults.fits(p) as usize;
            oracle.add(&p.gold.main_content, &content_text(&p.page, &p.labels));
            ceiling.add(&p.gold.main_content, &content_text(&p.page, best));
            n_blocks += p.labels.len();
            n_content += p.labels.iter().filter(|&&l| l).count();
            n_pages += 1;
            if let Some(w) = out.as_mut() {
                #[derive(Serialize)]
                struct B<'a> {
                    text: &'a str,
                    label: bool,
                    /// In the best block selection found (`dehusk::ceiling`).
                    best: bool,
                }
                #[derive(Serialize)]
                struct Rec<'a> {
                    dataset: &'a str,
                    id: &'a str,
                    /// Share of the gold's 4-grams the page's text holds.
                    gold_coverage: f32,
                    blocks: Vec<B<'a>>,
                }
                let rec = Rec {
                    dataset: &name,
                    id: &p.id,
                    gold_coverage: p.gold_coverage,
                    blocks: (0..p.page.len())
                        .map(|i| B {
                            text: p.page.block_text(i),
                            label: p.labels[i],
                            best: best[i],
                        })
                        .collect(),
                };
                serde_json::to_writer(&mut *w, &rec)?;
                w.write_all(b"\n")?;
            }
        }
        let s = oracle.score();
        let c = ceiling.score();
        writeln!(
            stdout,
            "{name:<12} {n_pages:>6} {n_blocks:>8} {n_content:>8}  {:.4} / {:.4} / {:.4}         {:.4} / {:.4} / {:.4}       {n_absent}",
            s.f1, s.precision, s.recall, c.f1, c.precision, c.recall
        )?;
    }
    if let Some(mut w) = out {
        w.flush()?;
    }
    if failed > 0 {
        eprintln!(
            "dehusk: {failed} pages could not be read (reported above) and are not in \
             these numbers"
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + (m <= 2) as i64;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `dehusk train --cross-validate`: every host fold held out in turn; the folds, for
/// training to reuse.
fn report_cross_validation(
    pages: &[LabeledPage],
    params: &TrainParams,
    predictions: Option<&Path>,
) -> Result<Vec<FoldReport>> {
    let t = Instant::now();
    let folds = cross_validate(pages, params)?;
    let mut sum = 0.0;
    for f in &folds {
        sum += f.f1;
        let per: Vec<String> = f
            .by_dataset
            .iter()
            .map(|(name, n, f1)| format!("{name} {f1:.4} ({n})"))
            .collect();
        eprintln!(
            "dehusk: cross-validation fold {}: {} pages, shingle F1 {:.4}; threshold {:.2}, relative threshold {}, confidence slope {}, smoothing {}; {}",
            f.fold,
            f.pages,
            f.f1,
            f.threshold,
            f.relative_threshold,
            f.confidence_slope,
            f.smoothing_strength,
            per.join(", ")
        );
    }
    eprintln!(
        "dehusk: cross-validation: mean held-out shingle F1 {:.4} over {} host folds ({:.1}s)",
        sum / folds.len().max(1) as f64,
        folds.len(),
        t.elapsed().as_secs_f64()
    );
    let nested = dehusk::train::nested_decoder_f1(&folds);
    let n = nested.len().max(1) as f64;
    let show = |f1: &dyn Fn(&(f64, f64)) -> f64| {
        let each: Vec<String> = nested.iter().map(|x| format!("{:.4}", f1(x))).collect();
        format!(
            "{:.4} ({})",
            nested.iter().map(f1).sum::<f64>() / n,
            each.join(", ")
        )
    };
    eprintln!(
        "dehusk: cross-validation, decoder chosen on the other folds' pages: {}; on the next fold's alone: {}",
        show(&|x| x.0),
        show(&|x| x.1)
    );
    eprintln!(
        "dehusk: cross-validation by language of the gold text: {}",
        by_language(pages, &folds)
    );
    if let Some(dir) = predictions {
        write_cv_predictions(dir, &folds)?;
    }
    Ok(folds)
}

/// The folds' held-out F1 by the guessed language of each page's gold text
/// ([`dehusk::lexicon::guess_language`]): English, every other language pooled (with
/// its pages per language), and "und" (too little text to tell). The training pages
/// in other languages are mostly from hosts no other fold shares, so their table
/// evidence is what a new site in that language would get: this is the measure of how
/// the model does on languages the training pages hardly have, on real pages.
fn by_language(pages: &[LabeledPage], folds: &[FoldReport]) -> String {
    let gold: std::collections::HashMap<(&str, &str), &str> = pages
        .iter()
        .map(|p| {
            let key = (p.dataset.as_str(), p.id.as_str());
            (key, p.gold.main_content.as_str())
        })
        .collect();
    let (mut english, mut other, mut und) = Default::default();
    let mut languages: BTreeMap<&str, usize> = BTreeMap::new();
    for (prediction, counts) in folds.iter().flat_map(FoldReport::scored_predictions) {
        let key = (prediction.dataset.as_str(), prediction.id.as_str());
        let Some(&truth) = gold.get(&key) else {
            continue;
        };
        let (group, language): (&mut ShingleF1, _) = match dehusk::lexicon::guess_language(truth) {
            "en" => (&mut english, "en"),
            "und" => (&mut und, "und"),
            language => (&mut other, language),
        };
        group.add_counts(counts);
        if !matches!(language, "en" | "und") {
            *languages.entry(language).or_default() += 1;
        }
    }
    let each: Vec<String> = languages.iter().map(|(l, n)| format!("{l} {n}")).collect();
    let show = |name: &str, f: &ShingleF1| match f.pages() {
        0 => format!("{name} - (0)"),
        n => format!("{name} {:.4} ({n})", f.score().f1),
    };
    format!(
        "{}, {} [{}], {}",
        show("en", &english),
        show("other languages", &other),
        each.join(", "),
        show("und", &und)
    )
}

/// Writes the folds' held-out predictions, one `<dataset>.jsonl` per dataset, as
/// `{"id","fold","text","confidence"}` lines (shingle_f1.py reads them as predictions).
fn write_cv_predictions(dir: &Path, folds: &[FoldReport]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut by_dataset: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for f in folds {
        let fold = [("fold".to_string(), serde_json::Value::from(f.fold))];
        for p in &f.predictions {
            by_dataset
                .entry(&p.dataset)
                .or_default()
                .push(dehusk::output::text_record_with(
                    &p.id,
                    &fold,
                    &p.text,
                    p.confidence,
                ));
        }
    }
    for (name, lines) in by_dataset {
        write_lines(&dir.join(format!("{name}.jsonl")), lines)?;
    }
    Ok(())
}

/// Writes one line per item (predictions for shingle_f1.py).
fn write_lines(path: &Path, lines: impl IntoIterator<Item = String>) -> Result<()> {
    let mut w =
        BufWriter::new(File::create(path).with_context(|| format!("creating {}", path.display()))?);
    for line in lines {
        writeln!(w, "{line}")?;
    }
    w.flush()?;
    Ok(())
}

/// `dehusk train`.
pub fn train(args: TrainArgs) -> Result<ExitCode> {
    crate::set_threads(args.data.threads)?;
    check_output_file(&args.output, "-o")?;
    for (dir, what) in [
        (&args.cv_predictions, "--cv-predictions"),
        (&args.cv_rows, "--cv-rows"),
    ] {
        if let Some(dir) = dir {
            check_output_dir(dir, what)?;
        }
    }
    let params = TrainParams {
        alpha: args.alpha,
        max_iterations: args.max_iterations,
        max_blocks_per_page: args.max_blocks_per_page,
        heavy_block_words: args.heavy_block_words,
        long_block_words: args.long_block_words,
        smoothing_strengths: args.smoothing.clone(),
        length_weight: args.length_weight,
        relative_thresholds: args.relative_thresholds.clone(),
        confidence_slopes: args.confidence_slopes.clone(),
        holdout_fold: args.holdout_fold,
        decoder_on_all_folds: args.decoder_on_all_folds,
        context_stage: args.context_stage,
        comments: comment_policy(args.drop_comments),
        word_odds: !args.no_word_odds,
        word_odds_dropout: args.word_odds_dropout,
        held_out_unknown_words: args.held_out_unknown_words,
        min_gold_coverage: args.min_gold_coverage,
        cv_rows: args.cv_rows.clone(),
        cv_probabilities: args.cv_probabilities.clone(),
        cv_site_repeats: args.site_repeats,
        network: dehusk::network::NetworkParams {
            units: args.hidden_units,
            alpha: args.hidden_alpha,
            epochs: args.hidden_epochs,
            ..Default::default()
        },
        pooling: dehusk::pooling::Pooling {
            weight: args.pool_weight,
            min_group: args.pool_min_group,
        },
        ..TrainParams::default()
    };
    params.check()?;
    let datasets = open_all(&args.data)?;
    check_outside_datasets(&args.output, &datasets, "-o")?;
    if let Some(dir) = &args.cv_predictions {
        check_dir_outside_datasets(dir, &datasets, "--cv-predictions")?;
    }
    if let Some(dir) = &args.cv_rows {
        check_outside_datasets(dir, &datasets, "--cv-rows")?;
    }
    // Last, once nothing else refuses the run: these probe the file system.
    check_writable_file(&args.output, "-o")?;
    if let Some(dir) = &args.cv_predictions {
        check_writable_dir(dir, &jsonl_names(&datasets), "--cv-predictions")?;
    }
    if let Some(dir) = &args.cv_rows {
        let names = dehusk::cv_rows::written_files(params.holdout_every);
        check_writable_dir(dir, &names, "--cv-rows")?;
    }
    // Found by an audit: without dev pages, --report-dev failed after the whole
    // training, and the model was not saved.
    if args.report_dev {
        without_pages(&datasets, Some("dev")).context("--report-dev")?;
    }
    let mode: InputFormat = args.data.mode.into();
    let t0 = Instant::now();
    let flatten = args.data.flatten.map_or(Flatten::Half, Flatten::from);
    let (pages, unreadable) = load_split(
        &datasets,
        Some("train"),
        mode,
        flatten,
        args.data.limit.max_blocks,
    )?;
    // Before the cross-validation's minutes, not after them (found by an audit).
    dehusk::train::check_pages(&pages, &params)?;
    let mut failed = unreadable.len();
    if failed > 0 {
        eprintln!(
            "dehusk: {failed} training pages could not be read (reported above): the \
             model is fitted without them"
        );
    }
    let t_prep = t0.elapsed().as_secs_f64();
    let folds = if args.cross_validate {
        Some(report_cross_validation(
            &pages,
            &params,
            args.cv_predictions.as_deref(),
        )?)
    } else {
        None
    };
    // With --decoder-on-all-folds the folds just reported choose the decoder.
    let (mut file, report) = fit_model(&pages, mode, &params, folds.as_deref())?;
    let t_total = t0.elapsed().as_secs_f64();
    eprintln!(
        "dehusk: trained on {} pages ({} blocks sampled; {} pages' labels left out, their text holding under {} of their gold's 4-grams) in {t_total:.1}s ({t_prep:.1}s preparing); {}{}; threshold {:.2}, relative threshold {}, confidence slope {}, smoothing {}",
        report.pages,
        report.blocks,
        report.pages_left_out,
        params.min_gold_coverage,
        match report.holdout_pages {
            0 => "no held-out pages".to_owned(),
            n => format!("held-out train F1 {:.4} on {n} pages", report.holdout_f1),
        },
        if report.holdout_f1_stage2.is_finite() {
            format!(
                " (stage one alone {:.4}, with context stage {:.4}: context stage {})",
                report.holdout_f1_stage1,
                report.holdout_f1_stage2,
                if report.context_stage { "kept" } else { "dropped" }
            )
        } else {
            String::new()
        },
        report.threshold,
        report.relative_threshold,
        report.confidence_slope,
        report.smoothing_strength
    );
    if report.holdout_pages == 0 {
        eprintln!(
            "dehusk: warning: every training page is in one host fold, so no held-out pages \
             chose the decoder: the model keeps the default one (threshold {:.2}, no \
             smoothing). Pages from more sites would let training choose it",
            report.threshold
        );
    }
    for (name, n, f1) in &report.holdout_by_dataset {
        eprintln!("dehusk: held-out train {name}: {n} pages, shingle F1 {f1:.4}");
    }
    let prov = &mut file.provenance;
    prov.data = args
        .data
        .data
        .iter()
        .map(|d| format!("{} (split train)", d.display()))
        .collect();
    // The program name as "dehusk", whatever path it ran from, so the command can be
    // rerun as written.
    prov.command = std::iter::once("dehusk".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    prov.date = now_rfc3339();
    prov.dehusk_version = env!("CARGO_PKG_VERSION").to_string();
    prov.settings
        .insert("train_seconds".into(), (t_total * 10.0).round() / 10.0);
    if params.comments == Comments::Drop {
        prov.settings.insert("drop_comments".into(), 1.0);
    }
    if args.report_dev {
        let (dev, dev_unreadable) = load_split(
            &datasets,
            Some("dev"),
            mode,
            Flatten::None,
            args.data.limit.max_blocks,
        )?;
        // An unreadable dev page fails the run as it fails `eval` (exit 2).
        failed += dev_unreadable.len();
        let model = file.compile()?;
        for name in datasets_of(&dev, &dev_unreadable) {
            let (pages, unreadable) = subset(&name, &dev, &dev_unreadable);
            let s = evaluate(&pages, &unreadable, &model, 0, None)?.scores;
            let note = match s.unreadable {
                0 => String::new(),
                n => format!(" ({n} unreadable pages scored as empty)"),
            };
            eprintln!("dehusk: dev {name}: shingle F1 {:.4}{note}", s.shingle.f1);
            if s.unreadable > 0 {
                file.provenance
                    .scores
                    .insert(format!("dev_{name}_unreadable_pages"), s.unreadable as f64);
            }
            file.provenance
                .scores
                .insert(format!("dev_{name}_shingle_f1"), round4(s.shingle.f1));
            if let Some(sn) = s.snippet {
                file.provenance
                    .scores
                    .insert(format!("dev_{name}_snippet_f1"), round4(sn.f1));
            }
        }
    }
    file.save(&args.output)?;
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// `dehusk eval`.
pub fn eval(args: EvalArgs) -> Result<ExitCode> {
    crate::set_threads(args.data.threads)?;
    let datasets = open_all(&args.data)?;
    let mode: InputFormat = args.data.mode.into();
    let file: ModelFile = crate::load_model(&args.model, mode)?;
    let mut model = file.compile()?;
    model
        .set_min_confidence(args.model.min_confidence)
        .context("--min-confidence")?;
    // Flags checked before the pages are prepared (seconds), not after.
    if let Some(dir) = &args.predictions {
        check_output_dir(dir, "--predictions")?;
        check_dir_outside_datasets(dir, &datasets, "--predictions")?;
        check_writable_dir(dir, &jsonl_names(&datasets), "--predictions")?;
    }
    if args.site_repeats > 0 {
        SiteRepeats::new(args.site_repeats).context("--site-repeats")?;
    }
    let (pages, unreadable) = load_named_split(&args.data, &datasets, &args.split)?;
    let failed = unreadable.len();
    if let Some(dir) = &args.predictions {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Written through a handle, not `println!`: a closed pipe (`| head`) or a full
    // disk is an error that ends the run cleanly, not a panic.
    let mut stdout = std::io::stdout().lock();
    if !args.json {
        writeln!(
            stdout,
            "{:<12} {:<5} {:>5}  {:>22}  {:>8}  {:>22}  {:>7}",
            "dataset",
            "mode",
            "pages",
            "shingle F1 (P / R)",
            "snippet",
            "block F1 (P / R)",
            "oracle"
        )?;
    }
    for name in datasets_of(&pages, &unreadable) {
        let (subset, unread) = subset(&name, &pages, &unreadable);
        let site = match args.site_repeats {
            0 => None,
            n => Some(count_sites(subset.iter().copied(), n).context("--site-repeats")?),
        };
        let Evaluation {
            scores: mut s,
            groups,
            predictions,
        } = evaluate(&subset, &unread, &model, args.intervals, site.as_ref())?;
        s.dataset = name.clone();
        s.mode = mode.as_str().into();
        s.split = args.split.clone();
        if let Some(dir) = &args.predictions {
            write_lines(
                &dir.join(format!("{name}.jsonl")),
                predictions
                    .iter()
                    .map(|(id, text, c)| dehusk::output::text_record_with(id, &[], text, *c)),
            )?;
        }
        let mut shown: Vec<(&str, &BTreeMap<String, ShingleF1>)> = Vec::new();
        if args.per_type {
            shown.push(("type", &groups.page_type));
        }
        if args.per_language {
            shown.push(("lang", &groups.language));
        }
        if args.json {
            // One object per dataset, the breakdowns inside it: before, their text rows
            // were printed between the objects and the output was not JSON lines.
            s.per_type = args.per_type.then(|| group_scores(&groups.page_type));
            s.per_language = args.per_language.then(|| group_scores(&groups.language));
            serde_json::to_writer(&mut stdout, &s)?;
            writeln!(stdout)?;
            continue;
        }
        writeln!(
            stdout,
            "{:<12} {:<5} {:>5}  {:.4} ({:.4} / {:.4})  {:>8}  {:.4} ({:.4} / {:.4})  {:.4}",
            s.dataset,
            s.mode,
            s.pages,
            s.shingle.f1,
            s.shingle.precision,
            s.shingle.recall,
            s.snippet
                .map(|p| format!("{:.4}", p.f1))
                .unwrap_or_else(|| "-".into()),
            s.block.f1,
            s.block.precision,
            s.block.recall,
            s.oracle.f1
        )?;
        if let Some([lo, hi]) = s.shingle_interval {
            writeln!(
                stdout,
                "    shingle F1 95% interval [{lo:.4}, {hi:.4}] ({} resamples of the {} pages)",
                args.intervals, s.pages
            )?;
        }
        if s.unreadable > 0 {
            writeln!(
                stdout,
                "    {} of the {} pages could not be read (reported above): scored as empty \
                 extractions, as shingle_f1.py scores a missing prediction",
                s.unreadable, s.pages
            )?;
        }
        if let Some(f) = &s.shingle_with_text {
            let (pages, has) = if s.empty_inputs == 1 {
                ("page has", "its")
            } else {
                ("pages have", "their")
            };
            writeln!(
                stdout,
                "    {} {pages} no text in {has} input (recall 0 for any extractor); on the other {}: shingle F1 {:.4} ({:.4} / {:.4})",
                s.empty_inputs,
                s.pages - s.empty_inputs - s.unreadable,
                f.f1,
                f.precision,
                f.recall
            )?;
        }
        for (what, group) in shown {
            for (t, f) in group {
                let sc = f.score();
                writeln!(
                    stdout,
                    "    {what} {t:<16} {:>4} pages  shingle F1 {:.4} ({:.4} / {:.4})",
                    f.pages(),
                    sc.f1,
                    sc.precision,
                    sc.recall
                )?;
            }
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
