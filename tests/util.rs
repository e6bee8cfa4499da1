//! Helpers for the integration tests: run the built `dehusk` binary with arguments and
//! standard input, and fail with the command, the expected and the actual output shown
//! between rulers (as ripgrep's tests do), so a failure explains itself.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The package root: every test runs `dehusk` from here, so paths such as
/// `data/examples/article.html` are given exactly as a user would type them.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path of a file under the package root.
pub fn path(rel: &str) -> PathBuf {
    root().join(rel)
}

/// Reads a file under the package root as UTF-8.
pub fn read(rel: &str) -> String {
    let p = path(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// Reads a file under the package root as bytes.
pub fn read_bytes(rel: &str) -> Vec<u8> {
    let p = path(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

/// A titled section between rulers, for failure messages.
pub fn section(title: &str, body: &str) -> String {
    let ruler = "-".repeat(79);
    format!("\n{title}:\n{ruler}\n{body}\n{ruler}\n")
}

/// Fails showing what was expected and what came out.
#[track_caller]
pub fn fail(what: &str, expected: &str, got: &str) -> ! {
    panic!(
        "{what}\n{}{}",
        section("expected", expected),
        section("got", got)
    );
}

/// Asserts two strings are equal, printing both between rulers otherwise.
macro_rules! eqnice {
    ($expected:expr, $got:expr) => {
        eqnice!($expected, $got, "outputs differ")
    };
    ($expected:expr, $got:expr, $($what:tt)+) => {{
        let expected: &str = &$expected;
        let got: &str = &$got;
        if expected != got {
            $crate::util::fail(&format!($($what)+), expected, got);
        }
    }};
}

/// Asserts `haystack` contains `needle`, printing the haystack otherwise.
macro_rules! assert_contains {
    ($haystack:expr, $needle:expr) => {{
        let haystack: &str = &$haystack;
        let needle: &str = &$needle;
        if !haystack.contains(needle) {
            $crate::util::fail(
                "expected the output to contain a string",
                &format!("... {needle} ..."),
                haystack,
            );
        }
    }};
}

/// Asserts `haystack` does not contain `needle`, printing the haystack otherwise.
macro_rules! assert_lacks {
    ($haystack:expr, $needle:expr) => {{
        let haystack: &str = &$haystack;
        let needle: &str = &$needle;
        if haystack.contains(needle) {
            $crate::util::fail(
                "expected the output NOT to contain a string",
                &format!("no {needle:?}"),
                haystack,
            );
        }
    }};
}

/// What a run of `dehusk` produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The command line, for messages.
    pub command: String,
    /// Exit code (None if killed by a signal).
    pub code: Option<i32>,
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard error (lossy UTF-8).
    pub stderr: String,
}

impl Output {
    /// The whole run, for failure messages.
    pub fn show(&self) -> String {
        format!(
            "command: {}\nexit code: {:?}{}{}",
            self.command,
            self.code,
            section("stdout", &self.stdout),
            section("stderr", &self.stderr)
        )
    }

    /// Fails with the whole run shown.
    #[track_caller]
    pub fn fail(&self, what: &str) -> ! {
        panic!("{what}\n{}", self.show());
    }

    /// Asserts the exit code.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Output {
        if self.code != Some(code) {
            self.fail(&format!("expected exit code {code}"));
        }
        self
    }

    /// Stdout parsed as JSON lines (one object per line, no blank lines).
    #[track_caller]
    pub fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap_or_else(|e| {
                    self.fail(&format!("stdout line is not JSON ({e}): {line:?}"))
                })
            })
            .collect()
    }
}

/// A `dehusk` invocation being built.
pub struct TestCommand {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// Starts a `dehusk` command run from the package root.
pub fn dehusk() -> TestCommand {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dehusk"));
    cmd.current_dir(root());
    TestCommand { cmd, stdin: None }
}

impl TestCommand {
    /// Adds one argument.
    pub fn arg<S: AsRef<std::ffi::OsStr>>(&mut self, arg: S) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    /// Runs in another directory.
    pub fn current_dir(&mut self, dir: &Path) -> &mut TestCommand {
        self.cmd.current_dir(dir);
        self
    }

    /// Feeds these bytes to standard input.
    pub fn stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut TestCommand {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs the command. Whatever the exit code, a panic inside dehusk fails the test:
    /// every error must be a reported error, never a crash.
    #[track_caller]
    pub fn output(&mut self) -> Output {
        let command = format!("{:?}", self.cmd);
        self.cmd.stdin(if self.stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("running {command}: {e}"));
        // Write stdin from a thread so a large output cannot deadlock against it.
        let writer = self.stdin.clone().map(|bytes| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            std::thread::spawn(move || {
                // dehusk may exit before reading everything (e.g. on a bad flag).
                let _ = pipe.write_all(&bytes);
            })
        });
        let out = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("waiting for {command}: {e}"));
        if let Some(w) = writer {
            w.join().expect("stdin writer thread");
        }
        let output = Output {
            command,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        if output.stderr.contains("panicked") || output.code.is_none() {
            output.fail("dehusk crashed (panic or signal) instead of reporting an error");
        }
        output
    }

    /// Runs the command, requires exit code 0 and returns stdout.
    #[track_caller]
    pub fn stdout(&mut self) -> String {
        let out = self.output();
        out.expect_code(0);
        out.stdout
    }

    /// Runs the command and requires this exit code.
    #[track_caller]
    pub fn expect_code(&mut self, code: i32) -> Output {
        let out = self.output();
        out.expect_code(code);
        out
    }
}

/// The single `{"id","text","confidence"}` record of a one-document `extract` run
/// (the confidence checked to be a number from 0 to 1): id and text.
#[track_caller]
pub fn extract_one(args: &[&str]) -> (String, String) {
    let rec = extract_record(args);
    (
        rec["id"].as_str().unwrap().to_string(),
        rec["text"].as_str().unwrap().to_string(),
    )
}

/// The text and confidence of a one-document `extract` run.
#[track_caller]
pub fn extract_with_confidence(args: &[&str]) -> (String, f64) {
    let rec = extract_record(args);
    (
        rec["text"].as_str().unwrap().to_string(),
        rec["confidence"].as_f64().unwrap(),
    )
}

/// The single record of a one-document `extract` run, checked for its keys.
#[track_caller]
fn extract_record(args: &[&str]) -> Value {
    let out = dehusk().arg("extract").args(args).output();
    out.expect_code(0);
    let records = out.records();
    if records.len() != 1 {
        out.fail("expected exactly one JSON record");
    }
    let rec = &records[0];
    let keys: BTreeSet<&str> = rec
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if keys != BTreeSet::from(["confidence", "id", "text"]) {
        out.fail("expected a record with exactly the keys id, text and confidence");
    }
    if !rec["confidence"]
        .as_f64()
        .is_some_and(|c| (0.0..=1.0).contains(&c))
    {
        out.fail("expected a confidence from 0 to 1");
    }
    rec.clone()
}

/// The text `extract` keeps for one input (the `text` field).
#[track_caller]
pub fn extract_text(args: &[&str]) -> String {
    extract_one(args).1
}

/// The blocks of a one-document `classify` run: (text, p, label).
#[track_caller]
pub fn classify_blocks(args: &[&str]) -> Vec<(String, f64, String)> {
    let out = dehusk().arg("classify").args(args).output();
    out.expect_code(0);
    let records = out.records();
    if records.len() != 1 {
        out.fail("expected exactly one JSON record");
    }
    let Some(blocks) = records[0]["blocks"].as_array() else {
        out.fail("expected a \"blocks\" array");
    };
    blocks
        .iter()
        .map(|b| {
            let text = b["text"]
                .as_str()
                .unwrap_or_else(|| out.fail("block without text"))
                .to_string();
            let p = b["p"]
                .as_f64()
                .unwrap_or_else(|| out.fail("block without numeric p"));
            let label = b["label"]
                .as_str()
                .unwrap_or_else(|| out.fail("block without label"))
                .to_string();
            (text, p, label)
        })
        .collect()
}

/// Number of blocks labelled content.
pub fn kept(blocks: &[(String, f64, String)]) -> usize {
    blocks.iter().filter(|b| b.2 == "content").count()
}

/// The paragraphs of an `.expected.txt` fixture (blank-line separated), headline first.
pub fn expected_blocks(rel: &str) -> Vec<String> {
    read(rel)
        .split("\n\n")
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The first sentence of a paragraph (up to and including the first ". ").
pub fn first_sentence(paragraph: &str) -> &str {
    match paragraph.find(". ") {
        Some(i) => &paragraph[..=i],
        None => paragraph,
    }
}

/// How many of the paragraphs' first sentences occur in `text`.
pub fn paragraphs_kept(paragraphs: &[String], text: &str) -> usize {
    paragraphs
        .iter()
        .filter(|p| text.contains(first_sentence(p)))
        .count()
}

/// Shingle F1 of one page, as `dehusk eval` and the reference script compute it.
pub fn shingle_f1(gold: &str, predicted: &str) -> f64 {
    let mut f1 = dehusk::eval::ShingleF1::default();
    f1.add(gold, predicted);
    f1.score().f1
}

/// Gzips bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Compresses bytes to one zstd frame (ruzstd's encoder, about `zstd -1`).
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// A fresh temporary directory (removed when dropped).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("dehusk-test-")
        .tempdir()
        .expect("creating a temporary directory")
}

/// Writes a file, creating parent directories.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `python3`, if this machine has it (the cross-checks against Python are skipped
/// otherwise, saying so on stderr).
pub fn python3() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    ok.then_some("python3")
}

/// Lists a directory's file names, sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
