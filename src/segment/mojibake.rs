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
//! lead) stays as it is. Two patterns real text does have are left alone: a lone
//! character of a script written in three UTF-8 bytes (an ideograph, a Hangul
//! syllable: leads `ã` to `ï`) with no other such character beside it, as French
//! writes `réglé »` with a no-break space (the bytes of 頻), while mojibake of those
//! scripts comes in runs; and `Ø` before a no-break space, Word's Wingdings bullet
//! (the bytes of the rare Arabic ؠ). Text repaired once and still showing the pattern
//! (mojibake of mojibake) is repaired a second time.
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

/// The UTF-8 bytes the Windows-1252 characters from `chars[i]` on were decoded from,
/// when they form one valid character starting with a lead mojibake produces: its
/// length and bytes.
fn run_at(chars: &[char], i: usize) -> Option<(usize, [u8; 4])> {
    let len = chars
        .get(i)
        .copied()
        .and_then(cp1252_byte)
        .and_then(sequence_len)?;
    let run = chars.get(i..i + len)?;
    let mut buf = [0u8; 4];
    for (n, &rc) in run.iter().enumerate() {
        match cp1252_byte(rc) {
            Some(b) if n == 0 || (0x80..=0xBF).contains(&b) => buf[n] = b,
            _ => return None,
        }
    }
    std::str::from_utf8(&buf[..len]).ok()?;
    Some((len, buf))
}

/// Whether a run decoding to the three bytes `bytes` (a CJK ideograph or a letter of
/// another script written in three bytes, rather than punctuation: leads `ã` to `ï`)
/// stands alone: no such run right after it and no such character right before it
/// (`prev`). Real text has these runs too (`é` + no-break space + `»` in French
/// typography reads as 頻), and mojibake of such a script comes as runs of them, so a
/// lone one is left as written.
fn lone_far_script(bytes: &[u8], prev: Option<char>, chars: &[char], next: usize) -> bool {
    bytes.len() == 3
        && bytes[0] >= 0xE3
        && prev.is_none_or(|c| u32::from(c) < 0x3000)
        && !run_at(chars, next).is_some_and(|(len, b)| len == 3 && b[0] >= 0xE3)
}

/// One repair pass; None when nothing changed.
fn repair_once(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some((len, buf)) = run_at(&chars, i) {
            let bytes = &buf[..len];
            // `Ø` and a no-break space is Word's bullet as text, not Arabic's rare ؠ.
            let bullet = bytes == [0xD8, 0xA0];
            if !bullet && !lone_far_script(bytes, out.chars().next_back(), &chars, i + len) {
                if let Ok(decoded) = std::str::from_utf8(bytes) {
                    out.push_str(decoded);
                    changed = true;
                    i += len;
                    continue;
                }
            }
        }
        // A no-break space that became a plain space leaves a lone `Â`.
        if c == 'Â' && chars.get(i + 1) == Some(&' ') {
            changed = true;
            i += 1;
            continue;
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
    fn issue3_leaves_french_spacing_and_word_bullets_alone() {
        // `é`, a no-break space and `»` are the bytes of 頻 (found by an audit, on
        // readability's lemonde-1); `Ø` and a no-break space, Word's Wingdings bullet
        // (dragnet T70), those of Arabic's ؠ.
        for text in [
            "« C’est réglé\u{a0}» dit-il",
            "Ø\u{a0}The survey found",
            "il a été\u{a0}» précisé",
        ] {
            assert!(matches!(repair(text), Cow::Borrowed(_)), "{text}");
        }
        // Mojibake of such scripts comes in runs, and runs are still repaired, the
        // first of them too, and so is a lone one inside a repaired run of them.
        for (broken, fixed) in [
            ("ä½\u{a0}å¥½", "你好"),
            ("æ—¥æœ¬èªž", "日本語"),
            ("ì•ˆë…•", "안녕"),
            ("日ä½\u{a0}", "日你"),
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
