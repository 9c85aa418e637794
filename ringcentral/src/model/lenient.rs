//! Tolerant decoding: ids that arrive as JSON numbers or strings, and string enums with a
//! fallback variant so a new RingCentral value never breaks decoding.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum IdRepr {
    Text(String),
    Integer(i64),
    Unsigned(u64),
}

impl From<IdRepr> for String {
    fn from(repr: IdRepr) -> String {
        match repr {
            IdRepr::Text(s) => s,
            IdRepr::Integer(n) => n.to_string(),
            IdRepr::Unsigned(n) => n.to_string(),
        }
    }
}

/// An id sent as a JSON string or integer (e.g. `Extension.id` is an integer in SPEC while
/// `CallQueue.id` is a string), decoded as its decimal text.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    IdRepr::deserialize(deserializer).map(String::from)
}

/// Optional form of [`id`]; use with `#[serde(default)]`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Option::<IdRepr>::deserialize(deserializer).map(|o| o.map(String::from))
}

/// Defines a string enum with a fallback variant holding any unknown value (declared first,
/// after `@fallback`) plus known variants (with optional extra accepted spellings). Serializes back to the original text.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$fmeta:meta])*
            @fallback $fallback:ident,
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            $(#[$fmeta])*
            $fallback(String),
        }

        impl $name {
            /// The wire text of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::$fallback(other) => other.as_str(),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $text $(| $alias)* => $name::$variant, )+
                    other => $name::$fallback(other.to_owned()),
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok(text.parse().unwrap_or_else(|never: std::convert::Infallible| match never {}))
            }
        }
    };
}

pub(crate) use string_enum;

/// An optional RFC 3339 timestamp (`2019-09-05T08:05:00Z`, `2022-03-18T01:45:30.573Z`). A value
/// that does not parse decodes as `None` instead of failing the whole payload: a webhook
/// notification must never be lost to a timestamp format change. Use with `#[serde(default)]`.
pub(crate) fn opt_timestamp<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<jiff::Timestamp>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    Ok(text.and_then(|t| t.parse::<jiff::Timestamp>().ok()))
}
