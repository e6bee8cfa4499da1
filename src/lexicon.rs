//! Word lists the features look for: boilerplate phrases in many languages (matched
//! with one Aho-Corasick automaton per page pass, so the cost is linear in the text
//! whatever the list's size), and stopwords of many languages (from the maintained
//! `stop-words` lists) for telling prose from labels.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::words::{short, word_hash, WordTable};

/// Boilerplate phrase categories, in feature order.
pub const LEXICON_CATEGORIES: &[&str] = &[
    "cookie",
    "subscribe",
    "login",
    "share",
    "ad",
    "related",
    "legal",
    "nav",
    "comment",
    "byline",
    "form",
    "shop",
    "media",
    "month",
];

/// Lexicon category of comment phrases ("comment", "leave a reply", "likes", ...).
pub const COMMENT_CATEGORY: usize = 8;

/// Words that name a comment section ("12 Comments", "Kommentare"), in the lexicon's
/// eleven languages. Part of [`COMMENT_CATEGORY`], and what `--drop-comments` looks for
/// in plain text ([`crate::policy`]).
pub const COMMENT_SECTION_WORDS: &[&str] = &[
    "comment",
    "comments",
    "reply",
    "kommentar",
    "kommentare",
    "commentaire",
    "commentaires",
    "comentario",
    "comentarios",
    "comentário",
    "comentários",
    "commento",
    "commenti",
    "reactie",
    "reacties",
    "комментарии",
    "комментарий",
    "комментариев",
    "komentarz",
    "komentarze",
    "komentarzy",
];

/// Words that head a comment section only after a count, as blog software titles one:
/// "7 Responses", "2 thoughts on “Title”", "Ein Gedanke zu „Title“", "3 réflexions
/// sur « Title »". Alone they are ordinary words ("Final thoughts", "Responses to the
/// survey"), so [`crate::policy`] requires the count. Counts of *replies* are left out
/// in every language: "3 replies" on wcxb's training pages counts the posts of a forum
/// thread, which are its main text, and "5 Antworten", "12 réponses", "4 respuestas"
/// are how forums in those languages count them.
pub const COUNTED_SECTION_WORDS: &[&str] = &[
    "response",
    "responses",
    "thought",
    "thoughts",
    "gedanke",
    "gedanken",
    "réflexion",
    "réflexions",
    "pensamiento",
    "pensamientos",
    "pensiero",
    "pensieri",
    "pensamento",
    "pensamentos",
    "gedachte",
    "gedachten",
    "myśl",
    "myśli",
    "мысль",
    "мысли",
    "мыслей",
];

/// Count words that open a counted heading in place of a number ("One Response to",
/// "No Comments", "Ein Gedanke zu", "Une réflexion sur", "Un comentario en").
pub const HEADING_COUNT_WORDS: &[&str] = &[
    "one", "no", "ein", "eine", "une", "un", "uno", "una", "um", "uma", "een", "één", "jeden",
    "jedna", "jedno", "один", "одна", "одно",
];

/// The same for unspaced scripts (matched anywhere in a line).
pub const COMMENT_SECTION_SUBSTRINGS: &[&str] = &["评论", "留言", "コメント"];

/// Phrases per category (lowercase). Latin-script phrases match on word boundaries;
/// CJK phrases match anywhere.
const PHRASES: &[(usize, &[&str])] = &[
    (
        0,
        &[
            "cookie",
            "cookies",
            "privacy",
            "privacy policy",
            "consent",
            "gdpr",
            "datenschutz",
            "confidentialité",
            "privacidad",
            "privacidade",
            "riservatezza",
            "политика конфиденциальности",
            "隐私",
            "プライバシー",
            "polityka prywatności",
            "we use cookies",
            "accept all",
            "tracking",
        ],
    ),
    (
        1,
        &[
            "subscribe",
            "subscription",
            "newsletter",
            "sign up",
            "signup",
            "indicates required",
            "abonnieren",
            "abonnement",
            "abonner",
            "s'abonner",
            "suscríbete",
            "suscribirse",
            "suscripción",
            "iscriviti",
            "assine",
            "inscreva-se",
            "aanmelden",
            "abonneer",
            "подписаться",
            "подписка",
            "订阅",
            "購読",
            "zapisz się",
            "prenumerata",
            "get the latest",
            "delivered to your inbox",
            "join our",
            "newsletter abonnieren",
            "jetzt abonnieren",
            "abonnez-vous",
            "inscrivez-vous",
            "lettre d'information",
            "boletín",
            "abbonati",
            "assinar",
            "assinatura",
            "cadastre-se",
            "abonneren",
            "inschrijven",
            "рассылка",
            "подпишитесь",
            "subskrybuj",
            "邮件订阅",
            "メールマガジン",
        ],
    ),
    (
        2,
        &[
            "sign in",
            "log in",
            "login",
            "log out",
            "logout",
            "register",
            "my account",
            "create account",
            "anmelden",
            "einloggen",
            "connexion",
            "se connecter",
            "iniciar sesión",
            "accedi",
            "entrar",
            "inloggen",
            "войти",
            "вход",
            "регистрация",
            "登录",
            "注册",
            "ログイン",
            "zaloguj",
            "password",
            "forgot",
            "registrieren",
            "passwort",
            "abmelden",
            "mein konto",
            "s'inscrire",
            "mot de passe",
            "mon compte",
            "déconnexion",
            "registrarse",
            "contraseña",
            "mi cuenta",
            "cerrar sesión",
            "registrati",
            "il mio account",
            "cadastrar",
            "minha conta",
            "senha",
            "registreren",
            "wachtwoord",
            "mijn account",
            "uitloggen",
            "пароль",
            "выйти",
            "личный кабинет",
            "zarejestruj",
            "hasło",
            "moje konto",
            "wyloguj",
            "登出",
            "密码",
            "ログアウト",
            "パスワード",
            "新規登録",
        ],
    ),
    (
        3,
        &[
            "share",
            "shares",
            "follow us",
            "tweet",
            "facebook",
            "twitter",
            "linkedin",
            "whatsapp",
            "pinterest",
            "instagram",
            "youtube",
            "tiktok",
            "reddit",
            "email this",
            "teilen",
            "partager",
            "compartir",
            "condividi",
            "compartilhe",
            "delen",
            "поделиться",
            "分享",
            "シェア",
            "udostępnij",
            "copy link",
            "print",
            "folgen sie uns",
            "link kopieren",
            "drucken",
            "partager sur",
            "suivez-nous",
            "copier le lien",
            "imprimer",
            "síguenos",
            "copiar enlace",
            "imprimir",
            "seguici",
            "copia link",
            "compartilhar",
            "partilhar",
            "siga-nos",
            "copiar link",
            "volg ons",
            "kopieer link",
            "подписывайтесь",
            "копировать ссылку",
            "obserwuj nas",
            "kopiuj link",
            "drukuj",
            "分享到",
            "复制链接",
            "微信",
            "微博",
            "ツイート",
            "リンクをコピー",
        ],
    ),
    (
        4,
        &[
            "advertisement",
            "advertising",
            "sponsored",
            "anzeige",
            "werbung",
            "publicité",
            "publicidad",
            "pubblicità",
            "publicidade",
            "advertentie",
            "реклама",
            "广告",
            "広告",
            "reklama",
            "promoted",
            "ad choices",
            "gesponsert",
            "sponsorisé",
            "contenu sponsorisé",
            "patrocinado",
            "sponsorizzato",
            "gesponsord",
            "sponsorowane",
            "赞助",
            "スポンサー",
        ],
    ),
    (
        5,
        &[
            "related",
            "read more",
            "more from",
            "recommended",
            "you may also like",
            "see also",
            "trending",
            "most popular",
            "most read",
            "read next",
            "weiterlesen",
            "mehr zum thema",
            "das könnte sie auch interessieren",
            "lire aussi",
            "lire la suite",
            "à lire aussi",
            "leer más",
            "te puede interesar",
            "leggi anche",
            "continua a leggere",
            "leia mais",
            "lees meer",
            "lees ook",
            "читать далее",
            "читайте также",
            "相关",
            "阅读更多",
            "関連",
            "続きを読む",
            "czytaj więcej",
            "zobacz też",
            "view all",
            "see all",
            "show more",
            "load more",
            "more stories",
            "latest news",
            "ähnliche artikel",
            "weitere artikel",
            "meistgelesen",
            "meistgelesene artikel",
            "zum thema",
            "auch interessant",
            "alle anzeigen",
            "articles similaires",
            "voir aussi",
            "les plus lus",
            "à lire également",
            "voir plus",
            "voir tout",
            "sur le même sujet",
            "noticias relacionadas",
            "artículos relacionados",
            "ver también",
            "lo más leído",
            "más leídas",
            "ver más",
            "ver todo",
            "también te puede interesar",
            "te recomendamos",
            "articoli correlati",
            "potrebbe interessarti",
            "ti potrebbe interessare",
            "i più letti",
            "più letti",
            "vedi anche",
            "leggi di più",
            "mostra tutto",
            "altri articoli",
            "notícias relacionadas",
            "tópicos relacionados",
            "artigos relacionados",
            "veja também",
            "mais lidas",
            "ver mais",
            "ver todas",
            "ver todos",
            "leia também",
            "gerelateerde artikelen",
            "meest gelezen",
            "bekijk ook",
            "meer nieuws",
            "lees verder",
            "bekijk alles",
            "похожие статьи",
            "другие новости",
            "самое читаемое",
            "смотрите также",
            "показать ещё",
            "читать ещё",
            "powiązane artykuły",
            "najczęściej czytane",
            "czytaj także",
            "zobacz także",
            "pokaż więcej",
            "więcej artykułów",
            "相关文章",
            "热门文章",
            "推荐阅读",
            "查看更多",
            "関連記事",
            "人気記事",
            "もっと見る",
        ],
    ),
    (
        6,
        &[
            "©",
            "copyright",
            "all rights reserved",
            "terms of use",
            "terms of service",
            "terms and conditions",
            "impressum",
            "imprint",
            "alle rechte vorbehalten",
            "tous droits réservés",
            "mentions légales",
            "todos los derechos reservados",
            "aviso legal",
            "tutti i diritti riservati",
            "todos os direitos reservados",
            "alle rechten voorbehouden",
            "все права защищены",
            "版权所有",
            "著作権",
            "wszelkie prawa zastrzeżone",
            "accessibility",
            "sitemap",
            "powered by",
            "datenschutzerklärung",
            "nutzungsbedingungen",
            "agb",
            "conditions générales",
            "conditions d'utilisation",
            "politique de confidentialité",
            "términos y condiciones",
            "política de privacidad",
            "condiciones de uso",
            "termini e condizioni",
            "note legali",
            "termos de uso",
            "política de privacidade",
            "termos e condições",
            "algemene voorwaarden",
            "privacybeleid",
            "пользовательское соглашение",
            "условия использования",
            "regulamin",
            "使用条款",
            "隐私政策",
            "免责声明",
            "利用規約",
            "免責事項",
            "無断転載",
        ],
    ),
    (
        7,
        &[
            "skip to",
            "home",
            "menu",
            "search",
            "next",
            "previous",
            "back to top",
            "contact",
            "contact us",
            "about us",
            "startseite",
            "suche",
            "accueil",
            "rechercher",
            "inicio",
            "buscar",
            "cerca",
            "início",
            "zoeken",
            "главная",
            "поиск",
            "首页",
            "搜索",
            "ホーム",
            "検索",
            "szukaj",
            "strona główna",
            "toggle navigation",
            "main menu",
            "close",
            "open",
            "go to",
            "jump to",
            "page",
            "older posts",
            "newer posts",
            "zum inhalt springen",
            "nach oben",
            "über uns",
            "aller au contenu",
            "nous contacter",
            "qui sommes-nous",
            "retour en haut",
            "plan du site",
            "ir al contenido",
            "saltar al contenido",
            "contacto",
            "quiénes somos",
            "volver arriba",
            "mapa del sitio",
            "vai al contenuto",
            "contatti",
            "chi siamo",
            "torna su",
            "mappa del sito",
            "ir para o conteúdo",
            "pular para o conteúdo",
            "contato",
            "fale conosco",
            "quem somos",
            "voltar ao topo",
            "mapa do site",
            "naar inhoud",
            "over ons",
            "terug naar boven",
            "перейти к содержимому",
            "контакты",
            "о нас",
            "карта сайта",
            "przejdź do treści",
            "kontakt",
            "o nas",
            "mapa strony",
            "返回顶部",
            "联系我们",
            "关于我们",
            "网站地图",
            "トップへ戻る",
            "お問い合わせ",
            "サイトマップ",
        ],
    ),
    (
        8,
        &[
            "leave a reply",
            "leave a comment",
            "likes",
            "upvote",
            "quote",
            "report",
            "antworten",
            "kommentieren",
            "kommentar schreiben",
            "répondre",
            "laisser un commentaire",
            "responder",
            "deja un comentario",
            "dejar un comentario",
            "rispondi",
            "lascia un commento",
            "deixe um comentário",
            "reageer",
            "plaats een reactie",
            "ответить",
            "оставить комментарий",
            "комментировать",
            "odpowiedz",
            "dodaj komentarz",
            "skomentuj",
            "回复",
            "发表评论",
            "条评论",
            "返信",
            "コメントする",
        ],
    ),
    (
        9,
        &[
            "posted",
            "published",
            "updated",
            "by",
            "author",
            "written by",
            "min read",
            "minute read",
            "veröffentlicht",
            "aktualisiert",
            "von",
            "publié",
            "par",
            "mis à jour",
            "publicado",
            "actualizado",
            "por",
            "pubblicato",
            "aggiornato",
            "di",
            "gepubliceerd",
            "door",
            "опубликовано",
            "автор",
            "发布",
            "作者",
            "公開",
            "投稿",
            "opublikowano",
            "autor",
            "ago",
            "am",
            "pm",
            "edt",
            "est",
            "gmt",
            "utc",
            "veröffentlicht am",
            "lesezeit",
            "publié le",
            "temps de lecture",
            "auteur",
            "publicado el",
            "tiempo de lectura",
            "pubblicato il",
            "tempo di lettura",
            "autore",
            "publicado em",
            "atualizado em",
            "tempo de leitura",
            "leestijd",
            "обновлено",
            "zaktualizowano",
            "czas czytania",
            "责任编辑",
            "更新日",
        ],
    ),
    (
        10,
        &[
            "required",
            "email address",
            "e-mail",
            "enter your",
            "submit",
            "your name",
            "your email",
            "phone",
            "captcha",
            "send",
            "name",
            "email",
            "website",
            "pflichtfeld",
            "e-mail-adresse",
            "absenden",
            "ihr name",
            "champ obligatoire",
            "adresse e-mail",
            "envoyer",
            "votre nom",
            "campo obligatorio",
            "correo electrónico",
            "enviar",
            "tu nombre",
            "campo obbligatorio",
            "indirizzo email",
            "invia",
            "campo obrigatório",
            "seu nome",
            "seu e-mail",
            "verplicht veld",
            "verzenden",
            "e-mailadres",
            "обязательное поле",
            "отправить",
            "ваше имя",
            "pole wymagane",
            "wyślij",
            "adres e-mail",
            "必填",
            "提交",
            "メールアドレス",
        ],
    ),
    (
        11,
        &[
            "add to cart",
            "add to basket",
            "buy now",
            "in den warenkorb",
            "ajouter au panier",
            "añadir al carrito",
            "aggiungi al carrello",
            "adicionar ao carrinho",
            "in winkelwagen",
            "в корзину",
            "加入购物车",
            "カートに入れる",
            "do koszyka",
            "checkout",
            "wishlist",
            "free shipping",
            "in stock",
            "out of stock",
            "sku",
            "quantity",
            "reviews",
            "rating",
            "warenkorb",
            "versandkostenfrei",
            "auf lager",
            "panier",
            "livraison gratuite",
            "en stock",
            "carrito",
            "envío gratis",
            "agotado",
            "carrello",
            "spedizione gratuita",
            "carrinho",
            "frete grátis",
            "esgotado",
            "winkelwagen",
            "gratis verzending",
            "op voorraad",
            "в наличии",
            "koszyk",
            "darmowa dostawa",
            "kup teraz",
            "购物车",
            "立即购买",
            "包邮",
            "送料無料",
        ],
    ),
    (
        12,
        &[
            "photo",
            "image",
            "getty images",
            "reuters",
            "ap photo",
            "afp",
            "credit",
            "foto",
            "bild",
            "фото",
            "图片",
            "写真",
            "listen to this article",
            "created with ai",
            "ai-generated",
            "audio",
            "video",
            "watch",
            "click here",
            "download",
            "loading",
            "bildquelle",
            "crédit photo",
            "视频",
            "動画",
        ],
    ),
    (
        13,
        &[
            "january",
            "february",
            "march",
            "april",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "aug",
            "sept",
            "oct",
            "nov",
            "dec",
            "januar",
            "februar",
            "märz",
            "juni",
            "juli",
            "oktober",
            "dezember",
            "janvier",
            "février",
            "mars",
            "avril",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
            "gennaio",
            "febbraio",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "settembre",
            "ottobre",
            "dicembre",
            "janeiro",
            "fevereiro",
            "março",
            "maio",
            "junho",
            "julho",
            "setembro",
            "outubro",
            "novembro",
            "dezembro",
            "januari",
            "februari",
            "maart",
            "mei",
            "augustus",
            "januar",
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
            "yesterday",
            "today",
            "gestern",
            "heute",
            "hier",
            "aujourd'hui",
            "ayer",
            "hoy",
            "ieri",
            "oggi",
            "ontem",
            "hoje",
            "gisteren",
            "vandaag",
            "вчера",
            "сегодня",
            "昨天",
            "今天",
            "昨日",
            "今日",
            "wczoraj",
            "dzisiaj",
        ],
    ),
];

struct Lexicon {
    automaton: AhoCorasick,
    /// Category of each pattern, by pattern id.
    category: Vec<u8>,
    /// Whether the pattern needs word boundaries (it starts and ends with a letter or
    /// digit of a spaced script).
    bounded: Vec<bool>,
}

// The pattern set is a compile-time constant: building it cannot fail on any input.
#[allow(clippy::expect_used)]
fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut category = Vec::new();
        let mut bounded = Vec::new();
        // The comment-section words are listed once, for the policy too, and join
        // the comment category here.
        let section_words = COMMENT_SECTION_WORDS
            .iter()
            .chain(COMMENT_SECTION_SUBSTRINGS)
            .map(|w| (COMMENT_CATEGORY, w));
        let phrases = PHRASES
            .iter()
            .flat_map(|&(cat, words)| words.iter().map(move |w| (cat, w)))
            .chain(section_words);
        for (cat, &w) in phrases {
            patterns.push(w);
            category.push(cat as u8);
            let first = w.chars().next().unwrap_or(' ');
            let last = w.chars().last().unwrap_or(' ');
            let spaced = |c: char| c.is_alphanumeric() && !crate::words::is_unspaced_script(c);
            bounded.push(spaced(first) || spaced(last));
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            // A DFA: one table lookup per byte of every block's text.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("the built-in lexicon is a valid pattern set");
        Lexicon {
            automaton,
            category,
            bounded,
        }
    })
}

/// Per-block lexicon hits.
#[derive(Debug, Clone, Copy, Default)]
pub struct LexiconHits {
    /// Hits per category of [`LEXICON_CATEGORIES`].
    pub counts: [u16; 14],
    /// Bytes of the text covered by hits.
    pub covered: u32,
}

/// Finds lexicon phrases in `lower` (already lowercased text).
pub fn lexicon_hits(lower: &str) -> LexiconHits {
    let lex = lexicon();
    let mut hits = LexiconHits::default();
    for m in lex.automaton.find_iter(lower) {
        let id = m.pattern().as_usize();
        if lex.bounded[id] {
            let before = lower[..m.start()].chars().next_back();
            let after = lower[m.end()..].chars().next();
            let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            if is_word(before) || is_word(after) {
                continue;
            }
        }
        let c = lex.category[id] as usize;
        hits.counts[c] = hits.counts[c].saturating_add(1);
        hits.covered += (m.end() - m.start()) as u32;
    }
    hits
}

/// Languages whose stopwords we count (ISO 639-1), in bit order.
pub const STOPWORD_LANGUAGES: &[&str] = &[
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "da", "no", "fi", "tr", "cs", "hu",
    "ro", "id", "zh", "ja", "uk", "el", "ar", "ko", "vi",
];

/// A small, fast, non-cryptographic hasher (the Fx hash of rustc) for the hot-path
/// tables keyed by words and block hashes. Not DoS-resistant, which is fine: the keys
/// of the stopword table are fixed, and the per-page maps live for one page.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The state, mixed so that every bit of it reaches the low bits. The hash tables
    /// take their bucket from the low bits, and a multiply only carries low bits up:
    /// without the mix, keys that differ past their first bytes ("t 1" ... "t 400000",
    /// one line each of a page) fell into 32 buckets of 512 Ki, and counting a page's
    /// repeated blocks took quadratic time (found by an audit: 400,000 such lines took
    /// 9.8 s to featurize, 800,000 took 68 s).
    #[inline]
    fn finish(&self) -> u64 {
        // The finaliser of MurmurHash3 (fmix64), minus its last multiply.
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

/// 64-bit FNV-1a of a string: stable across platforms and releases, so it can decide
/// things that must be reproducible (training folds and samples).
pub(crate) fn fnv1a64(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in s.as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A `HashMap` with [`FxHasher`].
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FxHashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// The stopwords of [`STOPWORD_LANGUAGES`] by word hash ([`crate::words::word_hash`],
/// the hash the word evidence reads too, so one hash per word serves both): a bit mask
/// of the languages each is a stopword of.
fn stopword_table() -> &'static WordTable<u32> {
    static TABLE: OnceLock<WordTable<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut masks: FxHashMap<&'static str, u32> = FxHashMap::default();
        for (bit, lang) in STOPWORD_LANGUAGES.iter().enumerate() {
            for &w in stop_words::lookup(lang).unwrap_or(&[]) {
                // Only entries that are one word as we split words can ever match
                // (Chinese and Japanese lists hold multi-character entries, ours are
                // single characters; "don't" is two words). Numbers are left out: the
                // hash reads every digit as 0, so the Spanish and Korean lists' "0" to
                // "9" and the English list's "10" and "39" would make every one- or
                // two-digit number a stopword.
                let (mut words, mut whole) = (0, false);
                crate::words::for_each_word(w, |one| {
                    words += 1;
                    whole = one == w;
                });
                if words == 1 && whole && !w.chars().any(char::is_numeric) {
                    *masks.entry(w).or_insert(0) |= 1 << bit;
                }
            }
        }
        let entries: Vec<(u32, u32)> = masks
            .into_iter()
            .map(|(w, mask)| (short(word_hash(w)), mask))
            .collect();
        WordTable::with_entries(&entries, 0.7)
    })
}

/// Stopword counts of one block.
#[derive(Debug, Clone, Copy, Default)]
pub struct StopwordStats {
    /// Stopwords of the best-matching language.
    pub best: u32,
    /// English stopwords (kept apart: the peers' jusText default).
    pub english: u32,
    /// Words that are stopwords in any language.
    pub any: u32,
}

/// Counts stopwords among the words of `lower` (lowercase text).
pub fn stopword_stats(lower: &str) -> StopwordStats {
    stopword_stats_each(lower, |_, _| {})
}

/// [`stopword_stats`], also handing each word and its [`crate::words::word_hash`] to
/// `each` (one pass over the text, one hash per word, for callers that need the words
/// too).
pub fn stopword_stats_each<'a>(
    lower: &'a str,
    mut each: impl FnMut(&'a str, u64),
) -> StopwordStats {
    let table = stopword_table();
    let mut per_lang = [0u32; 32];
    let mut stats = StopwordStats::default();
    crate::words::for_each_word(lower, |w| {
        let h = word_hash(w);
        each(w, h);
        if let Some(mask) = table.get(short(h)) {
            stats.any += 1;
            let mut m = mask;
            while m != 0 {
                let b = m.trailing_zeros() as usize;
                per_lang[b] += 1;
                m &= m - 1;
            }
        }
    });
    stats.english = per_lang[0];
    stats.best = per_lang.iter().copied().max().unwrap_or(0);
    stats
}

/// Guesses the language of a text from its stopwords: the ISO 639-1 code of the
/// language with the most stopword hits, or "und" when there are too few words to
/// tell. Coarse (it cannot tell close relatives apart reliably), but enough to group
/// evaluation pages by language.
pub fn guess_language(text: &str) -> &'static str {
    let table = stopword_table();
    let mut per_lang = [0u32; 32];
    let mut words = 0u32;
    let lower = text.to_lowercase();
    crate::words::for_each_word(&lower, |w| {
        words += 1;
        if let Some(mask) = table.get(short(word_hash(w))) {
            let mut m = mask;
            while m != 0 {
                per_lang[m.trailing_zeros() as usize] += 1;
                m &= m - 1;
            }
        }
    });
    let (best, hits) = per_lang
        .iter()
        .enumerate()
        .take(STOPWORD_LANGUAGES.len())
        .max_by_key(|&(i, &h)| (h, std::cmp::Reverse(i)))
        .map(|(i, &h)| (i, h))
        .unwrap_or((0, 0));
    if words < 20 || hits * 10 < words {
        "und"
    } else {
        STOPWORD_LANGUAGES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_on_word_boundaries() {
        let h = lexicon_hits("subscribe to our newsletter");
        assert_eq!(h.counts[1], 2);
        let h = lexicon_hits("the homeless shelter");
        assert_eq!(h.counts[7], 0, "home must not match inside homeless");
        let h = lexicon_hits("© 2026 example. all rights reserved.");
        assert_eq!(h.counts[6], 2);
        let h = lexicon_hits("加入购物车");
        assert_eq!(h.counts[11], 1);
    }

    /// The ten languages beside English: a typical boilerplate label of each
    /// hits its category, and a sentence of prose around the same words does not.
    #[test]
    fn labels_of_ten_languages_hit_their_category() {
        let cat = |name: &str| LEXICON_CATEGORIES.iter().position(|c| *c == name).unwrap();
        let labels = [
            ("Ähnliche Artikel", "related"),
            ("Zum Inhalt springen", "nav"),
            ("Politique de confidentialité", "legal"),
            ("Laisser un commentaire", "comment"),
            ("Noticias relacionadas", "related"),
            ("Campo obligatorio", "form"),
            ("Ti potrebbe interessare", "related"),
            ("Spedizione gratuita", "shop"),
            ("Tópicos relacionados", "related"),
            ("Compartilhar", "share"),
            ("Gerelateerde artikelen", "related"),
            ("Algemene voorwaarden", "legal"),
            ("Оставить комментарий", "comment"),
            ("Похожие статьи", "related"),
            ("Najczęściej czytane", "related"),
            ("Dodaj komentarz", "comment"),
            ("相关文章", "related"),
            ("返回顶部", "nav"),
            ("関連記事", "related"),
            ("利用規約", "legal"),
        ];
        for (text, category) in labels {
            let lower = text.to_lowercase();
            let h = lexicon_hits(&lower);
            assert!(
                h.counts[cat(category)] >= 1,
                "{text:?} should hit {category}"
            );
        }
        // Word boundaries hold in every Latin-script language: "agb" is not found
        // inside "Tagblatt", "panier" not inside "panière".
        for prose in ["das tagblatt berichtet", "une panière de fruits"] {
            let h = lexicon_hits(prose);
            assert_eq!(
                h.counts.iter().map(|&c| c as u32).sum::<u32>(),
                0,
                "{prose}"
            );
        }
    }

    #[test]
    fn comment_section_words_are_in_the_comment_category() {
        assert_eq!(LEXICON_CATEGORIES[COMMENT_CATEGORY], "comment");
        for w in COMMENT_SECTION_WORDS
            .iter()
            .chain(COMMENT_SECTION_SUBSTRINGS)
        {
            let h = lexicon_hits(w);
            assert_eq!(h.counts[COMMENT_CATEGORY], 1, "{w}");
        }
    }

    #[test]
    fn guesses_languages() {
        let en = "The council said on Monday that the new bridge would open to traffic in the spring, after years of delays and a long debate about its cost.";
        let de = "Der Gemeinderat hat am Montag beschlossen, dass die neue Brücke im Frühjahr für den Verkehr freigegeben wird, nach Jahren der Verzögerung und einer langen Debatte über die Kosten.";
        let fr = "Le conseil municipal a annoncé lundi que le nouveau pont serait ouvert à la circulation au printemps, après des années de retard et un long débat sur son coût.";
        assert_eq!(guess_language(en), "en");
        assert_eq!(guess_language(de), "de");
        assert_eq!(guess_language(fr), "fr");
        assert_eq!(guess_language("Home News"), "und");
    }

    #[test]
    fn stopwords_many_languages() {
        assert!(stopword_stats("the cat is on the mat").english >= 3);
        // Numbers are no stopwords, though some lists hold digits.
        assert_eq!(stopword_stats("10 39 5 ５ 2026").any, 0);
        let de = stopword_stats("der hund ist nicht in dem haus");
        assert!(de.best >= 4 && de.best > de.english);
        assert!(stopword_stats("это было не так").best >= 2);
    }
}
