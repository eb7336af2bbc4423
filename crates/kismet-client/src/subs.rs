//! What this client asked the server for, per protocol: the user's field
//! lists, the fields a tracker (the live model) needs, and the list that
//! goes on the wire, which is both.
//!
//! The server keeps one field list per protocol and connection, so when
//! the user and the tracker both want a protocol the client enables the
//! union: the user's fields first, in the user's order, then the tracker's
//! others. Frames come back in that order; the user's fields are then a
//! prefix of each frame, so showing the user exactly what they asked for is
//! a matter of cutting the frame short ([`kismet_protocol::Frame::project`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use kismet_protocol::spec::is_always_on;

/// One protocol's field lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The list enabled on the server (frames come in this order).
    pub names: Arc<[String]>,
    /// The user's list, a prefix of `names`; `None` when only the tracker
    /// wants the protocol.
    pub user: Option<Arc<[String]>>,
}

/// Subscriptions by protocol (upper-case keys).
#[derive(Debug, Default, Clone)]
pub struct Subscriptions {
    user: HashMap<String, Arc<[String]>>,
    tracked: HashMap<String, Arc<[String]>>,
    removed: HashSet<String>,
}

/// The union of `user` and `tracked`: the user's fields first.
fn union(user: Option<&Arc<[String]>>, tracked: Option<&Arc<[String]>>) -> Option<Arc<[String]>> {
    match (user, tracked) {
        (Some(u), None) => Some(u.clone()),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
        (Some(u), Some(t)) => {
            let extra: Vec<&String> = t
                .iter()
                .filter(|f| !u.iter().any(|g| g.eq_ignore_ascii_case(f)))
                .collect();
            if extra.is_empty() {
                return Some(u.clone());
            }
            let mut all: Vec<String> = u.to_vec();
            all.extend(extra.into_iter().cloned());
            Some(all.into())
        }
    }
}

impl Subscriptions {
    /// The user's subscriptions, sorted by protocol.
    pub fn user(&self) -> Vec<(String, Arc<[String]>)> {
        let mut v: Vec<_> = self
            .user
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        v.sort();
        v
    }

    /// The user's field list for `key` (upper case).
    pub fn user_of(&self, key: &str) -> Option<Arc<[String]>> {
        self.user.get(key).cloned()
    }

    /// The lists of `key` (upper case), when anyone wants it.
    pub fn wire_of(&self, key: &str) -> Option<Wire> {
        let names = union(self.user.get(key), self.tracked.get(key))?;
        Some(Wire {
            names,
            user: self.user.get(key).cloned(),
        })
    }

    /// Every protocol wanted, with its lists, sorted.
    pub fn wires(&self) -> Vec<(String, Wire)> {
        let mut keys: Vec<&String> = self.user.keys().chain(self.tracked.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| Some((k.clone(), self.wire_of(k)?)))
            .collect()
    }

    /// The always-on protocols the user removed, sorted.
    pub fn removed(&self) -> Vec<String> {
        let mut v: Vec<String> = self.removed.iter().cloned().collect();
        v.sort();
        v
    }

    /// True when the user removed the always-on `key`.
    pub fn is_removed(&self, key: &str) -> bool {
        self.removed.contains(key)
    }

    /// The user enables (`Some`) or removes (`None`) `key`; returns the
    /// user's list before, to put back if the server refuses.
    pub fn set_user(&mut self, key: &str, fields: Option<Arc<[String]>>) -> Option<Arc<[String]>> {
        if is_always_on(key) {
            if fields.is_some() {
                self.removed.remove(key);
            } else {
                self.removed.insert(key.to_string());
            }
        }
        match fields {
            Some(f) => self.user.insert(key.to_string(), f),
            None => self.user.remove(key),
        }
    }

    /// Sets what the tracker needs (empty: no tracker); returns the
    /// protocols whose wire list changed, with the new list (`None`: no one
    /// wants it any more).
    pub fn set_tracked(
        &mut self,
        tracked: HashMap<String, Arc<[String]>>,
    ) -> Vec<(String, Option<Arc<[String]>>)> {
        let before: HashMap<String, Option<Arc<[String]>>> = self
            .tracked
            .keys()
            .chain(tracked.keys())
            .map(|k| (k.clone(), self.wire_of(k).map(|w| w.names)))
            .collect();
        self.tracked = tracked;
        let mut changed: Vec<(String, Option<Arc<[String]>>)> = before
            .into_iter()
            .filter_map(|(k, old)| {
                let new = self.wire_of(&k).map(|w| w.names);
                (new != old).then_some((k, new))
            })
            .collect();
        changed.sort();
        changed
    }

    /// The tracker's list for `key`.
    pub fn tracked_of(&self, key: &str) -> Option<Arc<[String]>> {
        self.tracked.get(key).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> Arc<[String]> {
        s.split(',').map(String::from).collect()
    }

    /// The wire list is the user's fields, in the user's order, then the
    /// tracker's others; the user's list stays a prefix.
    #[test]
    fn union_keeps_the_users_order_first() {
        let mut s = Subscriptions::default();
        s.set_user("BSSID", Some(list("channel,bssid")));
        let changed = s.set_tracked(HashMap::from([(
            "BSSID".to_string(),
            list("bssid,type,channel,manuf"),
        )]));
        let w = s.wire_of("BSSID").unwrap();
        assert_eq!(&*w.names, &*list("channel,bssid,type,manuf"));
        assert_eq!(w.user.as_deref(), Some(&*list("channel,bssid")));
        assert!(w.user.as_ref().is_some_and(|u| u.len() < w.names.len()));
        assert_eq!(changed, vec![("BSSID".to_string(), Some(w.names.clone()))]);
        // The user removes it: only the tracker's list remains.
        s.set_user("BSSID", None);
        let w = s.wire_of("BSSID").unwrap();
        assert_eq!(&*w.names, &*list("bssid,type,channel,manuf"));
        assert_eq!(w.user, None);
        // The tracker goes: nothing remains, and that is a change.
        let changed = s.set_tracked(HashMap::new());
        assert_eq!(changed, vec![("BSSID".to_string(), None)]);
        assert!(s.wire_of("BSSID").is_none());
    }

    /// A user list that already holds the tracker's fields goes out as is.
    #[test]
    fn no_extra_fields_no_projection() {
        let mut s = Subscriptions::default();
        s.set_user("SSID", Some(list("ssid,mac,type")));
        s.set_tracked(HashMap::from([("SSID".to_string(), list("mac,ssid"))]));
        let w = s.wire_of("SSID").unwrap();
        assert_eq!(&*w.names, &*list("ssid,mac,type"));
        assert_eq!(w.user.as_deref(), Some(&*w.names));
    }

    /// Removing an always-on protocol is remembered, enabling it forgets.
    #[test]
    fn removed_always_on() {
        let mut s = Subscriptions::default();
        s.set_user("TIME", None);
        assert!(s.is_removed("TIME"));
        s.set_user("TIME", Some(list("timesec")));
        assert!(!s.is_removed("TIME"));
        assert_eq!(s.removed(), Vec::<String>::new());
    }
}
