//! Field deserializers that never fail on a type mismatch.
//!
//! RingCentral payloads carry ids as strings (`"170848004"`) but some SDK mocks and DOCS
//! examples use numbers, and display-only fields may change type between API versions. A
//! type surprise in a field the engine does not need must not cost an accepted event, so every
//! optional field goes through these adapters: the value becomes `None` instead of an error.
//! Required fields are then checked by [`super::convert`], which gives precise reasons.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, or a number/bool rendered as text; anything else (null, array, object) → `None`.
pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// An integer, or a string holding one; anything else → `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A bool, or the strings `"true"`/`"false"`; anything else → `None`.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// A JSON object decoded as `T` (whose fields must themselves be lenient); a non-object → `None`.
pub fn opt_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        v @ Value::Object(_) => serde_json::from_value(v).ok(),
        _ => None,
    })
}

/// A JSON array whose object items decode as `T`; non-object items become `None` entries (so a
/// caller can report "party #n is not an object"); a non-array → `None`.
pub fn opt_objects<'de, D, T>(d: D) -> Result<Option<Vec<Option<T>>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => Some(
            items
                .into_iter()
                .map(|item| match item {
                    v @ Value::Object(_) => serde_json::from_value(v).ok(),
                    _ => None,
                })
                .collect(),
        ),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "opt_text")]
        text: Option<String>,
        #[serde(default, deserialize_with = "opt_i64")]
        int: Option<i64>,
        #[serde(default, deserialize_with = "opt_bool")]
        flag: Option<bool>,
    }

    #[test]
    fn accepts_strings_and_numbers_and_drops_other_types() {
        let p: Probe =
            serde_json::from_str(r#"{"text":170848004,"int":"7","flag":"true"}"#).unwrap();
        assert_eq!(p.text.as_deref(), Some("170848004"));
        assert_eq!(p.int, Some(7));
        assert_eq!(p.flag, Some(true));
        let p: Probe = serde_json::from_str(r#"{"text":[1],"int":1.5,"flag":{}}"#).unwrap();
        assert_eq!((p.text, p.int, p.flag), (None, None, None));
        let p: Probe = serde_json::from_str("{}").unwrap();
        assert_eq!((p.text, p.int, p.flag), (None, None, None));
    }
}
