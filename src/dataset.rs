//! Gold-text datasets: a folder with `truth.jsonl` (one page per line: id, split, host,
//! main_content, optional with/without snippets and page_type) and the pages as
//! `html/<id>.html.gz` or `text/<id>.txt`. The format of `../shared/data` (see
//! `data/README.md` in this repository).
//!
//! A truth file that breaks the format is refused whole, naming the line: a page
//! without gold text would be fitted and scored as all boilerplate, one with a
//! misspelt split would silently fall out of both splits, and a duplicated id would
//! count twice. Annotations are the ground truth every number rests on, so they are
//! not guessed at; an unreadable *page file* only costs that page (see
//! [`crate::train::prepare`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::input::InputFormat;

/// One annotated page.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldPage {
    /// Page id; names the page files.
    pub id: String,
    /// `train` or `dev` (required: [`Dataset::open`] refuses anything else).
    #[serde(default)]
    pub split: Option<String>,
    /// The page's site, used to group cross-validation folds.
    #[serde(default)]
    pub host: Option<String>,
    /// The gold main text (required; it may be empty).
    pub main_content: String,
    /// Sentences a good extraction must contain.
    #[serde(default)]
    pub with: Vec<String>,
    /// Strings a good extraction must not contain.
    #[serde(default)]
    pub without: Vec<String>,
    /// Coarse page type, where known.
    #[serde(default)]
    pub page_type: Option<String>,
    /// The page's URL, where known: it helps decode an unlabelled legacy page, as a
    /// WARC record's does (see [`crate::input::Transport::url`]).
    #[serde(default)]
    pub url: Option<String>,
}

impl GoldPage {
    /// The grouping key for host-grouped validation (the host, or the id when the
    /// host is missing or empty).
    pub fn group(&self) -> &str {
        self.host
            .as_deref()
            .filter(|h| !h.is_empty())
            .unwrap_or(&self.id)
    }

    /// Why this page breaks the format, if it does.
    fn problem(&self) -> Option<String> {
        let id = &self.id;
        match self.split.as_deref() {
            Some("train" | "dev") => {}
            Some(other) => {
                return Some(format!(
                    "page {id:?}: split {other:?} is neither \"train\" nor \"dev\""
                ))
            }
            None => return Some(format!("page {id:?}: no split (\"train\" or \"dev\")")),
        }
        // The id names the page's files: it must stay inside the dataset's folder.
        if id.is_empty() || id == "." || id == ".." || id.contains(['/', '\\', '\0']) {
            return Some(format!(
                "page id {id:?} cannot name a file in the dataset's folder"
            ));
        }
        None
    }
}

/// The first field of a truth record that is of the wrong type (serde names the type
/// and the column, not the field), when the line is a JSON object at all.
fn wrong_field(line: &str) -> Option<&'static str> {
    use serde_json::Value;
    let record: serde_json::Map<String, Value> = serde_json::from_str(line).ok()?;
    let fits = |name: &str, v: &Value| match name {
        "id" | "main_content" => v.is_string(),
        "with" | "without" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        _ => v.is_string() || v.is_null(),
    };
    [
        "id",
        "main_content",
        "split",
        "host",
        "page_type",
        "with",
        "without",
    ]
    .into_iter()
    .find(|name| record.get(*name).is_some_and(|v| !fits(name, v)))
}

/// A dataset folder.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// The folder.
    pub root: PathBuf,
    /// Its pages, in file order.
    pub pages: Vec<GoldPage>,
}

impl Dataset {
    /// Reads `root/truth.jsonl`, refusing a line that breaks the format (see the
    /// module doc) with an error naming the file and line.
    pub fn open(root: &Path) -> Result<Dataset> {
        let path = root.join("truth.jsonl");
        let file = std::fs::File::open(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
        let mut pages: Vec<GoldPage> = Vec::new();
        let mut lines_of: std::collections::HashMap<String, usize> = Default::default();
        let at = |n: usize| format!("{}:{}", path.display(), n + 1);
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| Error::bad_dataset(format!("{}: {e}", at(n))))?;
            // A byte-order mark is no part of the first object.
            let line = if n == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(&line)
            } else {
                &line
            };
            if line.trim().is_empty() {
                continue;
            }
            let page: GoldPage = serde_json::from_str(line).map_err(|e| {
                let field = wrong_field(line)
                    .map(|f| format!("field `{f}`: "))
                    .unwrap_or_default();
                Error::bad_dataset(format!("{}: {field}{e}", at(n)))
            })?;
            if let Some(problem) = page.problem() {
                return Err(Error::bad_dataset(format!("{}: {problem}", at(n))));
            }
            if let Some(first) = lines_of.insert(page.id.clone(), n) {
                return Err(Error::bad_dataset(format!(
                    "{}: page id {:?} again (first on line {})",
                    at(n),
                    page.id,
                    first + 1
                )));
            }
            pages.push(page);
        }
        Ok(Dataset {
            root: root.to_owned(),
            pages,
        })
    }

    /// The dataset's name (its folder name). A folder named by `.` or `..` is named by
    /// its real name: found by an audit, `--data .` named the dataset ".", its
    /// predictions went to a hidden `..jsonl`, and since host folds are keyed by the
    /// dataset's name, the same folder gave another model when typed another way.
    pub fn name(&self) -> String {
        let real;
        let named = match self.root.file_name() {
            Some(name) => name,
            None => {
                real = std::fs::canonicalize(&self.root).ok();
                match real.as_deref().and_then(Path::file_name) {
                    Some(name) => name,
                    None => return self.root.display().to_string(),
                }
            }
        };
        named.to_string_lossy().into_owned()
    }

    /// Pages of one split (all pages when `split` is None).
    pub fn split<'a>(&'a self, split: Option<&'a str>) -> impl Iterator<Item = &'a GoldPage> + 'a {
        self.pages
            .iter()
            .filter(move |p| split.is_none() || p.split.as_deref() == split)
    }

    /// The page file for a mode: `html/<id>.html.gz` (or `.html`) or `text/<id>.txt`.
    pub fn page_path(&self, page: &GoldPage, mode: InputFormat) -> PathBuf {
        match mode {
            InputFormat::Html => {
                let gz = self.root.join("html").join(format!("{}.html.gz", page.id));
                let plain = self.root.join("html").join(format!("{}.html", page.id));
                // Without either, the error names the usual one.
                if !gz.exists() && plain.exists() {
                    plain
                } else {
                    gz
                }
            }
            InputFormat::Text => self.root.join("text").join(format!("{}.txt", page.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dataset_named_by_dot_or_dot_dot_takes_its_folder_name() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::create_dir_all(small.join("html")).unwrap();
        let named = |root: PathBuf| {
            Dataset {
                root,
                pages: Vec::new(),
            }
            .name()
        };
        assert_eq!(named(small.clone()), "small");
        assert_eq!(named(small.join(".")), "small");
        assert_eq!(named(small.join("html").join("..")), "small");
    }
}
