//! Issue #5, reliability: every hostile document ends in a correct result or a clear
//! per-document error, never a panic, a hang or unbounded memory, through the whole
//! pipeline (decode → segment → features → score → decode labels).
//!
//! All hostile inputs are generated here (nothing large is committed). The library-level
//! tests run [`pipeline`] in-process; `issue5_batch_*` run the real binary over a
//! directory of hostile files. Timings are printed (`cargo test -- --nocapture` shows
//! them) and bounded generously, since the suite runs tests in parallel on small
//! machines; the linearity checks compare a size against twenty times that size, so a
//! quadratic step (400x) fails while noise (a few x) does not.
//!
//! `issue5_randomized_pipeline_stress` is a small built-in fuzzer (xorshift, no extra
//! crates): `DEHUSK_FUZZ_SEED=N` reproduces a run, `DEHUSK_FUZZ_ITERS=N` extends it. The
//! libFuzzer target is `fuzz/fuzz_targets/pipeline.rs` (`cargo +nightly fuzz run
//! pipeline` from the package root).

use std::io::Write as _;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use dehusk::input::{self, InputFormat, Transport};
use dehusk::pipeline::{Classified, Classifier};
use dehusk::ErrorKind;
use encoding_rs::Encoding;

use crate::util::{dehusk, gzip, tempdir, write};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The bundled models, loaded once for the whole module.
fn classifier() -> &'static Classifier {
    static CLASSIFIER: OnceLock<Classifier> = OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::new(None).expect("the bundled models load"))
}

/// One document through the whole pipeline, as `dehusk extract` runs it: bytes →
/// Document (binary check, format sniffing, charset decoding) → blocks → features →
/// probabilities → labels. Checks the invariants every result must meet.
fn pipeline(bytes: &[u8], format: Option<InputFormat>) -> dehusk::Result<Classified> {
    let doc =
        input::document_from_bytes("hostile".into(), bytes, None, format, Transport::default())?;
    assert!(!doc.text.contains('\0'), "NUL left in the decoded text");
    let c = classifier().classify(&doc)?;
    check_result(&c);
    Ok(c)
}

/// Invariants of a classified page: one probability and one label per block, finite
/// probabilities in [0, 1], block ranges inside the page text.
fn check_result(c: &Classified) {
    let n = c.page.len();
    assert_eq!(c.probabilities.len(), n, "one probability per block");
    assert_eq!(c.labels.len(), n, "one label per block");
    for (i, &p) in c.probabilities.iter().enumerate() {
        assert!((0.0..=1.0).contains(&p), "block {i}: probability {p}");
    }
    for b in &c.page.blocks {
        assert!(b.start < b.end, "empty block {b:?}");
        assert!(
            c.page.text.get(b.start as usize..b.end as usize).is_some(),
            "block range {}..{} is not inside the page text",
            b.start,
            b.end
        );
    }
}

/// The blocks' texts.
fn texts(c: &Classified) -> Vec<&str> {
    (0..c.page.len()).map(|i| c.page.block_text(i)).collect()
}

/// A document that must go through: its classified page.
#[track_caller]
fn ok(bytes: &[u8], format: Option<InputFormat>) -> Classified {
    match pipeline(bytes, format) {
        Ok(c) => c,
        Err(e) => panic!("expected a result, got the error: {e}"),
    }
}

/// A document that must be refused as a bad document: the message.
#[track_caller]
fn bad(bytes: &[u8], format: Option<InputFormat>) -> String {
    match pipeline(bytes, format) {
        Ok(c) => panic!("expected a bad-document error, got {} blocks", c.page.len()),
        Err(e) => match e.kind() {
            ErrorKind::BadDocument(_) => e.to_string(),
            other => panic!("expected a bad-document error, got {other:?}"),
        },
    }
}

/// Runs `f`, prints how long it took and fails past `limit`.
#[track_caller]
fn timed<T>(what: &str, limit: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    eprintln!("issue5 timing: {what}: {:.3}s", took.as_secs_f64());
    assert!(
        took < limit,
        "{what} took {took:?}, over the limit of {limit:?}"
    );
    out
}

/// Generous bound for one megabyte-scale hostile document: alone, each takes under
/// 3 s (test profile: opt-level 2, with overflow checks), but tests share two cores
/// with each other and with runs of the binary, which has made them 10x slower. A
/// quadratic step on a million blocks would take hours.
const BIG: Duration = Duration::from_secs(90);

/// How much larger the second size of a linearity check is.
const SCALE: usize = 20;

/// Fails when going from `n` to `SCALE * n` costs far more than `SCALE` times as much:
/// linear costs 20x, quadratic 400x. The bound of 150x leaves room for what is not the
/// algorithm: a loaded machine, and the large size's feature matrix coming from fresh
/// (page-faulting) memory while the small one reuses the allocator's pages; together
/// they have been seen to reach 3.3x.
#[track_caller]
pub(crate) fn assert_linear(what: &str, run: impl Fn(usize) -> Duration, n: usize) {
    // Warm up (page faults, lazy statics), then take the best of a few runs of each
    // size: noise only ever makes a run slower. A ratio past the bound is measured
    // again, twice at most: on a loaded machine (other tests, other builds) one slow
    // large run made a linear reader look superlinear (session 38's CI, ratio 184),
    // while a quadratic one stays near 400 however often it is measured.
    run(n);
    let mut ratio = f64::INFINITY;
    for _ in 0..3 {
        let small = (0..3).map(|_| run(n)).min().unwrap_or_default();
        let large = (0..2).map(|_| run(n * SCALE)).min().unwrap_or_default();
        ratio = ratio.min(large.as_secs_f64() / small.as_secs_f64().max(1e-4));
        eprintln!(
            "issue5 scaling: {what}: n={n}: {:.4}s, n={}: {:.4}s, ratio {ratio:.1} (linear \
             {SCALE}, quadratic {})",
            small.as_secs_f64(),
            n * SCALE,
            large.as_secs_f64(),
            SCALE * SCALE
        );
        if ratio < 150.0 {
            break;
        }
    }
    assert!(
        ratio < 150.0,
        "{what} looks superlinear: ratio {ratio:.1} for {SCALE}x the input"
    );
}

fn encode(encoding: &'static Encoding, s: &str) -> Vec<u8> {
    let (bytes, used, unmappable) = encoding.encode(s);
    assert_eq!(used, encoding);
    assert!(
        !unmappable,
        "test text must be encodable in {}",
        encoding.name()
    );
    bytes.into_owned()
}

fn utf16(s: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xff, 0xfe]
    } else {
        vec![0xfe, 0xff]
    };
    for unit in s.encode_utf16() {
        out.extend_from_slice(&if little_endian {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

fn page(head: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head>{head}<title>News</title></head><body>\
         <nav><a href=/>Home</a> <a href=/a>About</a></nav>\
         <article><p>{body}</p></article></body></html>\n"
    )
}

const RUSSIAN: &str = "Вчера в Москве прошло заседание городской думы, на котором депутаты \
    обсудили бюджет на следующий год. Особое внимание было уделено строительству новых школ \
    и больниц в отдалённых районах.";
const JAPANESE: &str =
    "東京都は昨日、新しい都市計画を発表しました。この計画では、公園や図書館などの\
    公共施設を増やし、住民の生活の質を向上させることを目指しています。";
const CHINESE: &str = "昨天，北京市政府召开新闻发布会，介绍了今年城市建设的主要情况。发言人表示，\
    全市新建学校和医院的数量比去年明显增加，公共交通网络也进一步完善。";
const CZECH: &str = "Včera večer schválilo zastupitelstvo města rozpočet na příští rok. Největší \
    část peněz půjde na opravy škol, silnic a veřejného osvětlení v okrajových čtvrtích.";
const GREEK: &str = "Το δημοτικό συμβούλιο ενέκρινε χθες τον προϋπολογισμό του επόμενου έτους, \
    με έμφαση στα σχολεία, στους δρόμους και στις δημόσιες βιβλιοθήκες της πόλης.";
const KOREAN: &str = "서울시는 어제 새로운 도시 계획을 발표했습니다. 이 계획은 공원과 도서관 같은 \
    공공 시설을 늘리고 시민의 삶의 질을 높이는 것을 목표로 합니다.";

/// The block holding `needle`, or a failure listing the blocks.
#[track_caller]
fn assert_block_contains(c: &Classified, needle: &str) {
    if !texts(c).iter().any(|t| t.contains(needle)) {
        panic!("no block contains {needle:?}; blocks: {:?}", texts(c));
    }
}

// ---------------------------------------------------------------------------------------
// Charsets
// ---------------------------------------------------------------------------------------

#[test]
fn issue5_invalid_utf8_becomes_replacement_characters() {
    // A UTF-8 page with stray bytes: the rest must still read as UTF-8, not as mojibake
    // from a legacy guess.
    let html = page("", RUSSIAN);
    let mut bytes = html.as_bytes().to_vec();
    let at = html.find("заседание").unwrap();
    bytes.splice(at..at, [0xff, 0xfe, 0x80]);
    bytes.extend_from_slice(b"<p>tail \xc3</p>");
    for format in [None, Some(InputFormat::Html), Some(InputFormat::Text)] {
        let c = ok(&bytes, format);
        assert_block_contains(&c, "Вчера в Москве прошло");
        assert_block_contains(&c, "думы, на котором депутаты");
    }
    // Pure garbage that is not binary (high bytes, no controls) is text of some kind.
    let garbage: Vec<u8> = (0..20_000u32)
        .map(|i| 0x80 + (i * 7919 % 128) as u8)
        .collect();
    ok(&garbage, None);
    ok(&garbage, Some(InputFormat::Html));
    // Overlong encodings, surrogates and truncated sequences everywhere.
    let nasty = b"<p>\xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82 ok</p>".repeat(1000);
    let c = ok(&nasty, None);
    assert!(c.page.text.contains("ok"));
}

#[test]
fn issue5_wrong_or_missing_charset_label_still_gives_the_right_text() {
    // A legacy page labelled UTF-8 (a template's meta kept after a migration the other
    // way): the label is evidently wrong, the bytes decide.
    let html = page("<meta charset=\"utf-8\">", RUSSIAN);
    let c = ok(&encode(encoding_rs::WINDOWS_1251, &html), None);
    assert_block_contains(&c, RUSSIAN);
    // A UTF-8 page labelled with a legacy charset.
    let html = page("<meta charset=\"windows-1251\">", RUSSIAN);
    let c = ok(html.as_bytes(), None);
    assert_block_contains(&c, RUSSIAN);
    // An unknown label is ignored: detection.
    let html = page("<meta charset=\"x-no-such-charset\">", RUSSIAN);
    let c = ok(&encode(encoding_rs::WINDOWS_1251, &html), None);
    assert_block_contains(&c, RUSSIAN);
    // A multi-byte label on bytes of another multi-byte encoding.
    let html = page("<meta charset=\"shift_jis\">", CHINESE);
    let c = ok(&encode(encoding_rs::GBK, &html), None);
    assert_block_contains(&c, CHINESE);
    // No label at all.
    for (encoding, text) in [
        (encoding_rs::WINDOWS_1251, RUSSIAN),
        (encoding_rs::SHIFT_JIS, JAPANESE),
        (encoding_rs::GBK, CHINESE),
    ] {
        let c = ok(&encode(encoding, &page("", text)), None);
        assert_block_contains(&c, text);
    }
}

#[test]
fn issue5_utf16_with_bom_in_both_byte_orders() {
    for little_endian in [true, false] {
        let html = page("<meta charset=utf-8>", RUSSIAN);
        let c = ok(&utf16(&html, little_endian), None);
        assert_eq!(c.page.format, Some(InputFormat::Html));
        assert_block_contains(&c, RUSSIAN);
        let text = format!("Home | About\n\n{JAPANESE}\n");
        let c = ok(&utf16(&text, little_endian), Some(InputFormat::Text));
        assert_block_contains(&c, JAPANESE);
        // An odd number of bytes (cut in the middle of a code unit) is not fatal.
        let mut cut = utf16(&html, little_endian);
        cut.pop();
        ok(&cut, None);
    }
}

#[test]
fn issue5_legacy_encodings_decode_to_the_right_text() {
    let cases: [(&'static Encoding, &str); 8] = [
        (encoding_rs::WINDOWS_1251, RUSSIAN),
        (encoding_rs::KOI8_R, RUSSIAN),
        (encoding_rs::SHIFT_JIS, JAPANESE),
        (encoding_rs::EUC_JP, JAPANESE),
        (encoding_rs::GBK, CHINESE),
        (encoding_rs::ISO_8859_2, CZECH),
        (encoding_rs::ISO_8859_7, GREEK),
        (encoding_rs::EUC_KR, KOREAN),
    ];
    for (encoding, text) in cases {
        let name = encoding.name();
        // Labelled by <meta>, by the transport, and not at all.
        let labelled = page(&format!("<meta charset=\"{name}\">"), text);
        let c = ok(&encode(encoding, &labelled), None);
        assert_block_contains(&c, text);
        let bare = encode(encoding, &page("", text));
        let doc =
            input::document_from_bytes("t".into(), &bare, None, None, Transport::charset(name))
                .unwrap();
        assert!(doc.text.contains(text), "{name} by transport label");
        let c = ok(&bare, None);
        assert_block_contains(&c, text);
        // Text mode, unlabelled.
        let lines = format!("Menu\n\n{text}\n{text}\n");
        let c = ok(&encode(encoding, &lines), Some(InputFormat::Text));
        assert_block_contains(&c, text);
    }
}

// ---------------------------------------------------------------------------------------
// Binary, empty, NUL, no blocks
// ---------------------------------------------------------------------------------------

#[test]
fn issue5_binary_is_a_clear_error_empty_is_an_empty_result() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    let random: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (what, bytes) in [
        ("png", png),
        ("random bytes", random),
        ("all NUL", vec![0u8; 10_000]),
        ("ELF", b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".repeat(100)),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec()),
    ] {
        for format in [None, Some(InputFormat::Html), Some(InputFormat::Text)] {
            let msg = bad(&bytes, format);
            assert!(msg.contains("binary"), "{what}: {msg}");
        }
    }
    for format in [None, Some(InputFormat::Html), Some(InputFormat::Text)] {
        for empty in [&b""[..], b"\xef\xbb\xbf", b"\xff\xfe", b"  \n\t\r\n "] {
            let c = ok(empty, format);
            assert_eq!(c.page.len(), 0, "{empty:?}");
            assert_eq!(c.main_text(), "");
        }
    }
}

/// `text`, then `n` random bytes.
fn binary_tail(text: &[u8], n: usize) -> Vec<u8> {
    let mut rng = Rng::new(n as u64);
    let tail = (0..n).map(|_| rng.next() as u8);
    text.iter().copied().chain(tail).collect()
}

#[test]
fn binary_after_the_first_eight_kib_is_a_clear_error() {
    // Found by an audit: the binary check read the first 8 KiB only, so 12 KB of HTML
    // followed by 5 MB of random bytes was a page, and about 4 MB of junk its "text".
    let article = page("", RUSSIAN).repeat(30);
    assert!(article.len() > 12_000);
    let junk = binary_tail(article.as_bytes(), 5 << 20);
    for format in [None, Some(InputFormat::Html), Some(InputFormat::Text)] {
        let msg = bad(&junk, format);
        assert!(msg.contains("binary data at byte"), "{format:?}: {msg}");
    }
    // The article alone, and followed by zeros, is read.
    let c = ok(&[article.as_bytes(), &vec![0; 1 << 20]].concat(), None);
    assert_block_contains(&c, "Вчера в Москве");
}

#[test]
fn an_arc_file_under_a_page_name_is_refused_not_read_as_one_page() {
    // Found by a new-user audit: a `.arc.gz` of three pages (ARC, the format before
    // WARC) came out as one document of raw ARC text, exit 0. Under an ARC name it is
    // read record by record (tests/records.rs); under a page's, which is not looked
    // into, it is refused, saying how to name it.
    let dir = tempdir();
    let page = page("", RUSSIAN);
    let mut arc = gzip(b"filedesc://x.arc 0.0.0.0 20250101000000 text/plain 76\n1 0 Internet Archive\nURL IP-address Archive-date Content-type Archive-length\n\n");
    for i in 0..3 {
        let block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{page}");
        let record = format!(
            "http://a.example/p{i} 1.2.3.4 20250101000000 text/html {}\n{block}\n",
            block.len()
        );
        arc.extend(gzip(record.as_bytes()));
    }
    let path = dir.path().join("crawl.html.gz");
    write(&path, &arc);
    let out = dehusk().arg("extract").arg(&path).expect_code(2);
    let records = out.records();
    assert_eq!(records.len(), 1, "{}", out.show());
    let error = records[0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("an ARC file"), "{}", out.show());
    assert!(error.contains("name it .arc"), "{}", out.show());
}

#[test]
fn issue5_nul_bytes_are_dropped() {
    let mut bytes = page("", RUSSIAN).into_bytes();
    for at in [0, 10, 200, bytes.len() / 2, bytes.len()] {
        bytes.insert(at, 0);
    }
    let c = ok(&bytes, None);
    assert_block_contains(&c, "Вчера в Москве");
    let c = ok(
        b"the first\0 line of the text\n\0\nand the second line of the text\0\n",
        Some(InputFormat::Text),
    );
    assert_eq!(
        texts(&c),
        [
            "the first line of the text",
            "and the second line of the text"
        ]
    );
    // A NUL inside a multi-byte character breaks only that character.
    let mut bytes = RUSSIAN.as_bytes().to_vec();
    let inside = RUSSIAN.char_indices().nth(40).map_or(1, |(i, _)| i + 1);
    bytes.insert(inside, 0);
    let c = ok(&bytes, Some(InputFormat::Text));
    assert_block_contains(&c, "Вчера в Москве прошло");
    assert_block_contains(&c, "думы, на котором депутаты");
    // A short text that is mostly NULs is binary, not an empty result.
    let msg = bad(b"a\0\0\0\0\0b\0\0\0\0c", None);
    assert!(msg.contains("binary"), "{msg}");
}

#[test]
fn issue5_pages_without_blocks_give_zero_blocks() {
    for html in [
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<!DOCTYPE html><html><body><script>document.write('<p>x</p>')</script></body></html>",
        "<html><body><!-- <p>commented out</p> --></body></html>",
        "<html><body><br><hr><img src=x><input value=y></body></html>",
        "<html><body><style>p { color: red }</style><template><p>t</p></template></body></html>",
        "<div><div><div></div></div></div>",
        "<!---->",
        "<",
        "</",
        "<!",
        "<p",
        "<p>",
        "&",
    ] {
        let c = ok(html.as_bytes(), Some(InputFormat::Html));
        if !c.page.is_empty() {
            // A stray "<" or "&" is text to a browser; only markup must give nothing.
            assert!(html.len() <= 3, "{html}: {:?}", texts(&c));
        }
        assert_eq!(c.labels.len(), c.page.len());
    }
    let c = ok(b"\n\n   \n\t\n\r\n", Some(InputFormat::Text));
    assert_eq!(c.page.len(), 0);
    assert_eq!(c.main_text(), "");
}

// ---------------------------------------------------------------------------------------
// Size and shape
// ---------------------------------------------------------------------------------------

const MILLION: usize = 1_000_000;

#[test]
fn issue5_million_nested_tags_closed_and_unclosed() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        ("<b>", "</b>"),
        ("<a href=x>", "</a>"),
        ("<p>", "</p>"),
        ("<li>", "</li>"),
        ("<table>", "</table>"),
        ("<td>", "</td>"),
        ("<x-widget>", "</x-widget>"),
        ("<div class=\"nav menu\">", "</div>"),
        ("<h1>", "</h1>"),
        ("<noscript>", "</noscript>"),
        ("<div><span>", "</span></div>"),
    ] {
        let mut closed = open.repeat(MILLION);
        closed.push_str("deep text");
        closed.push_str(&close.repeat(MILLION));
        closed.push_str("<p>after the nest</p>");
        let c = timed(&format!("1e6 nested {open} closed"), BIG, || {
            ok(closed.as_bytes(), Some(InputFormat::Html))
        });
        if open != "<noscript>" {
            assert_block_contains(&c, "deep text");
            assert_block_contains(&c, "after the nest");
        }
        drop(closed);

        let mut unclosed = open.repeat(MILLION);
        unclosed.push_str("deep text");
        let c = timed(&format!("1e6 nested {open} unclosed"), BIG, || {
            ok(unclosed.as_bytes(), Some(InputFormat::Html))
        });
        if open != "<noscript>" {
            assert_block_contains(&c, "deep text");
        }
    }
    // End tags without start tags, and every tag interleaved with text.
    let stray = "</div></p></li></a>".repeat(MILLION / 4) + "<p>still here</p>";
    let c = timed("1e6 stray end tags", BIG, || {
        ok(stray.as_bytes(), Some(InputFormat::Html))
    });
    assert_block_contains(&c, "still here");
    let interleaved = "<div>x<span>y".repeat(MILLION / 2);
    timed("1e6 nested tags with text", BIG, || {
        ok(interleaved.as_bytes(), Some(InputFormat::Html))
    });
}

#[test]
fn issue5_nesting_is_linear() {
    let run = |n: usize| {
        let html = "<div><span>".repeat(n) + "x" + &"</span></div>".repeat(n);
        let start = Instant::now();
        ok(html.as_bytes(), Some(InputFormat::Html));
        start.elapsed()
    };
    assert_linear("nested closed tags, whole pipeline", run, 25_000);
    let run = |n: usize| {
        let html = "<div>x".repeat(n);
        let start = Instant::now();
        ok(html.as_bytes(), Some(InputFormat::Html));
        start.elapsed()
    };
    assert_linear(
        "nested unclosed divs with text, whole pipeline",
        run,
        25_000,
    );
}

#[test]
fn issue5_million_tiny_blocks() {
    let html = "<p>x</p>".repeat(MILLION);
    let c = timed("1e6 <p>x</p>, whole pipeline", BIG, || {
        ok(html.as_bytes(), Some(InputFormat::Html))
    });
    assert_eq!(c.page.len(), MILLION);
    drop(c);
    drop(html);
    let text = "x\n".repeat(MILLION);
    let c = timed("1e6 one-letter lines, whole pipeline", BIG, || {
        ok(text.as_bytes(), Some(InputFormat::Text))
    });
    assert_eq!(c.page.len(), MILLION);
    drop(c);
    let text = "Home | News | Sport\n".repeat(MILLION);
    let c = timed("1e6 menu lines (all repeats), whole pipeline", BIG, || {
        ok(text.as_bytes(), None)
    });
    assert_eq!(c.page.len(), MILLION);
}

#[test]
fn issue5_tiny_blocks_are_linear() {
    for (what, unit, format) in [
        ("<p>x</p> blocks", "<p>x</p>", InputFormat::Html),
        (
            "<li><a> menu items",
            "<li><a href=/x>Item</a></li>",
            InputFormat::Html,
        ),
        ("distinct text lines", "", InputFormat::Text),
    ] {
        let run = |n: usize| {
            let doc = if unit.is_empty() {
                (0..n)
                    .map(|i| format!("line {i} of the page.\n"))
                    .collect::<String>()
            } else {
                unit.repeat(n)
            };
            let start = Instant::now();
            let c = ok(doc.as_bytes(), Some(format));
            let took = start.elapsed();
            assert_eq!(c.page.len(), n);
            took
        };
        assert_linear(what, run, 10_000);
    }
}

/// Blocks whose texts differ only past their first bytes. Found by an audit: the hash
/// tables' hasher left such keys in a few buckets, so counting a page's repeated
/// blocks was quadratic (400,000 lines "t 0" .. "t 399999" took 9.8 s to featurize).
/// From 25,000 to 500,000 blocks the old hasher's ratio was 286; from 10,000 to
/// 200,000 it was about 110, too close to the bound to tell.
#[test]
fn blocks_that_differ_late_are_linear() {
    for (what, unit, format) in [
        ("short numbered lines", "t {i}\n", InputFormat::Text),
        (
            "short numbered paragraphs",
            "<p>t {i}</p>",
            InputFormat::Html,
        ),
    ] {
        let run = |n: usize| {
            let doc: String = (0..n)
                .map(|i| unit.replace("{i}", &i.to_string()))
                .collect();
            let start = Instant::now();
            let c = ok(doc.as_bytes(), Some(format));
            let took = start.elapsed();
            assert_eq!(c.page.len(), n);
            took
        };
        assert_linear(what, run, 25_000);
    }
}

#[test]
fn issue5_ten_megabyte_attribute_values_and_tokens() {
    const TEN_MB: usize = 10 << 20;
    let long = "a".repeat(TEN_MB);
    let long_words = "nav ".repeat(TEN_MB / 4);
    for html in [
        format!("<div class=\"{long}\"><p>kept paragraph</p></div>"),
        format!("<div class=\"{long_words}\"><p>kept paragraph</p></div>"),
        format!("<div id={long}><p>kept paragraph</p></div>"),
        format!("<div style=\"{long}\"><p>kept paragraph</p></div>"),
        format!("<img src=\"data:image/png;base64,{long}\"><p>kept paragraph</p>"),
        format!("<a href=\"{long}\">kept paragraph</a>"),
        format!("<div data-x='{long}' data-y=\"{long}\"><p>kept paragraph</p></div>"),
        format!("<p>kept paragraph</p><{long}>"),
        format!("<p>kept paragraph</p><div title=\"{long}"),
        format!("<p>kept paragraph</p><p>{long}</p>"),
        format!("<title>{long}</title><p>kept paragraph</p>"),
        format!("<h1>{long}</h1><p>kept paragraph</p>"),
    ] {
        let head = &html[..html.len().min(40)];
        let c = timed(&format!("10 MB in {head:?}"), BIG, || {
            ok(html.as_bytes(), Some(InputFormat::Html))
        });
        assert_block_contains(&c, "kept paragraph");
        assert!(c.page.title.len() <= 4096, "the title is capped");
    }
    // Sniffed, not forced.
    let html =
        format!("<html><body><div class=\"{long}\"><p>kept paragraph</p></div></body></html>");
    let c = ok(html.as_bytes(), None);
    assert_eq!(c.page.format, Some(InputFormat::Html));
    // One 10 MB line of text.
    let c = timed("one 10 MB text line", BIG, || {
        ok(long.as_bytes(), Some(InputFormat::Text))
    });
    assert_eq!(c.page.len(), 1);
}

#[test]
fn issue5_unclosed_raw_text_and_comments_run_to_the_end() {
    let tail = "<p>not a paragraph</p> if (a < b && c > d) { x = '</div>'; } ".repeat(100_000);
    // `true`: the tail may legitimately become text; else it must not.
    for (open, may_keep_tail) in [
        ("<script>", false),
        ("<script type=text/javascript><!--", false),
        ("<style>", false),
        ("<!--", false),
        ("<!-- -- --!", false),
        ("<title>", false),
        ("<textarea>", false),
        ("<template>", false),
        ("<iframe>", false),
        // A media element's content is fallback no browser shows; unclosed, it runs
        // to the end of its parent, here the page, as in browsers.
        ("<video>", false),
        // A closed dialog is not shown until a script opens it.
        ("<dialog>", false),
        // An HTML `<p>` ends an open formula or drawing, as in browsers (MathML is
        // text, SVG is not, but neither may hide the page after it).
        ("<math>", true),
        ("<svg>", true),
        // noscript text that looks like real content is parsed as HTML (forums).
        ("<noscript>", true),
        // Raw text shown as text by definition.
        ("<xmp>", true),
        ("<plaintext>", true),
        // Outside SVG and MathML, CDATA is a bogus comment that ends at the first ">".
        ("<![CDATA[", true),
        // A doctype, like a bogus comment, ends at the first ">".
        ("<!DOCTYPE html", true),
    ] {
        let html = format!("<html><body><p>before the trap</p>{open}{tail}");
        let c = timed(&format!("unclosed {open} + 6 MB"), BIG, || {
            ok(html.as_bytes(), Some(InputFormat::Html))
        });
        assert_block_contains(&c, "before the trap");
        let has_tail = texts(&c).iter().any(|t| t.contains("not a paragraph"));
        if !may_keep_tail {
            assert!(
                !has_tail,
                "{open}: the raw text became blocks: {:?}",
                &texts(&c)[..c.page.len().min(3)]
            );
        }
        if open == "<math>" || open == "<svg>" {
            // Not only may: the paragraph after an unclosed formula or drawing is a
            // block of its own.
            assert!(
                texts(&c).contains(&"not a paragraph"),
                "{:?}",
                &texts(&c)[..c.page.len().min(3)]
            );
        }
    }
}

#[test]
fn issue5_large_documents_hit_the_size_limit_not_memory() {
    let dir = tempdir();
    // 200 MB of (sparse) file: read_file stops one byte past the limit.
    let huge = dir.path().join("huge.html");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(200 << 20).unwrap();
    drop(f);
    let err = timed(
        "reading a 200 MB file against the default limit",
        BIG,
        || input::read_file(&huge, input::DEFAULT_MAX_BYTES).unwrap_err(),
    );
    assert!(
        err.to_string()
            .contains(&input::DEFAULT_MAX_BYTES.to_string()),
        "{err}"
    );
    let err = input::load_document(&huge, None, 1 << 20).unwrap_err();
    assert!(err.is_per_document(), "{err}");
    // A gzip bomb: 200 MB of spaces in a few hundred KB.
    let bomb = dir.path().join("bomb.html.gz");
    {
        let file = std::fs::File::create(&bomb).unwrap();
        let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::best());
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..200 {
            enc.write_all(&chunk).unwrap();
        }
        enc.finish().unwrap();
    }
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let err = timed(
        "gunzipping a 200 MB bomb against the default limit",
        BIG,
        || input::read_file(&bomb, input::DEFAULT_MAX_BYTES).unwrap_err(),
    );
    assert!(err.to_string().contains("after gunzipping"), "{err}");
}

#[test]
fn issue5_fifty_megabyte_page_takes_seconds() {
    // A real-looking page made large: the example article's body repeated to 50 MB.
    let article = crate::util::read("data/examples/article.html");
    let body = article.split("<body").nth(1).unwrap_or(&article);
    let mut html = String::with_capacity(51 << 20);
    html.push_str("<html><body>");
    while html.len() < 50 << 20 {
        html.push_str("<div class=\"post\">");
        html.push_str(body);
        html.push_str("</div>");
    }
    let c = timed(
        "50 MB page of repeated articles, whole pipeline",
        Duration::from_secs(120),
        || ok(html.as_bytes(), None),
    );
    eprintln!("issue5: 50 MB page: {} blocks", c.page.len());
}

// ---------------------------------------------------------------------------------------
// The binary over a directory of hostile files
// ---------------------------------------------------------------------------------------

/// Writes the hostile files; returns (file name, must fail) for each.
fn hostile_files(dir: &Path) -> Vec<(String, bool)> {
    let mut files: Vec<(String, Vec<u8>, bool)> = Vec::new();
    let mut add =
        |name: &str, bytes: Vec<u8>, fails: bool| files.push((name.to_string(), bytes, fails));

    let mut invalid = page("", RUSSIAN).into_bytes();
    invalid.splice(40..40, [0xff, 0xc3, 0x28, 0xa0]);
    add("invalid-utf8.html", invalid, false);
    add(
        "mislabelled.html",
        encode(
            encoding_rs::WINDOWS_1251,
            &page("<meta charset=utf-8>", RUSSIAN),
        ),
        false,
    );
    add(
        "unlabelled-sjis.html",
        encode(encoding_rs::SHIFT_JIS, &page("", JAPANESE)),
        false,
    );
    add(
        "gbk.html",
        encode(encoding_rs::GBK, &page("<meta charset=gbk>", CHINESE)),
        false,
    );
    add(
        "latin2.txt",
        encode(encoding_rs::ISO_8859_2, &format!("{CZECH}\n")),
        false,
    );
    add("utf16le.html", utf16(&page("", GREEK), true), false);
    add("utf16be.txt", utf16(&format!("{KOREAN}\n"), false), false);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend((0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    add("image.html", png, true);
    add(
        "random.bin",
        (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect(),
        true,
    );
    add("zeros.txt", vec![0; 5000], true);
    // Text for the first 12 KB, binary after: found by an audit, the binary came out
    // as megabytes of text. A tail of zeros (a crash in a preallocated file) is no junk.
    let article = page("", RUSSIAN).repeat(30);
    add(
        "binary-tail.html",
        binary_tail(article.as_bytes(), 1 << 20),
        true,
    );
    add(
        "zero-tail.html",
        [article.as_bytes(), &vec![0; 100_000]].concat(),
        false,
    );
    add("empty.html", Vec::new(), false);
    add("empty.txt", Vec::new(), false);
    add(
        "nul.txt",
        b"a line\0 with a NUL in it, and another\0 one; the rest is ordinary prose.\n".to_vec(),
        false,
    );
    add(
        "no-blocks.html",
        b"<html><head><title>t</title><script>x()</script></head><body></body></html>".to_vec(),
        false,
    );
    add(
        "nested-closed.html",
        ("<div>".repeat(MILLION) + "deep" + &"</div>".repeat(MILLION)).into_bytes(),
        false,
    );
    add(
        "nested-unclosed.html",
        ("<span><div>".repeat(MILLION / 2) + "deep").into_bytes(),
        false,
    );
    add(
        "tiny-blocks.html",
        "<p>x</p>".repeat(MILLION).into_bytes(),
        false,
    );
    add("tiny-lines.txt", "x\n".repeat(MILLION).into_bytes(), false);
    add(
        "big-attribute.html",
        format!("<div class=\"{}\"><p>text</p></div>", "a".repeat(10 << 20)).into_bytes(),
        false,
    );
    add(
        "unclosed-script.html",
        format!("<p>before</p><script>{}", "var a = '<p>';".repeat(100_000)).into_bytes(),
        false,
    );
    add(
        "unclosed-comment.html",
        format!("<p>before</p><!--{}", "<p>x</p>".repeat(100_000)).into_bytes(),
        false,
    );
    let gz = gzip(page("", RUSSIAN).repeat(20).as_bytes());
    add("truncated.html.gz", gz[..gz.len() / 2].to_vec(), true);
    add("header-only.txt.gz", gz[..10].to_vec(), true);
    add("ok.html.gz", gz, false);
    for (name, bytes, _) in &files {
        write(&dir.join(name), bytes);
    }
    // 200 MB without using 200 MB: a sparse file, over the default 64 MiB limit.
    let huge = dir.join(TOO_LARGE);
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let mut out: Vec<(String, bool)> = files.into_iter().map(|(n, _, f)| (n, f)).collect();
    out.push((TOO_LARGE.into(), true));
    out.sort();
    out
}

/// A run's exit code, stderr and records with long texts cut, for failure messages
/// (the full stdout of the hostile batch is megabytes).
fn summary(out: &crate::util::Output) -> String {
    let mut lines = vec![format!(
        "command: {}\nexit code: {:?}",
        out.command, out.code
    )];
    lines.push(format!("stderr:\n{}", out.stderr));
    lines.push("stdout, cut:".into());
    for line in out.stdout.lines() {
        lines.push(line.chars().take(160).collect());
    }
    lines.join("\n")
}

/// The hostile file over the default `--max-bytes`.
const TOO_LARGE: &str = "huge.html";

#[test]
fn issue5_batch_reports_every_hostile_file_and_never_panics() {
    let dir = tempdir();
    let files = hostile_files(dir.path());
    let out = timed(
        "dehusk extract over the hostile directory",
        Duration::from_secs(240),
        || dehusk().arg("extract").arg(dir.path()).output(),
    );
    // `output()` already fails on "panicked" in stderr or a death by signal.
    let fail = |what: &str| -> ! { panic!("{what}\n{}", summary(&out)) };
    if out.code != Some(2) {
        fail("expected exit code 2 (some documents failed)");
    }
    let records = out.records();
    if records.len() != files.len() {
        fail(&format!("expected {} records, one per file", files.len()));
    }
    for ((name, fails), rec) in files.iter().zip(&records) {
        let id = rec["id"].as_str().unwrap_or_default();
        if !id.ends_with(&format!("/{name}")) {
            fail(&format!("records out of order: expected {name}, got {id}"));
        }
        let keys: Vec<&str> = rec
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let error = rec.get("error").and_then(|e| e.as_str());
        if *name == TOO_LARGE {
            // Over the default --max-bytes: skipped, not failed.
            if error.is_none() || keys.len() != 3 || rec["too_large"] != true {
                fail(&format!("{name}: expected an error record, too_large"));
            }
        } else if *fails {
            if error.is_none() || keys.len() != 2 {
                fail(&format!("{name}: expected an {{\"id\",\"error\"}} record"));
            }
            if !out
                .stderr
                .lines()
                .any(|l| l.contains(id) && l.contains("bad document"))
            {
                fail(&format!("{name} failed but no stderr line names it"));
            }
        } else if rec.get("text").and_then(|t| t.as_str()).is_none() || keys.len() != 3 {
            fail(&format!(
                "{name}: expected an {{\"id\",\"text\",\"confidence\"}} record"
            ));
        }
    }
    let failed = files.iter().filter(|f| f.1).count() - 1;
    let ok = files.len() - failed - 1;
    if !out.stderr.contains(&format!(
        "{} documents, {ok} ok, {failed} failed, 1 too large",
        files.len()
    )) {
        fail("the summary line does not count the failures");
    }
}

#[test]
fn issue5_batch_charsets_come_out_right() {
    // `classify` shows every block, so the check does not depend on the model keeping
    // the paragraph: the decoded text must be there, and no replacement characters.
    let dir = tempdir();
    let mut stray = page("", RUSSIAN).into_bytes();
    let at = page("", RUSSIAN).find(RUSSIAN).unwrap_or(0);
    stray.splice(at..at, [0xff, 0xc3, 0x28]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "mislabelled-utf8.html",
            encode(
                encoding_rs::WINDOWS_1251,
                &page("<meta charset=utf-8>", RUSSIAN),
            ),
            RUSSIAN,
        ),
        (
            "unlabelled-1251.html",
            encode(encoding_rs::WINDOWS_1251, &page("", RUSSIAN)),
            RUSSIAN,
        ),
        (
            "sjis.html",
            encode(
                encoding_rs::SHIFT_JIS,
                &page("<meta charset=shift_jis>", JAPANESE),
            ),
            JAPANESE,
        ),
        (
            "gbk.html",
            encode(encoding_rs::GBK, &page("", CHINESE)),
            CHINESE,
        ),
        (
            "latin2.txt",
            encode(encoding_rs::ISO_8859_2, &format!("Menu\n\n{CZECH}\n")),
            CZECH,
        ),
        (
            "greek.txt",
            encode(encoding_rs::ISO_8859_7, &format!("{GREEK}\n")),
            GREEK,
        ),
        ("utf16le.html", utf16(&page("", GREEK), true), GREEK),
        ("utf16be.txt", utf16(&format!("{KOREAN}\n"), false), KOREAN),
        (
            "utf16le-no-bom.html",
            utf16(&page("", RUSSIAN), true)[2..].to_vec(),
            RUSSIAN,
        ),
        ("stray-bytes.html", stray, "думы, на котором депутаты"),
    ];
    for (name, bytes, _) in &cases {
        write(&dir.path().join(name), bytes);
    }
    let out = dehusk().arg("classify").arg(dir.path()).output();
    let fail = |what: &str| -> ! { panic!("{what}\n{}", summary(&out)) };
    if out.code != Some(0) {
        fail("expected exit code 0");
    }
    let records = out.records();
    let mut names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    names.sort();
    if records.len() != names.len() {
        fail("expected one record per file");
    }
    for (name, rec) in names.iter().zip(&records) {
        let expected = cases
            .iter()
            .find(|c| c.0 == *name)
            .map(|c| c.2)
            .unwrap_or_default();
        let blocks: Vec<&str> = rec["blocks"]
            .as_array()
            .map(|bs| bs.iter().filter_map(|b| b["text"].as_str()).collect())
            .unwrap_or_default();
        if !blocks.iter().any(|t| t.contains(expected)) {
            fail(&format!(
                "{name}: no block holds the decoded text {expected:?}"
            ));
        }
        let replaced = blocks
            .iter()
            .map(|t| t.matches('\u{fffd}').count())
            .sum::<usize>();
        if replaced > usize::from(name.starts_with("stray")) * 3 {
            fail(&format!(
                "{name}: {replaced} replacement characters in the text"
            ));
        }
    }
}

#[test]
fn issue5_batch_size_limits_are_per_document_errors() {
    let dir = tempdir();
    let huge = dir.path().join("huge.html");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    write(&dir.path().join("small.html"), page("", RUSSIAN));
    write(
        &dir.path().join("medium.txt"),
        "A line of text.\n".repeat(20_000),
    );
    write(
        &dir.path().join("medium.txt.gz"),
        gzip("A line of text.\n".repeat(20_000).as_bytes()),
    );
    let out = dehusk()
        .args(["extract", "--max-bytes", "100000"])
        .arg(dir.path())
        .output();
    let fail = |what: &str| -> ! { panic!("{what}\n{}", summary(&out)) };
    // Skipped as asked, not failed (found by a new-user audit: exit 2 on every run
    // with a limit that bit, as if pages were broken).
    if out.code != Some(0) {
        fail("expected exit code 0: documents over --max-bytes are skipped, not failed");
    }
    let records = out.records();
    let errors: Vec<&str> = records.iter().filter_map(|r| r["error"].as_str()).collect();
    if records.len() != 4 || errors.len() != 3 {
        fail("expected 4 records, 3 of them errors");
    }
    if !errors
        .iter()
        .all(|e| e.contains("larger than the limit of 100000 bytes"))
    {
        fail("the errors must name the limit");
    }
    if records
        .iter()
        .any(|r| r["error"].is_string() != (r["too_large"] == true))
    {
        fail("each error record, and only they, must have \"too_large\": true");
    }
    if !out.stderr.contains("3 too large (skipped") {
        fail("the summary must count the documents too large");
    }
    // Standard input too: the limit applies before anything is decoded.
    let out = dehusk()
        .args(["extract", "--max-bytes", "1000", "-"])
        .stdin(vec![b'x'; 5000])
        .output();
    let records = out.records();
    if out.code != Some(0) || records.len() != 1 || records[0]["too_large"] != true {
        panic!(
            "stdin over the limit: expected one too-large error record, exit 0\n{}",
            summary(&out)
        );
    }
}

#[test]
fn max_blocks_limits_are_per_document_errors() {
    // Found by an audit: 64 MiB of one-letter lines (within --max-bytes) made 33
    // million blocks and took 10 GB. Now a page over --max-blocks is refused while it
    // is segmented, in files and in records, and the run goes on.
    let dir = tempdir();
    let lines = |n: usize| -> String { (0..n).map(|i| format!("Line {i} of text.\n")).collect() };
    let paras = |n: usize| -> String {
        (0..n)
            .map(|i| format!("<p>Paragraph {i} of the page.</p>"))
            .collect()
    };
    write(&dir.path().join("a-over.txt"), lines(101));
    write(&dir.path().join("b-at.txt"), lines(100));
    write(&dir.path().join("c-over.html"), paras(101));
    write(&dir.path().join("d-at.html"), paras(100));
    let mut wet = Vec::new();
    for (id, text) in [("<w1>", lines(101)), ("<w2>", lines(5))] {
        wet.extend_from_slice(
            format!(
                "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: {id}\r\n\
                 Content-Length: {}\r\n\r\n{text}\r\n\r\n",
                text.len()
            )
            .as_bytes(),
        );
    }
    write(&dir.path().join("e.warc.wet"), wet);
    let out = dehusk()
        .args(["extract", "--max-blocks", "100"])
        .arg(dir.path())
        .output();
    let records = out.records();
    let errors: Vec<String> = records
        .iter()
        .filter(|r| r["error"].is_string())
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let ok = records.iter().filter(|r| r["text"].is_string()).count();
    let named = records
        .iter()
        .filter_map(|r| r["error"].as_str())
        .all(|e| e.contains("more than the limit of 100 blocks"));
    let over = |name: &str| errors.iter().any(|id| id.ends_with(name));
    let marked = records
        .iter()
        .all(|r| r["error"].is_string() == (r["too_large"] == true));
    if out.code != Some(0)
        || !marked
        || records.len() != 6
        || ok != 3
        || !(over("a-over.txt") && over("c-over.html") && over("<w1>"))
        || !named
    {
        panic!(
            "expected the three pages over 100 blocks skipped (too_large, exit 0), naming \
             the limit, and the three at or under it extracted\n{}",
            summary(&out)
        );
    }
}

#[test]
fn issue5_pathological_tokens() {
    let many_attrs: String = (0..300_000).map(|i| format!(" a{i}=v")).collect();
    let same_attrs = " class=nav".repeat(300_000);
    let tokens: String = (0..512).map(|i| format!("t{i} ")).collect();
    let wide =
        format!("<div class=\"{tokens}\" id=\"{tokens}\" role=\"{tokens}\" itemprop=\"{tokens}\">");
    for (what, html) in [
        (
            "300k distinct attributes",
            format!("<div{many_attrs}><p>kept paragraph</p></div>"),
        ),
        (
            "300k repeated class attributes",
            format!("<div{same_attrs}><p>kept paragraph</p></div>"),
        ),
        (
            "10 MB named reference",
            format!("<p>kept paragraph &{}</p>", "a".repeat(10 << 20)),
        ),
        (
            "10 MB numeric reference",
            format!("<p>kept paragraph &#{};</p>", "9".repeat(10 << 20)),
        ),
        (
            "10 MB hex reference",
            format!("<p>kept paragraph &#x{};</p>", "0".repeat(10 << 20)),
        ),
        (
            "1e6 entities",
            format!(
                "<p>kept paragraph {}</p>",
                "&amp;&lt;&#65;&#x42;&nbsp".repeat(200_000)
            ),
        ),
        (
            "2048 class tokens over 1e5 blocks",
            format!("{wide}{}", "<p>kept paragraph</p>".repeat(100_000)),
        ),
        (
            "1e6 end tags with attributes",
            format!(
                "<p>kept paragraph</p>{}",
                "</div class=x id=y>".repeat(MILLION / 4)
            ),
        ),
        (
            "1e6 doctypes",
            format!(
                "<p>kept paragraph</p>{}",
                "<!DOCTYPE html>".repeat(MILLION / 4)
            ),
        ),
        (
            "1e6 processing instructions",
            format!("<p>kept paragraph</p>{}", "<?xml x?>".repeat(MILLION / 4)),
        ),
    ] {
        let c = timed(what, BIG, || ok(html.as_bytes(), Some(InputFormat::Html)));
        assert_block_contains(&c, "kept paragraph");
        let hashes = c.page.class_hashes.len();
        eprintln!(
            "issue5: {what}: {} blocks, {hashes} class hashes",
            c.page.len()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Randomized stress: a small built-in fuzzer
// ---------------------------------------------------------------------------------------

/// xorshift64*: tiny, seedable and plenty for choosing mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // Mix the seed so that nearby seeds (and case numbers) give unrelated streams.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next() % n == 0
    }
}

/// Tokens the mutator splices in: markup that changes tokenizer and segmenter states,
/// charset declarations, byte-order marks, line endings and broken UTF-8.
const FUZZ_TOKENS: &[&[u8]] = &[
    b"<p>",
    b"</p>",
    b"<div class=\"nav menu\">",
    b"</div>",
    b"<span>",
    b"<a href=/x>",
    b"</a>",
    b"<li>",
    b"<ul>",
    b"<table><tr><td>",
    b"</td>",
    b"<h1>",
    b"</h1>",
    b"<br>",
    b"<hr>",
    b"<title>",
    b"</title>",
    b"<head>",
    b"<body>",
    b"<html>",
    b"<!DOCTYPE html>",
    b"<script>",
    b"</script>",
    b"<style>",
    b"<noscript>",
    b"</noscript>",
    b"<template>",
    b"<textarea>",
    b"<plaintext>",
    b"<xmp>",
    b"<svg>",
    b"<math>",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml?>",
    b"<meta charset=utf-8>",
    b"<meta charset=windows-1251>",
    b"<meta charset=shift_jis>",
    b"<meta charset=utf-16le>",
    b"<meta charset=iso-2022-jp>",
    b"<meta charset=x-user-defined>",
    b"<meta charset=replacement>",
    b"<meta http-equiv=Content-Type content=\"text/html; charset=gbk\">",
    b" hidden",
    b" popover",
    b"<dialog>",
    b"<video>",
    b" style=\"display:none\"",
    b" aria-hidden=true",
    b" class=\"",
    b"\"",
    b"'",
    b"=",
    b">",
    b"<",
    b"&amp;",
    b"&#",
    b"&#x",
    b"&nbsp",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x1f\x8b",
    b"\x1b$B",
    b"\x1b(B",
    b"\r\n",
    b"\r",
    b"\n\n",
    b"\t",
    b"\0",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xff",
    b"\x80",
    "\u{2028}".as_bytes(),
    "\u{a0}".as_bytes(),
    "世界".as_bytes(),
    "Привет".as_bytes(),
];

/// The documents mutations start from: the examples, plus pages in every encoding path.
fn fuzz_seeds() -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = [
        "data/examples/article.html",
        "data/examples/article.txt",
        "data/examples/artikel.de.html",
        "data/examples/forum.html",
    ]
    .iter()
    .map(|rel| crate::util::read_bytes(rel))
    .collect();
    seeds.push(encode(
        encoding_rs::WINDOWS_1251,
        &page("<meta charset=windows-1251>", RUSSIAN),
    ));
    seeds.push(encode(encoding_rs::SHIFT_JIS, &page("", JAPANESE)));
    seeds.push(encode(
        encoding_rs::GBK,
        &page("<meta charset=utf-8>", CHINESE),
    ));
    seeds.push(encode(
        encoding_rs::ISO_2022_JP,
        &format!("{JAPANESE}\n{JAPANESE}\n"),
    ));
    seeds.push(encode(
        encoding_rs::EUC_KR,
        &format!("Menu\r\n\r\n{KOREAN}\r\n"),
    ));
    seeds.push(utf16(&page("", GREEK), true));
    seeds.push(utf16(&format!("{CZECH}\n"), false)[2..].to_vec());
    seeds.push(gzip(page("", CZECH).as_bytes()));
    let long = "This is a forum post with plenty of words in it. ".repeat(6);
    seeds.push(
        format!(
            "<html><head><title>T</title><meta charset=utf-8></head><body><nav><ul><li><a \
             href=/>Home</a><li><a href=/a>About</a></ul></nav><noscript><div><p>{long}</p>\
             </div></noscript><main><h1>Head</h1><p>{RUSSIAN}</p><table><tr><td>{CHINESE}\
             <td>x</table><script>var s = '<p>no</p>';</script><!-- c --></main><footer>© \
             2026</footer></body></html>"
        )
        .into_bytes(),
    );
    seeds
}

/// One mutated (or random) document from the seeds; small, so thousands run in seconds.
fn fuzz_input(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.one_in(12) {
        let len = rng.below(2048);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let base = &seeds[rng.below(seeds.len())];
    let start = if rng.one_in(3) {
        0
    } else {
        rng.below(base.len())
    };
    let len = 1 + rng.below(6000);
    let mut doc = base[start..base.len().min(start + len)].to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(doc.len() + 1);
        match rng.below(10) {
            // Bit flips.
            0 => {
                if let Some(b) = doc.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            // A byte with a special meaning.
            1 => {
                const SPECIAL: &[u8] = b"\0<>&\"'=/!-\r\n\x1b\x80\xbf\xc3\xe3\xef\xfe\xff";
                if let Some(b) = doc.get_mut(at) {
                    *b = SPECIAL[rng.below(SPECIAL.len())];
                }
            }
            // Truncation.
            2 => doc.truncate(at),
            // Delete a range.
            3 => {
                let end = doc.len().min(at + rng.below(200));
                doc.drain(at.min(end)..end);
            }
            // Duplicate a range somewhere else.
            4 => {
                let from = rng.below(doc.len() + 1);
                let end = doc.len().min(from + rng.below(300));
                let piece = doc[from..end].to_vec();
                let to = rng.below(doc.len() + 1);
                doc.splice(to..to, piece);
            }
            // Repeat a whole tag many times (deep nesting, floods of one element).
            5 => {
                if let Some(lt) = doc[at.min(doc.len())..].iter().position(|&b| b == b'<') {
                    let lt = at + lt;
                    if let Some(gt) = doc[lt..].iter().position(|&b| b == b'>') {
                        let tag = doc[lt..=lt + gt].to_vec();
                        let most = if rng.one_in(8) { 3000 } else { 50 };
                        let times = 1 + rng.below(most);
                        doc.splice(lt..lt, tag.repeat(times));
                    }
                }
            }
            // A token.
            6 | 7 => {
                let token = FUZZ_TOKENS[rng.below(FUZZ_TOKENS.len())];
                doc.splice(at..at, token.iter().copied());
            }
            // Random bytes.
            8 => {
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                doc.splice(at..at, bytes);
            }
            // Splice in a piece of another seed (mixes encodings).
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let end = other.len().min(from + rng.below(500));
                doc.splice(at..at, other[from..end].iter().copied());
            }
        }
    }
    if rng.one_in(10) {
        // Gzip it, sometimes truncated or with a flipped byte.
        let mut gz = gzip(&doc);
        if rng.one_in(3) {
            gz.truncate(rng.below(gz.len()));
        } else if rng.one_in(3) {
            let at = rng.below(gz.len());
            gz[at] ^= 0x55;
        }
        return gz;
    }
    doc
}

/// One fuzz case through the pipeline: as read from a file (gunzip included), in both
/// formats and sniffed, with and without a transport charset label.
fn fuzz_case(bytes: &[u8], rng: &mut Rng) {
    let bytes = match input::read_stream(bytes, 1 << 20) {
        Ok(bytes) => bytes,
        Err(e) => {
            assert!(e.is_per_document(), "{e}");
            return;
        }
    };
    for format in [Some(InputFormat::Html), Some(InputFormat::Text), None] {
        let charset = match rng.below(6) {
            0 => Some("utf-8"),
            1 => Some("text/html; charset=windows-1251"),
            2 => Some("utf-16le"),
            3 => Some("shift_jis"),
            _ => None,
        };
        // Top-level domains the charset detector takes, and ones it would panic on
        // unless they are left out (Unicode, upper case, an IP address, no host).
        let url = match rng.below(8) {
            0 => Some("http://example.hu/a"),
            1 => Some("https://例え.テスト/"),
            2 => Some("HTTP://EXAMPLE.TW"),
            3 => Some("http://192.168.0.1:8080/"),
            4 => Some("http://[::1]/x"),
            5 => Some("mailto:someone"),
            6 => Some("http://xn--p1ai./"),
            _ => None,
        };
        let transport = Transport { charset, url };
        let result = input::document_from_bytes("fuzz".into(), &bytes, None, format, transport)
            .and_then(|doc| {
                assert!(!doc.text.contains('\0'));
                classifier().classify(&doc)
            });
        match result {
            Ok(c) => {
                check_result(&c);
                let _ = c.main_text();
            }
            Err(e) => match e.kind() {
                ErrorKind::BadDocument(_) => {}
                other => panic!("unexpected error kind {other:?}"),
            },
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim();
    match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => value.parse().ok(),
    }
}

#[test]
fn issue5_randomized_pipeline_stress() {
    // DEHUSK_FUZZ_SEED picks the run, DEHUSK_FUZZ_ITERS its length (and lifts the time
    // cap), DEHUSK_FUZZ_CASE replays a single case of the run.
    let seed = env_u64("DEHUSK_FUZZ_SEED").unwrap_or(0x00de_4a5c_0005);
    let iters = env_u64("DEHUSK_FUZZ_ITERS");
    let only = env_u64("DEHUSK_FUZZ_CASE");
    let budget = if iters.is_some() {
        Duration::MAX
    } else {
        Duration::from_secs(25)
    };
    let iters = iters.unwrap_or(10_000);
    let seeds = fuzz_seeds();
    classifier();
    let started = Instant::now();
    let mut done = 0u64;
    let mut bytes_total = 0usize;
    for case in 0..iters {
        if only.is_some_and(|c| c != case) {
            continue;
        }
        if started.elapsed() > budget {
            eprintln!("issue5 fuzz: time budget reached after {done} of {iters} cases");
            break;
        }
        // Each case has its own stream, so one case replays without the ones before it.
        let mut rng = Rng::new(seed ^ case.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let input = fuzz_input(&mut rng, &seeds);
        bytes_total += input.len();
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fuzz_case(&input, &mut rng)));
        if outcome.is_err() {
            let path = std::env::temp_dir().join(format!("dehusk-fuzz-{seed:#x}-{case}.bin"));
            let _ = std::fs::write(&path, &input);
            panic!(
                "fuzz case {case} of seed {seed:#x} failed (input saved to {}); replay with \
                 DEHUSK_FUZZ_SEED={seed:#x} DEHUSK_FUZZ_CASE={case}",
                path.display()
            );
        }
        done += 1;
    }
    eprintln!(
        "issue5 fuzz: seed {seed:#x}: {done} cases, {bytes_total} bytes, {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(done > 0 || only.is_some());
}
