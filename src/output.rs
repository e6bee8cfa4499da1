//! Output records: one JSON object per document and line.
//!
//! * extract: `{"id": ..., "text": ...}`
//! * classify: `{"id": ..., "blocks": [{"text": ..., "p": ..., "label": ...}]}`
//! * a document that failed: `{"id": ..., "error": ...}`, so the number of records out
//!   always equals the number of documents in.

use serde::Serialize;

use crate::pipeline::Classified;

#[derive(Serialize)]
struct TextRecord<'a> {
    id: &'a str,
    text: &'a str,
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
}

#[derive(Serialize)]
struct ErrorRecord<'a> {
    id: &'a str,
    error: &'a str,
}

/// `{"id","text"}` line (without the newline).
pub fn text_record(id: &str, text: &str) -> String {
    serde_json::to_string(&TextRecord { id, text }).unwrap_or_default()
}

/// `{"id","blocks"}` line (without the newline).
pub fn blocks_record(id: &str, c: &Classified) -> String {
    let blocks = (0..c.page.len())
        .map(|i| BlockRecord {
            text: c.page.block_text(i),
            p: (c.probabilities[i] * 10_000.0).round() / 10_000.0,
            label: if c.labels[i] { "content" } else { "boilerplate" },
        })
        .collect();
    serde_json::to_string(&BlocksRecord { id, blocks }).unwrap_or_default()
}

/// `{"id","error"}` line (without the newline).
pub fn error_record(id: &str, error: &str) -> String {
    serde_json::to_string(&ErrorRecord { id, error }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_valid_json_with_escapes() {
        let line = text_record("a\"b", "line1\nline2 \u{1}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["id"], "a\"b");
        assert_eq!(v["text"], "line1\nline2 \u{1}");
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&error_record("x", "bad")).unwrap();
        assert_eq!(v["error"], "bad");
    }
}
