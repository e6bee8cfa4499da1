//! The vocabulary of segmentation: which HTML tags exist for us ([`Tag`]), how they
//! behave (block-level, void, skipped), and which class/id names carry meaning
//! ([`ClassMask`]). Kept as small integer enums and bit masks so that a block carries
//! its whole ancestry in two machine words.

/// The HTML tags dehusk distinguishes. Everything else is [`Tag::Other`] (inline) or
/// [`Tag::OtherBlock`] (custom elements, which are usually layout containers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Tag {
    #[default]
    Other = 0,
    /// A line of plain text (text mode only).
    Line,
    OtherBlock,
    A,
    P,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Li,
    Ul,
    Ol,
    Dl,
    Dt,
    Dd,
    Td,
    Th,
    Tr,
    Table,
    Caption,
    Blockquote,
    Pre,
    Code,
    Figure,
    Figcaption,
    Div,
    Section,
    Article,
    Main,
    Header,
    Footer,
    Nav,
    Aside,
    Form,
    Button,
    Label,
    Select,
    Option,
    Input,
    Span,
    Strong,
    Em,
    Time,
    Address,
    Details,
    Summary,
    Br,
    Hr,
    Img,
    Body,
    Html,
    Head,
    Title,
    Script,
    Style,
    Noscript,
    Template,
    Svg,
    Math,
    Iframe,
    Textarea,
    Center,
}

/// Number of [`Tag`] variants (bits used in a [`TagMask`]).
pub const TAG_COUNT: usize = Tag::Center as usize + 1;

impl Tag {
    /// Maps a lowercase (or any-case ASCII) tag name.
    pub fn from_name(name: &[u8]) -> Tag {
        // Tag names from the tokenizer are already lowercase ASCII.
        match name {
            b"a" => Tag::A,
            b"p" => Tag::P,
            b"h1" => Tag::H1,
            b"h2" => Tag::H2,
            b"h3" => Tag::H3,
            b"h4" => Tag::H4,
            b"h5" => Tag::H5,
            b"h6" => Tag::H6,
            b"li" => Tag::Li,
            b"ul" | b"menu" | b"dir" => Tag::Ul,
            b"ol" => Tag::Ol,
            b"dl" => Tag::Dl,
            b"dt" => Tag::Dt,
            b"dd" => Tag::Dd,
            b"td" => Tag::Td,
            b"th" => Tag::Th,
            b"tr" => Tag::Tr,
            b"table" | b"tbody" | b"thead" | b"tfoot" => Tag::Table,
            b"caption" => Tag::Caption,
            b"blockquote" => Tag::Blockquote,
            b"pre" | b"listing" | b"xmp" | b"plaintext" => Tag::Pre,
            b"code" | b"kbd" | b"samp" => Tag::Code,
            b"figure" => Tag::Figure,
            b"figcaption" => Tag::Figcaption,
            b"div" => Tag::Div,
            b"section" | b"hgroup" => Tag::Section,
            b"article" => Tag::Article,
            b"main" => Tag::Main,
            b"header" => Tag::Header,
            b"footer" => Tag::Footer,
            b"nav" => Tag::Nav,
            b"aside" => Tag::Aside,
            b"form" | b"fieldset" | b"legend" => Tag::Form,
            b"button" => Tag::Button,
            b"label" => Tag::Label,
            b"select" | b"datalist" | b"optgroup" => Tag::Select,
            b"option" => Tag::Option,
            b"input" => Tag::Input,
            b"span" | b"font" => Tag::Span,
            b"strong" | b"b" => Tag::Strong,
            b"em" | b"i" | b"cite" => Tag::Em,
            b"time" => Tag::Time,
            b"address" => Tag::Address,
            b"details" | b"dialog" => Tag::Details,
            b"summary" => Tag::Summary,
            b"br" => Tag::Br,
            b"hr" => Tag::Hr,
            b"img" | b"picture" | b"video" | b"audio" | b"canvas" => Tag::Img,
            b"body" => Tag::Body,
            b"html" => Tag::Html,
            b"head" => Tag::Head,
            b"title" => Tag::Title,
            b"script" => Tag::Script,
            b"style" => Tag::Style,
            b"noscript" => Tag::Noscript,
            b"template" => Tag::Template,
            b"svg" => Tag::Svg,
            b"math" => Tag::Math,
            b"iframe" | b"object" | b"embed" | b"noembed" | b"noframes" => Tag::Iframe,
            b"textarea" => Tag::Textarea,
            b"center" => Tag::Center,
            // Custom elements (`<my-widget>`) are almost always layout containers.
            n if n.contains(&b'-') => Tag::OtherBlock,
            _ => Tag::Other,
        }
    }

    /// Starts and ends a block. Inline tags (a, span, strong...) do not.
    pub fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::Other
                // A formula, even a displayed one, belongs to the sentence around it.
                | Tag::Math
                | Tag::A
                | Tag::Span
                | Tag::Strong
                | Tag::Em
                | Tag::Code
                | Tag::Time
                | Tag::Label
                | Tag::Input
                | Tag::Img
        )
    }

    /// Text inside never becomes a block (noscript is decided by content, elsewhere).
    /// MathML is not skipped: a formula's identifiers, numbers and operators are part
    /// of the text (readability's gold keeps them); the segmenter skips only its
    /// source annotations ([`is_math_annotation`]) and hidden formulas.
    pub fn is_skipped(self) -> bool {
        matches!(
            self,
            Tag::Script
                | Tag::Style
                | Tag::Template
                | Tag::Svg
                | Tag::Iframe
                | Tag::Textarea
                | Tag::Head
                | Tag::Title
                | Tag::Select
                | Tag::Noscript
        )
    }

    /// Heading level 1-6, or 0.
    pub fn heading_level(self) -> u8 {
        match self {
            Tag::H1 => 1,
            Tag::H2 => 2,
            Tag::H3 => 3,
            Tag::H4 => 4,
            Tag::H5 => 5,
            Tag::H6 => 6,
            _ => 0,
        }
    }
}

/// Elements that never have content or an end tag.
pub fn is_void(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"keygen"
    )
}

/// A set of [`Tag`]s, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TagMask(pub u64);

impl TagMask {
    /// No tags.
    pub const EMPTY: TagMask = TagMask(0);

    /// Adds a tag.
    pub fn insert(&mut self, tag: Tag) {
        self.0 |= 1 << (tag as u8);
    }

    /// True if the tag is in the set.
    pub fn contains(self, tag: Tag) -> bool {
        self.0 & (1 << (tag as u8)) != 0
    }
}

/// Class/id keyword categories, one bit each: the names page authors give to
/// boilerplate and to content containers, in many languages' web conventions (class
/// names are overwhelmingly English even on non-English sites).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ClassMask(pub u64);

/// Bit of the "comment" category (comment, disqus, reply...): where `--drop-comments`
/// finds comment sections ([`crate::policy`]).
pub const COMMENT_CLASS: usize = 6;

/// Bit of the "hidden" category: the `hidden` attribute, `aria-hidden`, a hiding
/// inline style, or a class naming it.
pub const HIDDEN_CLASS: usize = 29;

/// The class/id categories in bit order; `CLASS_CATEGORIES[i]` names bit `i`.
pub const CLASS_CATEGORIES: &[&str] = &[
    "nav",
    "menu",
    "header",
    "footer",
    "sidebar",
    "widget",
    "comment",
    "share",
    "social",
    "related",
    "promo",
    "ad",
    "cookie",
    "newsletter",
    "breadcrumb",
    "article",
    "content",
    "post",
    "entry",
    "story",
    "body",
    "main",
    "text",
    "author",
    "meta",
    "caption",
    "tag",
    "subscribe",
    "popup",
    "hidden",
    "title",
    "banner",
    "login",
    "search",
    "pagination",
    "copyright",
    "recommend",
    "date",
    "more",
    "list",
    "card",
    "teaser",
    "product",
    "description",
    "review",
    "question",
    "answer",
    "message",
    "layout",
];

/// How a class/id token is matched against a keyword: short keywords only match whole
/// tokens ("ad" must not fire on "header" or "read").
#[derive(Clone, Copy)]
enum Match {
    Exact,
    Prefix,
    Contains,
}

/// (keyword, category index, match rule).
const CLASS_KEYWORDS: &[(&str, u8, Match)] = &[
    ("nav", 0, Match::Prefix),
    ("navbar", 0, Match::Contains),
    ("navigation", 0, Match::Contains),
    ("skip", 0, Match::Exact),
    ("menu", 1, Match::Contains),
    ("dropdown", 1, Match::Contains),
    ("masthead", 2, Match::Contains),
    ("header", 2, Match::Contains),
    ("topbar", 2, Match::Contains),
    ("footer", 3, Match::Contains),
    ("bottom", 3, Match::Prefix),
    ("colophon", 3, Match::Contains),
    ("sidebar", 4, Match::Contains),
    ("aside", 4, Match::Prefix),
    ("rail", 4, Match::Exact),
    ("widget", 5, Match::Contains),
    ("comment", 6, Match::Contains),
    ("disqus", 6, Match::Contains),
    ("reply", 6, Match::Prefix),
    ("share", 7, Match::Contains),
    ("sharing", 7, Match::Contains),
    ("social", 8, Match::Contains),
    ("facebook", 8, Match::Contains),
    ("twitter", 8, Match::Contains),
    ("follow", 8, Match::Prefix),
    ("related", 9, Match::Contains),
    ("promo", 10, Match::Contains),
    ("sponsor", 10, Match::Contains),
    ("ad", 11, Match::Exact),
    ("ads", 11, Match::Exact),
    ("advert", 11, Match::Prefix),
    ("adsense", 11, Match::Contains),
    ("dfp", 11, Match::Exact),
    ("gpt", 11, Match::Exact),
    ("cookie", 12, Match::Contains),
    ("consent", 12, Match::Contains),
    ("gdpr", 12, Match::Contains),
    ("newsletter", 13, Match::Contains),
    ("signup", 13, Match::Contains),
    ("mailchimp", 13, Match::Contains),
    ("breadcrumb", 14, Match::Contains),
    ("crumbs", 14, Match::Contains),
    ("article", 15, Match::Contains),
    ("content", 16, Match::Contains),
    ("post", 17, Match::Prefix),
    ("entry", 18, Match::Contains),
    ("story", 19, Match::Contains),
    ("body", 20, Match::Contains),
    ("main", 21, Match::Prefix),
    ("text", 22, Match::Contains),
    ("prose", 22, Match::Contains),
    ("paragraph", 22, Match::Contains),
    ("author", 23, Match::Contains),
    ("byline", 23, Match::Contains),
    ("bio", 23, Match::Exact),
    ("meta", 24, Match::Prefix),
    ("info", 24, Match::Exact),
    ("caption", 25, Match::Contains),
    ("credit", 25, Match::Contains),
    ("tag", 26, Match::Prefix),
    ("tags", 26, Match::Exact),
    ("categor", 26, Match::Prefix),
    ("keyword", 26, Match::Prefix),
    ("subscri", 27, Match::Prefix),
    ("paywall", 27, Match::Contains),
    ("popup", 28, Match::Contains),
    ("modal", 28, Match::Contains),
    ("overlay", 28, Match::Contains),
    ("dialog", 28, Match::Contains),
    ("hidden", 29, Match::Contains),
    ("hide", 29, Match::Exact),
    ("invisible", 29, Match::Contains),
    ("sr", 29, Match::Exact),
    ("screenreader", 29, Match::Contains),
    ("visually", 29, Match::Prefix),
    ("title", 30, Match::Contains),
    ("headline", 30, Match::Contains),
    ("heading", 30, Match::Contains),
    ("banner", 31, Match::Contains),
    ("hero", 31, Match::Exact),
    ("login", 32, Match::Contains),
    ("signin", 32, Match::Contains),
    ("account", 32, Match::Contains),
    ("search", 33, Match::Contains),
    ("pagination", 34, Match::Contains),
    ("pager", 34, Match::Contains),
    ("paging", 34, Match::Contains),
    ("copyright", 35, Match::Contains),
    ("legal", 35, Match::Contains),
    ("recommend", 36, Match::Contains),
    ("trending", 36, Match::Contains),
    ("popular", 36, Match::Contains),
    ("outbrain", 36, Match::Contains),
    ("taboola", 36, Match::Contains),
    ("date", 37, Match::Contains),
    ("time", 37, Match::Prefix),
    ("published", 37, Match::Contains),
    ("more", 38, Match::Exact),
    ("readmore", 38, Match::Contains),
    ("list", 39, Match::Contains),
    ("grid", 39, Match::Exact),
    ("card", 40, Match::Prefix),
    ("tile", 40, Match::Prefix),
    ("teaser", 41, Match::Contains),
    ("excerpt", 41, Match::Contains),
    ("summary", 41, Match::Contains),
    ("product", 42, Match::Contains),
    ("price", 42, Match::Contains),
    ("description", 43, Match::Contains),
    ("desc", 43, Match::Exact),
    ("review", 44, Match::Contains),
    ("rating", 44, Match::Contains),
    ("question", 45, Match::Contains),
    ("answer", 46, Match::Contains),
    ("message", 47, Match::Contains),
    ("thread", 47, Match::Contains),
    ("forum", 47, Match::Contains),
    ("container", 48, Match::Contains),
    ("wrapper", 48, Match::Contains),
    ("wrap", 48, Match::Exact),
    ("row", 48, Match::Exact),
    ("col", 48, Match::Prefix),
];

impl ClassMask {
    /// No categories.
    pub const EMPTY: ClassMask = ClassMask(0);

    /// True if category `i` is set.
    pub fn has(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }

    /// Merges another mask in.
    pub fn union(self, other: ClassMask) -> ClassMask {
        ClassMask(self.0 | other.0)
    }

    /// Adds the categories matched by one lowercase class/id token.
    ///
    /// One pass of an Aho-Corasick automaton over the token finds every keyword in it
    /// (a page has thousands of class tokens: testing 125 keywords one by one was a
    /// third of all extraction time); each hit is then checked against its rule.
    pub fn add_token(&mut self, token: &str) {
        self.add_token_bytes(token.as_bytes());
    }

    /// [`ClassMask::add_token`] on the bytes of an ASCII token.
    pub fn add_token_bytes(&mut self, token: &[u8]) {
        let matcher = class_matcher();
        // Most tokens hold no keyword: a plain scan says so without the overlapping
        // iterator's set-up (a third of the cost of class/id values).
        if !matcher.is_match(token) {
            return;
        }
        for m in matcher.find_overlapping_iter(token) {
            let (_, cat, rule) = CLASS_KEYWORDS[m.pattern().as_usize()];
            let hit = match rule {
                Match::Exact => m.start() == 0 && m.end() == token.len(),
                Match::Prefix => m.start() == 0,
                Match::Contains => true,
            };
            if hit {
                self.0 |= 1 << cat;
            }
        }
    }
}

/// The automaton over all class/id keywords (standard semantics, so overlapping hits
/// such as "nav" and "navigation" are all reported).
// The keywords are a compile-time constant: building the automaton cannot fail on
// any input.
#[allow(clippy::expect_used)]
fn class_matcher() -> &'static aho_corasick::AhoCorasick {
    static MATCHER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    MATCHER.get_or_init(|| {
        // A DFA: a few hundred KB for a search that is one table lookup per byte (the
        // default NFA was 9% of extract's instructions on class/id tokens).
        aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(CLASS_KEYWORDS.iter().map(|k| k.0))
            .expect("the built-in class keywords are a valid pattern set")
    })
}

/// Splits a class or id attribute value into lowercase tokens: on anything that is not
/// an ASCII letter or digit, and at lower-to-upper camelCase boundaries
/// (`articleBody` → `article`, `body`), calling `f` with each token. The whole
/// hyphen-free word is also offered (`mainContent` → `maincontent`) so that compound
/// keywords like "readmore" match. `buf` is scratch space reused across calls.
pub fn for_each_class_token(value: &[u8], buf: &mut Vec<u8>, mut f: impl FnMut(&[u8])) {
    for word in value.split(|b| !b.is_ascii_alphanumeric()) {
        if word.is_empty() || word.len() > 64 {
            continue;
        }
        if !word.iter().any(u8::is_ascii_uppercase) {
            // Already lowercase (most class names): no copy, no camelCase.
            f(word);
            continue;
        }
        buf.clear();
        buf.extend_from_slice(word);
        buf.make_ascii_lowercase();
        f(buf);
        let camel = word
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
        if camel {
            let mut start = 0;
            for i in 1..=word.len() {
                let boundary = i == word.len()
                    || (word[i].is_ascii_uppercase() && word[i - 1].is_ascii_lowercase());
                if boundary {
                    if i - start > 1 {
                        f(&buf[start..i]);
                    }
                    start = i;
                }
            }
        }
    }
}

/// A MathML annotation (`<annotation>`, `<annotation-xml>`): the formula's source (TeX,
/// Content MathML) kept beside its presentation for machines, never shown; skipped.
/// Names are lowercase, as the tokenizer delivers them.
pub fn is_math_annotation(name: &[u8]) -> bool {
    matches!(name, b"annotation" | b"annotation-xml")
}

/// A media element whose content is fallback, shown only by a browser that cannot play
/// or draw it (`<video>`, `<audio>`, `<canvas>`): "Your browser does not support the
/// video tag." No browser of today shows it, so it is skipped like a script (as an
/// `<object>`'s or `<embed>`'s is, read as [`Tag::Iframe`]). Lowercase names, as the
/// tokenizer delivers them.
pub fn is_media_fallback_host(name: &[u8]) -> bool {
    matches!(name, b"video" | b"audio" | b"canvas")
}

/// The SVG elements that hold HTML on purpose (HTML's "integration points"): inside
/// one, an HTML tag does not end the drawing. Lowercase names, as the tokenizer
/// delivers them.
pub const SVG_HTML_HOLDERS: [&[u8]; 3] = [b"foreignobject", b"desc", b"title"];

/// The HTML start tags that end open MathML or SVG: the "breakout" list of HTML's rules
/// for foreign content, but for `<font>`, which breaks out only with some attributes
/// (lowercase names, as for [`is_void`]).
pub fn is_foreign_breakout(name: &[u8]) -> bool {
    matches!(
        name,
        b"b" | b"big"
            | b"blockquote"
            | b"body"
            | b"br"
            | b"center"
            | b"code"
            | b"dd"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"embed"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"head"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"listing"
            | b"menu"
            | b"meta"
            | b"nobr"
            | b"ol"
            | b"p"
            | b"pre"
            | b"ruby"
            | b"s"
            | b"small"
            | b"span"
            | b"strong"
            | b"strike"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tt"
            | b"u"
            | b"ul"
            | b"var"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask_of(value: &str) -> ClassMask {
        let mut m = ClassMask::EMPTY;
        let mut buf = Vec::new();
        for_each_class_token(value.as_bytes(), &mut buf, |t| m.add_token_bytes(t));
        m
    }

    fn cat(name: &str) -> usize {
        CLASS_CATEGORIES.iter().position(|c| *c == name).unwrap()
    }

    #[test]
    fn category_bits_name_their_categories() {
        assert_eq!(COMMENT_CLASS, cat("comment"));
        assert_eq!(HIDDEN_CLASS, cat("hidden"));
        assert!(mask_of("comment-list").has(COMMENT_CLASS));
    }

    #[test]
    fn short_keywords_match_whole_tokens_only() {
        assert!(mask_of("ad banner-ad").has(cat("ad")));
        assert!(!mask_of("header read-more").has(cat("ad")));
        assert!(mask_of("header").has(cat("header")));
    }

    #[test]
    fn camel_case_and_separators_split() {
        let m = mask_of("articleBody js-share_buttons");
        assert!(m.has(cat("article")));
        assert!(m.has(cat("body")));
        assert!(m.has(cat("share")));
        assert!(!m.has(cat("footer")));
    }

    #[test]
    fn automaton_matches_the_keyword_rules_exactly() {
        // The naive definition, keyword by keyword.
        let naive = |token: &str| {
            let mut m = 0u64;
            for &(kw, cat, rule) in CLASS_KEYWORDS {
                let hit = match rule {
                    Match::Exact => token == kw,
                    Match::Prefix => token.starts_with(kw),
                    Match::Contains => token.contains(kw),
                };
                if hit {
                    m |= 1 << cat;
                }
            }
            m
        };
        let tokens = [
            "ad",
            "ads",
            "header",
            "navbar",
            "mainnavigation",
            "post",
            "postmeta",
            "sidebar-ad",
            "readmore",
            "col",
            "colophon",
            "skip",
            "skiplink",
            "timestamp",
            "tag",
            "tags",
            "categories",
            "commentlist",
            "x",
            "",
            "advertisement",
            "subscribers",
            "sr",
            "srt",
        ];
        for t in tokens {
            let mut m = ClassMask::EMPTY;
            m.add_token(t);
            assert_eq!(m.0, naive(t), "token {t:?}");
        }
    }

    #[test]
    fn tag_classification() {
        assert!(Tag::from_name(b"p").is_block());
        assert!(!Tag::from_name(b"a").is_block());
        assert!(Tag::from_name(b"my-widget").is_block());
        assert!(Tag::from_name(b"script").is_skipped());
        assert_eq!(Tag::from_name(b"h3").heading_level(), 3);
        const { assert!(TAG_COUNT <= 64) };
    }
}
