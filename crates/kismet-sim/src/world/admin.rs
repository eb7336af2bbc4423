//! The world as the client commands change it: capture sources, tags,
//! WEP keys and string extraction.

use super::World;
use crate::devices::{Mac, Source};

impl World {
    /// The capture sources.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Adds a capture source from an ADDSOURCE line
    /// (`interface:name=X,type=Y,...`); returns its index.
    pub fn add_source(&mut self, interface: &str, name: &str, stype: &str) -> usize {
        let uuid = self.new_uuid();
        self.sources.push(Source::new(interface, stype, name, uuid));
        self.sources.len() - 1
    }

    /// The source with this UUID (any case).
    pub fn source_mut(&mut self, uuid: &str) -> Option<&mut Source> {
        self.sources
            .iter_mut()
            .find(|s| s.uuid.eq_ignore_ascii_case(uuid))
    }

    /// Removes the source with this UUID; false when there is none.
    pub fn remove_source(&mut self, uuid: &str) -> bool {
        let before = self.sources.len();
        self.sources.retain(|s| !s.uuid.eq_ignore_ascii_case(uuid));
        self.sources.len() != before
    }

    /// Sets a tag on a network; `None` when the network is unknown.
    pub fn set_nettag(&mut self, bssid: Mac, tag: &str, value: Option<&str>) -> Option<()> {
        let &i = self.net_index.get(&bssid)?;
        match value {
            Some(v) => self.networks[i].tags.insert(tag.to_string(), v.to_string()),
            None => self.networks[i].tags.remove(tag),
        };
        Some(())
    }

    /// Sets a tag on a client record; `None` when the record is unknown.
    pub fn set_clitag(
        &mut self,
        bssid: Mac,
        mac: Mac,
        tag: &str,
        value: Option<&str>,
    ) -> Option<()> {
        let &i = self.client_index.get(&(bssid, mac))?;
        match value {
            Some(v) => self.clients[i].tags.insert(tag.to_string(), v.to_string()),
            None => self.clients[i].tags.remove(tag),
        };
        Some(())
    }

    /// Adds or replaces a WEP key.
    pub fn add_wepkey(&mut self, bssid: Mac, key: &str) {
        self.wepkeys.retain(|(b, _)| *b != bssid);
        self.wepkeys.push((bssid, key.to_string()));
    }

    /// Removes a WEP key; false when there is none.
    pub fn del_wepkey(&mut self, bssid: Mac) -> bool {
        let before = self.wepkeys.len();
        self.wepkeys.retain(|(b, _)| *b != bssid);
        self.wepkeys.len() != before
    }

    /// The configured WEP keys: BSSID and hex key.
    pub fn wepkeys(&self) -> &[(Mac, String)] {
        &self.wepkeys
    }

    /// Switches string extraction (STRING records) on or off.
    pub fn set_strings(&mut self, on: bool) {
        self.strings = on;
    }
}
