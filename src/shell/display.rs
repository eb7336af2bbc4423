//! What of the enabled protocols' frames is shown: a filter per protocol
//! (`filter PROTO EXPR`), only new or changed devices (`only PROTO new`),
//! and the counts of frames shown and filtered out.
//!
//! These rules apply to the display only (the scrolling shell, `--follow`,
//! every format): the client's frame counts, the live model and a recording
//! still see every frame.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use kismet_client::{Filter, FilterError, FilterScope};
use kismet_protocol::device_key_index;
use kismet_protocol::Frame;

/// Devices remembered per protocol for `only new|changed`; past it, frames
/// of devices not remembered are shown and counted as untracked.
pub const MAX_KEYS: usize = 100_000;

/// Which frames of a protocol `only` lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Only {
    /// Every frame (no `only`).
    #[default]
    All,
    /// A device's first frame.
    New,
    /// A device's frame when a shown field differs from its last shown one.
    Changed,
}

impl Only {
    /// The word for it in `only PROTO WORD`.
    pub fn word(self) -> &'static str {
        match self {
            Only::All => "all",
            Only::New => "new",
            Only::Changed => "changed",
        }
    }
}

/// A protocol's filter: its text, and its compiled form for the field list
/// of the frames seen last.
#[derive(Debug)]
struct ProtoFilter {
    source: String,
    /// The field list it was compiled (or refused) for.
    names: Arc<[String]>,
    /// The filter compiled for `names`; `None` when it does not fit them.
    compiled: Option<Filter>,
    /// Why it does not compile for the fields now enabled (frames then do
    /// not pass).
    error: Option<String>,
}

/// The rules and counts of one protocol.
#[derive(Debug, Default)]
struct ProtoRules {
    filter: Option<ProtoFilter>,
    only: Only,
    /// Device key -> hash of its last shown fields.
    seen: HashMap<Vec<u8>, u64>,
    /// The key fields for a field list.
    key: Option<(Arc<[String]>, Vec<usize>)>,
    shown: u64,
    filtered: u64,
    untracked: u64,
    limited: u64,
}

/// Counts of one protocol's frames, as `status` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    /// Frames shown.
    pub shown: u64,
    /// Frames a filter or `only` kept from the display.
    pub filtered: u64,
    /// Frames shown because `only` could remember no more devices.
    pub untracked: u64,
    /// Frames the rules passed that the shell's output rate limit kept
    /// from the screen (not counted as shown).
    pub limited: u64,
}

/// One protocol's rules as listed by `filter` and `only`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleView {
    /// The protocol.
    pub protocol: String,
    /// The filter's text, if any.
    pub filter: Option<String>,
    /// Why the filter does not fit the fields enabled now.
    pub filter_error: Option<String>,
    /// The `only` setting.
    pub only: Only,
}

/// The display rules of a session.
#[derive(Debug, Default)]
pub struct DisplayRules {
    /// Per protocol (upper case): a handful, so a list is quicker to search
    /// than a hash map, and frames come in runs of one protocol.
    protos: Vec<(String, ProtoRules)>,
    /// Index in `protos` of the last protocol looked up.
    last: usize,
}

impl DisplayRules {
    /// Sets the filter of `protocol` (upper case), checked against `fields`,
    /// the protocol's enabled fields, and `all_fields`, all it has (a
    /// field that is not enabled is named as one to enable).
    ///
    /// # Errors
    /// The [`FilterError`]: the expression does not parse or names a field
    /// that is not enabled.
    pub fn set_filter(
        &mut self,
        protocol: &str,
        expr: &str,
        fields: Arc<[String]>,
        all_fields: &[String],
    ) -> Result<(), FilterError> {
        let scope = FilterScope {
            protocol: Some(protocol),
            all_fields,
        };
        let compiled = Filter::parse_in(expr, &fields, &scope)?;
        let rules = self.entry(protocol);
        rules.filter = Some(ProtoFilter {
            source: expr.to_string(),
            names: fields,
            compiled: Some(compiled),
            error: None,
        });
        Ok(())
    }

    /// Removes the filter of `protocol`; false when there was none.
    pub fn clear_filter(&mut self, protocol: &str) -> bool {
        self.entry(protocol).filter.take().is_some()
    }

    /// Sets `only` for `protocol`, forgetting the devices seen.
    pub fn set_only(&mut self, protocol: &str, only: Only) {
        let rules = self.entry(protocol);
        rules.only = only;
        rules.seen.clear();
    }

    /// The rules of every protocol that has any, sorted.
    pub fn rules(&self) -> Vec<RuleView> {
        let mut v: Vec<RuleView> = self
            .protos
            .iter()
            .filter(|(_, r)| r.filter.is_some() || r.only != Only::All)
            .map(|(p, r)| RuleView {
                protocol: p.clone(),
                filter: r.filter.as_ref().map(|f| f.source.clone()),
                filter_error: r.filter.as_ref().and_then(|f| f.error.clone()),
                only: r.only,
            })
            .collect();
        v.sort_by(|a, b| a.protocol.cmp(&b.protocol));
        v
    }

    /// The counts of `protocol` (upper case).
    pub fn shown(&self, protocol: &str) -> Shown {
        self.protos
            .iter()
            .find(|(p, _)| p == protocol)
            .map(|(_, r)| r)
            .map_or_else(Shown::default, |r| Shown {
                shown: r.shown,
                filtered: r.filtered,
                untracked: r.untracked,
                limited: r.limited,
            })
    }

    /// A frame that [`DisplayRules::pass`] passed was not printed after all
    /// (over the output rate limit): counted as limited, not shown.
    pub fn limited(&mut self, protocol: &str) {
        let rules = self.entry(protocol);
        rules.shown = rules.shown.saturating_sub(1);
        rules.limited += 1;
    }

    /// Zeroes the counts (a new connection: its frames are counted anew).
    pub fn reset_counts(&mut self) {
        for (_, r) in &mut self.protos {
            (r.shown, r.filtered, r.untracked, r.limited) = (0, 0, 0, 0);
        }
    }

    /// The rules of `protocol`, made empty if it has none yet.
    fn entry(&mut self, protocol: &str) -> &mut ProtoRules {
        let found = match self.protos.get(self.last) {
            Some((p, _)) if p == protocol => Some(self.last),
            _ => self.protos.iter().position(|(p, _)| p == protocol),
        };
        self.last = found.unwrap_or_else(|| {
            self.protos
                .push((protocol.to_string(), ProtoRules::default()));
            self.protos.len() - 1
        });
        &mut self.protos[self.last].1
    }

    /// True when `frame` is to be shown; counts it either way.
    pub fn pass(&mut self, frame: &Frame) -> bool {
        let rules = self.entry(frame.protocol());
        let shown = rules.filter_passes(frame) && rules.only_passes(frame);
        if shown {
            rules.shown += 1;
        } else {
            rules.filtered += 1;
        }
        shown
    }
}

impl ProtoRules {
    /// The filter lets `frame` through (no filter: yes). The filter is
    /// compiled again for a new field list (a re-ENABLE); when it no longer
    /// fits, nothing passes and the error says why. Either is worked out
    /// once per field list, not per frame.
    fn filter_passes(&mut self, frame: &Frame) -> bool {
        let Some(f) = &mut self.filter else {
            return true;
        };
        let scope = FilterScope {
            protocol: Some(frame.protocol()),
            all_fields: &[],
        };
        let Some(names) = frame.names_arc() else {
            return false;
        };
        if !Arc::ptr_eq(&f.names, names) {
            let same = f.names[..] == names[..];
            f.names = names.clone();
            if !same {
                match Filter::parse_in(&f.source, names, &scope) {
                    Ok(c) => {
                        f.compiled = Some(c);
                        f.error = None;
                    }
                    Err(e) => {
                        f.compiled = None;
                        f.error = Some(e.to_string());
                    }
                }
            }
        }
        f.compiled.as_ref().is_some_and(|c| c.matches(frame))
    }

    /// `only` lets `frame` through.
    fn only_passes(&mut self, frame: &Frame) -> bool {
        if self.only == Only::All {
            return true;
        }
        let Some(names) = frame.names_arc() else {
            return true;
        };
        if self
            .key
            .as_ref()
            .is_none_or(|(n, _)| !Arc::ptr_eq(n, names))
        {
            self.key = Some((names.clone(), device_key_index(names)));
        }
        let Some((_, key_fields)) = &self.key else {
            return true;
        };
        let mut key = Vec::with_capacity(32);
        for &i in key_fields {
            key.extend_from_slice(frame.field(i).unwrap_or_default());
            key.push(0);
        }
        let mut h = DefaultHasher::new();
        frame.fields().for_each(|f| f.hash(&mut h));
        let hash = h.finish();
        let full = self.seen.len() >= MAX_KEYS;
        match self.seen.get_mut(&key) {
            Some(last) => match self.only {
                Only::Changed if *last != hash => {
                    *last = hash;
                    true
                }
                _ => false,
            },
            None if full => {
                self.untracked += 1;
                true
            }
            None => {
                self.seen.insert(key, hash);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ssid: &str, mac: &str, signal: i32, names: &Arc<[String]>) -> Frame {
        let line = format!("*SSID: \x01{ssid}\x01 {mac} {signal} ");
        Frame::parse(line.as_bytes())
            .unwrap()
            .with_names(Some(names.clone()))
    }

    fn names() -> Arc<[String]> {
        ["ssid", "mac", "signal"].map(String::from).into()
    }

    /// A filter passes the matching frames and counts the others.
    #[test]
    fn filter_shows_matching_frames() {
        let n = names();
        let mut d = DisplayRules::default();
        d.set_filter("SSID", "signal > -60", n.clone(), &n).unwrap();
        assert!(d.pass(&frame("a", "00:01", -50, &n)));
        assert!(!d.pass(&frame("a", "00:01", -70, &n)));
        assert_eq!(
            d.shown("SSID"),
            Shown {
                shown: 1,
                filtered: 1,
                untracked: 0,
                limited: 0,
            }
        );
        // A frame passed but kept off the screen by the rate limit moves
        // from shown to limited; a new connection starts the counts over.
        d.limited("SSID");
        assert_eq!((d.shown("SSID").shown, d.shown("SSID").limited), (0, 1));
        d.reset_counts();
        assert_eq!(d.shown("SSID"), Shown::default());
        assert!(d.set_filter("SSID", "sigal > 1", n.clone(), &n).is_err());
        assert!(d.clear_filter("SSID"));
        assert!(d.pass(&frame("a", "00:01", -70, &n)));
    }

    /// `only new` shows a device once; `only changed` when a field changed.
    #[test]
    fn only_new_and_changed() {
        let n = names();
        let mut d = DisplayRules::default();
        d.set_only("SSID", Only::New);
        assert!(d.pass(&frame("a", "00:01", -50, &n)));
        assert!(!d.pass(&frame("a", "00:01", -51, &n)));
        assert!(d.pass(&frame("b", "00:02", -50, &n)));
        d.set_only("SSID", Only::Changed);
        assert!(d.pass(&frame("a", "00:01", -50, &n)));
        assert!(!d.pass(&frame("a", "00:01", -50, &n)));
        assert!(d.pass(&frame("a", "00:01", -49, &n)));
        assert_eq!(d.rules()[0].only, Only::Changed);
    }

    /// After a re-ENABLE without the filter's field, nothing passes and
    /// the filter says why.
    #[test]
    fn filter_follows_the_field_list() {
        let mut d = DisplayRules::default();
        d.set_filter("SSID", "signal > -60", names(), &[]).unwrap();
        let other: Arc<[String]> = ["ssid", "mac"].map(String::from).into();
        let f = Frame::parse(b"*SSID: \x01a\x01 00:01 ")
            .unwrap()
            .with_names(Some(other));
        assert!(!d.pass(&f));
        assert!(d.rules()[0].filter_error.is_some());
        assert!(!d.pass(&f), "still refused for the same list");
        // Enabled again with the field (a new list of the same names, as
        // after a reconnect): compiled again, frames pass, no error.
        let again = names();
        assert!(d.pass(&frame("a", "00:01", -50, &again)));
        assert!(!d.pass(&frame("a", "00:01", -70, &again)));
        assert!(d.rules()[0].filter_error.is_none());
        assert!(d.pass(&frame("b", "00:02", -40, &names())));
    }
}
