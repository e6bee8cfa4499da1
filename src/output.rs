//! Output records: one JSON object per document and line.
//!
//! * extract: `{"id": ..., "text": ..., "confidence": ...}` (the confidence is
//!   [`crate::decode::page_confidence`]: how sure the model is of the page's text)
//! * classify: `{"id": ..., "blocks": [{"text": ..., "p": ..., "label": ...}],
//!   "confidence": ...}`
//! * a document that failed: `{"id": ..., "error": ...}`, so the number of records out
//!   always equals the number of documents in; one over a size limit the run set
//!   (skipped, not broken) has `"too_large": true` after the error.
//!
//! A document from a record file (see [`crate::records`]) carries [`Fields`] into its
//! record, written in order between `"id"` and the result: a WARC record's `url`, a JSON
//! line's other fields. A field named like one dehusk writes (`text`, `blocks`,
//! `error`, `too_large`, `confidence`) is left out, so every record keeps the shape
//! above; a field named `id` is the id as the input gave it (a JSON line's number id)
//! and is written as the `"id"`, so `{"id": 17}` comes back as `17`, not `"17"`.

use serde::Serialize;
use serde_json::Value;

use crate::pipeline::Classified;

#[derive(Serialize)]
struct TextRecord<'a> {
    id: &'a str,
    text: &'a str,
    confidence: f32,
}

#[derive(Serialize)]
struct BlockRecord<'a> {
    text: &'a str,
    p: f32,
    label: &'static str,
}

#[derive(Serialize)]
struct BlocksRecord<'a> {
    id: &'a str,
    blocks: Vec<BlockRecord<'a>>,
    confidence: f32,
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    id: &'a str,
    error: &'a str,
}

/// Extra fields of an output record, in order: name and JSON value.
pub type Fields = Vec<(String, Value)>;

/// Keys dehusk writes itself; input fields of these names are not copied.
const RESERVED: [&str; 6] = ["id", "text", "blocks", "error", "too_large", "confidence"];

/// `{"id","text","confidence"}` line (without the newline); the confidence rounded
/// to four decimals, as block probabilities are.
pub fn text_record(id: &str, text: &str, confidence: f32) -> String {
    serde_json::to_string(&TextRecord {
        id,
        text,
        confidence: round4(confidence),
    })
    .unwrap_or_default()
}

/// `{"id","blocks","confidence"}` line (without the newline).
pub fn blocks_record(id: &str, c: &Classified) -> String {
    serde_json::to_string(&BlocksRecord {
        id,
        blocks: blocks(c),
        confidence: round4(c.confidence),
    })
    .unwrap_or_default()
}

/// `{"id","error"}` line (without the newline).
pub fn error_record(id: &str, error: &str) -> String {
    serde_json::to_string(&ErrorRecord { id, error }).unwrap_or_default()
}

/// `{"id", fields..., "text", "confidence"}` line (without the newline); the
/// confidence rounded to four decimals, as block probabilities are.
pub fn text_record_with(
    id: &str,
    fields: &[(String, Value)],
    text: &str,
    confidence: f32,
) -> String {
    record_with(
        id,
        fields,
        "text",
        text,
        Tail::Confidence(round4(confidence)),
    )
}

fn round4(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// `{"id", fields..., "blocks", "confidence"}` line (without the newline).
pub fn blocks_record_with(id: &str, fields: &[(String, Value)], c: &Classified) -> String {
    record_with(
        id,
        fields,
        "blocks",
        &blocks(c),
        Tail::Confidence(round4(c.confidence)),
    )
}

/// `{"id", fields..., "error"}` line (without the newline).
pub fn error_record_with(id: &str, fields: &[(String, Value)], error: &str) -> String {
    record_with(id, fields, "error", error, Tail::Nothing)
}

/// `{"id", fields..., "error", "too_large": true}` line (without the newline): the
/// error record of a document over a size limit, which was skipped, not broken.
pub fn too_large_record_with(id: &str, fields: &[(String, Value)], error: &str) -> String {
    record_with(id, fields, "error", error, Tail::TooLarge)
}

fn blocks(c: &Classified) -> Vec<BlockRecord<'_>> {
    (0..c.page.len())
        .map(|i| BlockRecord {
            text: c.page.display_text(i),
            p: round4(c.probabilities[i]),
            label: if c.labels[i] {
                "content"
            } else {
                "boilerplate"
            },
        })
        .collect()
}

/// What a record holds after its result.
enum Tail {
    Nothing,
    Confidence(f32),
    TooLarge,
}

/// Writes the object by hand: serde_json's map would sort the keys.
fn record_with<T: Serialize + ?Sized>(
    id: &str,
    fields: &[(String, Value)],
    key: &str,
    value: &T,
    tail: Tail,
) -> String {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(b"{\"id\":");
    // Writing JSON into a Vec cannot fail (non-finite floats become null). A JSON
    // line's id that is not a string is among the fields, to be written as given.
    let _ = match fields.iter().find(|(name, _)| name == "id") {
        Some((_, given)) => serde_json::to_writer(&mut out, given),
        None => serde_json::to_writer(&mut out, id),
    };
    for (name, field) in fields {
        if RESERVED.contains(&name.as_str()) {
            continue;
        }
        out.push(b',');
        let _ = serde_json::to_writer(&mut out, name);
        out.push(b':');
        let _ = serde_json::to_writer(&mut out, field);
    }
    out.push(b',');
    let _ = serde_json::to_writer(&mut out, key);
    out.push(b':');
    let _ = serde_json::to_writer(&mut out, value);
    match tail {
        Tail::Nothing => {}
        Tail::Confidence(c) => {
            out.extend_from_slice(b",\"confidence\":");
            let _ = serde_json::to_writer(&mut out, &c);
        }
        Tail::TooLarge => out.extend_from_slice(b",\"too_large\":true"),
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_valid_json_with_escapes() {
        let line = text_record("a\"b", "line1\nline2 \u{1}", 0.5);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], "a\"b");
        assert_eq!(v["text"], "line1\nline2 \u{1}");
        assert_eq!(v["confidence"], 0.5);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&error_record("x", "bad")).unwrap();
        assert_eq!(v["error"], "bad");
    }

    #[test]
    fn fields_keep_their_order_and_reserved_names_are_left_out() {
        let fields: Fields = vec![
            ("url".into(), Value::from("http://a/\"q")),
            ("text".into(), Value::from("the input's own text")),
            ("lang".into(), Value::from("en")),
            (
                "meta".into(),
                serde_json::json!({"b": 1, "a": [true, null]}),
            ),
            ("confidence".into(), Value::from(2)),
        ];
        let line = text_record_with("<urn:1>", &fields, "kept\ntext", 0.873_46);
        assert_eq!(
            line,
            r#"{"id":"<urn:1>","url":"http://a/\"q","lang":"en","meta":{"a":[true,null],"b":1},"text":"kept\ntext","confidence":0.8735}"#
        );
        let line = error_record_with("x", &fields, "bad");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["error"], "bad");
        assert_eq!(v["id"], "x");
        // Without fields, the same bytes as the plain records.
        assert_eq!(
            text_record_with("a", &[], "t", 0.0),
            r#"{"id":"a","text":"t","confidence":0.0}"#
        );
        assert_eq!(
            text_record_with("a", &[], "t", 0.873_46),
            text_record("a", "t", 0.873_46)
        );
        assert_eq!(error_record_with("a", &[], "e"), error_record("a", "e"));
    }

    #[test]
    fn an_id_field_is_the_id_as_the_input_gave_it() {
        // A JSON line's number id, kept among the fields by the reader.
        let fields: Fields = vec![
            ("id".into(), serde_json::json!(17)),
            ("url".into(), Value::from("http://a/")),
        ];
        assert_eq!(
            text_record_with("17", &fields, "t", 0.5),
            r#"{"id":17,"url":"http://a/","text":"t","confidence":0.5}"#
        );
        assert_eq!(
            too_large_record_with("17", &fields, "over"),
            r#"{"id":17,"url":"http://a/","error":"over","too_large":true}"#
        );
        let fields: Fields = vec![("id".into(), serde_json::json!([1, "a"]))];
        assert_eq!(
            error_record_with("[1,\"a\"]", &fields, "bad"),
            r#"{"id":[1,"a"],"error":"bad"}"#
        );
    }

    #[test]
    fn a_too_large_record_is_an_error_record_marked_so() {
        let fields: Fields = vec![
            ("url".into(), Value::from("http://a/")),
            ("too_large".into(), Value::from("the input's own")),
        ];
        assert_eq!(
            too_large_record_with("<urn:1>", &fields, "over"),
            r#"{"id":"<urn:1>","url":"http://a/","error":"over","too_large":true}"#
        );
    }
}
