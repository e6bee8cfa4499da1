//! `extract`, `classify` and `explain`: run the classifier over inputs.
//!
//! Batch policy (as ripgrep does it): a document that fails is reported on stderr with
//! its id and reason and written as an error record, the run goes on, a summary counts
//! what happened, and the exit code is 2 if anything failed.
//!
//! The inputs become one stream of documents: a plain file is one document (read by a
//! worker), a record file (WARC, WET, JSON lines: see `dehusk::records`) is read record
//! by record and expands into many. The stream goes through bounded, ordered, parallel
//! work (`for_each_ordered_within`, with caps on the record bytes read ahead and on the
//! output held for an earlier document), so memory does not grow with the size of the
//! corpus or of any one record file.

use std::collections::HashMap;
use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use dehusk::input::{self, Document, InputFormat, Transport};
use dehusk::model::ModelFile;
use dehusk::output::{self, Fields};
use dehusk::pipeline::{for_each_ordered_within, Classifier, InFlight, BATCH};
use dehusk::records::{self, ByName, Entry, RecordFormat};
use dehusk::segment::segment_within;
use dehusk::site::{self, PageKeys, SiteRepeats};
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use indicatif::{HumanDuration, ProgressBar, ProgressState, ProgressStyle};

use crate::args::{ExplainArgs, OutFormat, RunArgs};

/// Record and output bytes per worker thread that may be in memory at once, read ahead,
/// waiting for a thread, or written and waiting for an earlier document (at least
/// [`MIN_IN_FLIGHT_BYTES`]): documents in flight are counted, and records can be large.
const IN_FLIGHT_BYTES_PER_THREAD: u64 = 8 << 20;
const MIN_IN_FLIGHT_BYTES: u64 = 32 << 20;
/// Work items the reading thread may queue ahead of the batches.
const QUEUE_ITEMS: usize = 1024;

/// What to print per document.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Job {
    Extract,
    Classify,
}

impl Job {
    fn name(self) -> &'static str {
        match self {
            Job::Extract => "extract",
            Job::Classify => "classify",
        }
    }
}

/// `FILE.partial`, where `-o FILE` is written until the run is complete.
fn partial_path(dest: &Path) -> PathBuf {
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(".partial");
    PathBuf::from(tmp)
}

/// `FILE.partial.settings`, what decides the records of `-o FILE` ([`RunSettings`]),
/// kept while `FILE.partial` is.
fn settings_path(dest: &Path) -> PathBuf {
    let mut path = partial_path(dest).into_os_string();
    path.push(".settings");
    PathBuf::from(path)
}

/// The end of the name the settings are written under before they are renamed into
/// place ([`RunSettings::save`]): `FILE.partial.settings.new`.
const SETTINGS_BEING_WRITTEN: &str = ".new";

/// What decides the records a run writes, saved beside `FILE.partial` while `-o FILE`
/// is written, so that `--resume` appends only records made the same way. Found by an
/// audit: `classify --resume` appended block records to an extract's text records, and
/// a resume with another `--threshold` or `--model` mixed two settings in one file,
/// both silently and with exit 0.
///
/// The inputs are among them (found by a new-user audit: a resume over other files, or
/// over the same folder named another way, finalized the killed run's records with
/// this run's, or wrote every document twice, with exit 0).
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
pub struct RunSettings {
    /// The INPUT arguments as typed: the ids of plain files are their paths as typed.
    inputs: Vec<String>,
    /// Each of them resolved to an absolute path (through links; standard input stays
    /// `-`): the same names typed in another folder are other files.
    input_paths: Vec<String>,
    command: String,
    /// A hash of the two models as they score, after --model, --threshold, --favor
    /// and --comments ([`models_hash`]).
    models: String,
    min_confidence: f32,
    input_format: Option<String>,
    field: Option<String>,
    max_bytes: u64,
    max_blocks: usize,
    site_repeats: u32,
    /// extract's `--markdown` (false for classify).
    markdown: bool,
}

impl RunSettings {
    fn new(
        job: Job,
        args: &RunArgs,
        markdown: bool,
        models: &(ModelFile, ModelFile),
    ) -> RunSettings {
        let typed = |p: &PathBuf| p.to_string_lossy().into_owned();
        RunSettings {
            inputs: args.inputs.iter().map(typed).collect(),
            input_paths: args
                .inputs
                .iter()
                .map(|p| match p.as_os_str() == "-" {
                    true => typed(p),
                    false => crate::resolved(p).as_ref().map_or_else(|| typed(p), typed),
                })
                .collect(),
            command: job.name().to_owned(),
            models: format!("{:016x}", models_hash(models)),
            min_confidence: args.model.min_confidence,
            input_format: args
                .input_format
                .map(|f| InputFormat::from(f).as_str().to_owned()),
            field: args.field.clone(),
            max_bytes: args.max_bytes,
            max_blocks: args.limit.max_blocks,
            site_repeats: args.site_repeats,
            markdown,
        }
    }

    /// Writes the settings whole or not at all: into a file of their own, then renamed
    /// into place. Written in place, a kill in the moment between creating the file and
    /// writing it left an empty settings file, and `--resume` refused the run as "not a
    /// dehusk settings file" (found by the CI: a test that kills a run as soon as the
    /// settings appear caught them empty).
    fn save(&self, dest: &Path) -> Result<()> {
        let path = settings_path(dest);
        let mut new = path.clone().into_os_string();
        new.push(SETTINGS_BEING_WRITTEN);
        let new = PathBuf::from(new);
        let json = serde_json::to_string(self).expect("plain fields serialize");
        // Synced before the rename: after a power loss, the name must not be left
        // holding a file whose data never reached the disk (an empty file, refused).
        let write = || -> io::Result<()> {
            let mut file = File::create(&new)?;
            file.write_all(json.as_bytes())?;
            file.write_all(b"\n")?;
            match file.sync_all() {
                // A file system that cannot sync (EINVAL: some FUSE and special ones)
                // is no reason to refuse the run.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                    ) =>
                {
                    Ok(())
                }
                other => other,
            }
        };
        let written = write()
            .with_context(|| format!("writing {}", new.display()))
            .and_then(|()| {
                fs::rename(&new, &path)
                    .with_context(|| format!("renaming {} to {}", new.display(), path.display()))
            });
        if written.is_err() {
            // Nothing half-made is left beside the output (found by a review).
            let _ = fs::remove_file(&new);
        }
        written
    }

    /// Refuses to resume `dest` when its saved settings differ from these, naming what
    /// differs. A `FILE.partial` without them (written by an older dehusk) is not
    /// refused: its records' kind is still checked ([`Written::read`]). Nor is one whose
    /// settings lack the inputs (saved since this dehusk): a kill of a long run just
    /// before an upgrade should not cost the run, and the ids are still checked (none
    /// of them among the run's documents is said); `warn` tells the user to check the
    /// inputs themselves.
    fn check(&self, dest: &Path, warn: impl Fn(&str)) -> Result<()> {
        let path = settings_path(dest);
        let saved = match fs::read(&path) {
            Ok(saved) => saved,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let (Ok(serde_json::Value::Object(mut saved)), Ok(serde_json::Value::Object(now))) = (
            serde_json::from_slice::<serde_json::Value>(&saved),
            serde_json::to_value(self),
        ) else {
            anyhow::bail!(
                "cannot resume: {} is not a dehusk settings file (delete it and {} to start over)",
                path.display(),
                partial_path(dest).display()
            );
        };
        // Saved by a dehusk from before `--markdown`: its records are plain text.
        saved
            .entry("markdown")
            .or_insert(serde_json::Value::Bool(false));
        let unsaved_inputs = ["inputs", "input_paths"];
        if unsaved_inputs.iter().any(|key| !saved.contains_key(*key)) {
            warn(&format!(
                "{} was started by an older dehusk, which did not save its inputs: \
                 resume it over the same inputs, named as they were",
                partial_path(dest).display()
            ));
        }
        let differ: Vec<String> = now
            .iter()
            .filter(|(key, _)| {
                !unsaved_inputs.contains(&key.as_str()) || saved.contains_key(key.as_str())
            })
            .filter(|(key, value)| saved.get(key.as_str()) != Some(value))
            // The same names in another folder are said as such; other names are
            // said once, as typed.
            .filter(|(key, _)| {
                key.as_str() != "input_paths" || saved.get("inputs") == now.get("inputs")
            })
            .map(|(key, value)| {
                let was = saved
                    .get(key.as_str())
                    .map_or("none".into(), |v| v.to_string());
                match key.as_str() {
                    "models" => "the model or --threshold/--favor/--comments".to_owned(),
                    "inputs" => format!(
                        "the inputs ({was}, now {value}; the records' ids are the \
                         paths as typed)"
                    ),
                    "input_paths" => format!(
                        "the files the inputs name ({was}, now {value}: the same names \
                         from another folder)"
                    ),
                    key => format!("{} ({was}, now {value})", key.replace('_', "-")),
                }
            })
            .collect();
        anyhow::ensure!(
            differ.is_empty(),
            "cannot resume: {} was written with other settings: {}. Resume with the \
             earlier settings, or delete {} and {} to start over",
            partial_path(dest).display(),
            differ.join(", "),
            partial_path(dest).display(),
            path.display()
        );
        Ok(())
    }
}

/// A hash of the models' JSON as they score (64-bit FNV-1a: stable across builds,
/// unlike the standard library's hasher). Serializing the two models adds 1 to 3 ms
/// to a run with `-o` (measured by a review), once per run.
fn models_hash((html, text): &(ModelFile, ModelFile)) -> u64 {
    struct Fnv(u64);
    impl Write for Fnv {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            for &b in buf {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut fnv = Fnv(0xcbf2_9ce4_8422_2325);
    for model in [html, text] {
        serde_json::to_writer(&mut fnv, model).expect("writing to a hasher cannot fail");
    }
    fnv.0
}

/// `-o FILE` and `FILE.partial` as canonical paths (through the folder when the file
/// does not exist yet), to tell the run's output among its inputs.
fn output_files(dest: &Path) -> Vec<PathBuf> {
    [dest.to_owned(), partial_path(dest), settings_path(dest)]
        .iter()
        .filter_map(|p| crate::resolved(p))
        .collect()
}

/// Uncompressed bytes of records per gzip member of a `.gz` output: a kill costs at
/// most one member's records (redone by --resume), and with deflate's 32 KiB window
/// members this large compress about as well as one stream.
const GZ_MEMBER_BYTES: u64 = 1 << 20;

/// Whether `-o FILE` is written gzipped: its name ends in `.gz` (ASCII
/// case-insensitive). Found by a new-user audit: `-o out.jsonl.gz` wrote plain JSON
/// lines under a gzip name.
fn gzipped(dest: &Path) -> bool {
    dest.file_name().is_some_and(|name| {
        name.as_encoded_bytes()
            .to_ascii_lowercase()
            .ends_with(b".gz")
    })
}

/// A `.gz` output: a series of gzip members of about [`GZ_MEMBER_BYTES`] of records
/// each, every one ended at a line end. Concatenated members are one gzip file to every
/// reader (`zcat`, `gzip -d`, Python's `gzip`), and a file cut by a kill keeps whole
/// every member before the cut, which is what `--resume` keeps ([`Written::read`]).
/// `flush` ends the member being written, so a flushed output is a whole gzip file. A
/// member is begun by the first write after it: an encoder begun and dropped unused
/// would still write an empty member of 20 bytes (found by rereading: every output
/// ended in one).
struct GzMembers<W: Write> {
    /// None only after a member could not be ended (the output has failed).
    state: Option<GzState<W>>,
    /// Uncompressed bytes in the member being written.
    in_member: u64,
    /// Members in the file: an output with none yet gets an empty one when flushed,
    /// so that even an output of no records is a gzip file.
    members: u64,
}

/// Between members, or writing one (the encoder boxed: it holds its deflate state,
/// and is made once a member).
enum GzState<W: Write> {
    Between(W),
    InMember(Box<GzEncoder<W>>),
}

fn gzip_failed() -> io::Error {
    io::Error::other("the gzip output failed earlier")
}

impl<W: Write> GzMembers<W> {
    fn new(inner: W, members: u64) -> GzMembers<W> {
        GzMembers {
            state: Some(GzState::Between(inner)),
            in_member: 0,
            members,
        }
    }

    /// The file written to (tests: what it holds).
    #[cfg(test)]
    fn file(&self) -> &W {
        match &self.state {
            Some(GzState::Between(inner)) => inner,
            Some(GzState::InMember(encoder)) => encoder.get_ref(),
            None => panic!("the gzip output failed"),
        }
    }

    /// The encoder of the member being written, begun here if none is.
    fn member(&mut self) -> io::Result<&mut GzEncoder<W>> {
        self.state = self.state.take().map(|state| match state {
            GzState::Between(inner) => {
                GzState::InMember(Box::new(GzEncoder::new(inner, Compression::default())))
            }
            writing => writing,
        });
        match &mut self.state {
            Some(GzState::InMember(encoder)) => Ok(encoder),
            _ => Err(gzip_failed()),
        }
    }

    /// Ends the member being written; in a file of no member yet, writes an empty one.
    fn end_member(&mut self) -> io::Result<()> {
        let inner = match self.state.take().ok_or_else(gzip_failed)? {
            GzState::InMember(encoder) => encoder.finish()?,
            GzState::Between(inner) if self.members == 0 => {
                GzEncoder::new(inner, Compression::default()).finish()?
            }
            GzState::Between(inner) => {
                self.state = Some(GzState::Between(inner));
                return Ok(());
            }
        };
        self.state = Some(GzState::Between(inner));
        self.in_member = 0;
        self.members += 1;
        Ok(())
    }
}

impl<W: Write> Write for GzMembers<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.member()?.write(buf)?;
        self.in_member += n as u64;
        // A record ends at a line end (JSON lines hold no raw newline), so a member
        // ended there holds whole records only.
        if self.in_member >= GZ_MEMBER_BYTES && buf[..n].ends_with(b"\n") {
            self.end_member()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.end_member()?;
        match &mut self.state {
            Some(GzState::Between(inner)) => inner.flush(),
            _ => Err(gzip_failed()),
        }
    }
}

/// The writer of an output file: buffered, and gzipped when `gz`. `members`: the whole
/// gzip members the file already holds (a resumed output appended to).
fn file_writer(file: File, gz: bool, members: u64) -> Box<dyn Write> {
    let buffered = BufWriter::with_capacity(1 << 16, file);
    if gz {
        Box::new(GzMembers::new(buffered, members))
    } else {
        Box::new(buffered)
    }
}

/// Opens `FILE.partial` for writing (creating it when there is none, truncating
/// nothing) and locks it: an advisory `flock`, which the system drops when the process
/// ends however it ends, so a killed run leaves no stale lock. Found by a new-user
/// audit: a second run with the same `-o` truncated and interleaved the first's file,
/// which then finished with exit 0 holding the other run's records. Refused when
/// another run holds the lock. Returns the locked file and whether it was created here.
fn lock_partial(dest: &Path) -> Result<(File, bool)> {
    let tmp = partial_path(dest);
    loop {
        let created = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp);
        let (file, created) = match created {
            Ok(file) => (file, true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                match OpenOptions::new().read(true).write(true).open(&tmp) {
                    Ok(file) => (file, false),
                    // Renamed since (a run that just finished): look again.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e).with_context(|| format!("opening {}", tmp.display())),
                }
            }
            Err(e) => return Err(e).with_context(|| format!("creating {}", tmp.display())),
        };
        // Called through the trait: from Rust 1.89 `File` has a `try_lock` of its own,
        // which the method syntax would pick on newer compilers only.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => anyhow::bail!(
                "{} is being written by another dehusk run ({} is locked): wait for that \
                 run to end (or stop it, and continue with --resume), or write to \
                 another file",
                dest.display(),
                tmp.display()
            ),
            // A file system without locks: the run goes on as it did before locks.
            Err(fs4::TryLockError::Error(e)) => {
                eprintln!(
                    "dehusk: warning: cannot lock {} ({e}): another run writing the same \
                     file would not be refused",
                    tmp.display()
                );
                return Ok((file, created));
            }
        }
        // The lock must be on the file the name holds now: the run that held it may
        // have renamed it to FILE when it finished, between the open and the lock.
        if same_file(&file, &tmp) {
            return Ok((file, created));
        }
    }
}

/// Whether `path` names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Elsewhere no inode to compare: trusted.
#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

/// Output that becomes visible only when complete: `-o FILE` writes `FILE.partial`
/// and renames it at the end, so a killed run never leaves a file that looks whole.
struct Output {
    writer: Box<dyn Write>,
    /// `FILE.partial`, renamed to `FILE` at the end, and its settings file, removed.
    finish: Option<(PathBuf, PathBuf)>,
    /// The lock on `FILE.partial` ([`lock_partial`]), held until it is renamed.
    _lock: Option<File>,
}

impl Output {
    /// Standard output, a device, or `FILE` written as `FILE.partial` (with `settings`
    /// beside it, for a later `--resume`).
    fn open(path: Option<&Path>, settings: Option<&RunSettings>) -> Result<Output> {
        match path {
            None => Ok(Output {
                writer: Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
                finish: None,
                _lock: None,
            }),
            // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`) is written directly:
            // renaming a temporary file over it would replace the device.
            Some(p) if fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(|| format!("opening {}", p.display()))?;
                Ok(Output {
                    writer: file_writer(f, gzipped(p), 0),
                    finish: None,
                    _lock: None,
                })
            }
            Some(p) => {
                let tmp = partial_path(p);
                let (lock, _) = lock_partial(p)?;
                // A killed run's FILE.partial is started over: this is no --resume.
                lock.set_len(0)
                    .with_context(|| format!("truncating {}", tmp.display()))?;
                if let Some(settings) = settings {
                    settings.save(p)?;
                }
                let file = lock
                    .try_clone()
                    .with_context(|| format!("opening {}", tmp.display()))?;
                Ok(Output {
                    writer: file_writer(file, gzipped(p), 0),
                    finish: Some((tmp, p.to_owned())),
                    _lock: Some(lock),
                })
            }
        }
    }

    /// `--resume`: appends to `FILE.partial` (a killed run's output), or to `FILE` (a
    /// finished run's, moved back to `FILE.partial` until this run completes), returning
    /// the ids already written. A last line cut off by the kill (in a `.gz` output, a
    /// last member) is dropped. Without either file, an ordinary output and no ids.
    /// Records written another way (another command; for `FILE.partial`, other inputs
    /// or `settings`) are refused, and left as they were; so is an output another run
    /// is writing. `warn` reports what is not refused but should be said.
    fn resume(
        dest: &Path,
        job: Job,
        settings: &RunSettings,
        warn: impl Fn(&str),
    ) -> Result<(Output, Option<Written>)> {
        // A device or a FIFO is no file to read back, and must never be renamed.
        if fs::metadata(dest).is_ok_and(|m| !m.is_file()) {
            anyhow::bail!(
                "--resume reads back the records of {}, which is not a regular file",
                dest.display()
            );
        }
        let tmp = partial_path(dest);
        let gz = gzipped(dest);
        let (lock, created) = lock_partial(dest)?;
        let (written, keep, lock) = if !created {
            settings.check(dest, warn)?;
            let (written, keep) = Written::read(&tmp, job, gz)?;
            (written, keep, lock)
        } else if !dest.exists() {
            // Nothing to resume: an ordinary run in the FILE.partial just made.
            settings.save(dest)?;
            let file = lock
                .try_clone()
                .with_context(|| format!("opening {}", tmp.display()))?;
            let out = Output {
                writer: file_writer(file, gz, 0),
                finish: Some((tmp, dest.to_owned())),
                _lock: Some(lock),
            };
            return Ok((out, None));
        } else {
            // A finished FILE, moved back to FILE.partial. The empty FILE.partial made
            // (and locked) above held the name meanwhile; refused, it goes.
            let finished = || -> Result<(Written, u64, File)> {
                // Read before the rename: a file refused here stays as it was. A
                // finished file has no settings beside it: only its records' kind is
                // checked.
                let (written, keep) = Written::read(dest, job, gz)?;
                // Locked before the rename, so the lock moves with it to its new name.
                let file =
                    File::open(dest).with_context(|| format!("opening {}", dest.display()))?;
                if let Err(fs4::TryLockError::WouldBlock) = fs4::FileExt::try_lock(&file) {
                    anyhow::bail!(
                        "{} is still held by the dehusk run that wrote it: try again when \
                         it has ended",
                        dest.display()
                    );
                }
                fs::rename(dest, &tmp)
                    .with_context(|| format!("renaming {} to {}", dest.display(), tmp.display()))?;
                Ok((written, keep, file))
            };
            match finished() {
                Ok(found) => found,
                Err(e) => {
                    // Ours (created above, and locked), so no other run's.
                    let _ = fs::remove_file(&tmp);
                    return Err(e);
                }
            }
        };
        settings.save(dest)?;
        let file = OpenOptions::new()
            .append(true)
            .open(&tmp)
            .with_context(|| format!("opening {}", tmp.display()))?;
        file.set_len(keep)
            .with_context(|| format!("truncating {}", tmp.display()))?;
        Ok((
            Output {
                writer: file_writer(file, gz, u64::from(keep > 0)),
                finish: Some((tmp, dest.to_owned())),
                _lock: Some(lock),
            },
            Some(written),
        ))
    }

    /// Writes out what is buffered (a `.gz` output's member is ended): what the file
    /// holds is then whole records, and a whole gzip file.
    fn flush(&mut self) -> Result<()> {
        self.writer.flush().context("writing output")
    }

    fn close(mut self) -> Result<()> {
        self.writer.flush()?;
        drop(self.writer);
        if let Some((tmp, dest)) = self.finish {
            // Needed only to resume `FILE.partial`; absent when the device case or an
            // older run wrote none. Removed while this run still holds the partial's
            // lock: after the rename, the next run may lock a new FILE.partial and save
            // its own settings, which removing them then would lose (found by a review).
            let settings = settings_path(&dest);
            match fs::remove_file(&settings) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", settings.display()))
                }
                _ => {}
            }
            std::fs::rename(&tmp, &dest)
                .with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
        }
        // The lock (`self._lock`) is dropped here, once FILE.partial is renamed: a run
        // waiting for the name then finds none, or a new file.
        Ok(())
    }
}

/// The ids an earlier run wrote (`--resume`), as a multiset: an id that occurs twice
/// in the inputs (JSON lines may repeat one) is skipped as often as it was written.
/// Ids are kept as 128-bit hashes, so millions of records take little memory.
#[derive(Default)]
struct Written {
    counts: HashMap<u128, u32>,
    records: u64,
    /// Of the records, the error records: the output holds them, so the run's exit
    /// code counts them as failures, as the uninterrupted run's did.
    errors: u64,
    /// Records this run's documents matched (and skipped).
    taken: u64,
}

impl Written {
    fn key(id: &str) -> u128 {
        let half = |salt: u8| {
            let mut h = DefaultHasher::new();
            salt.hash(&mut h);
            id.hash(&mut h);
            h.finish()
        };
        (u128::from(half(1)) << 64) | u128::from(half(2))
    }

    fn insert(&mut self, id: &str) {
        *self.counts.entry(Written::key(id)).or_default() += 1;
        self.records += 1;
    }

    /// True (and one fewer left) when `id` was written.
    fn take(&mut self, id: &str) -> bool {
        match self.counts.get_mut(&Written::key(id)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                self.taken += 1;
                true
            }
            _ => false,
        }
    }

    /// Reads the ids of an output file and the length of its whole records: lines at
    /// the end that are cut off or not records (the kill, or a crash's garbage) are not
    /// counted. A bad line followed by good ones is not a kill, and a file without one
    /// record is not an output of dehusk: those are refused, and left as they were.
    /// A gzipped output (`gz`) is read member by member ([`Written::read_members`]).
    ///
    /// Records of the other command (`extract`'s hold `text`, `classify`'s `blocks`)
    /// are refused too: appended to, the file would hold both kinds.
    fn read(path: &Path, job: Job, gz: bool) -> Result<(Written, u64)> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
        if gz {
            return Written::read_members(path, job, reader);
        }
        let mut written = Written::default();
        let mut line = Vec::new();
        let (mut pos, mut keep, mut number) = (0u64, 0u64, 0u64);
        let mut bad: Option<u64> = None;
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .with_context(|| format!("reading {}", path.display()))?;
            if n == 0 || line.last() != Some(&b'\n') {
                break;
            }
            pos += n as u64;
            number += 1;
            match Written::record(&line, number, path, job)? {
                Some((id, kind)) => {
                    if let Some(bad) = bad {
                        anyhow::bail!(
                            "cannot resume: line {bad} of {} is not a dehusk record",
                            path.display()
                        );
                    }
                    written.insert(&id);
                    written.count(kind);
                    keep = pos;
                }
                None => {
                    bad.get_or_insert(number);
                }
            }
        }
        if let (Some(bad), 0) = (bad, written.records) {
            anyhow::bail!(
                "cannot resume: {} holds no dehusk record (line {bad} is not one)",
                path.display()
            );
        }
        Ok((written, keep))
    }

    /// [`Written::read`] of a gzipped output: its members are read in turn, and the
    /// whole ones (read to their end, every line a record) are kept; from the first
    /// that is not (cut by the kill, or damaged: where the next member would start is
    /// not known) the rest is dropped and redone. The length returned is where the last
    /// whole member ends. A file whose first member holds a line that is no dehusk
    /// record is refused, as a plain file of no record is; a first member cut short
    /// (a kill before it was ended) holds nothing to keep, and is redone.
    fn read_members(path: &Path, job: Job, reader: impl BufRead) -> Result<(Written, u64)> {
        let mut input = Counted {
            inner: reader,
            pos: 0,
        };
        let reading = |e| anyhow::Error::new(e).context(format!("reading {}", path.display()));
        let head = input.fill_buf().map_err(reading)?;
        // A head of one byte, 0x1f, is a gzip start cut by a kill (found by a review):
        // the member is cut, and redone like any other.
        if !head.is_empty() && !head.starts_with(&[0x1f, 0x8b]) && head != [0x1f] {
            anyhow::bail!(
                "cannot resume: {} is not gzip data, though its name ends in .gz (an older \
                 dehusk wrote plain JSON lines under any name: give it a name without .gz \
                 to resume it as it is)",
                path.display()
            );
        }
        let mut written = Written::default();
        let (mut keep, mut number) = (0u64, 0u64);
        // The first line that is no record, if one ended the reading.
        let mut bad: Option<u64> = None;
        let mut line = Vec::new();
        while !input.fill_buf().map_err(reading)?.is_empty() {
            // A member's records count only once it is read whole.
            let mut member = Vec::new();
            let mut lines = BufReader::new(GzDecoder::new(&mut input));
            let whole = loop {
                line.clear();
                match lines.read_until(b'\n', &mut line) {
                    Ok(0) => break true,
                    Ok(_) if line.last() != Some(&b'\n') => break false,
                    Ok(_) => {
                        number += 1;
                        match Written::record(&line, number, path, job)? {
                            Some(record) => member.push(record),
                            None => {
                                bad = Some(number);
                                break false;
                            }
                        }
                    }
                    // Cut short (the kill) or damaged.
                    Err(_) => break false,
                }
            };
            drop(lines);
            if !whole {
                break;
            }
            for (id, kind) in member {
                written.insert(&id);
                written.count(kind);
            }
            keep = input.pos;
        }
        if let (Some(bad), 0) = (bad, written.records) {
            anyhow::bail!(
                "cannot resume: {} holds no dehusk record (line {bad} is not one)",
                path.display()
            );
        }
        Ok((written, keep))
    }

    /// A line of an output: its id and what it says of its document, or None when it
    /// is no dehusk record. A record of the other command is refused ([`Written::read`]).
    fn record(
        line: &[u8],
        number: u64,
        path: &Path,
        job: Job,
    ) -> Result<Option<(String, RecordKind)>> {
        #[derive(serde::Deserialize)]
        struct Line {
            id: serde_json::Value,
            #[serde(default)]
            error: Option<serde_json::Value>,
            /// Read as any JSON: an older dehusk copied an input field of that name.
            #[serde(default)]
            too_large: Option<serde_json::Value>,
            #[serde(default)]
            text: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            blocks: Option<serde::de::IgnoredAny>,
        }
        let Ok(record) = serde_json::from_slice::<Line>(line) else {
            return Ok(None);
        };
        // The other command's record kind, and the field that tells it.
        let (text, blocks) = (record.text.is_some(), record.blocks.is_some());
        let other = match job {
            Job::Extract if blocks && !text => Some(("classify", "blocks")),
            Job::Classify if text && !blocks => Some(("extract", "text")),
            _ => None,
        };
        if let Some((kind, field)) = other {
            anyhow::bail!(
                "cannot resume: {} holds {kind} records (line {number} has `{field}`), and \
                 this run is {}: write to another file, or resume with {kind}",
                path.display(),
                job.name()
            );
        }
        let too_large = record.too_large == Some(serde_json::Value::Bool(true));
        let kind = match (record.error.is_some(), too_large) {
            (false, _) => RecordKind::Done,
            (true, false) => RecordKind::Failed,
            (true, true) => RecordKind::TooLarge,
        };
        Ok(Some((records::id_text(&record.id), kind)))
    }

    /// Counts an earlier record: an error record (not one of a document too large,
    /// which was skipped as asked) makes the run's exit code 2.
    fn count(&mut self, kind: RecordKind) {
        if let RecordKind::Failed = kind {
            self.errors += 1;
        }
    }
}

/// What an output record says of its document.
#[derive(Clone, Copy)]
enum RecordKind {
    /// Text or blocks.
    Done,
    /// An error record.
    Failed,
    /// An error record of a document over a size limit (`"too_large": true`).
    TooLarge,
}

/// A reader that counts the bytes taken from it: where each gzip member of an output
/// ends (flate2's `bufread` decoder takes exactly its member's bytes).
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.inner.consume(n);
    }
}

/// One unit of work: a document to read and classify, or an error to report.
enum Work {
    /// A plain file, read by the worker.
    File(PathBuf),
    /// A document whose first bytes were read to sniff it (standard input, a file with
    /// an unknown name), read on from there by the worker.
    Stream {
        id: String,
        head: Vec<u8>,
        rest: Box<dyn Read + Send>,
    },
    /// A record of a record file.
    Record(records::Record),
    /// An input or record that could not be read.
    Failed(Failure),
}

/// A document that failed, or was skipped as too large: what its error record and its
/// stderr line say.
struct Failure {
    id: String,
    fields: Fields,
    reason: String,
    /// Over a size limit (`--max-bytes`, `--max-blocks`): counted as skipped, and not
    /// a failure of the run.
    too_large: bool,
}

impl Failure {
    /// The failure of document `id` by error `e`.
    fn of(id: String, fields: Fields, e: &dehusk::Error) -> Failure {
        Failure {
            id,
            fields,
            reason: e.reason(),
            too_large: e.is_too_large(),
        }
    }
}

/// Work and the progress it stands for (documents, or input bytes for record files).
struct Item {
    work: Work,
    progress: u64,
}

enum Outcome {
    Done { line: String },
    Failed(Failure),
}

impl Outcome {
    /// About the bytes it holds, as it waits to be written (fields are left out: they
    /// came with the record, which was weighed).
    fn size(&self) -> u64 {
        match self {
            Outcome::Done { line } => line.len() as u64,
            Outcome::Failed(f) => (f.id.len() + f.reason.len()) as u64,
        }
    }
}

/// The record file being read.
struct Current {
    reader: records::Reader,
    /// Its id (its path, or `-`).
    id: String,
    /// Bytes of it counted in the progress so far, and its size.
    counted: u64,
    size: u64,
    /// Its entries that are documents (written already or not), and the records
    /// skipped as no documents: a file without documents is said at the end.
    documents: u64,
    skipped: u64,
}

/// The stream of work: inputs expanded, record files read record by record, ids
/// written by an earlier run (`--resume`) left out.
struct Inputs {
    paths: std::vec::IntoIter<(dehusk::Result<PathBuf>, u64)>,
    current: Option<Current>,
    options: records::Options,
    written: Option<Written>,
    /// Progress in input bytes (there are record files), not in documents.
    by_bytes: bool,
    /// Progress not yet handed to an item.
    pending: u64,
    /// Records that are not documents (non-HTML WARC records).
    skipped: u64,
    /// Documents an earlier run wrote.
    resumed: u64,
    /// Record files that held no document, with their records skipped (not HTML).
    empty: Vec<(String, u64)>,
    /// Warnings go here (through its suspend), or nowhere (None: a first pass, whose
    /// second pass says them).
    warnings: Option<ProgressBar>,
    /// `--input-format` was given, and no WARC or WET file read yet: on the first, a
    /// warning says it has no effect there.
    format_unused: bool,
}

impl Inputs {
    /// The work of `paths` (each with its size in bytes, counted when `by_bytes`),
    /// leaving out the ids in `written`; warnings are said through `warnings`.
    fn new(
        paths: Vec<(dehusk::Result<PathBuf>, u64)>,
        options: records::Options,
        written: Option<Written>,
        by_bytes: bool,
        warnings: Option<ProgressBar>,
    ) -> Inputs {
        Inputs {
            format_unused: options.format.is_some(),
            empty: Vec::new(),
            warnings,
            paths: paths.into_iter(),
            current: None,
            options,
            written,
            by_bytes,
            pending: 0,
            skipped: 0,
            resumed: 0,
        }
    }

    /// Whether the earlier run wrote this id (counted as resumed).
    fn already_written(&mut self, id: &str) -> bool {
        let done = self.written.as_mut().is_some_and(|w| w.take(id));
        self.resumed += u64::from(done);
        done
    }

    fn item(&mut self, work: Work) -> Item {
        Item {
            work,
            progress: std::mem::take(&mut self.pending),
        }
    }

    /// Makes an opened record file the current one (None: its records come next), or
    /// reports why it could not be opened.
    fn read_records(
        &mut self,
        opened: dehusk::Result<records::Reader>,
        kind: RecordFormat,
        id: String,
        size: u64,
    ) -> Option<Work> {
        // Found by a new-user audit: `--input-format text` over a WARC was silently
        // ignored (WARC and WET records carry their format in their type, ARC records
        // in their HTTP Content-Type).
        if self.format_unused && kind != RecordFormat::Jsonl && opened.is_ok() {
            self.format_unused = false;
            if let Some(progress) = &self.warnings {
                progress.suspend(|| {
                    eprintln!(
                        "dehusk: warning: --input-format has no effect on WARC, WET and \
                         ARC records ({id}): they are read by their record type (HTML \
                         responses, text conversions)"
                    )
                });
            }
        }
        match opened {
            Ok(reader) => {
                self.current = Some(Current {
                    reader,
                    id,
                    counted: 0,
                    size,
                    documents: 0,
                    skipped: 0,
                });
                None
            }
            Err(e) => Some(Work::Failed(Failure::of(id, Fields::new(), &e))),
        }
    }

    /// Work for one input path (None: it became the current record file, or was
    /// written already).
    fn start(&mut self, path: PathBuf, size: u64) -> Option<Work> {
        let id = path.display().to_string();
        let failed = |id: String, reason: String| {
            Work::Failed(Failure {
                id,
                fields: Fields::new(),
                reason,
                too_large: false,
            })
        };
        let stdin = path.as_os_str() == "-";
        let by_name = match records::by_name(&path) {
            _ if stdin => None,
            ByName::Records(kind) => {
                let opened = records::Reader::open(&path, kind, self.options.clone());
                return self.read_records(opened, kind, id, size);
            }
            ByName::Document => return Some(Work::File(path)),
            ByName::Look(hint) => hint,
        };
        // A WARC by name, standard input, or a name that does not tell: look at the
        // first bytes, then read on from the same handle (it may be a pipe). A `.wet` or
        // `.warc` that is readable but no WARC is one document, as `.wet` text files
        // always were; a damaged start goes to the WARC reader, which reports it.
        let rest: Box<dyn Read + Send> = if stdin {
            Box::new(io::stdin())
        } else {
            match File::open(&path) {
                Ok(file) => Box::new(file),
                Err(e) => return Some(failed(id, e.to_string())),
            }
        };
        // Under a name that does not say, zstd is undone here, so that its start can
        // be looked at.
        let (head, rest) = match records::head_and_rest(rest, by_name) {
            Ok(both) => both,
            Err(e) => return Some(failed(id, e.to_string())),
        };
        let field = self.options.field.as_deref();
        let Some(kind) = records::record_format(by_name, &head, field) else {
            if by_name.is_none() && records::looks_like_cut_warc(&head) {
                eprintln!(
                    "dehusk: warning: {id} looks like part of a WARC file, cut before a record \
                     too large to check in its first 16 KiB; it is read as one document: \
                     save it under a .warc name to read its records"
                );
            } else if let Some(doubt) = by_name
                .is_none()
                .then(|| records::json_lines_doubt(&head, field))
                .flatten()
            {
                // Said even with -q, as the cut WARC is: every document of a stream
                // read as one is lost (found by an audit: it was said nowhere).
                let hint = match field {
                    Some(_) => "",
                    None => ", or name the field with --field",
                };
                eprintln!(
                    "dehusk: warning: {id}: {doubt}; it is read as one document: save it \
                     under a .jsonl name to read each line as a document{hint}"
                );
            }
            return Some(Work::Stream { id, head, rest });
        };
        let stream = Box::new(io::Cursor::new(head).chain(rest));
        let opened = records::Reader::new(stream, id.clone(), kind, self.options.clone());
        self.read_records(opened, kind, id, size)
    }

    /// The next entry of the current record file as work (None: skipped or written
    /// already; the file's end clears `current`).
    fn next_record(&mut self) -> Option<Work> {
        let current = self.current.as_mut()?;
        let entry = current.reader.next();
        if self.by_bytes {
            let pos = current.reader.position().min(current.size);
            self.pending += pos.saturating_sub(current.counted);
            current.counted = current.counted.max(pos);
        }
        if let Some(Entry::Record(_) | Entry::Failed { .. }) = entry {
            current.documents += 1;
        }
        match entry {
            None => {
                self.pending += if self.by_bytes {
                    current.size.saturating_sub(current.counted)
                } else {
                    1
                };
                if let Some(done) = self.current.take().filter(|c| c.documents == 0) {
                    self.empty.push((done.id, done.skipped));
                }
                None
            }
            Some(Entry::Skipped { .. }) => {
                current.skipped += 1;
                self.skipped += 1;
                None
            }
            Some(Entry::Record(record)) => {
                (!self.already_written(&record.id)).then_some(Work::Record(record))
            }
            Some(Entry::Failed { id, fields, error }) => {
                (!self.already_written(&id)).then(|| Work::Failed(Failure::of(id, fields, &error)))
            }
        }
    }
}

impl Iterator for Inputs {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if self.current.is_some() {
                if let Some(work) = self.next_record() {
                    return Some(self.item(work));
                }
                continue;
            }
            let (entry, size) = self.paths.next()?;
            self.pending += if self.by_bytes { size } else { 1 };
            let work = match entry {
                Ok(path) => match self.start(path, size) {
                    Some(work) => work,
                    None => {
                        // A record file: its progress comes as it is read.
                        self.pending -= if self.by_bytes { size } else { 1 };
                        continue;
                    }
                },
                Err(e) => Work::Failed(Failure::of(error_id(&e), Fields::new(), &e)),
            };
            let id = match &work {
                Work::File(path) => path.display().to_string(),
                Work::Stream { id, .. } | Work::Failed(Failure { id, .. }) => id.clone(),
                Work::Record(record) => record.id.clone(),
            };
            if self.already_written(&id) {
                continue;
            }
            return Some(self.item(work));
        }
    }
}

impl Item {
    /// The record bytes this item holds.
    fn weight(&self) -> u64 {
        match &self.work {
            Work::Record(record) => record.size() as u64,
            _ => 0,
        }
    }
}

/// Work read ahead by the reading thread (decompressing and framing records while the
/// workers classify), bounded in items and in record bytes.
struct Queue {
    state: Mutex<QueueState>,
    changed: Condvar,
    max_items: usize,
    max_bytes: u64,
}

#[derive(Default)]
struct QueueState {
    items: VecDeque<Item>,
    bytes: u64,
    /// The reading thread has finished.
    done: bool,
    /// The consumer has stopped (an output error): the reading thread stops too.
    closed: bool,
}

impl Queue {
    fn new(max_items: usize, max_bytes: u64) -> Queue {
        Queue {
            state: Mutex::new(QueueState::default()),
            changed: Condvar::new(),
            max_items,
            max_bytes,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues an item, waiting while the queue is full (an empty queue takes any item);
    /// false when the consumer has stopped.
    fn push(&self, item: Item) -> bool {
        let mut state = self.lock();
        while !state.closed
            && !state.items.is_empty()
            && (state.items.len() >= self.max_items || state.bytes >= self.max_bytes)
        {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        if state.closed {
            return false;
        }
        state.bytes += item.weight();
        state.items.push_back(item);
        self.changed.notify_all();
        true
    }

    /// The next item, waiting for the reading thread; None when it has finished, or
    /// when the run is interrupted (looked at while waiting, too: the reading thread
    /// may be waiting for input that does not come).
    fn pop(&self) -> Option<Item> {
        let mut state = self.lock();
        loop {
            if interrupted() {
                return None;
            }
            if let Some(item) = state.items.pop_front() {
                state.bytes -= item.weight();
                self.changed.notify_all();
                return Some(item);
            }
            if state.done {
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, std::time::Duration::from_millis(100))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn finish(&self) {
        self.lock().done = true;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

/// Closes the queue when the work ends, however it ends, so the reading thread stops.
struct CloseOnDrop<'a>(&'a Queue);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// Marks the queue finished when the reading thread ends, however it ends.
struct FinishOnDrop<'a>(&'a Queue);

impl Drop for FinishOnDrop<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Writes outcomes in order and keeps the counts and the progress bar.
struct Sink<'a> {
    out: &'a mut Output,
    progress: &'a ProgressBar,
    /// `--format text`: the line that parts one document's entry from the next (JSON
    /// lines: None).
    text_separator: Option<&'static str>,
    by_bytes: bool,
    first_text: bool,
    ok: u64,
    failed: u64,
    /// Documents over `--max-bytes` or `--max-blocks`: error records, but skipped as
    /// asked, so not failures.
    too_large: u64,
    started: Instant,
    /// Set at the first document ([`RateBase`]).
    rate_base: RateBase,
    io_error: Option<io::Error>,
}

impl Sink<'_> {
    fn take(&mut self, (outcome, progress): (Outcome, u64)) -> bool {
        let res = match outcome {
            Outcome::Done { line } => {
                self.ok += 1;
                if let Some(separator) = self.text_separator {
                    let sep = if self.first_text { "" } else { separator };
                    self.first_text = false;
                    writeln!(self.out.writer, "{sep}{line}")
                } else {
                    writeln!(self.out.writer, "{line}")
                }
            }
            Outcome::Failed(Failure {
                id,
                fields,
                reason,
                too_large,
            }) => {
                match too_large {
                    true => self.too_large += 1,
                    false => self.failed += 1,
                }
                let url = records::url_field(&fields);
                // Through the progress bar's suspend, so the message is not drawn over;
                // never through indicatif's println, which is dropped off a terminal.
                self.progress.suspend(|| match url {
                    Some(url) => eprintln!("dehusk: {id} ({url}): {reason}"),
                    None => eprintln!("dehusk: {id}: {reason}"),
                });
                if let Some(separator) = self.text_separator {
                    // An empty entry in its place, so that the output's entries stay
                    // one per document in input order (errors are on stderr).
                    let sep = if self.first_text { "" } else { separator };
                    self.first_text = false;
                    writeln!(self.out.writer, "{sep}")
                } else {
                    let record = match too_large {
                        true => output::too_large_record_with(&id, &fields, &reason),
                        false => output::error_record_with(&id, &fields, &reason),
                    };
                    writeln!(self.out.writer, "{record}")
                }
            }
        };
        self.progress.inc(progress);
        // After the first document's progress, which carries any resumed ones.
        self.rate_base
            .get_or_init(|| (self.progress.position(), Instant::now()));
        if !self.progress.is_hidden() {
            if self.by_bytes {
                let pages = self.ok + self.failed + self.too_large;
                let rate = pages as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
                self.progress.set_message(format!(
                    "{pages} pages  {rate:.0} pages/s  {} errors",
                    self.failed
                ));
            } else if self.failed > 0 {
                self.progress.set_message(format!("{} failed", self.failed));
            }
        }
        match res {
            Ok(()) => true,
            Err(e) => {
                self.io_error = Some(e);
                false
            }
        }
    }
}

/// `--format text`'s entry of a document: its main text without blank lines, which
/// only a code block's own lines can be (`<pre>`, laid out), and which would read as
/// the blank line between documents (found by a review).
fn without_blank_lines(text: String) -> String {
    if !text.split('\n').any(|line| line.trim().is_empty()) {
        return text;
    }
    let lines: Vec<&str> = text
        .split('\n')
        .filter(|line| !line.trim().is_empty())
        .collect();
    lines.join("\n")
}

/// `--format text --markdown`'s entry of a document: its Markdown, with a line that is
/// only a form feed (a page break in a code block, as GNU sources have) written blank,
/// since such a line parts the documents ([`MARKDOWN_SEPARATOR`]).
fn without_separator_lines(text: String) -> String {
    let separator = MARKDOWN_SEPARATOR.trim_end_matches('\n');
    if !text.split('\n').any(|line| line == separator) {
        return text;
    }
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| if line == separator { "" } else { line })
        .collect();
    lines.join("\n")
}

/// What parts documents in `--format text`: a blank line, which a document's plain text
/// never holds ([`without_blank_lines`]).
const TEXT_SEPARATOR: &str = "\n";
/// What parts documents in `--format text --markdown`, whose paragraphs are parted by
/// blank lines: a line of one form feed, the page break of text files, which a
/// document's Markdown never holds ([`without_separator_lines`]). Unlike a NUL, it
/// leaves the output text for a pager or an editor, and reads as a space to a tool
/// that does not split on it.
const MARKDOWN_SEPARATOR: &str = "\u{c}\n";

/// What dehusk itself wrote that a folder being walked holds, left out of the inputs:
/// an earlier run's output (`-o` inside the folder: each record's text was extracted
/// again, under the same id, found by an audit) or an unfinished run's settings. None
/// for anything else. JSON lines by name (`.jsonl`, `.ndjson`) and names that say
/// nothing (`.json`, `.partial`, `results`, with `.gz` or `.zst` or not) are looked
/// into, the first six bytes of most ([`records::starts_with_dehusk_output`]); pages
/// and record files by name are not, so a folder of pages costs no extra read. An
/// output under a name that says nothing was read as JSON lines (found by a review:
/// `-o results` inside the folder).
fn earlier_output(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let settings = name.strip_suffix(SETTINGS_BEING_WRITTEN).unwrap_or(&name);
    if settings.ends_with(".partial.settings") {
        return Some("the settings of an unfinished dehusk run");
    }
    if !matches!(
        records::by_name(path),
        records::ByName::Records(RecordFormat::Jsonl) | records::ByName::Look(None)
    ) {
        return None;
    }
    let file = File::open(path).ok()?;
    records::starts_with_dehusk_output(file)
        .ok()?
        .then_some("an earlier dehusk output")
}

/// Set by the first Ctrl-C (SIGINT) of an extract or classify run: the run takes no
/// new document, writes the ones in progress, and stops ([`drive`], [`run`]).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Set by the first SIGTERM, to the same effect ([`catch_interrupt`]).
static TERMINATED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst) || terminated()
}

fn terminated() -> bool {
    TERMINATED
        .get()
        .is_some_and(|flag| flag.load(Ordering::SeqCst))
}

/// Exit code of a run stopped by a signal: 128 + its number, as the shell reports a
/// process the signal killed.
fn interrupted_code() -> u8 {
    if terminated() {
        143
    } else {
        130
    }
}

/// Catches Ctrl-C and SIGTERM: the first stops the run cleanly, leaving whole records
/// that `--resume` continues from; a second of the same ends it at once (exit 130 or
/// 143, as the shell reports the signal), as a kill would (a cut last record, which
/// `--resume` redoes). Found by new-user audits: Ctrl-C ended a run without a word about
/// its `.partial`, and SIGTERM, what a batch system or container sends to stop a job
/// before it kills it, lost the records in progress and said nothing.
fn catch_interrupt() {
    // Should a handler not install, the signal ends the run as a kill does: nothing
    // worse than before it existed, so the run goes on without it.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    #[cfg(unix)]
    {
        use signal_hook::{consts::SIGTERM, flag};
        let term = TERMINATED.get_or_init(Default::default);
        // The exit registered first, so it sees the flag as the signals before set it:
        // the first SIGTERM only sets it, a second exits.
        if let Ok(exit) = flag::register_conditional_shutdown(SIGTERM, 143, Arc::clone(term)) {
            if flag::register(SIGTERM, Arc::clone(term)).is_err() {
                // Alone, it would leave SIGTERM doing nothing.
                signal_hook::low_level::unregister(exit);
            }
        }
    }
}

/// The end of an interrupted run: what was written is flushed (whole records; a `.gz`
/// output's member ended) and left in `FILE.partial` for `--resume`, and said.
/// `documents`: the records the output holds.
fn stop_interrupted(
    mut out: Output,
    progress: &ProgressBar,
    documents: u64,
    resumable: bool,
) -> Result<ExitCode> {
    progress.finish_and_clear();
    out.flush()?;
    match &out.finish {
        Some((partial, _)) if resumable => eprintln!(
            "dehusk: interrupted after {documents} documents; the output so far is in {}: \
             rerun the same command with --resume to continue",
            partial.display()
        ),
        Some((partial, _)) => eprintln!(
            "dehusk: interrupted after {documents} documents; the output so far is in {} \
             (--format text cannot be resumed)",
            partial.display()
        ),
        None => eprintln!("dehusk: interrupted after {documents} documents"),
    }
    Ok(ExitCode::from(interrupted_code()))
}

/// Runs extract or classify over all inputs, writing `format` (extract's `--format`;
/// classify writes JSON lines) and, with `markdown` (extract's `--markdown`), the text
/// as Markdown.
pub fn run(args: RunArgs, job: Job, format_out: OutFormat, markdown: bool) -> Result<ExitCode> {
    // From the start: a Ctrl-C before the output is open stops the run before any
    // document, just as cleanly.
    catch_interrupt();
    crate::set_threads(args.threads)?;
    let models = crate::models(&args.model)?;
    let classifier: Classifier = crate::classifier_of(&models.0, &models.1, &args.model)?;
    let format = args.input_format.map(InputFormat::from);
    // A second `-` would read an input already drained: an empty document.
    anyhow::ensure!(
        args.inputs.iter().filter(|p| p.as_os_str() == "-").count() <= 1,
        "standard input (-) can be named once"
    );
    // classify's records hold blocks, which have no bare-text form: classify has no
    // --format.
    let text_out = job == Job::Extract && format_out == OutFormat::Text;
    anyhow::ensure!(
        args.site_repeats == 0 || !args.inputs.iter().any(|p| p.as_os_str() == "-"),
        "--site-repeats reads the inputs twice (a first pass counts each site's lines), \
         so it cannot read standard input"
    );
    if args.site_repeats > 0 {
        // A pipe or a FIFO named on the command line would be used up by the first pass
        // (the second then reads nothing) or block it: refuse it as standard input is.
        let not_file = args.inputs.iter().find(|p| {
            p.as_os_str() != "-" && fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir())
        });
        if let Some(path) = not_file {
            anyhow::bail!(
                "--site-repeats reads the inputs twice (a first pass counts each site's \
                 lines), so it needs files, and {} is not a regular file (a pipe, FIFO or \
                 device)",
                path.display()
            );
        }
    }
    anyhow::ensure!(
        !(args.resume && text_out),
        "--resume reads the ids of the records already written, so it needs JSON-lines \
         output, not --format text"
    );
    if let Some(dest) = &args.output {
        // Before, `-o out/` failed with "creating out/.partial" (found by an audit).
        let slash = dest.as_os_str().as_encoded_bytes().last() == Some(&b'/');
        anyhow::ensure!(
            !(slash || dest.is_dir()),
            "-o {} names a folder: -o takes the file to write",
            dest.display()
        );
    }
    // Expanded one by one to tell a folder that holds no file, said at the end.
    let mut empty_folders = Vec::new();
    let mut paths = Vec::new();
    let mut special = Vec::new();
    for input in &args.inputs {
        let found = input::expand_inputs_noting(std::slice::from_ref(input), &mut special);
        if found.is_empty() {
            empty_folders.push(input);
        }
        let walked = input.is_dir();
        paths.extend(found.into_iter().map(|path| (path, walked)));
    }
    // Said even with -q, as an earlier run's output left out is: a file of the folder
    // neither read nor mentioned would go unnoticed (found by an audit).
    for file in &special {
        eprintln!(
            "dehusk: warning: {}: left out, it is {} (reading it could block the run): \
             name it to read it",
            file.path.display(),
            file.what
        );
    }
    if let Some(dest) = &args.output {
        // The output is never read as an input: named as one, the run would replace it
        // (refused); found in a walked folder (a rerun, or a resume, with `-o` inside
        // it), it would be extracted again as a document (left out, and said).
        let outputs = output_files(dest);
        let is_output = |p: &Path| fs::canonicalize(p).is_ok_and(|c| outputs.contains(&c));
        if let Some(named) = args.inputs.iter().find(|p| is_output(p)) {
            anyhow::bail!(
                "{} is both an input and the output (-o): write the output elsewhere",
                named.display()
            );
        }
        paths.retain(|p| match p {
            (Ok(path), _) if is_output(path) => {
                if !args.quiet {
                    eprintln!(
                        "dehusk: {}: left out, it is this run's output",
                        path.display()
                    );
                }
                false
            }
            _ => true,
        });
    }
    // What an earlier run wrote into a folder walked for inputs is no input either.
    paths.retain(|(path, walked)| {
        let Some(what) = path
            .as_deref()
            .ok()
            .filter(|_| *walked)
            .and_then(earlier_output)
        else {
            return true;
        };
        // Said even with -q: an input left out by a guess at its content must not go
        // unnoticed (a review: a user's compact JSON lines can look like dehusk's).
        if let Ok(path) = path {
            eprintln!(
                "dehusk: {}: left out, it is {what}: name it to read it",
                path.display()
            );
        }
        false
    });
    let paths: Vec<dehusk::Result<PathBuf>> = paths.into_iter().map(|(path, _)| path).collect();
    let count = paths.len() as u64;
    // With record files the progress is in input bytes: their documents are not known
    // in advance.
    let by_bytes = paths
        .iter()
        .any(|p| matches!(p, Ok(p) if RecordFormat::from_path(p).is_some()));
    let paths: Vec<(dehusk::Result<PathBuf>, u64)> = paths
        .into_iter()
        .map(|p| {
            let size = match &p {
                Ok(path) if by_bytes && path.as_os_str() != "-" => {
                    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
                }
                _ => 0,
            };
            (p, size)
        })
        .collect();
    let total = if by_bytes {
        paths.iter().map(|p| p.1).sum()
    } else {
        count
    };
    let rate_base = RateBase::default();
    let progress = progress_bar(!args.quiet, total, by_bytes, &rate_base);
    // What made the records, for a later --resume to check (only a file is resumed).
    let settings = args
        .output
        .as_ref()
        .map(|_| RunSettings::new(job, &args, markdown, &models));
    drop(models);
    let (mut out, written) = match (&args.output, &settings, args.resume) {
        (Some(dest), Some(settings), true) => Output::resume(dest, job, settings, |w| {
            progress.suspend(|| eprintln!("dehusk: warning: {w}"))
        })?,
        (dest, settings, _) => (Output::open(dest.as_deref(), settings.as_ref())?, None),
    };
    if let (Some(w), Some(dest), false) = (&written, &args.output, args.quiet) {
        progress.suspend(|| {
            eprintln!(
                "dehusk: resuming {}: {} records already written",
                dest.display(),
                w.records
            )
        });
    }
    let max_bytes = args.max_bytes;
    let options = records::Options {
        max_bytes,
        field: args.field.clone(),
        format,
    };
    let site = match args.site_repeats {
        0 => None,
        n => {
            let mut repeats = SiteRepeats::new(n).context("--site-repeats")?;
            let readable = paths.iter().filter_map(|(p, _)| p.as_ref().ok().cloned());
            count_sites(readable.collect(), &args, &options, &mut repeats);
            if repeats.is_empty() && !args.quiet {
                progress.suspend(|| {
                    eprintln!(
                        "dehusk: --site-repeats: no document has a URL to take its host \
                         from (WARC, WET and ARC records, JSON lines with a `url` field), so \
                         nothing is compared"
                    )
                });
            }
            Some(repeats)
        }
    };
    if interrupted() {
        // In the first pass: no record written, and none may be (counts cut short
        // would change the second pass's).
        let documents = written.as_ref().map_or(0, |w| w.records);
        return stop_interrupted(out, &progress, documents, !text_out);
    }
    let earlier = written.as_ref().map_or(0, |w| w.records);
    let inputs = Inputs::new(paths, options, written, by_bytes, Some(progress.clone()));
    let started = Instant::now();

    // Documents below --min-confidence (their text emptied), and the kept blocks
    // --site-repeats dropped and from how many documents, for the summary.
    let doubtful = AtomicU64::new(0);
    let site_blocks = AtomicU64::new(0);
    let site_docs = AtomicU64::new(0);
    let max_blocks = args.limit.max_blocks;
    let render =
        |doc: &Document, fields: &[(String, serde_json::Value)]| -> dehusk::Result<String> {
            let host = site.as_ref().and_then(|_| record_host(fields));
            let on_site = site.as_ref().zip(host.as_deref()).map(|(s, h)| s.on(h));
            let c = classifier.classify_on_site(doc, on_site, max_blocks)?;
            if c.site_dropped > 0 {
                site_blocks.fetch_add(c.site_dropped as u64, Ordering::Relaxed);
                site_docs.fetch_add(1, Ordering::Relaxed);
            }
            let model = classifier.for_format(doc.format).model();
            if model.below_min_confidence(c.confidence) {
                doubtful.fetch_add(1, Ordering::Relaxed);
            }
            Ok(match job {
                Job::Extract if text_out && markdown => without_separator_lines(c.markdown()),
                Job::Extract if text_out => without_blank_lines(c.main_text()),
                Job::Extract => {
                    let text = if markdown {
                        c.markdown()
                    } else {
                        c.main_text()
                    };
                    output::text_record_with(&doc.id, fields, &text, c.confidence)
                }
                Job::Classify => output::blocks_record_with(&doc.id, fields, &c),
            })
        };
    let work = |item: Item| -> (Outcome, u64) {
        let failed = |id: String, fields: Fields, e: dehusk::Error| {
            Outcome::Failed(Failure::of(id, fields, &e))
        };
        let outcome = match item.work {
            Work::File(path) => {
                match input::load_document(&path, format, max_bytes)
                    .and_then(|doc| render(&doc, &[]))
                {
                    Ok(line) => Outcome::Done { line },
                    Err(e) => failed(path.display().to_string(), Fields::new(), e),
                }
            }
            Work::Stream { id, head, rest } => {
                match input::read_stream(io::Cursor::new(head).chain(rest), max_bytes)
                    .and_then(|bytes| {
                        input::document_from_vec(
                            id.clone(),
                            bytes,
                            None,
                            format,
                            Transport::default(),
                        )
                    })
                    .and_then(|doc| render(&doc, &[]))
                {
                    Ok(line) => Outcome::Done { line },
                    Err(e) => failed(id, Fields::new(), e),
                }
            }
            Work::Record(record) => {
                match record
                    .document()
                    .and_then(|doc| render(&doc, &record.fields))
                {
                    Ok(line) => Outcome::Done { line },
                    Err(e) => failed(record.id, record.fields, e),
                }
            }
            Work::Failed(failure) => Outcome::Failed(failure),
        };
        (outcome, item.progress)
    };
    let mut sink = Sink {
        out: &mut out,
        progress: &progress,
        text_separator: text_out.then_some(if markdown {
            MARKDOWN_SEPARATOR
        } else {
            TEXT_SEPARATOR
        }),
        by_bytes,
        first_text: true,
        ok: 0,
        failed: 0,
        too_large: 0,
        started,
        rate_base,
        io_error: None,
    };
    let inputs = drive(
        inputs,
        work,
        |(outcome, _)| outcome.size(),
        |r| sink.take(r),
    );
    let (ok, failed, too_large) = (sink.ok, sink.failed, sink.too_large);
    if let Some(e) = sink.io_error.take() {
        progress.finish_and_clear();
        return Err(e).context("writing output");
    }
    let Some(inputs) = inputs.filter(|_| !interrupted()) else {
        let documents = earlier + ok + failed + too_large;
        return stop_interrupted(out, &progress, documents, !text_out);
    };
    progress.inc(inputs.pending);
    progress.finish_and_clear();
    out.close()?;
    let (skipped, resumed) = (inputs.skipped, inputs.resumed);
    // Error records an earlier run wrote are in the output: the run failed for them.
    let (earlier_errors, unmatched) = match &inputs.written {
        Some(w) => (
            w.errors,
            (w.records > 0 && w.taken == 0).then_some(w.records),
        ),
        None => (0, None),
    };
    if let (Some(n), Some(dest)) = (unmatched, &args.output) {
        eprintln!(
            "dehusk: warning: none of the {n} records already in {} is a document of this run \
             (were the inputs named differently?): they are kept, and every document was \
             extracted again",
            dest.display()
        );
    }
    // Found by a new-user audit: an empty folder or `.warc.gz` gave "0 documents" and
    // exit 0, the same as a run that was asked for nothing. Said even with -q (a run
    // over a wrong path is worth knowing of), and still exit 0: nothing failed, and an
    // empty shard in a batch of crawl files is no error.
    for folder in &empty_folders {
        eprintln!(
            "dehusk: warning: no documents found in {}: the folder holds no file \
             (names starting with a dot are skipped)",
            folder.display()
        );
    }
    for (file, skipped) in &inputs.empty {
        match skipped {
            0 => eprintln!("dehusk: warning: no documents found in {file}"),
            n => eprintln!(
                "dehusk: warning: no documents found in {file} ({n} records skipped: not \
                 HTML pages)"
            ),
        }
    }
    if ok + failed + too_large + resumed == 0 && empty_folders.is_empty() && inputs.empty.is_empty()
    {
        eprintln!("dehusk: warning: no documents found in the inputs");
    }
    let doubtful = doubtful.into_inner();
    let site = site.map(|_| (site_blocks.into_inner(), site_docs.into_inner()));
    if !args.quiet
        && (failed > 0
            || too_large > 0
            // No document at all (an empty folder, a WARC of requests only) is said.
            || ok + failed + too_large == 0
            || count > 1
            || ok > 1
            || skipped > 0
            || resumed > 0
            || doubtful > 0
            || site.is_some())
    {
        let resumed = (resumed, earlier_errors);
        let mut summary = summary_line(ok, (failed, too_large), skipped, resumed, doubtful);
        if let Some((blocks, docs)) = site {
            summary.push_str(&format!(
                ", {blocks} blocks a site repeats dropped from {docs} documents"
            ));
        }
        eprintln!("{summary}, {:.1}s", started.elapsed().as_secs_f64());
    }
    Ok(if failed + earlier_errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads `inputs` on a thread of its own and maps `work` over the items in parallel,
/// calling `sink` with each result in input order until the inputs end, `sink`
/// returns false, or the run is interrupted ([`catch_interrupt`]). `weight` weighs a
/// result held for the sink (its output's bytes). Returns the inputs, read as far as
/// they were; None when the run was interrupted.
fn drive<R: Send>(
    mut inputs: Inputs,
    work: impl Fn(Item) -> R + Sync + Send,
    weight: impl Fn(&R) -> u64 + Sync + Send,
    sink: impl FnMut(R) -> bool,
) -> Option<Inputs> {
    // Half the bytes in flight are read ahead; the other half are records waiting for a
    // thread and results waiting for an earlier one.
    let in_flight = (IN_FLIGHT_BYTES_PER_THREAD * rayon::current_num_threads().max(1) as u64)
        .max(MIN_IN_FLIGHT_BYTES);
    let queue = Arc::new(Queue::new(QUEUE_ITEMS, in_flight / 2));
    let limits = InFlight {
        items: BATCH * rayon::current_num_threads().max(1),
        bytes: in_flight / 2,
    };
    // Not a scoped thread: interrupted, the run must not wait for a read that may
    // never end (standard input from a terminal or an idle pipe).
    let reading = {
        let queue = Arc::clone(&queue);
        std::thread::spawn(move || {
            let _finish = FinishOnDrop(&queue);
            for item in &mut inputs {
                if interrupted() || !queue.push(item) {
                    break;
                }
            }
            inputs
        })
    };
    {
        // Closed however the work ends: a panic in it would otherwise leave the
        // reading thread waiting on a full queue forever (found by a review).
        let _close = CloseOnDrop(&queue);
        // Interrupted, the queue hands out no more items: those taken are finished and
        // handed to the sink in order, so the output is the first documents' records.
        let items = std::iter::from_fn(|| queue.pop());
        for_each_ordered_within(items, limits, &work, Item::weight, weight, sink);
    }
    if interrupted() {
        // The reading thread ends with the process.
        return None;
    }
    match reading.join() {
        Ok(inputs) => Some(inputs),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The host of a record's `url` field (WARC, WET and ARC records, JSON lines with one).
fn record_host(fields: &[(String, serde_json::Value)]) -> Option<String> {
    records::url_field(fields).and_then(site::host_of_url)
}

/// `--site-repeats`' first pass: counts the block texts of every record with a host,
/// host by host. Inputs that fail here are left to the second pass to report.
/// `inputs` are the run's (the output left out).
fn count_sites(
    inputs: Vec<PathBuf>,
    args: &RunArgs,
    options: &records::Options,
    repeats: &mut SiteRepeats,
) {
    let progress = progress_bar(!args.quiet, 0, false, &RateBase::default());
    progress.set_style(
        ProgressStyle::with_template("{elapsed_precise} {pos} documents read  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_message("counting the lines each site repeats (pass 1 of 2)");
    let paths = inputs.into_iter().map(|p| (Ok(p), 0)).collect();
    let inputs = Inputs::new(paths, options.clone(), None, false, None);
    let work = |item: Item| -> Option<PageKeys> {
        let Work::Record(record) = item.work else {
            return None;
        };
        let host = record_host(&record.fields)?;
        let doc = record.document().ok()?;
        // A page over the limit is refused by the second pass, and counts for nothing.
        let page = segment_within(&doc, args.limit.max_blocks).ok()?;
        Some(SiteRepeats::page_keys(&host, &page))
    };
    let weight = |keys: &Option<PageKeys>| keys.as_ref().map_or(0, PageKeys::size);
    drive(inputs, work, weight, |keys| {
        if let Some(keys) = keys {
            repeats.add_keys(&keys);
        }
        progress.inc(1);
        true
    });
    progress.finish_and_clear();
}

/// The progress bar: on a terminal unless `wanted` is false (`--quiet`), counting
/// input bytes when the inputs include record files (their documents are not known in
/// advance) and documents otherwise; hidden elsewhere.
/// Where the progress bar's rate starts: its position and the time when the first
/// document of the run was written (set by [`Sink::take`]). Not the bar's start: a
/// `--resume`d run credits the documents already written at once, with the first new
/// one, which read as a rate made its ETA four times too short (found by a review),
/// and loading the model is no part of the rate either.
type RateBase = Arc<OnceLock<(u64, Instant)>>;

fn progress_bar(wanted: bool, total: u64, by_bytes: bool, base: &RateBase) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let template = if by_bytes {
        "{elapsed_precise} [{bar:30}] {binary_bytes}/{binary_total_bytes}  \
         {binary_bytes_per_sec}  eta {eta}  {msg}"
    } else {
        "{elapsed_precise} [{bar:30}] {pos}/{len} docs  {per_sec}  eta {eta}  {msg}"
    };
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template(template)
            .map(|style| {
                let base = Arc::clone(base);
                style.with_key(
                    "eta",
                    move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let left = state.len().map(|len| len.saturating_sub(state.pos()));
                        let text = match base.get() {
                            Some(&(at, since)) => {
                                eta_text(since.elapsed(), state.pos().saturating_sub(at), left)
                            }
                            None => "?".into(),
                        };
                        let _ = w.write_str(&text);
                    },
                )
            })
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// The time a run has left, at the mean rate since its first document ([`RateBase`]):
/// `?` for two seconds from there or before any progress. indicatif's own estimate follows the latest
/// steps, which at the start (the model loading, the first record file's first
/// bytes) gave "eta 8m" for a run of 3.5 s (found by a new-user audit).
fn eta_text(elapsed: Duration, done: u64, left: Option<u64>) -> String {
    match left {
        Some(left) if done > 0 && elapsed >= Duration::from_secs(2) => {
            let secs = elapsed.as_secs_f64() * left as f64 / done as f64;
            format!(
                "{:#}",
                HumanDuration(Duration::from_secs_f64(secs.min(1e9)))
            )
        }
        _ => "?".into(),
    }
}

/// The run's summary line, before its duration.
/// `failed`: the documents that failed, and those over a size limit (skipped);
/// `resumed`: the records an earlier run wrote that this one kept, and how many of
/// the output's earlier records are errors.
fn summary_line(
    ok: u64,
    (failed, too_large): (u64, u64),
    skipped: u64,
    (resumed, earlier_errors): (u64, u64),
    doubtful: u64,
) -> String {
    let mut summary = format!(
        "dehusk: {} documents, {ok} ok, {failed} failed",
        ok + failed + too_large
    );
    if too_large > 0 {
        summary.push_str(&format!(
            ", {too_large} too large (skipped: over --max-bytes or --max-blocks)"
        ));
    }
    if skipped > 0 {
        summary.push_str(&format!(", {skipped} records skipped (not HTML pages)"));
    }
    if resumed > 0 {
        summary.push_str(&format!(", {resumed} already written"));
        if earlier_errors > 0 {
            summary.push_str(&format!(
                " ({earlier_errors} errors among the output's earlier records)"
            ));
        }
    }
    if doubtful > 0 {
        summary.push_str(&format!(
            ", {doubtful} below --min-confidence (text left empty)"
        ));
    }
    summary
}

fn error_id(e: &dehusk::Error) -> String {
    match e.kind() {
        dehusk::ErrorKind::Io { path: Some(p), .. } => p.display().to_string(),
        _ => "?".into(),
    }
}

/// Whether `wanted` (as typed after `explain --record`) names the record `id`: the id
/// itself, or the id without a WARC-Record-ID's angle brackets, since `<urn:uuid:…>`
/// is awkward to quote in a shell.
fn names_record(wanted: &str, id: &str) -> bool {
    fn bare(s: &str) -> &str {
        s.strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .unwrap_or(s)
    }
    wanted == id || bare(wanted) == bare(id)
}

/// The document of the record `id` in a record file: found by reading the records in
/// order (the first whose id is `id`, see [`names_record`], or whose URL is `id`).
fn record_document(
    path: &Path,
    kind: RecordFormat,
    id: &str,
    format: Option<InputFormat>,
    field: Option<&str>,
) -> Result<Document> {
    let options = records::Options {
        format,
        field: field.map(str::to_owned),
        ..records::Options::default()
    };
    let reader = records::Reader::open(path, kind, options)?;
    let mut read = 0usize;
    for entry in reader {
        read += 1;
        match entry {
            Entry::Record(r) if names_record(id, &r.id) || r.url() == Some(id) => {
                return r
                    .document()
                    .with_context(|| format!("record {id} of {}", path.display()))
            }
            Entry::Skipped { id: found, reason } if names_record(id, &found) => {
                anyhow::bail!(
                    "record {id} of {} is not a document: {reason}",
                    path.display()
                )
            }
            Entry::Failed {
                id: found,
                error,
                fields,
            } if names_record(id, &found) || records::url_field(&fields) == Some(id) => {
                return Err(error).with_context(|| format!("record {id} of {}", path.display()))
            }
            _ => {}
        }
    }
    anyhow::bail!("no record {id} in {} ({read} records read)", path.display())
}

/// `dehusk explain PAGE`.
pub fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let format = args.input_format.map(InputFormat::from);
    let stdin = args.page.as_os_str() == "-";
    let records = if stdin {
        None
    } else {
        records::detect(&args.page, args.field.as_deref())
    };
    let doc = match (records, &args.record) {
        (Some(kind), Some(id)) => {
            record_document(&args.page, kind, id, format, args.field.as_deref())?
        }
        (Some(_), None) => anyhow::bail!(
            "{} is a record file (WARC, WET, ARC or JSON lines): name the record to explain \
             with --record ID (the id extract and classify write)",
            args.page.display()
        ),
        (None, Some(_)) => anyhow::bail!(
            "--record: {} is not a record file (WARC, WET, ARC or JSON lines)",
            args.page.display()
        ),
        (None, None) if stdin => {
            let bytes = input::read_stream(std::io::stdin().lock(), input::DEFAULT_MAX_BYTES)?;
            input::document_from_bytes("-".into(), &bytes, None, format, Transport::default())?
        }
        (None, None) => input::load_document(&args.page, format, input::DEFAULT_MAX_BYTES)?,
    };
    // The --model file must be of the page's mode, as `eval` requires (found by an
    // audit: given a model of the other mode, the bundled model's explanation came
    // out instead, exit 0, nothing said); explain answers why *that* model kept or
    // dropped a block.
    let file = crate::load_model(&args.model, doc.format).with_context(|| {
        format!(
            "{} is {}: explain it with a model of that mode, or with none (the bundled one)",
            doc.id,
            doc.format.as_str()
        )
    })?;
    let extractor = crate::extractor_of(&file, &args.model)?;
    // Refused as extract skips it: without the limit a page of 2 million one-letter
    // lines took 1.5 GB (found by an audit).
    let page = segment_within(&doc, args.limit.max_blocks)
        .with_context(|| format!("explaining {}", doc.id))?;
    let features = dehusk::features::extract(&page, doc.format);
    let model = extractor.model();
    // With a hidden layer the contributions end with what its units' switching adds.
    let names: Vec<&str> = model
        .feature_names()
        .iter()
        .map(String::as_str)
        .chain(Some(dehusk::model::HIDDEN_SWITCH))
        .collect();
    let odds = model.word_odds_values(&page);
    let scores = model.score_page_with(&page, &features, &odds)?;
    // Decoded once, then the page-level rules one by one (what `Model::label` does in
    // one step), to tell their drops from the decoder's and each other's.
    let decoded = model
        .decoder
        .decode(&scores.probabilities, &scores.words_log);
    let mut labels = decoded.clone();
    let mut dropped_by: Vec<Option<&str>> = vec![None; labels.len()];
    for (name, rule) in dehusk::policy::RULES {
        let before = labels.clone();
        rule(model.comments, &page, &mut labels);
        for (i, by) in dropped_by.iter_mut().enumerate() {
            if before[i] && !labels[i] {
                *by = Some(name);
            }
        }
    }
    let probs = &scores.probabilities;
    let confidence = dehusk::decode::page_confidence(probs, &scores.words_log, &labels);
    let doubtful = model.below_min_confidence(confidence);
    if doubtful {
        labels.fill(false);
    }
    // With pooling, a block's probability is partly its structural group's: its own
    // (the stage one the contributions explain) is shown beside it where they differ.
    let own = (model.pooling().is_some() && !model.has_context_stage())
        .then(|| model.probabilities_with(&features, &odds))
        .transpose()?;
    let threshold = model.decoder.page_threshold(probs);
    let stdout = std::io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    writeln!(
        w,
        "# {} ({} blocks, {} mode, threshold {:.3}{}{}, confidence {:.3}{}); contributions are logit units vs an average block (base {:+.2}); \"(smoothing)\": the sequence smoothing decided against the block's own probability; \"(hidden copy)\": dropped as a hidden copy of text kept elsewhere; \"(comments)\": dropped by the comment policy (--comments; the bundled text model drops comments){}",
        doc.id,
        page.len(),
        doc.format.as_str(),
        threshold,
        // The page's own threshold differs from the model's when its best block is
        // doubtful (confidence slope, relative threshold): say so, or the number
        // looks inconsistent with the model file.
        if (threshold - model.decoder.threshold).abs() > 5e-4 {
            format!(" for this page, the model's {:.3}", model.decoder.threshold)
        } else {
            String::new()
        },
        if model.decoder.smoothing.is_some() { ", smoothed" } else { "" },
        confidence,
        if doubtful {
            ", below --min-confidence: no text kept"
        } else {
            ""
        },
        model.base_logit(),
        if own.is_some() {
            "; \"pooled from P\": the block's own probability P, before pooling with the page's blocks of like structure"
        } else if model.has_context_stage() {
            // Found by an audit: without this, the numbers looked wrong (they are).
            "; this model keeps its context stage: the probabilities are that stage's, read from the neighbours' first-stage probabilities, and the contributions are the first stage's, so they do not add up to them"
        } else {
            ""
        }
    )?;
    for i in 0..page.len() {
        let text: String = page.block_text(i).chars().take(100).collect();
        let mut contrib: Vec<(f32, &str)> = model
            .contributions(features.row(i), dehusk::word_odds::odds_row(&odds, i))
            .into_iter()
            .zip(names.iter().copied())
            .collect();
        contrib.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        let top: Vec<String> = contrib
            .iter()
            .take(args.top)
            .map(|(c, n)| format!("{n} {c:+.2}"))
            .collect();
        // Say when the sequence smoothing or a page-level rule overruled the block's
        // own probability, so a high-probability block that was dropped is no mystery.
        let mut why = match dropped_by[i] {
            Some(rule) => format!(" ({rule})"),
            None if doubtful && decoded[i] => " (doubtful page)".to_owned(),
            None if (probs[i] >= threshold) != decoded[i] => " (smoothing)".to_owned(),
            None => String::new(),
        };
        // Whenever the two print differently: a shift under 0.0005 can still move the
        // third decimal (0.1236 pooled to 0.1234), and one over it may not.
        if let Some(own) = own.as_ref() {
            let before = format!("{:.3}", own[i]);
            if before != format!("{:.3}", probs[i]) {
                why.push_str(&format!(" (pooled from {before})"));
            }
        }
        writeln!(
            w,
            "{i:>4} {:>5.3} {}{} {:?}",
            probs[i],
            if labels[i] { "KEEP" } else { "drop" },
            why,
            text,
        )?;
        // `--top 0`: no contributions, and no blank line for them.
        if !top.is_empty() {
            writeln!(w, "       {}", top.join(", "))?;
        }
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eta_is_the_mean_rate_since_the_start_and_unknown_at_first() {
        let secs = Duration::from_secs;
        // A seventh done in 10 s: 60 s left, however the first steps went.
        assert_eq!(eta_text(secs(10), 100, Some(600)), "60s");
        assert_eq!(eta_text(secs(10), 500, Some(500)), "10s");
        assert_eq!(eta_text(secs(60), 1, Some(120)), "2h");
        assert_eq!(eta_text(secs(1), 100, Some(900)), "?");
        assert_eq!(eta_text(secs(10), 0, Some(900)), "?");
        assert_eq!(eta_text(secs(10), 100, None), "?");
        assert_eq!(eta_text(secs(10), 100, Some(0)), "0s");
    }

    /// [`Written::read`] of a file holding `contents`.
    fn read_written(contents: &str) -> Result<(Written, u64)> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dehusk-corpus-test-{}-{n}", std::process::id()));
        fs::create_dir_all(&dir)?;
        let path = dir.join("out.jsonl.partial");
        fs::write(&path, contents)?;
        let result = Written::read(&path, Job::Extract, false);
        let _ = fs::remove_dir_all(&dir);
        result
    }

    /// Which of a few ids `contents` holds, and the length of its whole records.
    fn written(contents: &str) -> Result<(Vec<(String, bool)>, u64)> {
        let (mut w, keep) = read_written(contents)?;
        let probes = ["a", "b", "c", "7", "x"]
            .iter()
            .map(|id| (id.to_string(), w.take(id)))
            .collect();
        Ok((probes, keep))
    }

    #[test]
    fn resume_reads_whole_records_and_drops_a_cut_tail() {
        let a = "{\"id\":\"a\",\"text\":\"x\"}\n";
        let b = "{\"id\":\"b\",\"error\":\"bad\"}\n";
        let seven = "{\"id\":7,\"text\":\"\"}\n";
        // Whole lines only; a cut last line is dropped (and its id not counted).
        let (probes, keep) = written(&format!("{a}{b}{seven}{{\"id\":\"c\",\"te")).unwrap();
        assert_eq!(keep, (a.len() + b.len() + seven.len()) as u64);
        let taken: Vec<&str> = probes
            .iter()
            .filter(|p| p.1)
            .map(|p| p.0.as_str())
            .collect();
        assert_eq!(taken, ["a", "b", "7"]);
        // A complete JSON line without its newline is redone too.
        let (_, keep) = written(&format!("{a}{{\"id\":\"c\"}}")).unwrap();
        assert_eq!(keep, a.len() as u64);
        // Trailing lines that are not records (a crash writing garbage) are dropped.
        let (_, keep) = written(&format!("{a}\0\0\0\0\n")).unwrap();
        assert_eq!(keep, a.len() as u64);
        // A bad line followed by good ones is no kill: refused.
        let err = written(&format!("{a}not json\n{b}")).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        // So is a file without one record (not an output of dehusk at all).
        let err = written("my notes\n").unwrap_err();
        assert!(err.to_string().contains("holds no dehusk record"), "{err}");
    }

    #[test]
    fn resume_counts_the_error_records_already_written() {
        let (w, _) =
            read_written("{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\",\"error\":\"bad\"}\n")
                .unwrap();
        assert_eq!((w.records, w.errors), (2, 1));
        // A too-large record is no error; a `too_large` that is not `true` (an input
        // field an older dehusk copied) is no mark (found by a review: refused).
        let (w, _) = read_written(
            "{\"id\":\"a\",\"error\":\"big\",\"too_large\":true}\n\
             {\"id\":\"b\",\"error\":\"bad\",\"too_large\":\"no\"}\n\
             {\"id\":\"c\",\"text\":\"x\",\"too_large\":1}\n",
        )
        .unwrap();
        assert_eq!((w.records, w.errors), (3, 1));
    }

    #[test]
    fn format_text_entries_have_no_blank_lines() {
        assert_eq!(without_blank_lines("a\nb".into()), "a\nb");
        assert_eq!(
            without_blank_lines("fn f() {\n    x;\n\n  \n    y;\n}".into()),
            "fn f() {\n    x;\n    y;\n}"
        );
    }

    /// A `.gz` output is members ended at line ends, and a resume keeps the whole
    /// members of one cut short: a kill costs at most the records of the last member.
    #[test]
    fn gzip_members_end_at_line_ends_and_a_cut_member_is_dropped() {
        let record = |i: usize| format!("{{\"id\":\"{i}\",\"text\":\"{}\"}}\n", "x".repeat(500));
        let mut out = GzMembers::new(Vec::new(), 0);
        // 2.5 members' worth of records.
        let n = (GZ_MEMBER_BYTES as usize * 5 / 2) / record(0).len();
        for i in 0..n {
            out.write_all(record(i).as_bytes()).unwrap();
        }
        out.flush().unwrap();
        // What the file holds once flushed.
        let file = out.file().clone();
        assert_eq!(out.members, 3);
        // One gzip file to a reader of concatenated members.
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&file[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, (0..n).map(record).collect::<String>());
        // Cut in the last member: the two before it are kept, whole.
        let cut = &file[..file.len() - 100];
        let (written, keep) =
            Written::read_members(Path::new("out.jsonl.gz"), Job::Extract, cut).unwrap();
        assert!(keep > 0 && keep < cut.len() as u64);
        let whole = (written.records as usize, &file[..keep as usize]);
        let mut kept = String::new();
        flate2::read::MultiGzDecoder::new(whole.1)
            .read_to_string(&mut kept)
            .unwrap();
        assert_eq!(kept, (0..whole.0).map(record).collect::<String>());
        assert!(whole.0 > n / 2 && whole.0 < n);
        // Dropped once flushed (the output closed), it writes nothing more: no empty
        // member at the end.
        let mut bytes = Vec::new();
        let mut out = GzMembers::new(&mut bytes, 0);
        out.write_all(record(0).as_bytes()).unwrap();
        out.flush().unwrap();
        let flushed = out.file().len();
        drop(out);
        assert_eq!(bytes.len(), flushed);
        // An output of no records is still a gzip file.
        let mut empty = GzMembers::new(Vec::new(), 0);
        empty.flush().unwrap();
        let file = empty.file().clone();
        assert!(file.starts_with(&[0x1f, 0x8b]));
        let (written, keep) =
            Written::read_members(Path::new("e.gz"), Job::Extract, &file[..]).unwrap();
        assert_eq!((written.records, keep), (0, 20));
    }

    #[test]
    fn written_ids_are_a_multiset() {
        let mut w = Written::default();
        w.insert("dup");
        w.insert("dup");
        w.insert("one");
        assert!(w.take("dup"));
        assert!(w.take("dup"));
        assert!(!w.take("dup"));
        assert!(w.take("one"));
        assert!(!w.take("two"));
        assert_eq!(w.records, 3);
    }
}
