//! The orders a snapshot's networks sort in ([`SortColumn`]), and the
//! comparisons behind them.

use std::cmp::Ordering;
use std::str::FromStr;

use super::view::{cmp_known, NetworkView, Snapshot};

/// A column to sort networks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    /// BSSID.
    Bssid,
    /// Display SSID, case-insensitive.
    Ssid,
    /// BSSID type code.
    Type,
    /// Channel.
    Channel,
    /// Encryption strength ([`Encryption::rank`](kismet_protocol::decode::Encryption::rank)), then cipher and auth.
    Enc,
    /// Signal in dBm: the default column, strongest first.
    #[default]
    Signal,
    /// Packets.
    Packets,
    /// Client count.
    Clients,
    /// Manufacturer, case-insensitive.
    Manuf,
    /// Last seen.
    LastSeen,
}

/// Every sort column with its names (the first is canonical) and its
/// natural direction (descending for "more is first" columns): the one
/// table behind parsing, [`SortColumn::name`] and completion.
pub const SORT_COLUMNS: [(SortColumn, &[&str], bool); 10] = [
    (SortColumn::Bssid, &["bssid"], false),
    (SortColumn::Ssid, &["ssid", "essid", "name"], false),
    (SortColumn::Type, &["type"], false),
    (SortColumn::Channel, &["channel", "ch"], false),
    (SortColumn::Enc, &["enc", "crypt"], true),
    (SortColumn::Signal, &["signal", "pwr", "power"], true),
    (SortColumn::Packets, &["packets", "pkts"], true),
    (SortColumn::Clients, &["clients"], true),
    (SortColumn::Manuf, &["manuf"], false),
    (SortColumn::LastSeen, &["lastseen", "last", "seen"], true),
];

impl SortColumn {
    /// The column's canonical name.
    pub fn name(self) -> &'static str {
        SORT_COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .map_or("", |(_, names, _)| names[0])
    }

    /// The direction a person expects first: strongest signal, most
    /// packets, most recent first; names and numbers in rising order.
    pub fn descending_by_default(self) -> bool {
        SORT_COLUMNS
            .iter()
            .find(|(c, _, _)| *c == self)
            .is_some_and(|(_, _, d)| *d)
    }
}

impl FromStr for SortColumn {
    type Err = String;

    /// A column by any of its names, any case (`pwr` is `signal`).
    fn from_str(s: &str) -> Result<SortColumn, String> {
        SORT_COLUMNS
            .iter()
            .find(|(_, names, _)| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
            .map(|(c, _, _)| *c)
            .ok_or_else(|| format!("unknown sort column {s:?}"))
    }
}

/// Compares two strings case-insensitively without allocating.
pub(super) fn cmp_text(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// A string key ordered case-insensitively.
#[derive(PartialEq, Eq)]
struct Text<'a>(&'a str);

impl PartialOrd for Text<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_text(self.0, other.0)
    }
}

/// Compares two networks on one column (unknown values last), then by
/// BSSID so the order is total and stable between snapshots. A probe
/// entry's channel and encryption count as unknown.
pub(super) fn cmp_networks(
    a: &NetworkView,
    b: &NetworkView,
    column: SortColumn,
    desc: bool,
) -> Ordering {
    let enc = |n: &NetworkView| {
        n.cryptset
            .filter(|_| !n.is_probe())
            .map(|_| (n.encryption.rank(), n.encryption.cipher, n.encryption.auth))
    };
    let channel = |n: &NetworkView| n.channel.filter(|_| !n.is_probe());
    let by = match column {
        SortColumn::Bssid => cmp_known(Some(&a.bssid), Some(&b.bssid), desc),
        SortColumn::Ssid => cmp_known(
            a.ssid.as_deref().map(Text),
            b.ssid.as_deref().map(Text),
            desc,
        ),
        SortColumn::Type => cmp_known(a.network_type, b.network_type, desc),
        SortColumn::Channel => cmp_known(channel(a), channel(b), desc),
        SortColumn::Enc => cmp_known(enc(a), enc(b), desc),
        SortColumn::Signal => cmp_known(a.signal_dbm, b.signal_dbm, desc),
        SortColumn::Packets => cmp_known(a.packets, b.packets, desc),
        SortColumn::Clients => cmp_known(Some(a.clients), Some(b.clients), desc),
        SortColumn::Manuf => cmp_known(
            a.manuf.as_deref().map(Text),
            b.manuf.as_deref().map(Text),
            desc,
        ),
        SortColumn::LastSeen => cmp_known(a.last_seen, b.last_seen, desc),
    };
    by.then_with(|| a.bssid.cmp(&b.bssid))
}

impl Snapshot {
    /// The networks sorted on `column`, unknown values last in either
    /// direction, ties by BSSID. The default view is
    /// `sorted_networks(SortColumn::Signal, true)`: strongest first.
    pub fn sorted_networks(&self, column: SortColumn, descending: bool) -> Vec<&NetworkView> {
        let mut out: Vec<&NetworkView> = self.networks.iter().collect();
        out.sort_by(|a, b| cmp_networks(a, b, column, descending));
        out
    }
}
