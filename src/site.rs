//! Lines a site repeats: in a corpus, a block whose text recurs on several pages of the
//! same host is that site's template (its menu, its footer, its newsletter box, its
//! "Most read" heading), whatever the classifier made of it on one page.
//!
//! The classifier judges a page alone, and a site's template can look like content:
//! a two-sentence "About us" box, a standing teaser, a disclaimer. A corpus holds the
//! evidence a single page lacks: the same text on the host's other pages. This module
//! counts, for each host, on how many pages each block text occurs ([`SiteRepeats`],
//! built in a first pass over the corpus), and after decoding drops a kept block whose
//! text occurs on at least [`SiteRepeats::min_pages`] pages of its host, the page
//! itself included ([`OnSite::drop_repeats`]). Pages without a host are left as they
//! are, and a page whose block texts are all those of a page already counted (the same
//! URL crawled twice) is counted once: otherwise a story crawled three times would lose
//! all its text.
//!
//! It is a rule over the model's output, not a feature: a model's features may not
//! depend on what else is in the run, so one page extracts the same alone or in any
//! corpus, unless the caller asks for this rule. Text is compared lowercased with its
//! whitespace collapsed, so a line re-wrapped or re-cased still matches, while digits
//! count: "Updated 5:04 PM" and "Updated 5:05 PM" are different lines (reading digits
//! as `0` measured level on the training pages).
//!
//! How many pages make a repeat is the caller's choice. Out of fold on the training
//! pages, 3 did best in plain text (README, "Lines a site repeats"); 2 also drops what
//! a site prints twice for other reasons, such as a passage quoted on two pages.
//!
//! Memory is one map entry (about 16 bytes) per distinct (host, block text) pair and 8
//! bytes per page counted.

use crate::error::{Error, Result};
use crate::lexicon::{FxHashMap, FxHashSet};
use crate::segment::Page;
use crate::words::{combine, ChunkHasher, LINE_SEED};

/// The starting value of a page's hash over its keys.
const PAGE_SEED: u64 = 0x6a09_e667_f3bc_c909;

/// How many pages of each host hold each block text: see the module doc.
#[derive(Debug, Clone)]
pub struct SiteRepeats {
    min_pages: u32,
    counts: FxHashMap<u64, u32>,
    /// The pages counted, by the hash of their keys: a copy of a page already counted
    /// (the same URL crawled twice, a page and its alias) is not counted again, as its
    /// text is repeated because the page is, not because it is the site's template.
    pages: FxHashSet<u64>,
}

/// One page's distinct (host, block text) keys, computed on its own (in parallel) and
/// added to a [`SiteRepeats`] afterwards ([`SiteRepeats::add_keys`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageKeys(Vec<u64>);

impl PageKeys {
    /// The bytes the keys take.
    pub fn size(&self) -> u64 {
        (self.0.len() * std::mem::size_of::<u64>()) as u64
    }
}

/// A [`SiteRepeats`] read for one host.
#[derive(Debug, Clone, Copy)]
pub struct OnSite<'a> {
    repeats: &'a SiteRepeats,
    host: u64,
}

impl SiteRepeats {
    /// No pages counted yet; a text is a repeat when at least `min_pages` (2 or more)
    /// pages of its host hold it.
    pub fn new(min_pages: u32) -> Result<SiteRepeats> {
        if min_pages < 2 {
            return Err(Error::invalid_parameter(format!(
                "a site repeat needs at least 2 pages of the host, got {min_pages}"
            )));
        }
        Ok(SiteRepeats {
            min_pages,
            counts: FxHashMap::default(),
            pages: FxHashSet::default(),
        })
    }

    /// The pages of a host that must hold a text for it to be dropped.
    pub fn min_pages(&self) -> u32 {
        self.min_pages
    }

    /// The distinct keys of a page's blocks on `host`, to add with
    /// [`SiteRepeats::add_keys`]. Blocks without a visible character have none.
    pub fn page_keys(host: &str, page: &Page) -> PageKeys {
        let host = host_key(host);
        let mut keys: Vec<u64> = (0..page.len())
            .filter_map(|i| text_key(host, page.block_text(i)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        PageKeys(keys)
    }

    /// Counts one page: each of its distinct block texts once. A page whose block
    /// texts are exactly those of a page already counted on its host is not counted.
    pub fn add_keys(&mut self, keys: &PageKeys) {
        // The keys are sorted and carry the host, so equal pages of a host hash alike.
        let page = keys.0.iter().fold(PAGE_SEED, |h, &k| combine(h, k));
        if keys.0.is_empty() || !self.pages.insert(page) {
            return;
        }
        for &k in &keys.0 {
            *self.counts.entry(k).or_insert(0) += 1;
        }
    }

    /// [`SiteRepeats::page_keys`] and [`SiteRepeats::add_keys`] in one.
    pub fn add_page(&mut self, host: &str, page: &Page) {
        self.add_keys(&SiteRepeats::page_keys(host, page));
    }

    /// The counts read for one host's pages.
    pub fn on<'a>(&'a self, host: &str) -> OnSite<'a> {
        OnSite {
            repeats: self,
            host: host_key(host),
        }
    }

    /// Distinct (host, text) pairs counted.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no page has been counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

impl OnSite<'_> {
    /// On how many counted pages of this host `text` occurs.
    pub fn pages_with(&self, text: &str) -> u32 {
        text_key(self.host, text).map_or(0, |k| self.repeats.counts.get(&k).copied().unwrap_or(0))
    }

    /// Whether `text` occurs on enough pages of this host to be its template.
    pub fn is_repeat(&self, text: &str) -> bool {
        self.pages_with(text) >= self.repeats.min_pages
    }

    /// Labels boilerplate every kept block of `page` whose text is a repeat; returns
    /// how many it dropped.
    pub fn drop_repeats(&self, page: &Page, labels: &mut [bool]) -> usize {
        let mut dropped = 0;
        // Labels past the page's blocks (a caller's mismatch) have no text to test.
        for (i, keep) in labels.iter_mut().take(page.len()).enumerate() {
            if *keep && self.is_repeat(page.block_text(i)) {
                *keep = false;
                dropped += 1;
            }
        }
        dropped
    }
}

/// The host of a URL (`scheme://user@host:port/path`), lowercased, without its port:
/// the key [`SiteRepeats`] groups pages by. None when the URL has none.
pub fn host_of_url(url: &str) -> Option<String> {
    // `scheme://host/...`, protocol-relative `//host/...`, or a bare `host/...`.
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    // An IPv6 literal keeps its colons; any other host ends at the port.
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    (!host.is_empty()).then(|| host.to_lowercase())
}

/// The key of a site: its host lowercased, without a leading `www.` or a trailing dot,
/// so that `www.example.com`, `Example.com` and `example.com.` are one site (the same
/// pages, served under each name). A label in its ASCII form (`xn--bcher-kva`) is read
/// as the Unicode it stands for (`bücher`): a WARC names hosts in the one form, a JSON
/// lines file written from a browser's URLs often in the other.
fn host_key(host: &str) -> u64 {
    let host = host.strip_suffix('.').unwrap_or(host);
    let host = match host.get(..4) {
        Some(www) if www.eq_ignore_ascii_case("www.") && host.len() > 4 => &host[4..],
        _ => host,
    };
    let mut key = TextKey::default();
    for (i, label) in host.split('.').enumerate() {
        if i > 0 {
            key.lowercase('.');
        }
        let decoded = match label.get(..4) {
            Some(ace) if ace.eq_ignore_ascii_case("xn--") => punycode_decode(&label[4..]),
            _ => None,
        };
        match decoded {
            Some(decoded) => decoded.into_iter().for_each(|c| key.lowercase(c)),
            None => label.chars().for_each(|c| key.lowercase(c)),
        }
    }
    combine(LINE_SEED, key.hash.finish())
}

/// The Unicode characters a Punycode label stands for (RFC 3492, section 6.2), the
/// `xn--` prefix removed; None when it is not valid Punycode, or when it stands for
/// ASCII alone (`xn--example-` is `example`, which IDNA does not allow as an ASCII
/// form: it would make a look-alike of `example` one site with it, found by a
/// review). The label is then kept as written. Hosts are few per corpus, so this runs
/// once per page, not per block.
fn punycode_decode(input: &str) -> Option<Vec<char>> {
    const BASE: u32 = 36;
    const T_MIN: u32 = 1;
    const T_MAX: u32 = 26;
    const SKEW: u32 = 38;
    const DAMP: u32 = 700;
    let adapt = |delta: u32, points: u32, first: bool| {
        let mut delta = if first { delta / DAMP } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - T_MIN) * T_MAX) / 2 {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
    };
    // The basic (ASCII) characters come first, up to the last '-'.
    let (basic, extended) = input.rsplit_once('-').unwrap_or(("", input));
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = extended.bytes();
    while digits.len() > 0 {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let digit = match digits.next()? {
                b @ b'a'..=b'z' => b - b'a',
                b @ b'A'..=b'Z' => b - b'A',
                b @ b'0'..=b'9' => b - b'0' + 26,
                _ => return None,
            } as u32;
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = k.saturating_sub(bias).clamp(T_MIN, T_MAX);
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let points = output.len() as u32 + 1;
        bias = adapt(i - old_i, points, old_i == 0);
        n = n.checked_add(i / points)?;
        i %= points;
        output.insert(i as usize, char::from_u32(n)?);
        i += 1;
    }
    (!output.iter().all(char::is_ascii)).then_some(output)
}

/// The key of `text` on a host: its characters lowercased, each run of whitespace as
/// one space, none at the ends. None when nothing visible is left.
fn text_key(host: u64, text: &str) -> Option<u64> {
    let mut key = TextKey::default();
    if text.is_ascii() {
        // Most lines: a byte at a time, the same bytes the general path writes.
        for &b in text.as_bytes() {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
                key.space();
            } else {
                key.byte(b.to_ascii_lowercase());
            }
        }
    } else {
        for c in text.chars() {
            if c.is_whitespace() {
                key.space();
            } else {
                key.lowercase(c);
            }
        }
    }
    key.any.then(|| combine(host, key.hash.finish()))
}

/// The state of [`text_key`] (and of [`host_key`], whose hosts hold no space): the hash
/// so far, and whether a space is owed before the next visible byte.
#[derive(Default)]
struct TextKey {
    hash: ChunkHasher,
    space: bool,
    any: bool,
}

impl TextKey {
    #[inline]
    fn space(&mut self) {
        self.space = self.any;
    }

    #[inline]
    fn byte(&mut self, b: u8) {
        if self.space {
            self.hash.push(b' ');
            self.space = false;
        }
        self.any = true;
        self.hash.push(b);
    }

    /// Adds `c` lowercased, as UTF-8 bytes (the general path of [`text_key`], and every
    /// character of a host in [`host_key`]).
    #[inline]
    fn lowercase(&mut self, c: char) {
        let mut buf = [0u8; 4];
        for lower in c.to_lowercase() {
            for &b in lower.encode_utf8(&mut buf).as_bytes() {
                self.byte(b);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;
    use crate::segment::segment_str;

    fn page(text: &str) -> Page {
        segment_str(text, InputFormat::Text)
    }

    #[test]
    fn a_text_is_a_repeat_from_min_pages_of_its_own_host() {
        let mut site = SiteRepeats::new(3).unwrap();
        let footer = "Subscribe to our newsletter";
        site.add_page("a.org", &page(&format!("First story here\n{footer}")));
        site.add_page("a.org", &page(&format!("Second story\n{footer}\n{footer}")));
        // Twice on one page counts once.
        assert_eq!(site.on("a.org").pages_with(footer), 2);
        assert!(!site.on("a.org").is_repeat(footer));
        site.add_page("b.org", &page(footer));
        assert!(!site.on("a.org").is_repeat(footer), "another host's page");
        site.add_page("a.org", &page(&format!("Third story\n{footer}")));
        assert!(site.on("a.org").is_repeat(footer));
        assert!(!site.on("b.org").is_repeat(footer));
        assert_eq!(site.on("a.org").pages_with("First story here"), 1);
    }

    #[test]
    fn a_site_is_one_under_its_www_name_its_case_and_a_trailing_dot() {
        // Found by an audit: each name was a site of its own, so a line on two pages
        // of `www.a.org` and two of `a.org` was no repeat at N = 3.
        let mut site = SiteRepeats::new(4).unwrap();
        for (i, host) in ["www.a.org", "a.org", "A.Org.", "WWW.a.org"]
            .iter()
            .enumerate()
        {
            site.add_page(host, &page(&format!("Story {i}\nSubscribe now")));
        }
        for host in ["a.org", "www.a.org", "a.org."] {
            assert!(site.on(host).is_repeat("Subscribe now"), "{host}");
        }
        // Other names stay other sites: a subdomain, and "www." alone or inside.
        for host in ["news.a.org", "www.", "wwwa.org", "a.www.org"] {
            assert!(!site.on(host).is_repeat("Subscribe now"), "{host}");
        }
    }

    #[test]
    fn a_host_is_one_site_in_its_unicode_and_its_ascii_form() {
        // RFC 3492's own examples, and names as browsers write them.
        for (ace, unicode) in [
            ("bcher-kva", "bücher"),
            ("mnchen-3ya", "münchen"),
            ("egbpdaj6bu4bxfgehfvwxn", "ليهمابتكلموشعربي؟"),
            ("ihqwcrb4cv8a8dqg056pqjye", "他们为什么不说中文"),
            (
                "b1abfaaepdrnnbgefbadotcwatmq2g4l",
                "почемужеонинеговорятпорусски",
            ),
            ("3B-ww4c5e180e575a65lsy2b", "3年B組金八先生"),
        ] {
            let decoded: Option<String> = punycode_decode(ace).map(|c| c.into_iter().collect());
            assert_eq!(decoded.as_deref(), Some(unicode), "{ace}");
        }
        // Not Punycode (cut short, a bad digit, not ASCII, overflowing), or standing for
        // ASCII alone (RFC 3492's sample "-> $1.00 <--" among them: no host name's
        // ASCII form): kept as written.
        for bad in [
            "z",
            "abc!",
            "ü-abc",
            "99999999999",
            "example-",
            "",
            "-",
            "-> $1.00 <--",
        ] {
            assert_eq!(punycode_decode(bad), None, "{bad}");
        }
        let mut site = SiteRepeats::new(3).unwrap();
        for (i, host) in [
            "bücher.de",
            "xn--bcher-kva.de",
            "www.XN--BCHER-KVA.de",
            "BÜCHER.de",
        ]
        .iter()
        .enumerate()
        {
            site.add_page(host, &page(&format!("Story {i}\nUnser Newsletter")));
        }
        assert!(site.on("bücher.de").is_repeat("Unser Newsletter"));
        assert!(site.on("xn--bcher-kva.de").is_repeat("Unser Newsletter"));
        // A name that only looks alike is another site.
        assert!(!site.on("bucher.de").is_repeat("Unser Newsletter"));
        assert!(!site.on("xn--bcher.de").is_repeat("Unser Newsletter"));
        // An ASCII form that stands for ASCII alone is no alias of the plain name.
        let mut site = SiteRepeats::new(3).unwrap();
        for (i, host) in ["example.com", "example.com", "xn--example-.com"]
            .iter()
            .enumerate()
        {
            site.add_page(host, &page(&format!("Story {i}\nSubscribe now")));
        }
        assert!(!site.on("example.com").is_repeat("Subscribe now"));
    }

    #[test]
    fn labels_past_the_page_are_left_alone() {
        // Found by a review: more labels than blocks panicked in `block_text`.
        let mut site = SiteRepeats::new(2).unwrap();
        site.add_page("a.org", &page("Menu\nStory one"));
        site.add_page("a.org", &page("Menu\nStory two"));
        let mut labels = [true, true, true, true];
        let dropped = site
            .on("a.org")
            .drop_repeats(&page("Menu\nStory three"), &mut labels);
        assert_eq!((dropped, labels), (1, [false, true, true, true]));
    }

    #[test]
    fn texts_match_whatever_their_case_and_spacing_but_not_their_digits() {
        let mut site = SiteRepeats::new(2).unwrap();
        site.add_page("a.org", &page("  Most   READ\tstories \nUpdated 5:04 PM"));
        site.add_page("a.org", &page("most read STORIES\nUpdated 5:05 PM"));
        let on = site.on("a.org");
        assert!(on.is_repeat("Most Read Stories"));
        assert!(!on.is_repeat("Updated 5:04 PM"));
        assert!(!on.is_repeat("most read"));
        assert_eq!(on.pages_with("   "), 0);
    }

    #[test]
    fn a_copy_of_a_page_is_counted_once() {
        let mut site = SiteRepeats::new(2).unwrap();
        let story = "Menu\nThe council met on Tuesday.\nAbout this site";
        site.add_page("a.org", &page(story));
        site.add_page("a.org", &page(&story.replace('\n', "\n\n")));
        assert_eq!(
            site.on("a.org").pages_with("The council met on Tuesday."),
            1
        );
        // The same page on another host counts there.
        site.add_page("b.org", &page(story));
        assert_eq!(site.on("b.org").pages_with("Menu"), 1);
        // A page that differs in one block is another page.
        site.add_page("a.org", &page("Menu\nThe mayor resigned.\nAbout this site"));
        assert!(site.on("a.org").is_repeat("About this site"));
        assert!(!site.on("a.org").is_repeat("The council met on Tuesday."));
    }

    #[test]
    fn only_kept_repeats_are_dropped() {
        let mut site = SiteRepeats::new(2).unwrap();
        let a = page("Menu\nThe council met on Tuesday.\nAbout this site");
        let b = page("Menu\nA different story altogether.\nAbout this site");
        site.add_page("a.org", &a);
        site.add_page("a.org", &b);
        let mut labels = vec![false, true, true];
        assert_eq!(site.on("a.org").drop_repeats(&a, &mut labels), 1);
        assert_eq!(labels, [false, true, false]);
        let mut labels = vec![true, true, true];
        assert_eq!(site.on("c.org").drop_repeats(&a, &mut labels), 0);
        assert_eq!(labels, [true, true, true]);
    }

    #[test]
    fn ascii_and_other_text_are_keyed_alike() {
        // The ASCII path and the general one must agree: the same line with and
        // without a character outside ASCII elsewhere on it.
        let host = host_key("a.org");
        for (ascii, other) in [
            ("Read\x0Bmore \t NEWS", "read more news"),
            ("  Über uns  ", "über UNS"),
        ] {
            assert_eq!(text_key(host, ascii), text_key(host, other), "{ascii:?}");
        }
        let wide = "Read more\u{3000}news"; // an ideographic space is whitespace too
        assert_eq!(text_key(host, wide), text_key(host, "read more news"));
        assert_ne!(text_key(host, "read more"), text_key(host, "readmore"));
        assert_eq!(text_key(host, " \t\u{a0}"), None);
    }

    #[test]
    fn fewer_than_two_pages_is_refused() {
        for n in [0, 1] {
            let e = SiteRepeats::new(n).unwrap_err();
            assert!(e.to_string().contains("at least 2 pages"), "{e}");
        }
        assert_eq!(SiteRepeats::new(2).unwrap().min_pages(), 2);
    }

    #[test]
    fn hosts_come_from_urls_without_port_or_user() {
        let cases = [
            ("https://News.Example.com/a/b?c#d", Some("news.example.com")),
            ("http://user:pw@example.org:8080/", Some("example.org")),
            ("http://[2001:db8::1]:80/x", Some("2001:db8::1")),
            ("example.net/path", Some("example.net")),
            ("//cdn.example.net/x", Some("cdn.example.net")),
            ("https:///nothing", None),
            ("", None),
        ];
        for (url, host) in cases {
            assert_eq!(host_of_url(url).as_deref(), host, "{url}");
        }
    }
}
