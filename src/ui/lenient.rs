//! Field-by-field decoding of what the window remembers (RON, as eframe's storage keeps
//! it). Each field of a stored struct is decoded on its own: one whose stored value no
//! longer decodes (a wrong type, an unknown choice) keeps its default and is named in a
//! [`Reset`] with a short reason, and every other field is kept. In a map, one bad entry
//! drops only that entry. Fields stored by another version and unknown here are ignored.
//!
//! [`decode_fields!`] lists a struct's fields exhaustively, so a field added to the struct
//! and not to its decoder does not compile.

use std::collections::BTreeMap;
use std::fmt;

use ron::value::RawValue;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};

use crate::model::shown;

/// A remembered value that could not be read and was reset to its default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reset {
    /// Which value, in words (`page size`, `layouts → kr → layout`).
    pub field: String,
    /// Why, quoting the stored value (`"big" is not a number`).
    pub reason: String,
}

impl fmt::Display for Reset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.field, self.reason)
    }
}

/// The stored fields of one struct, each as its RON text, being decoded into a struct.
pub struct Fields<'r> {
    /// Where the struct sits (empty at the top; `layouts → kr` for a map entry).
    at: String,
    fields: BTreeMap<String, Box<RawValue>>,
    resets: &'r mut Vec<Reset>,
}

impl<'r> Fields<'r> {
    /// Reads `text` as a struct's fields; `None` (and a reset named `what`) when it is
    /// not a struct at all (not RON, cut short, another kind of value).
    pub fn parse(text: &str, what: &str, resets: &'r mut Vec<Reset>) -> Option<Self> {
        match ron::from_str::<RawFields>(text) {
            Ok(RawFields(fields)) => Some(Self {
                at: String::new(),
                fields,
                resets,
            }),
            Err(e) => {
                resets.push(Reset {
                    field: what.to_owned(),
                    reason: format!("they could not be read: {}", e.code),
                });
                None
            }
        }
    }

    /// Reads the stored value `raw` at `at` as a struct's fields; `None` (and a reset
    /// for `at`) when it is not a struct.
    pub fn nested(raw: &RawValue, at: &str, resets: &'r mut Vec<Reset>) -> Option<Self> {
        match raw.into_rust::<RawFields>() {
            Ok(RawFields(fields)) => Some(Self {
                at: at.to_owned(),
                fields,
                resets,
            }),
            Err(e) => {
                resets.push(Reset {
                    field: at.to_owned(),
                    reason: reason(raw, &e.code, at),
                });
                None
            }
        }
    }

    /// Decodes the stored field `name` into `slot`; a field that is missing leaves `slot`
    /// as it is (its default), one that does not decode too, with a reset.
    pub fn field<T: DeserializeOwned>(&mut self, name: &str, slot: &mut T) {
        let at = self.path(name);
        if let Some(raw) = self.fields.remove(name)
            && let Some(value) = decode(&raw, &at, self.resets)
        {
            *slot = value;
        }
    }

    /// Decodes the stored field `name` with `decode` (a nested struct decoded field by
    /// field), which is given the value, where it sits and the resets.
    pub fn field_with<T>(
        &mut self,
        name: &str,
        slot: &mut T,
        decode: impl FnOnce(&RawValue, &str, &mut Vec<Reset>) -> Option<T>,
    ) {
        let at = self.path(name);
        if let Some(raw) = self.fields.remove(name)
            && let Some(value) = decode(&raw, &at, self.resets)
        {
            *slot = value;
        }
    }

    /// Decodes the stored map `name` (text keys) entry by entry: an entry whose value does
    /// not decode is left out, with a reset; the others are kept.
    pub fn map<V: DeserializeOwned>(&mut self, name: &str, slot: &mut BTreeMap<String, V>) {
        self.map_with(name, slot, decode);
    }

    /// [`Fields::map`] with `decode` for each entry's value.
    pub fn map_with<V>(
        &mut self,
        name: &str,
        slot: &mut BTreeMap<String, V>,
        decode: impl Fn(&RawValue, &str, &mut Vec<Reset>) -> Option<V>,
    ) {
        let at = self.path(name);
        let Some(raw) = self.fields.remove(name) else {
            return;
        };
        let entries = match raw.into_rust::<RawMap>() {
            Ok(RawMap(entries)) => entries,
            Err(e) => {
                self.resets.push(Reset {
                    reason: reason(&raw, &e.code, &at),
                    field: at,
                });
                return;
            }
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            let Ok(key_text) = key.into_rust::<String>() else {
                self.resets.push(Reset {
                    field: at.clone(),
                    reason: format!("the key {} is not text", quoted(&key)),
                });
                continue;
            };
            let entry_at = format!("{at} → {}", shown(&key_text));
            if let Some(v) = decode(&value, &entry_at, self.resets) {
                out.insert(key_text, v);
            }
        }
        *slot = out;
    }

    fn path(&self, name: &str) -> String {
        let words = name.replace('_', " ");
        if self.at.is_empty() {
            words
        } else {
            format!("{} → {words}", self.at)
        }
    }
}

impl Drop for Fields<'_> {
    fn drop(&mut self) {
        if !self.fields.is_empty() {
            // Written by another version: nothing to keep them for.
            let names: Vec<&str> = self.fields.keys().map(String::as_str).collect();
            tracing::debug!(
                "remembered settings{}: unknown fields ignored: {}",
                if self.at.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.at)
                },
                names.join(", ")
            );
        }
    }
}

/// Decodes `raw` as a `T`; `None` and a reset for `at` when it is not one.
pub fn decode<T: DeserializeOwned>(raw: &RawValue, at: &str, resets: &mut Vec<Reset>) -> Option<T> {
    match raw.into_rust::<T>() {
        Ok(value) => Some(value),
        Err(e) => {
            resets.push(Reset {
                field: at.to_owned(),
                reason: reason(raw, &e.code, at),
            });
            None
        }
    }
}

/// Decodes every field of a struct from [`Fields`], starting from the struct's default.
/// The pattern names every field, so one added to the struct and not listed here is a
/// compile error. Each field names the [`Fields`] method that decodes it (`field`, `map`,
/// `map_with(decoder)`, `field_with(decoder)`).
///
/// ```ignore
/// decode_fields!(fields, LayoutSettings { layout: field, tickers: field, ... })
/// ```
macro_rules! decode_fields {
    ($fields:expr, $ty:ident { $($name:ident : $how:ident $(($arg:expr))?),* $(,)? }) => {{
        let mut out = $ty::default();
        {
            let fields = &mut $fields;
            let $ty { $($name),* } = &mut out;
            $( fields.$how(stringify!($name), $name $(, $arg)?); )*
        }
        out
    }};
}
pub(crate) use decode_fields;

/// Why `raw` did not decode, in a few words, quoting it.
fn reason(raw: &RawValue, err: &ron::Error, at: &str) -> String {
    use ron::Error as E;
    let value = quoted(raw);
    // A list, map or struct holds the value that is wrong; a scalar is it.
    let is = if raw.get_ron().trim_start().starts_with(['[', '{', '(']) {
        "holds something that is"
    } else {
        "is"
    };
    // The last part of where the value sits names what it should be (`layout`).
    let what = at.rsplit(" → ").next().unwrap_or(at);
    match err {
        E::ExpectedInteger | E::ExpectedFloat | E::InvalidIntegerDigit { .. } => {
            format!("{value} {is} not a number")
        }
        E::IntegerOutOfBounds => format!("{value} {is} out of range"),
        E::ExpectedBoolean => format!("{value} {is} not true or false"),
        E::ExpectedString | E::ExpectedStringEnd => format!("{value} {is} not text"),
        E::ExpectedArray | E::ExpectedArrayEnd => format!("{value} {is} not a list"),
        E::ExpectedMap | E::ExpectedMapEnd | E::ExpectedMapColon => {
            format!("{value} {is} not a map")
        }
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) | E::ExpectedStructLikeEnd => {
            format!("{value} {is} not a group of settings")
        }
        E::NoSuchEnumVariant { found, .. } => format!("unknown {what} \"{}\"", shown(found)),
        E::ExpectedIdentifier => format!("unknown {what} {value}"),
        E::InvalidValueForType { expected, .. } => format!("{value} {is} not {expected}"),
        E::Message(m) => format!("{value}: {m}"),
        other => format!("{value}: {other}"),
    }
}

/// The stored text of `raw`, short and inert.
fn quoted(raw: &RawValue) -> String {
    shown(raw.get_ron().trim())
}

/// A struct's stored fields, each as its RON text, in any order.
struct RawFields(BTreeMap<String, Box<RawValue>>);

impl<'de> Deserialize<'de> for RawFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a group of settings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFields, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Box<RawValue>>()?;
                    out.insert(key, value);
                }
                Ok(RawFields(out))
            }
        }
        // Any name and field list: the fields are read as they are stored.
        d.deserialize_struct("", &[], V)
    }
}

/// A map's stored entries, keys and values as their RON text, in stored order.
struct RawMap(Vec<(Box<RawValue>, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMap;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMap, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Box<RawValue>>()? {
                    let value = map.next_value::<Box<RawValue>>()?;
                    out.push((key, value));
                }
                Ok(RawMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize, serde::Serialize)]
    enum Shape {
        Round,
        Square,
    }

    #[derive(Debug, PartialEq, serde::Serialize)]
    struct Inner {
        shape: Shape,
        size: u32,
    }

    impl Default for Inner {
        fn default() -> Self {
            Self {
                shape: Shape::Round,
                size: 3,
            }
        }
    }

    fn decode_inner(raw: &RawValue, at: &str, resets: &mut Vec<Reset>) -> Option<Inner> {
        let mut fields = Fields::nested(raw, at, resets)?;
        Some(decode_fields!(
            fields,
            Inner {
                shape: field,
                size: field
            }
        ))
    }

    #[derive(Debug, Default, PartialEq, serde::Serialize)]
    struct Outer {
        count: u64,
        name: String,
        flag: bool,
        inner: Inner,
        by_key: BTreeMap<String, Inner>,
        lists: BTreeMap<String, Vec<u32>>,
    }

    fn outer(text: &str) -> (Outer, Vec<Reset>) {
        let mut resets = Vec::new();
        let out = match Fields::parse(text, "the settings", &mut resets) {
            Some(mut fields) => decode_fields!(
                fields,
                Outer {
                    count: field,
                    name: field,
                    flag: field,
                    inner: field_with(decode_inner),
                    by_key: map_with(decode_inner),
                    lists: map,
                }
            ),
            None => Outer::default(),
        };
        (out, resets)
    }

    #[test]
    fn what_is_written_reads_back_whole() {
        let value = Outer {
            count: 7,
            name: "x".into(),
            flag: true,
            inner: Inner {
                shape: Shape::Square,
                size: 9,
            },
            by_key: [("a".to_owned(), Inner::default())].into(),
            lists: [("b".to_owned(), vec![1, 2])].into(),
        };
        let (back, resets) = outer(&ron::ser::to_string(&value).unwrap());
        assert_eq!(back, value);
        assert!(resets.is_empty(), "{resets:?}");
    }

    #[test]
    fn bad_fields_and_entries_reset_alone_and_are_named() {
        let text = r#"(count: "big", name: "kept", flag: 3, unknown_field: 1,
            inner: (shape: Hexagon, size: 12),
            by_key: {"a": (shape: Square, size: "x"), "b": (size: 4), "c": 5},
            lists: {"good": [1], "bad": ["q"], 7: [2]})"#;
        let (back, resets) = outer(text);
        assert_eq!(back.count, 0);
        assert_eq!(back.name, "kept");
        assert!(!back.flag);
        assert_eq!(
            back.inner,
            Inner {
                shape: Shape::Round,
                size: 12
            }
        );
        assert_eq!(
            back.by_key,
            [
                (
                    "a".to_owned(),
                    Inner {
                        shape: Shape::Square,
                        size: 3
                    }
                ),
                (
                    "b".to_owned(),
                    Inner {
                        shape: Shape::Round,
                        size: 4
                    }
                ),
            ]
            .into()
        );
        assert_eq!(back.lists, [("good".to_owned(), vec![1])].into());
        let shown: Vec<String> = resets.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                r#"count ("big" is not a number)"#,
                "flag (3 is not true or false)",
                r#"inner → shape (unknown shape "Hexagon")"#,
                r#"by key → a → size ("x" is not a number)"#,
                "by key → c (5 is not a group of settings)",
                r#"lists → bad (["q"] holds something that is not a number)"#,
                "lists (the key 7 is not text)",
            ]
        );
    }

    #[test]
    fn unreadable_text_is_one_reset() {
        let (back, resets) = outer("(count: 1, name: \"cut sho");
        assert_eq!(back, Outer::default());
        assert_eq!(resets.len(), 1);
        assert_eq!(resets[0].field, "the settings");
        let (_, resets) = outer("[1, 2]");
        assert_eq!(resets.len(), 1, "{resets:?}");
    }

    #[test]
    fn quoted_values_are_short_and_inert() {
        let long = format!("(count: \"{}\u{1b}[31m\")", "9".repeat(500));
        let (_, resets) = outer(&long);
        assert_eq!(resets.len(), 1);
        assert!(resets[0].reason.len() < 100, "{}", resets[0].reason);
        assert!(!resets[0].reason.contains('\u{1b}'));
    }
}
