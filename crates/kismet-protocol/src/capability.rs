//! The capability table the client discovers: protocol -> ordered field names.
//!
//! Built from the server's `CAPABILITY` replies, never hard-coded: a server
//! with plugins has more protocols. Lookups are case-insensitive, as the
//! server's are.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// One protocol and its fields, in the server's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolInfo {
    /// Name as the server spells it.
    pub name: String,
    /// Field names in CAPABILITY order.
    pub fields: Arc<[String]>,
}

/// Protocol -> field names, in the order the server listed the protocols.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapabilityTable {
    protocols: Vec<ProtocolInfo>,
    index: HashMap<String, usize>,
}

/// A name the table does not know, with the nearest ones it does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// No such protocol.
    UnknownProtocol {
        /// What was asked.
        name: String,
        /// Nearest known protocol names.
        nearest: Vec<String>,
    },
    /// No such field in that protocol.
    UnknownField {
        /// The protocol.
        protocol: String,
        /// What was asked.
        name: String,
        /// Nearest field names of that protocol.
        nearest: Vec<String>,
    },
    /// The field list is empty.
    EmptyFieldList {
        /// The protocol.
        protocol: String,
    },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = |f: &mut fmt::Formatter<'_>, nearest: &[String]| {
            if nearest.is_empty() {
                Ok(())
            } else {
                write!(f, " (did you mean {}?)", nearest.join(", "))
            }
        };
        match self {
            LookupError::UnknownProtocol { name, nearest } => {
                write!(f, "unknown protocol \"{}\"", crate::text::abbreviate(name))?;
                hint(f, nearest)
            }
            LookupError::UnknownField {
                protocol,
                name,
                nearest,
            } => {
                write!(
                    f,
                    "unknown field \"{}\" in {protocol}",
                    crate::text::abbreviate(name)
                )?;
                hint(f, nearest)
            }
            LookupError::EmptyFieldList { protocol } => {
                write!(f, "no fields given for {protocol} (use * for all)")
            }
        }
    }
}

impl std::error::Error for LookupError {}

impl CapabilityTable {
    /// An empty table.
    pub fn new() -> CapabilityTable {
        CapabilityTable::default()
    }

    /// Adds or replaces a protocol's field list.
    pub fn insert(&mut self, name: &str, fields: Vec<String>) {
        let info = ProtocolInfo {
            name: name.to_string(),
            fields: fields.into(),
        };
        match self.index.get(&name.to_ascii_uppercase()) {
            Some(&i) => self.protocols[i] = info,
            None => {
                self.index
                    .insert(name.to_ascii_uppercase(), self.protocols.len());
                self.protocols.push(info);
            }
        }
    }

    /// Number of protocols.
    pub fn len(&self) -> usize {
        self.protocols.len()
    }

    /// True when no protocol is known.
    pub fn is_empty(&self) -> bool {
        self.protocols.is_empty()
    }

    /// Every protocol, in the server's order.
    pub fn iter(&self) -> impl Iterator<Item = &ProtocolInfo> {
        self.protocols.iter()
    }

    /// The protocol called `name`, any case.
    pub fn get(&self, name: &str) -> Option<&ProtocolInfo> {
        self.index
            .get(&name.to_ascii_uppercase())
            .map(|&i| &self.protocols[i])
    }

    /// The protocol called `name`, or an error naming the nearest ones.
    ///
    /// # Errors
    /// [`LookupError::UnknownProtocol`].
    pub fn protocol(&self, name: &str) -> Result<&ProtocolInfo, LookupError> {
        self.get(name).ok_or_else(|| LookupError::UnknownProtocol {
            name: name.to_string(),
            nearest: nearest(name, self.protocols.iter().map(|p| p.name.as_str())),
        })
    }

    /// Resolves a field list (`ssid,mac` or `*`) against a protocol: the
    /// canonical names in the order asked (`*`: all, in capability order).
    ///
    /// # Errors
    /// Unknown protocol or field, or an empty list; each names what is valid.
    ///
    /// # Examples
    /// ```
    /// use kismet_protocol::CapabilityTable;
    /// let mut t = CapabilityTable::new();
    /// t.insert("SSID", vec!["mac".into(), "ssid".into()]);
    /// assert_eq!(t.resolve_fields("ssid", "SSID,mac").unwrap().1, ["ssid", "mac"]);
    /// assert!(t.resolve_fields("SSID", "nope").unwrap_err().to_string().contains("nope"));
    /// ```
    pub fn resolve_fields(
        &self,
        protocol: &str,
        spec: &str,
    ) -> Result<(String, Vec<String>), LookupError> {
        let info = self.protocol(protocol)?;
        // The server checks only the first character for '*'.
        if spec.starts_with('*') {
            return Ok((info.name.clone(), info.fields.to_vec()));
        }
        let mut out = Vec::new();
        for name in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match info.fields.iter().find(|f| f.eq_ignore_ascii_case(name)) {
                Some(f) => out.push(f.clone()),
                None => {
                    return Err(LookupError::UnknownField {
                        protocol: info.name.clone(),
                        name: name.to_string(),
                        nearest: nearest(name, info.fields.iter().map(String::as_str)),
                    })
                }
            }
        }
        if out.is_empty() {
            return Err(LookupError::EmptyFieldList {
                protocol: info.name.clone(),
            });
        }
        Ok((info.name.clone(), out))
    }
}

/// The known names closest to `name`: those it is a prefix of, else those
/// within a small edit distance; at most three.
pub fn nearest<'a>(name: &str, known: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let prefixed: Vec<String> = known
        .clone()
        .filter(|k| !lower.is_empty() && k.to_ascii_lowercase().starts_with(&lower))
        .take(3)
        .map(str::to_string)
        .collect();
    if !prefixed.is_empty() {
        return prefixed;
    }
    let limit = (name.len() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = known
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort_by_key(|(d, _)| *d);
    scored
        .into_iter()
        .take(3)
        .map(|(_, k)| k.to_string())
        .collect()
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> CapabilityTable {
        let mut t = CapabilityTable::new();
        t.insert(
            "SSID",
            ["mac", "checksum", "type", "ssid"]
                .map(String::from)
                .to_vec(),
        );
        t.insert("GPS", ["lat", "lon", "alt"].map(String::from).to_vec());
        t
    }

    /// Lookups ignore case; `*` means all in capability order.
    #[test]
    fn resolve() {
        let t = table();
        assert_eq!(t.get("gps").unwrap().name, "GPS");
        assert_eq!(
            t.resolve_fields("ssid", "SSID,Mac").unwrap().1,
            ["ssid", "mac"]
        );
        assert_eq!(
            t.resolve_fields("ssid", "*").unwrap().1,
            ["mac", "checksum", "type", "ssid"]
        );
    }

    /// Unknown names come back with the nearest valid ones.
    #[test]
    fn nearest_names() {
        let t = table();
        let e = t.resolve_fields("SSD", "x").unwrap_err();
        assert_eq!(
            e,
            LookupError::UnknownProtocol {
                name: "SSD".into(),
                nearest: vec!["SSID".into()]
            }
        );
        let e = t.resolve_fields("GPS", "lt").unwrap_err().to_string();
        assert!(
            e.contains("unknown field \"lt\" in GPS") && e.contains("lat"),
            "{e}"
        );
        assert!(matches!(
            t.resolve_fields("GPS", ","),
            Err(LookupError::EmptyFieldList { .. })
        ));
    }

    /// Re-inserting a protocol replaces its fields in place.
    #[test]
    fn insert_replaces() {
        let mut t = table();
        t.insert("gps", vec!["x".into()]);
        assert_eq!(t.len(), 2);
        assert_eq!(&*t.get("GPS").unwrap().fields, ["x".to_string()]);
    }
}
