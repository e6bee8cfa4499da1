//! Cross-validation rows out, probabilities in: any outside model can be measured on
//! dehusk's own feature rows, host folds, decoder and metric.
//!
//! `dehusk train --cross-validate --cv-rows DIR` writes, for each host fold `K`, the
//! rows the fold's logistic regression is fitted on and the rows of every block of
//! the fold's held-out pages. A model fitted elsewhere (a gradient-boosted forest, a
//! network) writes one probability per held-out block back, and `--cv-probabilities
//! DIR` scores them exactly as dehusk's own: the same decoder grid chosen on the same
//! pages, the same comment policy, the same reported F1 (own decoder and chosen on the
//! other folds). This is how we ask whether the features hold more than a dot product
//! can read, without guessing (README, seventeenth round).
//!
//! Files in `DIR`, all little-endian and in the order dehusk reads the pages:
//!
//! * `names.txt`: the row's column names, one per line (the features, then the word
//!   evidence when the model has it);
//! * `fit-K.f32`: the fold's fitting rows as `f32`, row-major, one row per sampled
//!   block (the blocks `train` samples from each fitted page);
//! * `fit-K.tsv`: one line per fitting row: page number within the fold's fitting
//!   pages, host group, label (1 content, 0 boilerplate), and how many times the fit
//!   counts the row (long blocks count two or three times);
//! * `held-K.f32`: every block of every held-out page, row-major;
//! * `held-K.jsonl`: one line per held-out page: `dataset`, `id`, `group`, the
//!   blocks' `labels` and `texts` (as the output shows them: a `<pre>` block laid out,
//!   [`crate::segment::Page::display_text`]);
//! * `probs-K.f32` (written by the outside model, read back): one `f32` probability
//!   of content per row of `held-K.f32`, in the same order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::train::LabeledPage;
use crate::word_odds::odds_row;

/// One fitting row: its page's position among the fitting pages, the block, and how
/// many times the fit counts it.
pub(crate) struct FitRow {
    pub page: usize,
    pub block: usize,
    pub copies: usize,
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| Error::io(Some(path.to_path_buf()), e))
}

fn write_row(w: &mut impl Write, row: &[f32], odds: &[f32]) -> std::io::Result<()> {
    for &v in row.iter().chain(odds) {
        w.write_all(&v.to_le_bytes())?;
    }
    Ok(())
}

/// The file of the rows' column names.
const NAMES_FILE: &str = "names.txt";

/// The files fold `fold` writes: its fitting rows and their lines, its held-out rows
/// and pages (see the module doc).
fn fold_files(fold: u64) -> [String; 4] {
    [
        format!("fit-{fold}.f32"),
        format!("fit-{fold}.tsv"),
        format!("held-{fold}.f32"),
        format!("held-{fold}.jsonl"),
    ]
}

/// Every file a run of `folds` host folds writes into the folder, so that the folder
/// can be checked writable before the cross-validation's minutes.
pub fn written_files(folds: u64) -> Vec<String> {
    std::iter::once(NAMES_FILE.to_owned())
        .chain((0..folds).flat_map(fold_files))
        .collect()
}

/// Creates `dir` and writes `names.txt`, the rows' columns: once, before the folds
/// (which run in parallel) write their rows.
pub(crate) fn write_names(dir: &Path, names: &[String]) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(Some(dir.to_path_buf()), e))?;
    let path = dir.join(NAMES_FILE);
    std::fs::write(&path, names.join("\n") + "\n").map_err(|e| Error::io(Some(path), e))
}

/// Writes fold `fold`'s rows (see the module doc) into `dir`, which [`write_names`]
/// made: `names` are the columns, `fit_rows` the rows the fold's fit reads.
pub(crate) fn write_fold(
    dir: &Path,
    fold: u64,
    names: &[String],
    (fit, fit_odds): (&[&LabeledPage], &[&[f32]]),
    fit_rows: &[FitRow],
    (held, held_odds): (&[&LabeledPage], &[&[f32]]),
) -> Result<()> {
    let width = |p: &LabeledPage, odds: &[f32]| p.features.cols + odds_row(odds, 0).len();
    if let Some((p, odds)) = held
        .iter()
        .zip(held_odds)
        .find(|(p, _)| p.features.rows > 0)
    {
        if width(p, odds) != names.len() {
            return Err(Error::invalid_parameter(format!(
                "rows of {} columns, {} names: the pages' format is not the one their features were made for",
                width(p, odds),
                names.len()
            )));
        }
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| Error::io(Some(path), e)
    };

    let [fit_rows_file, fit_meta_file, held_rows_file, held_pages_file] = fold_files(fold);
    let (rows_path, meta_path) = (dir.join(fit_rows_file), dir.join(fit_meta_file));
    let (mut rows, mut meta) = (create(&rows_path)?, create(&meta_path)?);
    for r in fit_rows {
        let p = fit[r.page];
        write_row(
            &mut rows,
            p.features.row(r.block),
            odds_row(fit_odds[r.page], r.block),
        )
        .map_err(io(&rows_path))?;
        writeln!(
            meta,
            "{}\t{}\t{}\t{}",
            r.page, p.group, p.labels[r.block] as u8, r.copies
        )
        .map_err(io(&meta_path))?;
    }
    rows.flush().map_err(io(&rows_path))?;
    meta.flush().map_err(io(&meta_path))?;

    let (rows_path, pages_path) = (dir.join(held_rows_file), dir.join(held_pages_file));
    let (mut rows, mut pages) = (create(&rows_path)?, create(&pages_path)?);
    for (p, odds) in held.iter().zip(held_odds) {
        for i in 0..p.features.rows {
            write_row(&mut rows, p.features.row(i), odds_row(odds, i)).map_err(io(&rows_path))?;
        }
        let texts: Vec<&str> = (0..p.page.len()).map(|i| p.page.display_text(i)).collect();
        let record = serde_json::json!({
            "dataset": p.dataset,
            "id": p.id,
            "group": p.group,
            "labels": p.labels,
            "texts": texts,
        });
        writeln!(pages, "{record}").map_err(io(&pages_path))?;
    }
    rows.flush().map_err(io(&rows_path))?;
    pages.flush().map_err(io(&pages_path))?;
    Ok(())
}

/// Reads `probs-K.f32` from `dir`: one probability per block of the `held` pages, in
/// order, split page by page. A file of the wrong length, or a value that is not a
/// probability, is an error naming the file.
pub(crate) fn read_probabilities(
    dir: &Path,
    fold: u64,
    held: &[&LabeledPage],
) -> Result<Vec<Vec<f32>>> {
    let path = dir.join(format!("probs-{fold}.f32"));
    let bytes = std::fs::read(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
    let blocks: usize = held.iter().map(|p| p.features.rows).sum();
    if bytes.len() != blocks * 4 {
        return Err(Error::invalid_parameter(format!(
            "{}: {} bytes, expected {} (one little-endian f32 per held-out block of fold {fold})",
            path.display(),
            bytes.len(),
            blocks * 4
        )));
    }
    let mut values = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
    let mut out = Vec::with_capacity(held.len());
    for p in held {
        let page: Vec<f32> = values.by_ref().take(p.features.rows).collect();
        if let Some(bad) = page.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(Error::invalid_parameter(format!(
                "{}: {bad} is not a probability (page {})",
                path.display(),
                p.id
            )));
        }
        out.push(page);
    }
    Ok(out)
}
