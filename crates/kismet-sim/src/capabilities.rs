//! The simulator's protocol table: the 29 protocols of a default legacy
//! server, their field names in CAPABILITY order, parsed once from the
//! embedded `capabilities.txt` (the single source of truth). Which of them
//! are always on and which carry one payload comes from
//! [`kismet_protocol::spec`].

use std::sync::OnceLock;

use kismet_protocol::spec;

/// The embedded table, one `NAME field,field,...` line per protocol.
const TABLE_TEXT: &str = include_str!("capabilities.txt");

/// One protocol the simulator serves.
#[derive(Debug)]
pub struct ProtoDef {
    /// Upper-case name, as in the PROTOCOLS line.
    pub name: &'static str,
    /// Field names in CAPABILITY order.
    pub fields: Vec<&'static str>,
    /// The CAPABILITY payload, `NAME f1,f2,...`.
    pub capability: &'static str,
    /// Enabled for every client from the start ([`spec::ALWAYS_ON`]).
    pub always_on: bool,
    /// Carries one payload, the rest of the line
    /// ([`spec::is_payload_protocol`]).
    pub payload: bool,
}

/// The protocols, by their position in the PROTOCOLS line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Proto {
    Kismet,
    Error,
    Ack,
    Protocols,
    Capability,
    Terminate,
    Time,
    Packet,
    Status,
    Plugin,
    Source,
    Alert,
    Common,
    Trackinfo,
    Wepkey,
    String,
    Gps,
    Bssid,
    Ssid,
    Client,
    Bssidsrc,
    Clisrc,
    Nettag,
    Clitag,
    Remove,
    Channel,
    Info,
    Battery,
    Critfail,
}

/// Number of protocols in the table.
pub const PROTO_COUNT: usize = 29;

impl Proto {
    /// Every protocol, in PROTOCOLS order.
    pub const ALL: [Proto; PROTO_COUNT] = [
        Proto::Kismet,
        Proto::Error,
        Proto::Ack,
        Proto::Protocols,
        Proto::Capability,
        Proto::Terminate,
        Proto::Time,
        Proto::Packet,
        Proto::Status,
        Proto::Plugin,
        Proto::Source,
        Proto::Alert,
        Proto::Common,
        Proto::Trackinfo,
        Proto::Wepkey,
        Proto::String,
        Proto::Gps,
        Proto::Bssid,
        Proto::Ssid,
        Proto::Client,
        Proto::Bssidsrc,
        Proto::Clisrc,
        Proto::Nettag,
        Proto::Clitag,
        Proto::Remove,
        Proto::Channel,
        Proto::Info,
        Proto::Battery,
        Proto::Critfail,
    ];

    /// Protocols every client has from the moment it connects.
    pub fn always_on() -> impl Iterator<Item = Proto> {
        Proto::ALL.into_iter().filter(|p| p.def().always_on)
    }

    /// True for a protocol that carries one payload with no trailing space.
    pub fn is_payload(self) -> bool {
        self.def().payload
    }

    /// Position in the table.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The protocol's definition.
    pub fn def(self) -> &'static ProtoDef {
        &table()[self.index()]
    }

    /// Upper-case name.
    pub fn name(self) -> &'static str {
        self.def().name
    }

    /// Looks a protocol up by name, any case.
    pub fn lookup(name: &[u8]) -> Option<Proto> {
        table()
            .iter()
            .position(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| Proto::ALL[i])
    }

    /// Index of `field` (any case) in this protocol's field list.
    pub fn field_index(self, field: &[u8]) -> Option<usize> {
        self.def()
            .fields
            .iter()
            .position(|f| f.as_bytes().eq_ignore_ascii_case(field))
    }

    /// Number of fields.
    pub fn field_count(self) -> usize {
        self.def().fields.len()
    }
}

/// The parsed table, in PROTOCOLS order.
pub fn table() -> &'static [ProtoDef] {
    static TABLE: OnceLock<Vec<ProtoDef>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TABLE_TEXT
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|line| {
                let (name, list) = line.split_once(' ').unwrap_or((line, ""));
                ProtoDef {
                    name,
                    fields: list.split(',').filter(|f| !f.is_empty()).collect(),
                    capability: line,
                    always_on: spec::is_always_on(name),
                    payload: spec::is_payload_protocol(name.as_bytes()),
                }
            })
            .collect()
    })
}

/// The PROTOCOLS payload: every name, comma-separated.
pub fn protocols_line() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| table().iter().map(|p| p.name).collect::<Vec<_>>().join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table has 29 protocols and the enum names them in the same order.
    #[test]
    fn enum_matches_table() {
        assert_eq!(table().len(), PROTO_COUNT);
        for p in Proto::ALL {
            assert_eq!(format!("{p:?}").to_ascii_uppercase(), p.name());
        }
    }

    /// Every line is byte-identical to a CAPABILITY reply of the real server.
    #[test]
    fn matches_recorded_capabilities() {
        let recorded = include_str!("../../../tests/fixtures/legacy-server/capabilities.txt");
        let replies: Vec<&str> = recorded
            .lines()
            .filter_map(|l| l.strip_prefix("*CAPABILITY: "))
            .collect();
        assert_eq!(replies.len(), PROTO_COUNT);
        for p in table() {
            assert!(replies.contains(&p.capability), "{}", p.capability);
        }
    }

    /// The PROTOCOLS line is the one the real server sends.
    #[test]
    fn protocols_line_as_recorded() {
        assert_eq!(
            protocols_line(),
            "KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,PACKET,STATUS,PLUGIN,\
             SOURCE,ALERT,COMMON,TRACKINFO,WEPKEY,STRING,GPS,BSSID,SSID,CLIENT,BSSIDSRC,\
             CLISRC,NETTAG,CLITAG,REMOVE,CHANNEL,INFO,BATTERY,CRITFAIL"
        );
        assert_eq!(Proto::lookup(b"bssid"), Some(Proto::Bssid));
        assert_eq!(Proto::Client.field_count(), 56);
    }

    /// The always-on and payload protocols are the spec's, every one of them
    /// in the table.
    #[test]
    fn flags_from_spec() {
        let on: Vec<&str> = Proto::always_on().map(Proto::name).collect();
        assert_eq!(on, spec::ALWAYS_ON);
        let payload: Vec<&str> = Proto::ALL
            .into_iter()
            .filter(|p| p.is_payload())
            .map(Proto::name)
            .collect();
        let mut want = spec::PAYLOAD_PROTOCOLS.to_vec();
        want.sort_by_key(|n| Proto::lookup(n.as_bytes()).map(Proto::index));
        assert_eq!(payload, want);
    }
}
