//! Typed errors for the library. The binary wraps them in `anyhow`; the library never
//! does, so callers can match on [`ErrorKind`] (a bad document is reported and skipped,
//! a bad model stops the run).

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong inside dehusk.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong. New kinds may be added without a major version bump.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading a file or stream failed.
    Io {
        /// The file, when the error belongs to one.
        path: Option<PathBuf>,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A document could not be read as HTML or text (binary, truncated gzip...).
    BadDocument(String),
    /// A document is over a size limit the caller set (bytes or blocks): it was
    /// skipped as asked, and may be whole. Kept apart from [`ErrorKind::BadDocument`]
    /// so that a corpus run can tell a page it was told to skip from a broken one.
    TooLarge(String),
    /// A model file is unreadable or does not fit this version of dehusk.
    BadModel(String),
    /// A gold-text dataset is malformed.
    BadDataset(String),
    /// Parameters given to training, labelling or decoding are invalid.
    InvalidParameter(String),
    /// Model fitting failed.
    Fit(String),
}

impl Error {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    pub(crate) fn io(path: Option<PathBuf>, source: std::io::Error) -> Error {
        Error::new(ErrorKind::Io { path, source })
    }

    pub(crate) fn bad_document(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadDocument(msg.into()))
    }

    pub(crate) fn too_large(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::TooLarge(msg.into()))
    }

    pub(crate) fn bad_model(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadModel(msg.into()))
    }

    pub(crate) fn bad_dataset(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadDataset(msg.into()))
    }

    pub(crate) fn invalid_parameter(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidParameter(msg.into()))
    }

    pub(crate) fn fit(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::Fit(msg.into()))
    }

    /// The message without the file path (for reports that already name the file).
    pub fn reason(&self) -> String {
        match &self.kind {
            ErrorKind::Io { source, .. } => source.to_string(),
            _ => self.to_string(),
        }
    }

    /// True for errors that belong to one input document: a corpus run reports them and
    /// goes on.
    pub fn is_per_document(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::BadDocument(_) | ErrorKind::TooLarge(_) | ErrorKind::Io { .. }
        )
    }

    /// True for a document over a size limit ([`ErrorKind::TooLarge`]): skipped as the
    /// caller asked, not broken.
    pub fn is_too_large(&self) -> bool {
        matches!(self.kind, ErrorKind::TooLarge(_))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io {
                path: Some(p),
                source,
            } => write!(f, "{}: {}", p.display(), source),
            ErrorKind::Io { path: None, source } => write!(f, "{source}"),
            ErrorKind::BadDocument(m) => write!(f, "bad document: {m}"),
            ErrorKind::TooLarge(m) => write!(f, "too large: {m}"),
            ErrorKind::BadModel(m) => write!(f, "bad model: {m}"),
            ErrorKind::BadDataset(m) => write!(f, "bad dataset: {m}"),
            ErrorKind::InvalidParameter(m) => write!(f, "invalid parameter: {m}"),
            ErrorKind::Fit(m) => write!(f, "model fitting failed: {m}"),
        }
    }
}

impl std::error::Error for Error {
    // The I/O error's message is already part of ours; returning it as the source too
    // would print it twice in error chains.
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
