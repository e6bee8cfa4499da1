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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Instant;

use anyhow::{Context, Result};
use dehusk::input::{self, Document, InputFormat, Transport};
use dehusk::model::ModelFile;
use dehusk::output::{self, Fields};
use dehusk::pipeline::{for_each_ordered_within, Classifier, InFlight, BATCH};
use dehusk::records::{self, ByName, Entry, RecordFormat};
use dehusk::segment::segment_within;
use dehusk::site::{self, PageKeys, SiteRepeats};
use indicatif::{ProgressBar, ProgressStyle};

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

/// What decides the records a run writes, saved beside `FILE.partial` while `-o FILE`
/// is written, so that `--resume` appends only records made the same way. Found by an
/// audit: `classify --resume` appended block records to an extract's text records, and
/// a resume with another `--threshold` or `--model` mixed two settings in one file,
/// both silently and with exit 0.
#[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
pub struct RunSettings {
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
}

impl RunSettings {
    fn new(job: Job, args: &RunArgs, models: &(ModelFile, ModelFile)) -> RunSettings {
        RunSettings {
            command: job.name().to_owned(),
            models: format!("{:016x}", models_hash(models)),
            min_confidence: args.model.min_confidence,
            input_format: args
                .input_format
                .map(|f| InputFormat::from(f).as_str().to_owned()),
            field: args.field.clone(),
            max_bytes: args.max_bytes,
            max_blocks: args.max_blocks,
            site_repeats: args.site_repeats,
        }
    }

    fn save(&self, dest: &Path) -> Result<()> {
        let path = settings_path(dest);
        let json = serde_json::to_string(self).expect("plain fields serialize");
        fs::write(&path, json + "\n").with_context(|| format!("writing {}", path.display()))
    }

    /// Refuses to resume `dest` when its saved settings differ from these, naming what
    /// differs. A `FILE.partial` without them (written by an older dehusk) is not
    /// refused: its records' kind is still checked ([`Written::read`]).
    fn check(&self, dest: &Path) -> Result<()> {
        let path = settings_path(dest);
        let saved = match fs::read(&path) {
            Ok(saved) => saved,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let (Ok(serde_json::Value::Object(saved)), Ok(serde_json::Value::Object(now))) = (
            serde_json::from_slice::<serde_json::Value>(&saved),
            serde_json::to_value(self),
        ) else {
            anyhow::bail!(
                "cannot resume: {} is not a dehusk settings file (delete it and {} to start over)",
                path.display(),
                partial_path(dest).display()
            );
        };
        let differ: Vec<String> = now
            .iter()
            .filter(|(key, value)| saved.get(key.as_str()) != Some(value))
            .map(|(key, value)| {
                let was = saved
                    .get(key.as_str())
                    .map_or("none".into(), |v| v.to_string());
                match key.as_str() {
                    "models" => "the model or --threshold/--favor/--comments".to_owned(),
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

/// Output that becomes visible only when complete: `-o FILE` writes `FILE.partial`
/// and renames it at the end, so a killed run never leaves a file that looks whole.
struct Output {
    writer: Box<dyn Write>,
    /// `FILE.partial`, renamed to `FILE` at the end, and its settings file, removed.
    finish: Option<(PathBuf, PathBuf)>,
}

impl Output {
    /// Standard output, a device, or `FILE` written as `FILE.partial` (with `settings`
    /// beside it, for a later `--resume`).
    fn open(path: Option<&Path>, settings: Option<&RunSettings>) -> Result<Output> {
        match path {
            None => Ok(Output {
                writer: Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout().lock())),
                finish: None,
            }),
            // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`) is written directly:
            // renaming a temporary file over it would replace the device.
            Some(p) if fs::metadata(p).is_ok_and(|m| !m.is_file()) => {
                let f = OpenOptions::new()
                    .write(true)
                    .open(p)
                    .with_context(|| format!("opening {}", p.display()))?;
                Ok(Output {
                    writer: Box::new(BufWriter::with_capacity(1 << 16, f)),
                    finish: None,
                })
            }
            Some(p) => {
                let tmp = partial_path(p);
                let f =
                    File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
                if let Some(settings) = settings {
                    settings.save(p)?;
                }
                Ok(Output {
                    writer: Box::new(BufWriter::with_capacity(1 << 16, f)),
                    finish: Some((tmp, p.to_owned())),
                })
            }
        }
    }

    /// `--resume`: appends to `FILE.partial` (a killed run's output), or to `FILE` (a
    /// finished run's, moved back to `FILE.partial` until this run completes), returning
    /// the ids already written. A last line cut off by the kill is dropped. Without
    /// either file, an ordinary output and no ids. Records written another way (another
    /// command; for `FILE.partial`, other `settings`) are refused, and left as they were.
    fn resume(dest: &Path, job: Job, settings: &RunSettings) -> Result<(Output, Option<Written>)> {
        // A device or a FIFO is no file to read back, and must never be renamed.
        if fs::metadata(dest).is_ok_and(|m| !m.is_file()) {
            anyhow::bail!(
                "--resume reads back the records of {}, which is not a regular file",
                dest.display()
            );
        }
        let tmp = partial_path(dest);
        let (written, keep) = if tmp.exists() {
            settings.check(dest)?;
            Written::read(&tmp, job)?
        } else {
            if !dest.exists() {
                return Ok((Output::open(Some(dest), Some(settings))?, None));
            }
            // Read before the rename: a file refused here stays as it was. A finished
            // file has no settings beside it: only its records' kind is checked.
            let read = Written::read(dest, job)?;
            fs::rename(dest, &tmp)
                .with_context(|| format!("renaming {} to {}", dest.display(), tmp.display()))?;
            read
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
                writer: Box::new(BufWriter::with_capacity(1 << 16, file)),
                finish: Some((tmp, dest.to_owned())),
            },
            Some(written),
        ))
    }

    fn close(mut self) -> Result<()> {
        self.writer.flush()?;
        drop(self.writer);
        if let Some((tmp, dest)) = self.finish {
            std::fs::rename(&tmp, &dest)
                .with_context(|| format!("renaming {} to {}", tmp.display(), dest.display()))?;
            // Needed only to resume `FILE.partial`; absent when the device case or an
            // older run wrote none.
            let settings = settings_path(&dest);
            match fs::remove_file(&settings) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", settings.display()))
                }
                _ => {}
            }
        }
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
    ///
    /// Records of the other command (`extract`'s hold `text`, `classify`'s `blocks`)
    /// are refused too: appended to, the file would hold both kinds.
    fn read(path: &Path, job: Job) -> Result<(Written, u64)> {
        #[derive(serde::Deserialize)]
        struct Line {
            id: serde_json::Value,
            #[serde(default)]
            error: Option<serde_json::Value>,
            #[serde(default)]
            text: Option<serde::de::IgnoredAny>,
            #[serde(default)]
            blocks: Option<serde::de::IgnoredAny>,
        }
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut reader = BufReader::with_capacity(1 << 16, file);
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
            match serde_json::from_slice::<Line>(&line) {
                Ok(record) => {
                    if let Some(bad) = bad {
                        anyhow::bail!(
                            "cannot resume: line {bad} of {} is not a dehusk record",
                            path.display()
                        );
                    }
                    // The other command's record kind, and the field that tells it.
                    let (text, blocks) = (record.text.is_some(), record.blocks.is_some());
                    let other = match job {
                        Job::Extract if blocks && !text => Some(("classify", "blocks")),
                        Job::Classify if text && !blocks => Some(("extract", "text")),
                        _ => None,
                    };
                    if let Some((kind, field)) = other {
                        anyhow::bail!(
                            "cannot resume: {} holds {kind} records (line {number} has \
                             `{field}`), and this run is {}: write to another file, or \
                             resume with {kind}",
                            path.display(),
                            job.name()
                        );
                    }
                    written.insert(&records::id_text(&record.id));
                    written.errors += u64::from(record.error.is_some());
                    keep = pos;
                }
                Err(_) => {
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
    Failed {
        id: String,
        fields: Fields,
        reason: String,
    },
}

/// Work and the progress it stands for (documents, or input bytes for record files).
struct Item {
    work: Work,
    progress: u64,
}

enum Outcome {
    Done {
        line: String,
    },
    Failed {
        id: String,
        fields: Fields,
        reason: String,
    },
}

impl Outcome {
    /// About the bytes it holds, as it waits to be written (fields are left out: they
    /// came with the record, which was weighed).
    fn size(&self) -> u64 {
        match self {
            Outcome::Done { line } => line.len() as u64,
            Outcome::Failed { id, reason, .. } => (id.len() + reason.len()) as u64,
        }
    }
}

/// The record file being read.
struct Current {
    reader: records::Reader,
    /// Bytes of it counted in the progress so far, and its size.
    counted: u64,
    size: u64,
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
}

impl Inputs {
    /// The work of `paths` (each with its size in bytes, counted when `by_bytes`),
    /// leaving out the ids in `written`.
    fn new(
        paths: Vec<(dehusk::Result<PathBuf>, u64)>,
        options: records::Options,
        written: Option<Written>,
        by_bytes: bool,
    ) -> Inputs {
        Inputs {
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
        id: String,
        size: u64,
    ) -> Option<Work> {
        match opened {
            Ok(reader) => {
                self.current = Some(Current {
                    reader,
                    counted: 0,
                    size,
                });
                None
            }
            Err(e) => Some(Work::Failed {
                id,
                fields: Fields::new(),
                reason: e.reason(),
            }),
        }
    }

    /// Work for one input path (None: it became the current record file, or was
    /// written already).
    fn start(&mut self, path: PathBuf, size: u64) -> Option<Work> {
        let id = path.display().to_string();
        let failed = |id: String, reason: String| Work::Failed {
            id,
            fields: Fields::new(),
            reason,
        };
        let stdin = path.as_os_str() == "-";
        let by_name = match records::by_name(&path) {
            _ if stdin => None,
            ByName::Records(kind) => {
                let opened = records::Reader::open(&path, kind, self.options.clone());
                return self.read_records(opened, id, size);
            }
            ByName::Document => return Some(Work::File(path)),
            ByName::Look(hint) => hint,
        };
        // A WARC by name, standard input, or a name that does not tell: look at the
        // first bytes, then read on from the same handle (it may be a pipe). A `.wet` or
        // `.warc` that is readable but no WARC is one document, as `.wet` text files
        // always were; a damaged start goes to the WARC reader, which reports it.
        let mut rest: Box<dyn Read + Send> = if stdin {
            Box::new(io::stdin())
        } else {
            match File::open(&path) {
                Ok(file) => Box::new(file),
                Err(e) => return Some(failed(id, e.to_string())),
            }
        };
        let head = match records::read_head(&mut rest) {
            Ok(head) => head,
            Err(e) => return Some(failed(id, e.to_string())),
        };
        let Some(kind) = records::record_format(by_name, &head, self.options.field.as_deref())
        else {
            return Some(Work::Stream { id, head, rest });
        };
        let stream = Box::new(io::Cursor::new(head).chain(rest));
        let opened = records::Reader::new(stream, id.clone(), kind, self.options.clone());
        self.read_records(opened, id, size)
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
        match entry {
            None => {
                self.pending += if self.by_bytes {
                    current.size.saturating_sub(current.counted)
                } else {
                    1
                };
                self.current = None;
                None
            }
            Some(Entry::Skipped { .. }) => {
                self.skipped += 1;
                None
            }
            Some(Entry::Record(record)) => {
                (!self.already_written(&record.id)).then_some(Work::Record(record))
            }
            Some(Entry::Failed { id, fields, error }) => {
                (!self.already_written(&id)).then(|| Work::Failed {
                    id,
                    fields,
                    reason: error.reason(),
                })
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
                Err(e) => Work::Failed {
                    id: error_id(&e),
                    fields: Fields::new(),
                    reason: e.reason(),
                },
            };
            let id = match &work {
                Work::File(path) => path.display().to_string(),
                Work::Stream { id, .. } | Work::Failed { id, .. } => id.clone(),
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

    /// The next item, waiting for the reading thread; None when it has finished.
    fn pop(&self) -> Option<Item> {
        let mut state = self.lock();
        loop {
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
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
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
    text_out: bool,
    by_bytes: bool,
    first_text: bool,
    ok: u64,
    failed: u64,
    started: Instant,
    io_error: Option<io::Error>,
}

impl Sink<'_> {
    fn take(&mut self, (outcome, progress): (Outcome, u64)) -> bool {
        let res = match outcome {
            Outcome::Done { line } => {
                self.ok += 1;
                if self.text_out {
                    let sep = if self.first_text { "" } else { "\n" };
                    self.first_text = false;
                    writeln!(self.out.writer, "{sep}{line}")
                } else {
                    writeln!(self.out.writer, "{line}")
                }
            }
            Outcome::Failed { id, fields, reason } => {
                self.failed += 1;
                let url = records::url_field(&fields);
                // Through the progress bar's suspend, so the message is not drawn over;
                // never through indicatif's println, which is dropped off a terminal.
                self.progress.suspend(|| match url {
                    Some(url) => eprintln!("dehusk: {id} ({url}): {reason}"),
                    None => eprintln!("dehusk: {id}: {reason}"),
                });
                if self.text_out {
                    // An empty entry in its place, so that the output's entries stay
                    // one per document in input order (errors are on stderr).
                    let sep = if self.first_text { "" } else { "\n" };
                    self.first_text = false;
                    writeln!(self.out.writer, "{sep}")
                } else {
                    writeln!(
                        self.out.writer,
                        "{}",
                        output::error_record_with(&id, &fields, &reason)
                    )
                }
            }
        };
        self.progress.inc(progress);
        if !self.progress.is_hidden() {
            if self.by_bytes {
                let pages = self.ok + self.failed;
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

/// Runs extract or classify over all inputs.
pub fn run(args: RunArgs, job: Job) -> Result<ExitCode> {
    crate::set_threads(args.threads)?;
    let models = crate::models(&args.model)?;
    let classifier: Classifier = crate::classifier_of(&models.0, &models.1, &args.model)?;
    let format = args.input_format.map(InputFormat::from);
    // A second `-` would read an input already drained: an empty document.
    anyhow::ensure!(
        args.inputs.iter().filter(|p| p.as_os_str() == "-").count() <= 1,
        "standard input (-) can be named once"
    );
    // classify's records hold blocks, which have no bare-text form: the flag would be
    // ignored, so it is refused.
    anyhow::ensure!(
        job == Job::Extract || args.format == OutFormat::Jsonl,
        "--format text is for extract only (classify writes JSON lines)"
    );
    let text_out = job == Job::Extract && args.format == OutFormat::Text;
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
    let mut paths = input::expand_inputs(&args.inputs);
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
            Ok(path) if is_output(path) => {
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
    let progress = progress_bar(!args.quiet, total, by_bytes);
    // What made the records, for a later --resume to check (only a file is resumed).
    let settings = args
        .output
        .as_ref()
        .map(|_| RunSettings::new(job, &args, &models));
    drop(models);
    let (mut out, written) = match (&args.output, &settings, args.resume) {
        (Some(dest), Some(settings), true) => Output::resume(dest, job, settings)?,
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
                         from (WARC and WET records, JSON lines with a `url` field), so \
                         nothing is compared"
                    )
                });
            }
            Some(repeats)
        }
    };
    let mut inputs = Inputs::new(paths, options, written, by_bytes);
    let started = Instant::now();

    // Documents below --min-confidence (their text emptied), and the kept blocks
    // --site-repeats dropped and from how many documents, for the summary.
    let doubtful = AtomicU64::new(0);
    let site_blocks = AtomicU64::new(0);
    let site_docs = AtomicU64::new(0);
    let max_blocks = args.max_blocks;
    let render = |doc: &Document,
                  fields: &[(String, serde_json::Value)]|
     -> dehusk::Result<String> {
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
            Job::Extract if text_out => c.main_text(),
            Job::Extract => output::text_record_with(&doc.id, fields, &c.main_text(), c.confidence),
            Job::Classify => output::blocks_record_with(&doc.id, fields, &c),
        })
    };
    let work = |item: Item| -> (Outcome, u64) {
        let failed = |id: String, fields: Fields, e: dehusk::Error| Outcome::Failed {
            id,
            fields,
            reason: e.reason(),
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
            Work::Failed { id, fields, reason } => Outcome::Failed { id, fields, reason },
        };
        (outcome, item.progress)
    };
    let mut sink = Sink {
        out: &mut out,
        progress: &progress,
        text_out,
        by_bytes,
        first_text: true,
        ok: 0,
        failed: 0,
        started,
        io_error: None,
    };
    drive(
        &mut inputs,
        work,
        |(outcome, _)| outcome.size(),
        |r| sink.take(r),
    );
    let (ok, failed) = (sink.ok, sink.failed);
    if let Some(e) = sink.io_error.take() {
        progress.finish_and_clear();
        return Err(e).context("writing output");
    }
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
    let doubtful = doubtful.into_inner();
    let site = site.map(|_| (site_blocks.into_inner(), site_docs.into_inner()));
    if !args.quiet
        && (failed > 0
            // No document at all (an empty folder, a WARC of requests only) is said.
            || ok + failed == 0
            || count > 1
            || ok > 1
            || skipped > 0
            || resumed > 0
            || doubtful > 0
            || site.is_some())
    {
        let resumed = (resumed, earlier_errors);
        let mut summary = summary_line(ok, failed, skipped, resumed, doubtful);
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
/// calling `sink` with each result in input order until the inputs end or `sink`
/// returns false. `weight` weighs a result held for the sink (its output's bytes).
fn drive<R: Send>(
    inputs: &mut Inputs,
    work: impl Fn(Item) -> R + Sync + Send,
    weight: impl Fn(&R) -> u64 + Sync + Send,
    sink: impl FnMut(R) -> bool,
) {
    // Half the bytes in flight are read ahead; the other half are records waiting for a
    // thread and results waiting for an earlier one.
    let in_flight = (IN_FLIGHT_BYTES_PER_THREAD * rayon::current_num_threads().max(1) as u64)
        .max(MIN_IN_FLIGHT_BYTES);
    let queue = Queue::new(QUEUE_ITEMS, in_flight / 2);
    let limits = InFlight {
        items: BATCH * rayon::current_num_threads().max(1),
        bytes: in_flight / 2,
    };
    std::thread::scope(|scope| {
        let reading = scope.spawn(|| {
            let _finish = FinishOnDrop(&queue);
            for item in inputs {
                if !queue.push(item) {
                    break;
                }
            }
        });
        // Closed however the work ends: a panic in it would otherwise leave the
        // reading thread waiting on a full queue, and the scope joining it forever
        // (found by a review).
        let _close = CloseOnDrop(&queue);
        let items = std::iter::from_fn(|| queue.pop());
        for_each_ordered_within(items, limits, &work, Item::weight, weight, sink);
        drop(_close);
        if let Err(panic) = reading.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// The host of a record's `url` field (WARC and WET records, JSON lines with one).
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
    let progress = progress_bar(!args.quiet, 0, false);
    progress.set_style(
        ProgressStyle::with_template("{elapsed_precise} {pos} documents read  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    progress.set_message("counting the lines each site repeats (pass 1 of 2)");
    let paths = inputs.into_iter().map(|p| (Ok(p), 0)).collect();
    let mut inputs = Inputs::new(paths, options.clone(), None, false);
    let work = |item: Item| -> Option<PageKeys> {
        let Work::Record(record) = item.work else {
            return None;
        };
        let host = record_host(&record.fields)?;
        let doc = record.document().ok()?;
        // A page over the limit is refused by the second pass, and counts for nothing.
        let page = segment_within(&doc, args.max_blocks).ok()?;
        Some(SiteRepeats::page_keys(&host, &page))
    };
    let weight = |keys: &Option<PageKeys>| keys.as_ref().map_or(0, PageKeys::size);
    drive(&mut inputs, work, weight, |keys| {
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
fn progress_bar(wanted: bool, total: u64, by_bytes: bool) -> ProgressBar {
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
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// The run's summary line, before its duration.
/// `resumed`: the records an earlier run wrote that this one kept, and how many of
/// the output's earlier records are errors.
fn summary_line(
    ok: u64,
    failed: u64,
    skipped: u64,
    (resumed, earlier_errors): (u64, u64),
    doubtful: u64,
) -> String {
    let mut summary = format!(
        "dehusk: {} documents, {ok} ok, {failed} failed",
        ok + failed
    );
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
                id: found, error, ..
            } if names_record(id, &found) => {
                return Err(error).with_context(|| format!("record {id} of {}", path.display()))
            }
            _ => {}
        }
    }
    anyhow::bail!("no record {id} in {} ({read} records read)", path.display())
}

/// `dehusk explain PAGE`.
pub fn explain(args: ExplainArgs) -> Result<ExitCode> {
    let classifier = crate::classifier(&args.model)?;
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
            "{} is a record file (WARC, WET or JSON lines): name the record to explain \
             with --record ID (the id extract and classify write)",
            args.page.display()
        ),
        (None, Some(_)) => anyhow::bail!(
            "--record: {} is not a record file (WARC, WET or JSON lines)",
            args.page.display()
        ),
        (None, None) if stdin => {
            let bytes = input::read_stream(std::io::stdin().lock(), input::DEFAULT_MAX_BYTES)?;
            input::document_from_bytes("-".into(), &bytes, None, format, Transport::default())?
        }
        (None, None) => input::load_document(&args.page, format, input::DEFAULT_MAX_BYTES)?,
    };
    let extractor = classifier.for_format(doc.format);
    let page = dehusk::segment::segment(&doc);
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

    /// [`Written::read`] of a file holding `contents`.
    fn read_written(contents: &str) -> Result<(Written, u64)> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dehusk-corpus-test-{}-{n}", std::process::id()));
        fs::create_dir_all(&dir)?;
        let path = dir.join("out.jsonl.partial");
        fs::write(&path, contents)?;
        let result = Written::read(&path, Job::Extract);
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
