//! Output safety, from a new-user audit (session 37): a `-o` file is written by one
//! run at a time, `--resume` continues only the inputs a run was started with, an
//! output named `.gz` is gzipped (and resumable), Ctrl-C stops a run cleanly, and
//! what would silently do nothing is refused or said: empty inputs, limits of 0,
//! `--input-format` on WARC records.
//!
//! A run that must stay alive while the test works reads standard input last, from a
//! pipe the test holds open ([`started`]).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::records::{big_warc, partial_of, PAGES};
use crate::util::{dehusk, gzip, read_bytes, tempdir, write, Output};

/// `FILE.partial.settings`, there while a run writes `-o FILE`.
fn settings_of(dest: &Path) -> PathBuf {
    let mut p = partial_of(dest).into_os_string();
    p.push(".settings");
    p.into()
}

/// `dehusk ARGS` started in `dir` with standard input an open pipe, once `ready`
/// exists: a run that waits on its last input (`-`) until the test feeds or ends it.
fn started<S: AsRef<OsStr>>(dir: &Path, args: &[S], ready: &Path) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dehusk"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting dehusk");
    let start = Instant::now();
    while !ready.exists() {
        if start.elapsed() > Duration::from_secs(60) || child.try_wait().unwrap().is_some() {
            child.kill().ok();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the run never made {}: {}",
                ready.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Kills a run (SIGKILL), as a crash or `kill -9` would.
fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The page fed to standard input as the run's last document.
fn page() -> Vec<u8> {
    read_bytes(PAGES[0])
}

/// The text of a gzip file of one or more members.
fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a whole gzip file of UTF-8");
    text
}

// Found by a new-user audit: a second run with the same -o truncated the first's
// `.partial` and wrote into it; the first then finished, exit 0, with 272 of its own
// records, 2,909 of the other's and 2 broken lines.
#[test]
fn a_second_run_with_the_same_output_is_refused_and_the_first_is_intact() {
    let dir = tempdir();
    let warc = dir.path().join("crawl.warc.gz");
    big_warc(&warc, 4);
    let other = dir.path().join("other.warc.gz");
    big_warc(&other, 2);
    let dest = dir.path().join("out.jsonl");
    let expected = dehusk()
        .args(["extract", "-q"])
        .arg(&warc)
        .arg("-")
        .stdin(page())
        .stdout();
    let args = [
        OsStr::new("extract"),
        OsStr::new("-q"),
        OsStr::new("-o"),
        dest.as_os_str(),
        warc.as_os_str(),
        OsStr::new("-"),
    ];
    let mut first = started(dir.path(), &args, &settings_of(&dest));
    for resume in [false, true] {
        let out = dehusk()
            .args(["extract", "-q", "-o"])
            .arg(&dest)
            .args(resume.then_some("--resume"))
            .arg(&other)
            .expect_code(1);
        assert_contains!(out.stderr, "is being written by another dehusk run");
    }
    // The first run finishes with its own records only.
    first.stdin.take().unwrap().write_all(&page()).unwrap();
    let out = first.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    eqnice!(
        expected,
        std::fs::read_to_string(&dest).unwrap(),
        "the first run's output"
    );

    // A killed run leaves no stale lock: its output is resumed.
    std::fs::remove_file(&dest).unwrap();
    kill(started(dir.path(), &args, &settings_of(&dest)));
    dehusk()
        .args(["extract", "-q", "--resume", "-o"])
        .arg(&dest)
        .arg(&warc)
        .arg("-")
        .stdin(page())
        .expect_code(0);
    eqnice!(
        expected,
        std::fs::read_to_string(&dest).unwrap(),
        "resumed after a kill"
    );
}

// Found by a new-user audit: a killed run's `.partial` resumed over the same folder
// named another way wrote every document twice (1,636 records for 999 documents), and
// over other inputs finalized the killed run's records with this run's (2,555 records
// for a 999-document input), both with exit 0.
#[test]
fn resume_refuses_inputs_other_than_the_runs() {
    let dir = tempdir();
    for (folder, pages) in [("a", &PAGES[..]), ("b", &PAGES[1..])] {
        for (i, page) in pages.iter().enumerate() {
            write(
                &dir.path().join(folder).join(format!("pages/p{i}.html")),
                read_bytes(page),
            );
        }
    }
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let warc = dir.path().join("crawl.warc.gz");
    big_warc(&warc, 2);
    let dest = dir.path().join("out.jsonl");
    let run = |cwd: &Path, inputs: &[&OsStr]| {
        let mut args = vec![
            OsStr::new("extract"),
            OsStr::new("-q"),
            OsStr::new("--resume"),
            OsStr::new("-o"),
            dest.as_os_str(),
        ];
        args.extend(inputs);
        dehusk().current_dir(cwd).args(args).stdin(page()).output()
    };
    let (pages, stdin) = (OsStr::new("pages"), OsStr::new("-"));
    let mut args = vec![OsStr::new("extract"), OsStr::new("-o"), dest.as_os_str()];
    args.extend([pages, stdin]);
    kill(started(&a, &args, &settings_of(&dest)));
    let before = (
        std::fs::read(partial_of(&dest)).unwrap(),
        std::fs::read(settings_of(&dest)).unwrap(),
    );
    let a_pages = a.join("pages");
    let refusals: [(&Path, Vec<&OsStr>, &str); 4] = [
        // The same folder, named another way.
        (&a, vec![a_pages.as_os_str(), stdin], "the inputs ("),
        // The same names, from another folder.
        (&b, vec![pages, stdin], "the files the inputs name"),
        // Other inputs, or fewer.
        (&a, vec![warc.as_os_str(), stdin], "the inputs ("),
        (&a, vec![pages], "the inputs ("),
    ];
    for (cwd, inputs, says) in refusals {
        let out = run(cwd, &inputs);
        out.expect_code(1);
        assert_contains!(out.stderr, "cannot resume");
        assert_contains!(out.stderr, says);
        let after = (
            std::fs::read(partial_of(&dest)).unwrap(),
            std::fs::read(settings_of(&dest)).unwrap(),
        );
        assert!(after == before, "a refused resume changed nothing");
        assert!(!dest.exists());
    }

    // Settings saved by an older dehusk name no inputs: resumed, with a warning.
    let mut saved: serde_json::Value = serde_json::from_slice(&before.1).unwrap();
    let fields = saved.as_object_mut().unwrap();
    assert!(fields.remove("inputs").is_some() && fields.remove("input_paths").is_some());
    write(&settings_of(&dest), saved.to_string());
    let out = run(&a, &[pages, stdin]);
    out.expect_code(0);
    assert_contains!(out.stderr, "did not save its inputs");
    let whole = dehusk()
        .current_dir(&a)
        .args(["extract", "-q", "pages", "-"])
        .stdin(page())
        .stdout();
    eqnice!(
        whole,
        std::fs::read_to_string(&dest).unwrap(),
        "resumed as started"
    );
}

// Found by a new-user audit: `-o out.jsonl.gz` wrote plain JSON lines under a gzip name.
#[test]
fn an_output_named_gz_is_gzipped_and_resumes_after_a_cut_member() {
    let dir = tempdir();
    let warc = dir.path().join("crawl.warc.gz");
    big_warc(&warc, 6);
    let expected = dehusk().args(["extract", "-q"]).arg(&warc).stdout();
    let lines: Vec<String> = expected.lines().map(|l| format!("{l}\n")).collect();
    assert_eq!(lines.len(), 6);
    let dest = dir.path().join("out.jsonl.gz");
    dehusk()
        .args(["extract", "-q", "-o"])
        .arg(&dest)
        .arg(&warc)
        .expect_code(0);
    let bytes = std::fs::read(&dest).unwrap();
    assert!(bytes.starts_with(&[0x1f, 0x8b]), "not gzip: {bytes:.40?}");
    eqnice!(expected, gunzip(&bytes), "the gzipped output, decompressed");

    // A run killed in its second gzip member: the first is kept, the cut one redone.
    let member = |from: usize, to: usize| gzip(lines[from..to].concat().as_bytes());
    let cut = member(2, 4);
    let killed = [member(0, 2), cut[..cut.len() / 2].to_vec()].concat();
    // Killed before its first member was ended: nothing to keep.
    let early = member(0, 3)[..40].to_vec();
    // Killed after the first byte of the gzip magic (found by a review: refused as
    // "not gzip data").
    let first_byte = member(0, 3)[..1].to_vec();
    for (partial, kept) in [(killed, 2), (early, 0), (first_byte, 0)] {
        std::fs::remove_file(&dest).ok();
        write(&partial_of(&dest), partial);
        let out = dehusk()
            .args(["extract", "--resume", "-o"])
            .arg(&dest)
            .arg(&warc)
            .expect_code(0);
        assert_contains!(out.stderr, format!("{kept} records already written"));
        let bytes = std::fs::read(&dest).unwrap();
        eqnice!(expected, gunzip(&bytes), "resumed gzipped output");
    }
    // Resuming a finished .gz output appends nothing.
    dehusk()
        .args(["extract", "-q", "--resume", "-o"])
        .arg(&dest)
        .arg(&warc)
        .expect_code(0);
    eqnice!(
        expected,
        gunzip(&std::fs::read(&dest).unwrap()),
        "resumed finished output"
    );

    // Plain JSON lines under a .gz name (what an older dehusk wrote) are refused, and
    // left as they were.
    let plain = dir.path().join("plain.jsonl.gz");
    write(&plain, &expected);
    let out = dehusk()
        .args(["extract", "-q", "--resume", "-o"])
        .arg(&plain)
        .arg(&warc)
        .expect_code(1);
    assert_contains!(out.stderr, "is not gzip data");
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), expected);
    assert!(!partial_of(&plain).exists());
}

// Found by new-user audits: Ctrl-C ended a run with no message, leaving `.partial`
// and its settings without a word of what to do; SIGTERM (a batch system's or a
// container's stop) lost the records in progress, also without a word.
#[test]
fn ctrl_c_or_sigterm_stops_cleanly_and_the_run_resumes() {
    let dir = tempdir();
    let warc = dir.path().join("crawl.warc.gz");
    big_warc(&warc, 4);
    for (name, signal, code) in [
        ("out.jsonl", "-INT", 130),
        ("out.jsonl.gz", "-INT", 130),
        ("term.jsonl", "-TERM", 143),
        ("term.jsonl.gz", "-TERM", 143),
    ] {
        let dest = dir.path().join(name);
        let args = [
            OsStr::new("extract"),
            OsStr::new("-o"),
            dest.as_os_str(),
            warc.as_os_str(),
            OsStr::new("-"),
        ];
        let mut child = started(dir.path(), &args, &settings_of(&dest));
        // Held open until the run has ended (closed, the standard input would be an
        // empty last document, which a run may finish before it sees the Ctrl-C).
        let stdin = child.stdin.take();
        let interrupt = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(interrupt.success());
        // The run does not wait for its standard input, still open, to end.
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{signal}: {stderr}");
        assert_contains!(stderr, "interrupted after");
        assert_contains!(stderr, "rerun the same command with --resume");
        // What was written is whole records (in a whole gzip file).
        let partial = std::fs::read(partial_of(&dest)).unwrap();
        let text = match name.ends_with(".gz") {
            true => gunzip(&partial),
            false => String::from_utf8(partial).unwrap(),
        };
        for line in text.lines() {
            serde_json::from_str::<serde_json::Value>(line).expect("a whole record");
        }
        assert!(text.is_empty() || text.ends_with('\n'));
        dehusk()
            .args(["extract", "-q", "--resume", "-o"])
            .arg(&dest)
            .arg(&warc)
            .arg("-")
            .stdin(page())
            .expect_code(0);
        let whole = dehusk()
            .args(["extract", "-q"])
            .arg(&warc)
            .arg("-")
            .stdin(page())
            .stdout();
        let bytes = std::fs::read(&dest).unwrap();
        let resumed = match name.ends_with(".gz") {
            true => gunzip(&bytes),
            false => String::from_utf8(bytes).unwrap(),
        };
        eqnice!(whole, resumed, "resumed after Ctrl-C");
    }
}

// Found by a new-user audit: an empty folder or an empty `.warc.gz` gave "0 documents"
// and exit 0, with nothing said under -q.
#[test]
fn empty_inputs_are_said() {
    let dir = tempdir();
    let folder = dir.path().join("empty");
    std::fs::create_dir(&folder).unwrap();
    write(&folder.join(".hidden.html"), "<p>hidden</p>");
    let warc = dir.path().join("empty.warc.gz");
    write(&warc, b"");
    let requests = dir.path().join("info.warc.gz");
    write(
        &requests,
        crate::records::gzip_each(&[crate::records::warcinfo()]),
    );
    let page = dir.path().join("page.html");
    write(&page, read_bytes(PAGES[0]));
    for input in [&folder, &warc, &requests] {
        let out = dehusk()
            .args(["extract", "-q"])
            .arg(input)
            .arg(&page)
            .expect_code(0);
        assert_contains!(
            out.stderr,
            format!("warning: no documents found in {}", input.display())
        );
        assert_eq!(out.records().len(), 1, "{}", out.show());
    }
    // A run with documents says nothing of the kind.
    let out = dehusk().args(["extract", "-q"]).arg(&page).expect_code(0);
    assert_lacks!(out.stderr, "no documents");
}

// Found by a new-user audit: `--max-bytes 0` and `--max-blocks 0` were accepted and
// failed every document.
#[test]
fn limits_of_zero_are_refused() {
    for flag in ["--max-bytes", "--max-blocks"] {
        let out = dehusk()
            .args(["extract", flag, "0", PAGES[0]])
            .expect_code(1);
        assert_contains!(out.stderr, "0 is not in 1..");
        assert!(out.stdout.is_empty(), "{}", out.show());
    }
    let help = dehusk().args(["extract", "--help"]).stdout();
    assert_contains!(help, "At least 1 (0 would skip every document)");
}

// Found by a new-user audit: `--input-format` was silently ignored for WARC and WET
// records, which carry their format in their record type.
#[test]
fn input_format_on_warc_records_is_said_once() {
    let dir = tempdir();
    let (one, two) = (dir.path().join("a.warc.gz"), dir.path().join("b.warc.gz"));
    big_warc(&one, 2);
    big_warc(&two, 2);
    let plain = dehusk()
        .args(["extract", "-q"])
        .arg(&one)
        .arg(&two)
        .stdout();
    let out = dehusk()
        .args(["extract", "-q", "--input-format", "text"])
        .arg(&one)
        .arg(&two)
        .expect_code(0);
    assert_eq!(
        out.stderr
            .matches("--input-format has no effect on WARC, WET and ARC records")
            .count(),
        1,
        "{}",
        out.show()
    );
    eqnice!(
        plain,
        out.stdout,
        "the flag changes nothing in WARC records"
    );
    // Where it applies, nothing is said.
    let out = dehusk()
        .args(["extract", "-q", "--input-format", "text", PAGES[0]])
        .expect_code(0);
    assert_lacks!(out.stderr, "no effect");
}

// Found by a new-user audit: a document over `--max-bytes` or `--max-blocks` counted
// as a failure, so every run whose limit bit exited 2, as if pages were broken. Such
// a document is skipped as asked: an error record marked `"too_large": true`, counted
// apart in the summary, and exit 0 unless another document failed, also when the
// record was written by the run that `--resume` continues.
#[test]
fn documents_over_a_limit_are_skipped_not_failed() {
    let dir = tempdir();
    let folder = dir.path().join("pages");
    std::fs::create_dir(&folder).unwrap();
    let small = "<p>A short page of one paragraph, well under the limit.</p>";
    write(&folder.join("a-big.html"), page());
    write(&folder.join("b-small.html"), small);
    let limit = ["extract", "--max-bytes", "2000"];
    assert!(page().len() > 2000);
    let out = dehusk().args(limit).arg(&folder).expect_code(0);
    let records = out.records();
    assert_eq!(records.len(), 2, "{}", out.show());
    assert_eq!(records[0]["too_large"], true, "{}", out.show());
    assert_contains!(records[0]["error"].as_str().unwrap(), "limit of 2000 bytes");
    assert!(records[1]["text"].is_string(), "{}", out.show());
    assert_contains!(
        out.stderr,
        "2 documents, 1 ok, 0 failed, 1 too large (skipped"
    );

    // A broken document beside it still fails the run.
    write(&folder.join("c-broken.html.gz"), b"\x1f\x8b\x08\x00broken");
    let out = dehusk().args(limit).arg(&folder).expect_code(2);
    assert_contains!(out.stderr, "3 documents, 1 ok, 1 failed, 1 too large");
    std::fs::remove_file(folder.join("c-broken.html.gz")).unwrap();

    // Resumed after the too-large record was written: still exit 0.
    let dest = dir.path().join("out.jsonl");
    dehusk()
        .args(limit)
        .arg("-q")
        .arg("-o")
        .arg(&dest)
        .arg(&folder)
        .expect_code(0);
    let expected = std::fs::read_to_string(&dest).unwrap();
    std::fs::remove_file(&dest).unwrap();
    let first = &expected[..=expected.find('\n').unwrap()];
    write(&partial_of(&dest), first);
    let out = dehusk()
        .args(limit)
        .arg("--resume")
        .arg("-o")
        .arg(&dest)
        .arg(&folder)
        .expect_code(0);
    assert_contains!(out.stderr, "1 records already written");
    eqnice!(expected, std::fs::read_to_string(&dest).unwrap(), "resumed");
}

// Found by an audit: an earlier run's output (`-o` inside the folder of pages, under
// another name than this run's) was read as input, each of its records extracted again
// under the same id; so were an unfinished run's `.partial` and its settings.
#[test]
fn earlier_outputs_in_a_walked_folder_are_left_out() {
    let dir = tempdir();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    write(&pages.join("a.html"), read_bytes(PAGES[0]));
    // JSON lines of the user's own, one written compactly as dehusk writes: inputs.
    write(
        &pages.join("mine.jsonl"),
        "{\"id\": \"m\", \"text\": \"A line of the user's own.\"}\n",
    );
    write(
        &pages.join("compact.jsonl"),
        "{\"id\":\"c\",\"text\":\"Written compactly, with no confidence.\"}\n",
    );
    // dehusk's outputs of the folder, made outside it and copied in.
    for (job, name, extra) in [
        ("extract", "v1.jsonl", None),
        ("extract", "v1.jsonl.gz", None),
        ("classify", "blocks.ndjson", None),
        ("extract", "out.jsonl.partial", Some("--markdown")),
    ] {
        let dest = dir.path().join(name);
        dehusk()
            .args([job, "-q", "-o"])
            .arg(&dest)
            .args(extra)
            .arg(&pages)
            .expect_code(0);
        std::fs::copy(&dest, pages.join(name)).unwrap();
    }
    write(
        &pages.join("out.jsonl.partial.settings"),
        "{\"job\":\"extract\"}\n",
    );

    let out = extract_leaving_out(
        &pages,
        &[
            "v1.jsonl",
            "v1.jsonl.gz",
            "blocks.ndjson",
            "out.jsonl.partial",
        ],
        &[&pages.join("a.html").display().to_string(), "c", "m"],
    );
    assert!(out
        .stderr
        .contains("the settings of an unfinished dehusk run"));
    // Named, an output is read: the user meant it.
    let named = dehusk()
        .args(["extract", "-q"])
        .arg(pages.join("v1.jsonl"))
        .expect_code(0);
    assert_eq!(named.records().len(), 3);
}

// Found by a review: an earlier output was still read as input when its first record
// was longer than the 16 KiB looked at (a `classify` record of a long page), or when
// its name said nothing (`-o results`): read as JSON lines, its texts were extracted
// again under the same ids.
#[test]
fn earlier_outputs_with_a_long_first_record_or_a_bare_name_are_left_out() {
    let dir = tempdir();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let paragraphs: String = (0..400)
        .map(|i| format!("<p>Paragraph {i} of a long article, with words enough to keep.</p>"))
        .collect();
    let page = format!("<html><body><article>{paragraphs}</article></body></html>");
    write(&pages.join("a.html"), &page);
    // The outputs are made of a copy of the page: `pages` would read each as input.
    let copy = dir.path().join("copy.html");
    write(&copy, &page);
    for (job, name) in [("classify", "blocks.ndjson"), ("extract", "results")] {
        let dest = dir.path().join(name);
        dehusk()
            .args([job, "-q", "-o"])
            .arg(&dest)
            .arg(&copy)
            .expect_code(0);
        std::fs::copy(&dest, pages.join(name)).unwrap();
    }
    let first_line = std::fs::read_to_string(pages.join("blocks.ndjson")).unwrap();
    assert!(
        first_line.len() > 16 << 10,
        "the record must outgrow the old head"
    );

    extract_leaving_out(
        &pages,
        &["blocks.ndjson", "results"],
        &[&pages.join("a.html").display().to_string()],
    );
}

/// `dehusk extract FOLDER`: checks that the files `left_out` are said to be earlier
/// outputs and left out, and that the records' ids are `ids`.
fn extract_leaving_out(folder: &Path, left_out: &[&str], ids: &[&str]) -> Output {
    let out = dehusk().arg("extract").arg(folder).expect_code(0);
    let got: Vec<String> = out
        .records()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, ids, "{}", out.show());
    for name in left_out {
        let said = format!(
            "{}: left out, it is an earlier dehusk output",
            folder.join(name).display()
        );
        assert!(out.stderr.contains(&said), "{said}\n{}", out.show());
    }
    out
}

// Found by a review: when the settings beside `FILE.partial` could not be put in place,
// their half-made `FILE.partial.settings.new` was left beside the output.
#[test]
fn settings_that_cannot_be_put_in_place_leave_nothing_half_made() {
    let dir = tempdir();
    let dest = dir.path().join("out.jsonl");
    // A folder (not empty) where the settings go: the rename onto it fails.
    let settings = settings_of(&dest);
    std::fs::create_dir_all(settings.join("in the way")).unwrap();
    let out = dehusk()
        .args(["extract", "-q", "-o"])
        .arg(&dest)
        .arg(PAGES[0])
        .output();
    assert_ne!(out.code, Some(0), "{}", out.show());
    assert_contains!(out.stderr, "renaming");
    let mut new = settings.into_os_string();
    new.push(".new");
    assert!(!PathBuf::from(new).exists(), "{}", out.show());
}
