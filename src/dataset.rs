//! Gold-text datasets: a folder with `truth.jsonl` (one page per line: id, split, host,
//! main_content, optional with/without snippets and page_type) and the pages as
//! `html/<id>.html.gz` or `text/<id>.txt`. The format of `../shared/data` (see
//! `data/README.md` in this repository).

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
    /// `train` or `dev`.
    #[serde(default)]
    pub split: Option<String>,
    /// The page's site, used to group cross-validation folds.
    #[serde(default)]
    pub host: Option<String>,
    /// The gold main text.
    #[serde(default)]
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
}

impl GoldPage {
    /// The grouping key for host-grouped validation (the host, or the id).
    pub fn group(&self) -> &str {
        self.host.as_deref().unwrap_or(&self.id)
    }
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
    /// Reads `root/truth.jsonl`.
    pub fn open(root: &Path) -> Result<Dataset> {
        let path = root.join("truth.jsonl");
        let file = std::fs::File::open(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
        let mut pages = Vec::new();
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| Error::io(Some(path.clone()), e))?;
            if line.trim().is_empty() {
                continue;
            }
            let page: GoldPage = serde_json::from_str(&line)
                .map_err(|e| Error::bad_dataset(format!("{}:{}: {e}", path.display(), n + 1)))?;
            pages.push(page);
        }
        Ok(Dataset {
            root: root.to_owned(),
            pages,
        })
    }

    /// The dataset's name (its folder name).
    pub fn name(&self) -> String {
        self.root
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.root.display().to_string())
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
                if gz.exists() {
                    gz
                } else {
                    self.root.join("html").join(format!("{}.html", page.id))
                }
            }
            InputFormat::Text => self.root.join("text").join(format!("{}.txt", page.id)),
        }
    }
}
