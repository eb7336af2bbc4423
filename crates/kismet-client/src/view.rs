//! What the user gets of each frame: the one place where that is decided.
//!
//! # One subscription per protocol, two consumers
//! The server keeps one field list per protocol and connection. When the
//! live model (a [`crate::Tracker`]) and the user both want a protocol,
//! this client enables the union of their fields on its one connection
//! (the user's first, in the user's order; see [`crate::subs`]). Every
//! frame is named with the list on the wire; the tracker takes its own
//! fields by name, and the user gets the frame cut to their own fields, or
//! nothing at all for a protocol they did not enable.
//!
//! The other way, the model on a second connection of its own, was
//! weighed and not taken: it would cost one of the server's client slots
//! (`maxclients` is 5 by default, and people run several clients and
//! drones against one server), parse every line the two share twice, and
//! split one session across two streams, so that a recording (which keeps
//! one connection's lines) could no longer feed the model when replayed.
//!
//! # What is decided here
//! [`Views::refresh`] reads the subscriptions (and the commands awaiting a
//! reply) whenever they change, and [`Naming`] then answers for each
//! frame, as it is read:
//! - its field names: the list on the wire, or the list before the last
//!   change for a frame of that layout still in flight;
//! - its [`Plan`]: shown whole, cut to the user's fields, or hidden (a
//!   protocol the user did not enable, only the tracker's, or one whose
//!   burst the tracker's own ENABLE brought).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::state::Shared;
use crate::Tracker;
use kismet_protocol::Frame;

/// What the user gets of one frame.
#[derive(Clone)]
pub enum Plan {
    /// The frame as it came.
    Keep,
    /// Nothing.
    Hide,
    /// Its first fields, these (the user's list; a tracker wants more).
    Cut(Arc<[String]>),
}

impl Plan {
    /// The frame as the user gets it.
    pub fn apply(self, frame: Frame) -> Option<Frame> {
        match self {
            Plan::Keep => Some(frame),
            Plan::Hide => None,
            Plan::Cut(user) => Some(frame.project(user.len(), Some(user))),
        }
    }
}

/// How a protocol's frames are named and shown.
#[derive(Clone)]
pub struct Naming {
    /// The fields on the wire, in order.
    names: Arc<[String]>,
    /// The protocol's list on the wire before the last change, for frames
    /// of that layout still in flight (see [`Naming::names_for`]).
    previous: Option<Arc<[String]>>,
    /// What the user gets.
    show: Show,
}

/// What the user gets of a protocol's frames.
#[derive(Clone)]
enum Show {
    /// The frame as it came.
    All,
    /// Its first fields only, the user's list (a tracker wants more).
    Prefix(Arc<[String]>),
    /// Nothing: the user did not enable it, only the tracker wants it, or
    /// its burst is being sent for the tracker.
    Hidden,
}

impl Naming {
    /// The list to remember as the one before `names`: this naming's own
    /// when it differs, else the one it remembered.
    fn replaced_by(&self, names: &Arc<[String]>) -> Option<Arc<[String]>> {
        if self.names[..] == names[..] {
            self.previous.clone()
        } else {
            Some(self.names.clone())
        }
    }

    /// The names of a frame: the wire's list, or, for a frame of the list
    /// before it (one sent before the server took a new ENABLE of the
    /// protocol, read after the client changed its list), that one. When
    /// the two lists have as many fields, such a frame cannot be told from
    /// one of the new layout and gets the new names.
    pub fn names_for(&self, frame: &Frame) -> &Arc<[String]> {
        match &self.previous {
            Some(p) if frame.len() != self.names.len() && frame.len() == p.len() => p,
            _ => &self.names,
        }
    }

    /// What the user gets of a frame named so: all of it, their fields, or
    /// nothing.
    pub fn plan_for(&self, frame: &Frame) -> Plan {
        match &self.show {
            Show::All => Plan::Keep,
            Show::Hidden => Plan::Hide,
            // A frame of the wire's layout, cut to the user's fields; or
            // one of the user's own layout, in flight from before the
            // tracker's fields were added: named by the user's list.
            Show::Prefix(user) if frame.len() == self.names.len() || frame.len() == user.len() => {
                Plan::Cut(user.clone())
            }
            // A frame of another layout (in flight across a re-ENABLE) is
            // left as it is.
            Show::Prefix(_) => Plan::Keep,
        }
    }
}

/// Field names and plans per protocol as the reader sees them: refreshed
/// only when the shared state's generation moves, so naming a frame takes
/// no lock.
#[derive(Default)]
pub struct Views {
    gen: u64,
    map: HashMap<String, Naming>,
    /// The last protocol looked up and its naming: frames come in runs.
    last: Option<(String, Option<Naming>)>,
    /// The tracker, fed every batch.
    pub tracker: Option<Arc<dyn Tracker>>,
    /// Protocols the tracker wants (upper case): parsed even when the
    /// user's frames are dropped.
    tracked: Vec<Vec<u8>>,
    /// The user removed TIME: silence does not mean death.
    pub time_removed: bool,
}

/// The naming of a protocol in the capability table that nobody enabled:
/// named by the table's list, not shown.
fn unsubscribed(names: Arc<[String]>) -> Naming {
    Naming {
        names,
        previous: None,
        show: Show::Hidden,
    }
}

impl Views {
    /// The naming of `proto`, from the one-entry cache when it is the same
    /// protocol as the last frame's; `None` for a protocol the capability
    /// table does not have.
    pub fn lookup(&mut self, proto: &str) -> Option<&Naming> {
        if !matches!(&self.last, Some((p, _)) if p == proto) {
            let naming = self.map.get(proto).cloned();
            self.last = Some((proto.to_string(), naming));
        }
        self.last.as_ref().and_then(|(_, naming)| naming.as_ref())
    }

    /// True for a protocol the tracker needs.
    pub fn is_tracked(&self, header: &[u8]) -> bool {
        self.tracked.iter().any(|t| t == header)
    }

    /// Reads the table, the subscriptions, the tracker and the protocols
    /// kept quiet, when any of them changed since the last call.
    pub fn refresh(&mut self, shared: &Shared) {
        let gen = shared.names_gen.load(Ordering::Acquire);
        if gen == self.gen {
            return;
        }
        self.gen = gen;
        self.last = None;
        let before = std::mem::take(&mut self.map);
        for p in shared.table.lock().iter() {
            self.map
                .insert(p.name.to_ascii_uppercase(), unsubscribed(p.fields.clone()));
        }
        // The bursts that the tracker's own commands bring are not shown
        // while those commands await their reply.
        let quiet: HashSet<String> = shared
            .pending
            .lock()
            .values()
            .filter_map(|p| p.quiet.clone())
            .collect();
        let subs = shared.subs.lock().clone();
        self.tracked.clear();
        for (key, wire) in subs.wires() {
            let show = match &wire.user {
                _ if quiet.contains(&key) => Show::Hidden,
                None => Show::Hidden,
                Some(u) if u.len() < wire.names.len() => Show::Prefix(u.clone()),
                Some(_) => Show::All,
            };
            if subs.tracked_of(&key).is_some() {
                self.tracked.push(key.as_bytes().to_vec());
            }
            let naming = Naming {
                names: wire.names,
                previous: None,
                show,
            };
            self.map.insert(key, naming);
        }
        for (key, naming) in &mut self.map {
            naming.previous = before
                .get(key)
                .and_then(|old| old.replaced_by(&naming.names));
        }
        self.time_removed = subs.is_removed("TIME");
        self.tracker = shared.tracker.lock().clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Arc<[String]> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into()
    }

    fn frame(line: &[u8]) -> Frame {
        Frame::parse(line).unwrap()
    }

    /// What the user gets of a frame follows the frame's layout: the
    /// wire's (the user's fields and a tracker's) is cut to the user's
    /// fields; the user's own, in flight from before the tracker's fields
    /// were added, is named by the user's list; another is left alone.
    #[test]
    fn plan_follows_the_frames_layout() {
        let user = names(&["channel", "bssid"]);
        let wire = names(&["channel", "bssid", "type", "manuf"]);
        let naming = Naming {
            names: wire.clone(),
            previous: None,
            show: Show::Prefix(user.clone()),
        };
        let shown = |f: Frame| {
            let plan = naming.plan_for(&f);
            plan.apply(f.with_names(Some(wire.clone())))
        };
        let cut = shown(frame(b"*BSSID: 6 00:14:6C:A1:00:01 2 \x01Netgear\x01 ")).unwrap();
        assert_eq!(cut.names(), Some(&user[..]));
        assert_eq!(cut.raw(), b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let old = shown(frame(b"*BSSID: 6 00:14:6C:A1:00:01 ")).unwrap();
        assert_eq!(old.names(), Some(&user[..]));
        assert_eq!(old.raw(), b"*BSSID: 6 00:14:6C:A1:00:01 ");
        let other = shown(frame(b"*BSSID: 6 ")).unwrap();
        assert_eq!(other.raw(), b"*BSSID: 6 ");
        let hidden = unsubscribed(wire.clone());
        assert!(matches!(hidden.plan_for(&frame(b"*BSSID: 6 ")), Plan::Hide));
        let all = Naming {
            names: wire,
            previous: None,
            show: Show::All,
        };
        assert!(matches!(all.plan_for(&frame(b"*BSSID: 6 ")), Plan::Keep));
    }

    /// A frame of the list before the last change (in flight across a
    /// re-ENABLE) is named by that list when its field count tells it from
    /// the new one; any other frame by the new list. The list remembered is
    /// the last one that differs.
    #[test]
    fn frames_of_the_list_before_a_change_keep_its_names() {
        let (all, two) = (names(&["ssid", "mac", "type"]), names(&["mac", "ssid"]));
        let first = Naming {
            names: all.clone(),
            previous: None,
            show: Show::All,
        };
        let naming = Naming {
            previous: first.replaced_by(&two),
            names: two.clone(),
            show: Show::All,
        };
        let old = frame(b"*SSID: \x01Home\x01 00:14:6C:A1:00:01 0 ");
        let new = frame(b"*SSID: 00:14:6C:A1:00:01 \x01Home\x01 ");
        let other = frame(b"*SSID: 00:14:6C:A1:00:01 ");
        assert!(Arc::ptr_eq(naming.names_for(&old), &all));
        assert!(Arc::ptr_eq(naming.names_for(&new), &two));
        assert!(Arc::ptr_eq(naming.names_for(&other), &two));
        // The same list again (a re-ENABLE with the same fields, a
        // reconnect): the one before it is still remembered.
        let again = names(&["mac", "ssid"]);
        assert!(Arc::ptr_eq(&naming.replaced_by(&again).unwrap(), &all));
        // No list before: the wire's.
        assert!(Arc::ptr_eq(first.names_for(&other), &all));
    }
}
