//! Repair of mojibake in plain text: UTF-8 that was decoded as Windows-1252 (or
//! Latin-1) somewhere upstream, so that `you’re` reads `youâ€™re` and `café` reads
//! `cafÃ©`.
//!
//! Text dumps and WET-like renderings carry it whenever a page's charset was guessed
//! wrong before the text reached us: 36 of wcxb's 999 text renderings and 56 of
//! dragnet's 1,381 have it (wcxb's gold text is clean; dragnet's keeps the mojibake on
//! 33 pages). Every such sequence splits words (`youâ` is one `\w+` token), so the
//! page's shingles stop matching clean text.
//!
//! The repair maps each character back to the single byte Windows-1252 would have
//! decoded it from and re-decodes runs that form a valid UTF-8 character. It only
//! touches a run that starts with a lead byte mojibake actually produces (Â Ã Ä Å for
//! Latin, Î Ï Greek, Ð Ñ Cyrillic, × Ø Ù Ú Û Hebrew and Arabic, â to ï for punctuation
//! and CJK, ð to ô for emoji) followed by the right number of continuation characters
//! (`€`, `™`, `©`, `¼` ...), which real text almost never has: `Ã©` or `Ã¼` is
//! mojibake wherever it occurs, while `SÃO` (a letter follows) or `Ü®` (`Ü` is no such
//! lead) stays as it is. Text repaired once and still showing the pattern (mojibake of
//! mojibake) is repaired a second time.
//!
//! HTML is not repaired: its charset comes from the page, and the HTML renderings of the
//! same pages decode cleanly.

use std::borrow::Cow;

/// The byte Windows-1252 decodes to `c`, if any (C1 controls count as themselves, as
/// decoders that keep the five unassigned bytes produce them).
fn cp1252_byte(c: char) -> Option<u8> {
    let b = match c {
        '\u{0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(b)
}

/// How many bytes a UTF-8 character starting with `lead` has, for the leads mojibake
/// produces (see the module doc); None for any other byte.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xC5 | 0xCE | 0xCF | 0xD0 | 0xD1 | 0xD7..=0xDB => Some(2),
        0xE2..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Whether `s` may hold mojibake: a lead character (all of them are U+00C2..U+00F4,
/// two UTF-8 bytes starting 0xC3) followed by a non-ASCII character (or `Â` followed by
/// a space). Cheap, and false for ASCII and for text in scripts other than Latin.
fn may_hold_mojibake(s: &str) -> bool {
    let bytes = s.as_bytes();
    memchr::memchr_iter(0xC3, bytes).any(|i| match (bytes.get(i + 1), bytes.get(i + 2)) {
        // `Â` and a space: a no-break space that became a plain one.
        (Some(0x82), Some(b' ')) => true,
        (Some(0x82..=0xB4), Some(&next)) => next >= 0x80,
        _ => false,
    })
}

/// One repair pass; None when nothing changed.
fn repair_once(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < chars.len() {
        let c = chars[i];
        if let Some(len) = cp1252_byte(c).and_then(sequence_len) {
            let run = chars.get(i..i + len).unwrap_or_default();
            let mut n = 0;
            for &rc in run {
                match cp1252_byte(rc) {
                    Some(b) if n == 0 || (0x80..=0xBF).contains(&b) => {
                        buf[n] = b;
                        n += 1;
                    }
                    _ => break,
                }
            }
            if n == len {
                if let Ok(decoded) = std::str::from_utf8(&buf[..len]) {
                    out.push_str(decoded);
                    changed = true;
                    i += len;
                    continue;
                }
            }
            // A no-break space that became a plain space leaves a lone `Â`.
            if c == 'Â' && chars.get(i + 1) == Some(&' ') {
                changed = true;
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

/// `s` with mojibake repaired (borrowed when there was none).
pub fn repair(s: &str) -> Cow<'_, str> {
    if !may_hold_mojibake(s) {
        return Cow::Borrowed(s);
    }
    match repair_once(s) {
        None => Cow::Borrowed(s),
        Some(once) => match may_hold_mojibake(&once)
            .then(|| repair_once(&once))
            .flatten()
        {
            Some(twice) => Cow::Owned(twice),
            None => Cow::Owned(once),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_utf8_read_as_windows_1252() {
        for (broken, fixed) in [
            ("youâ€™re right", "you’re right"),
            ("Rewardâ€”for life", "Reward—for life"),
            ("cafÃ© and Ã©tÃ©", "café and été"),
            ("Ã¼ber MÃ¼nchen", "über München"),
            ("Â£5 and 20Â°C", "£5 and 20°C"),
            ("ÐŸÑ€Ð¸Ð²ÐµÑ‚", "Привет"),
            ("â€œquotedâ€\u{9d}", "“quoted”"),
            ("smile ðŸ˜€", "smile 😀"),
            ("priceÂ 10", "price 10"),
            ("Â ", " "),
        ] {
            assert_eq!(repair(broken), fixed, "{broken}");
        }
    }

    #[test]
    fn repairs_mojibake_of_mojibake() {
        // "’" encoded to UTF-8, read as Windows-1252, twice.
        let twice = "Ã¢â‚¬â„¢";
        assert_eq!(repair(twice), "’");
    }

    #[test]
    fn leaves_real_text_alone() {
        for text in [
            "plain ASCII, nothing to do",
            "café, été, München, naïve, Ærøskøbing",
            "SÃO PAULO", // Ã before a letter: Portuguese, not mojibake
            "Ü® and ß€", // not leads mojibake produces
            "Привет, мир; 你好; مرحبا",
            "Â", // a lone lead at the end
            "â€",
        ] {
            assert!(matches!(repair(text), Cow::Borrowed(_)), "{text}");
        }
    }

    #[test]
    fn repair_never_lengthens_text() {
        // segment_text relies on this for its page-size bound.
        let pool: Vec<char> = "aZ é€™œ‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™šžŸÂÃÄÅÎÏÐÑ×ØÙÚÛâãäåæçèéêëìíîïðñòóô¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿\u{81}\u{8d}\u{9d}😀"
            .chars()
            .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let len = (x % 12) as usize + 1;
            let s: String = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    pool[(x % pool.len() as u64) as usize]
                })
                .collect();
            let fixed = repair(&s);
            assert!(fixed.len() <= s.len(), "{s:?} -> {fixed:?}");
        }
    }

    #[test]
    fn the_cheap_check_never_skips_a_repairable_string() {
        // Every lead mojibake produces, followed by every continuation character.
        for lead in (0xC2u8..=0xF4).filter(|&b| sequence_len(b).is_some()) {
            for cont in 0x80u8..=0xBF {
                let lead_char = char::from(lead);
                let cont_char = encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(&[cont])
                    .0
                    .chars()
                    .next()
                    .unwrap();
                let s = format!("x{lead_char}{cont_char}{cont_char}{cont_char}");
                if repair_once(&s).is_some() {
                    assert!(may_hold_mojibake(&s), "{s:?}");
                }
            }
        }
    }
}
