//! `dehusk extract`: the main text of the bundled examples, with the bundled models.
//!
//! The bounds here are what any usable model must reach on a clean, conventional page;
//! they are not the current model's exact output.

use crate::util::{
    dehusk, expected_blocks, extract_one, extract_text, first_sentence, gzip, paragraphs_kept,
    read, read_bytes, shingle_f1, tempdir, write,
};

const ARTICLE_HTML: &str = "data/examples/article.html";
const ARTICLE_TXT: &str = "data/examples/article.txt";
const ARTICLE_EXPECTED: &str = "data/examples/article.expected.txt";

/// Boilerplate of article.html/.txt that the main text must not contain.
const ARTICLE_BOILERPLATE: [&str; 4] = [
    "We use cookies to improve your experience",
    "* indicates required",
    "© 2025 Millbrook Courier Media LLC. All rights reserved.",
    "Skip to content",
];

/// The seven article paragraphs (the expected text minus its headline).
fn article_paragraphs() -> Vec<String> {
    let blocks = expected_blocks(ARTICLE_EXPECTED);
    assert_eq!(
        blocks.len(),
        8,
        "article.expected.txt: a headline and seven paragraphs"
    );
    blocks[1..].to_vec()
}

fn boilerplate_found(text: &str) -> Vec<&'static str> {
    ARTICLE_BOILERPLATE
        .iter()
        .copied()
        .filter(|b| text.contains(b))
        .collect()
}

#[test]
fn html_article_keeps_the_story_and_drops_the_husk() {
    let (id, text) = extract_one(&[ARTICLE_HTML]);
    eqnice!(ARTICLE_HTML, id, "the id is the path as given");
    let paragraphs = article_paragraphs();
    let kept = paragraphs_kept(&paragraphs, &text);
    if kept < 5 {
        crate::util::fail(
            &format!("only {kept} of 7 paragraphs kept (want at least 5)"),
            &paragraphs
                .iter()
                .map(|p| first_sentence(p))
                .collect::<Vec<_>>()
                .join("\n"),
            &text,
        );
    }
    for b in ARTICLE_BOILERPLATE {
        assert_lacks!(text, b);
    }
}

#[test]
fn id_is_the_path_as_given() {
    let text = extract_text(&[ARTICLE_HTML]);
    let absolute = crate::util::path(ARTICLE_HTML).display().to_string();
    for (dir, arg) in [
        ("data", "examples/article.html"),
        ("data/examples", "./article.html"),
        (".", absolute.as_str()),
    ] {
        let out = dehusk()
            .current_dir(&crate::util::path(dir))
            .args(["extract", arg])
            .expect_code(0);
        let recs = out.records();
        assert_eq!(recs.len(), 1, "{}", out.show());
        assert_eq!(recs[0]["id"], arg, "{}", out.show());
        eqnice!(
            text,
            recs[0]["text"].as_str().unwrap(),
            "the same page from {dir}"
        );
    }
}

#[test]
fn html_article_shingle_f1_against_expected_is_at_least_0_8() {
    let text = extract_text(&[ARTICLE_HTML]);
    let f1 = shingle_f1(&read(ARTICLE_EXPECTED), &text);
    if f1 < 0.8 {
        crate::util::fail(
            &format!("shingle F1 {f1:.4} < 0.8"),
            &read(ARTICLE_EXPECTED),
            &text,
        );
    }
}

#[test]
fn text_article_is_read_as_text_by_its_extension() {
    let (id, text) = extract_one(&[ARTICLE_TXT]);
    eqnice!(ARTICLE_TXT, id);
    let kept = paragraphs_kept(&article_paragraphs(), &text);
    assert!(
        kept >= 4,
        "only {kept} of 7 paragraphs kept (want at least 4):\n{text}"
    );
    let leaked = boilerplate_found(&text);
    assert!(leaked.len() <= 2, "boilerplate kept: {leaked:?}\n{text}");
    // Text mode keeps lines as blocks; read as HTML, the whole file would be one block.
    let forced = extract_text(&["--input-format", "text", ARTICLE_TXT]);
    eqnice!(forced, text, "sniffing by .txt must choose text mode");
}

#[test]
fn input_format_overrides_the_extension() {
    // HTML saved under a .txt name, without the `<!doctype html>` that would tell it:
    // by extension it is text, so the markup would be read as lines of text;
    // --input-format html must parse it as the page it is.
    let dir = tempdir();
    let misnamed = dir.path().join("page.txt");
    let page = read(ARTICLE_HTML);
    let body = &page[page.find("<body").unwrap()..];
    write(&misnamed, format!("<div>\n{body}"));
    let misnamed = misnamed.to_str().unwrap();
    let as_html = extract_text(&["--input-format", "html", misnamed]);
    eqnice!(
        extract_text(&[ARTICLE_HTML]),
        as_html,
        "--input-format html on a .txt file"
    );
    let as_text = extract_text(&[misnamed]);
    assert_ne!(
        as_text, as_html,
        "without the flag, a .txt file must be read as text"
    );
}

#[test]
fn a_page_saved_under_a_text_name_is_read_as_html() {
    // Found by an audit: a page saved as .txt (by a crawler, or `curl -o page.txt`)
    // came out as its markup read as lines of text.
    let dir = tempdir();
    let misnamed = dir.path().join("page.txt");
    write(&misnamed, read_bytes(ARTICLE_HTML));
    let misnamed = misnamed.to_str().unwrap();
    eqnice!(
        extract_text(&[ARTICLE_HTML]),
        extract_text(&[misnamed]),
        "an HTML document named .txt"
    );
    // --input-format text still reads it as lines.
    let forced = extract_text(&["--input-format", "text", misnamed]);
    assert!(forced.contains("</p>"), "{forced}");
}

#[test]
fn input_format_text_on_an_html_file_reads_lines() {
    let as_text = extract_text(&["--input-format", "text", ARTICLE_HTML]);
    // Read as plain text, the markup is text: every kept line is a raw source line.
    assert_ne!(as_text, extract_text(&[ARTICLE_HTML]));
}

#[test]
fn format_text_prints_just_the_text() {
    let json_text = extract_text(&[ARTICLE_HTML]);
    let out = dehusk()
        .args(["extract", "--format", "text", ARTICLE_HTML])
        .stdout();
    eqnice!(format!("{json_text}\n"), out);
}

#[test]
fn format_text_separates_documents_with_a_blank_line() {
    let a = extract_text(&[ARTICLE_HTML]);
    let b = extract_text(&["data/examples/forum.html"]);
    let out = dehusk()
        .args([
            "extract",
            "--format",
            "text",
            "-q",
            ARTICLE_HTML,
            "data/examples/forum.html",
        ])
        .stdout();
    eqnice!(format!("{a}\n\n{b}\n"), out);

    // One entry per document, in order: a document that fails (a missing file) or
    // keeps no text is an empty entry. Found by an audit: a failed document wrote
    // nothing, so the entries could not be matched to the inputs.
    let dir = crate::util::tempdir();
    let empty = dir.path().join("empty.html");
    crate::util::write(&empty, "");
    let out = dehusk()
        .args([
            "extract",
            "--format",
            "text",
            "-q",
            ARTICLE_HTML,
            "no/such.html",
        ])
        .arg(&empty)
        .arg("data/examples/forum.html")
        .expect_code(2);
    eqnice!(format!("{a}\n\n\n\n\n\n{b}\n"), out.stdout);
    let entries: Vec<&str> = out.stdout.trim_end().split("\n\n").collect();
    assert_eq!(entries, [a.as_str(), "", "", b.as_str()]);
}

/// A page with a heading, lists, a quotation, code, a table and a paragraph that looks
/// like a heading, for `--markdown`.
const STRUCTURED_PAGE: &str = r#"<html><head><title>How to brew tea at home</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About</a></li></ul></nav>
<article><h1>How to brew tea at home</h1>
<p>Brewing a good cup of tea at home takes little more than fresh water, good leaves and a
little patience, and the steps below work for most black and green teas.</p>
<h2>What you need</h2>
<ul><li>Fresh, cold water that has not been boiled before, since reboiled water tastes flat.</li>
<li>Loose leaf tea, about one teaspoon for every cup you plan to pour.</li></ul>
<h2>The steps</h2>
<ol><li>Bring the water to the boil and let it rest for a minute for green tea.</li>
<li>Pour the water over the leaves and steep for three to five minutes.</li></ol>
<blockquote><p>Tea is drunk to forget the din of the world, as an old saying from the tea
houses of Hangzhou puts it.</p></blockquote>
<p># of cups per pot depends on the size of the pot, so measure yours once and write the
number down.</p>
<pre><code>steep --minutes 4 --temperature 95

echo "```done```"</code></pre>
<table><tr><th>Tea</th><th>Minutes</th></tr>
<tr><td>Black | Assam</td><td>4 to 5</td></tr><tr><td>Green</td><td>2 to 3</td></tr></table>
<p>Once you have the timing right for your own taste, the same pot will give you a good cup
every morning for years to come.</p></article>
<footer><p>© 2026 Example Blog. All rights reserved.</p></footer></body></html>"#;

/// `--markdown` writes the kept text with its structure, in the records' text and in
/// `--format text`, where a form feed line parts the documents (their paragraphs are
/// parted by blank lines). A low threshold keeps the table's short cells, which the
/// bundled model doubts; the menu and the footer still go.
#[test]
fn markdown_writes_headings_lists_quotes_code_and_tables() {
    let dir = tempdir();
    let page = dir.path().join("tea.html");
    write(&page, STRUCTURED_PAGE);
    let page = page.to_str().unwrap();
    let args = ["--threshold", "0.1", page];
    let (_, text) = extract_one(&[&["--markdown"][..], &args].concat());
    for structure in [
        "# How to brew tea at home\n\nBrewing a good cup",
        "\n\n## What you need\n\n- Fresh, cold water that has not been boiled before, \
         since reboiled water tastes flat.\n- Loose leaf tea",
        "\n\n1. Bring the water to the boil and let it rest for a minute for green tea.\n\
         2. Pour the water",
        "\n\n> Tea is drunk to forget the din",
        // A paragraph that starts like a heading is escaped.
        "\n\n\\# of cups per pot",
        // Code keeps its blank line, and its fence is longer than its backticks.
        "\n\n````\nsteep --minutes 4 --temperature 95\n\necho \"```done```\"\n````\n\n",
        "\n\n| Tea | Minutes |\n| --- | --- |\n| Black \\| Assam | 4 to 5 |\n| Green | 2 to 3 |\n\n",
    ] {
        assert_contains!(text, structure);
    }
    assert_lacks!(text, "All rights reserved");
    // The same blocks as without --markdown, one per line there.
    let plain = extract_text(&args);
    assert_lacks!(plain, "## What you need");
    assert_contains!(plain, "What you need\nFresh, cold water");

    // --format text: the same Markdown, documents parted by a form feed line (and a
    // document that fails is an empty entry, as without --markdown).
    let forum = extract_text(&[
        "--markdown",
        "--threshold",
        "0.1",
        "data/examples/forum.html",
    ]);
    let out = dehusk()
        .args(["extract", "--format", "text", "--markdown", "-q"])
        .args(args)
        .args(["no/such.html", "data/examples/forum.html"])
        .expect_code(2);
    eqnice!(format!("{text}\n\u{c}\n\n\u{c}\n{forum}\n"), out.stdout);
    let entries: Vec<&str> = out.stdout.trim_end().split("\n\u{c}\n").collect();
    assert_eq!(entries, [text.as_str(), "", forum.as_str()]);
}

/// `--format` is extract's: classify's records hold blocks, with no bare-text form.
/// Found by a new-user audit: `classify --help` listed `--format` ("extract only"),
/// which classify then refused; now classify has no such flag.
#[test]
fn classify_has_no_format_flag() {
    let out = dehusk()
        .args(["classify", "--format", "text", ARTICLE_HTML])
        .expect_code(1);
    assert_contains!(out.stderr, "unexpected argument '--format'");
    assert!(out.stdout.is_empty(), "{}", out.show());
    assert_lacks!(dehusk().args(["classify", "--help"]).stdout(), "--format");
    assert_contains!(dehusk().args(["extract", "--help"]).stdout(), "--format");
    // classify's line in the command list says what classify does, and no more.
    let help = dehusk().arg("--help").stdout();
    let line = help
        .lines()
        .find(|l| l.trim_start().starts_with("classify"))
        .unwrap_or_else(|| panic!("no classify line in:\n{help}"));
    assert_lacks!(line, "zero-width");
    assert_lacks!(line, "extract");
}

/// JSON lines under another name, or piped in, are read as JSON lines. Found by an
/// audit: they were one document whose text was the raw JSON, exit 0.
#[test]
fn json_lines_are_told_by_their_first_line_on_standard_input_and_under_other_names() {
    let lines = concat!(
        r#"{"id": "a", "html": "<p>Hello there, this is the first page of two.</p>"}"#,
        "\n",
        r#"{"id": "b", "text": "And this is the second, a line of plain text."}"#,
        "\n"
    );
    let dir = crate::util::tempdir();
    let named = dir.path().join("docs.json");
    crate::util::write(&named, lines);
    let ids = |out: &crate::util::Output| -> Vec<String> {
        out.records()
            .iter()
            .map(|r| r["id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    for (stdin, arg) in [
        (lines.as_bytes().to_vec(), "-"),
        (crate::util::gzip(lines.as_bytes()), "-"),
        (Vec::new(), named.to_str().unwrap()),
    ] {
        let out = dehusk()
            .args(["extract", "-q", arg])
            .stdin(stdin)
            .expect_code(0);
        assert_eq!(ids(&out), ["a", "b"], "{}", out.show());
        assert!(out.stdout.contains("first page of two"), "{}", out.show());
    }
    // Text that starts with a brace but is no such object stays one document.
    for text in ["{not json}\nmore", "{\"other\": 1}\nmore"] {
        let out = dehusk()
            .args(["extract", "-q", "-"])
            .stdin(text)
            .expect_code(0);
        assert_eq!(ids(&out), ["-"], "{}", out.show());
    }
}

/// Found by an audit: `extract - -` wrote a second, empty record for the drained input.
#[test]
fn standard_input_can_be_named_once() {
    let out = dehusk()
        .args(["extract", "-", "-"])
        .stdin(read_bytes(ARTICLE_HTML))
        .expect_code(1);
    assert!(out.stderr.contains("named once"), "{}", out.show());
    assert!(out.stdout.is_empty(), "{}", out.show());
}

/// A run that finds no document says so (found by an audit: nothing was printed).
#[test]
fn a_run_without_documents_says_so() {
    let dir = crate::util::tempdir();
    let out = dehusk().arg("extract").arg(dir.path()).expect_code(0);
    assert!(out.stdout.is_empty(), "{}", out.show());
    assert!(out.stderr.contains("0 documents"), "{}", out.show());
}

#[test]
fn stdin_dash_reads_html_and_text() {
    let out = dehusk()
        .args(["extract", "-"])
        .stdin(read_bytes(ARTICLE_HTML))
        .output();
    out.expect_code(0);
    let recs = out.records();
    assert_eq!(recs.len(), 1, "{}", out.show());
    assert_eq!(recs[0]["id"], "-", "{}", out.show());
    eqnice!(
        extract_text(&[ARTICLE_HTML]),
        recs[0]["text"].as_str().unwrap(),
        "stdin vs file (HTML)"
    );
    // No extension to go by: the content has no markup, so it is text.
    let from_stdin = dehusk()
        .args(["extract", "--format", "text", "-"])
        .stdin(read_bytes(ARTICLE_TXT))
        .stdout();
    eqnice!(
        format!("{}\n", extract_text(&[ARTICLE_TXT])),
        from_stdin,
        "stdin vs file (text)"
    );
}

#[test]
fn stdin_honours_input_format() {
    let forced = dehusk()
        .args(["extract", "--format", "text", "--input-format", "text", "-"])
        .stdin(read_bytes(ARTICLE_HTML))
        .stdout();
    eqnice!(
        format!(
            "{}\n",
            extract_text(&["--input-format", "text", ARTICLE_HTML])
        ),
        forced
    );
}

#[test]
fn gzip_input_is_read_transparently() {
    let dir = tempdir();
    for (src, name) in [
        (ARTICLE_HTML, "article.html.gz"),
        (ARTICLE_TXT, "article.txt.gz"),
    ] {
        let gz = dir.path().join(name);
        write(&gz, gzip(&read_bytes(src)));
        let gz = gz.to_str().unwrap();
        let (id, text) = extract_one(&[gz]);
        eqnice!(gz, id, "the id of a .gz input is its path");
        eqnice!(extract_text(&[src]), text, "{name} vs {src}");
    }
    // Gzip on stdin too, sniffed after decompression.
    let out = dehusk()
        .args(["extract", "--format", "text", "-"])
        .stdin(gzip(&read_bytes(ARTICLE_HTML)))
        .stdout();
    eqnice!(
        format!("{}\n", extract_text(&[ARTICLE_HTML])),
        out,
        "gzipped stdin"
    );
}

#[test]
fn binary_and_library_agree() {
    let extractor = dehusk::Extractor::bundled(dehusk::input::InputFormat::Html).unwrap();
    let lib = extractor.extract_str(&read(ARTICLE_HTML)).unwrap();
    eqnice!(lib, extract_text(&[ARTICLE_HTML]));
}

#[test]
fn german_article_keeps_most_paragraphs() {
    let text = extract_text(&["data/examples/artikel.de.html"]);
    let blocks = expected_blocks("data/examples/artikel.de.expected.txt");
    let kept = paragraphs_kept(&blocks[1..], &text);
    assert!(
        kept >= 3,
        "only {kept} of {} paragraphs kept:\n{text}",
        blocks.len() - 1
    );
    for b in [
        "Wir verwenden Cookies",
        "Alle Rechte vorbehalten",
        "Zum Inhalt springen",
        "* Pflichtfeld",
    ] {
        assert_lacks!(text, b);
    }
}

#[test]
fn forum_thread_keeps_posts_and_drops_the_chrome() {
    let text = extract_text(&["data/examples/forum.html"]);
    let blocks = expected_blocks("data/examples/forum.expected.txt");
    let kept = paragraphs_kept(&blocks[1..], &text);
    assert!(
        kept >= 3,
        "only {kept} of {} post paragraphs kept:\n{text}",
        blocks.len() - 1
    );
    for b in [
        "Terms and rules",
        "Back to top",
        "You must log in or register to reply here.",
    ] {
        assert_lacks!(text, b);
    }
}

#[test]
fn empty_input_gives_empty_text() {
    let out = dehusk().args(["extract", "-"]).stdin(Vec::new()).output();
    out.expect_code(0);
    let recs = out.records();
    assert_eq!(recs.len(), 1, "{}", out.show());
    assert_eq!(recs[0]["text"], "", "{}", out.show());
}

// Code on a page came out run into one line ("s = requests.Session() s.get(...)
// print(r.text)"), useless for a corpus that keeps code. Since session 38 a `<pre>`
// block keeps its lines and indentation in `extract`'s text and `classify`'s blocks.
#[test]
fn code_in_pre_keeps_its_lines_and_indentation() {
    let dir = tempdir();
    let page = dir.path().join("code.html");
    let prose = "Reading a whole file into a string is one call in the standard library, \
                 and it handles the buffer for you, so there is little reason to write the \
                 loop yourself when the file is small.";
    write(
        &page,
        format!(
            "<html><body><nav><a href=/>Home</a></nav><article><h1>Reading files</h1>\
             <p>{prose}</p><pre><code>\nfn main() {{\n    let text = \
             fs::read_to_string(&quot;notes.txt&quot;)?;\n\n    println!(&quot;{{}}&quot;, \
             text.len());\n}}\n</code></pre><p>{prose}</p></article></body></html>"
        ),
    );
    let code = "fn main() {\n    let text = fs::read_to_string(\"notes.txt\")?;\n\n    \
                println!(\"{}\", text.len());\n}";
    let text = extract_text(&[page.to_str().unwrap()]);
    assert!(text.contains(code), "{text}");
    let out = dehusk().arg("classify").arg(&page).stdout();
    let record: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let blocks = record["blocks"].as_array().unwrap();
    assert!(blocks.iter().any(|b| b["text"] == code), "{out}");
    // --format text: the code's blank line is left out, so that blank lines still
    // part documents (found by a review: one page read as two).
    write(&dir.path().join("other.html"), read_bytes(ARTICLE_HTML));
    let out = dehusk()
        .args(["extract", "--format", "text"])
        .arg(dir.path())
        .stdout();
    let entries: Vec<&str> = out.trim_end().split("\n\n").collect();
    assert_eq!(entries.len(), 2, "{out}");
    assert!(entries[0].contains(&code.replace("\n\n", "\n")), "{out}");
}
