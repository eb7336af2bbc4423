//! Exports of a [`kismet_client::Model`]: the files mapping tools and
//! WiGLE read.
//!
//! | Format | Extension | What it holds |
//! |---|---|---|
//! | [`Format::Wigle`] | `.csv` | WiGLE CSV 1.6: a row per sighting at a fix (or per device at its best position) |
//! | [`Format::Kml`] | `.kml` | OGC KML 2.2: a placemark per device at its best position, folders by encryption, the track |
//! | [`Format::GeoJson`] | `.geojson` | RFC 7946: a Point feature per device, the track as a LineString |
//! | [`Format::Gpx`] | `.gpx` | GPX 1.1: a waypoint per device and the track |
//! | [`Format::NetXml`] | `.netxml` | the legacy server's own network log, as far as the protocol carries it |
//!
//! Devices without a position are left out of every format but netxml
//! (its positions are optional), and counted in the [`Summary`].
//! [`write_file`] writes to a temporary name beside the file and renames
//! it, so a reader sees the old file or the new one, never half of one.
//!
//! # Examples
//! ```
//! use kismet_client::{History, Model};
//! use kismet_export::{write, Format, Input, Meta, Options};
//!
//! let model = Model::default();
//! let (snapshot, history) = (model.snapshot(), History::default());
//! let meta = Meta::new("kismet-shell 0.1.0", "localhost:2501");
//! let input = Input { snapshot: &snapshot, history: &history, meta: &meta };
//! let mut out = Vec::new();
//! let summary = write(Format::GeoJson, &input, &Options::default(), &mut out).unwrap();
//! assert_eq!(summary.written, 0);
//! let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(doc["type"], "FeatureCollection");
//! ```

#![forbid(unsafe_code)]

mod common;
mod file;
mod geojson;
mod gpx;
mod kml;
mod netxml;
#[cfg(test)]
mod test_data;
#[cfg(test)]
mod testing;
mod wigle;

use std::fmt;
use std::io::{self, Write};
use std::path::Path;

use kismet_client::{ClientView, History, LatLon, NetworkView, Snapshot};

pub use common::{frequency_mhz, wigle_auth_mode};
pub use file::{check_writable, write_file, ExportError};

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// WiGLE CSV, version 1.6 (`.csv`).
    Wigle,
    /// OGC KML 2.2 (`.kml`).
    Kml,
    /// GeoJSON, RFC 7946 (`.geojson`).
    GeoJson,
    /// GPX 1.1 (`.gpx`).
    Gpx,
    /// Kismet's netxml network log (`.netxml`).
    NetXml,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 5] = [
        Format::Wigle,
        Format::Kml,
        Format::GeoJson,
        Format::Gpx,
        Format::NetXml,
    ];

    /// The format's name, as `--export-format` takes it: `csv`, `kml`,
    /// `geojson`, `gpx`, `netxml`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Wigle => "csv",
            Format::Kml => "kml",
            Format::GeoJson => "geojson",
            Format::Gpx => "gpx",
            Format::NetXml => "netxml",
        }
    }

    /// The format named `name` (any case; `wigle` is `csv`, `json` is
    /// `geojson`, `xml` is `netxml`).
    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim().to_ascii_lowercase();
        let alias = match name.as_str() {
            "wigle" => "csv",
            "json" => "geojson",
            "xml" => "netxml",
            other => other,
        };
        Format::ALL.into_iter().find(|f| f.name() == alias)
    }

    /// The format of a file, from its extension.
    ///
    /// # Errors
    /// [`ExportError::UnknownFormat`] when the extension is none of the
    /// formats'.
    pub fn from_path(path: &Path) -> Result<Format, ExportError> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_name)
            .ok_or_else(|| ExportError::UnknownFormat(path.display().to_string()))
    }

    /// Whether the format holds only devices with a position.
    pub fn needs_positions(self) -> bool {
        self != Format::NetXml
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which devices an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum What {
    /// Networks (access points, ad-hoc cells, and the like; not the
    /// records of stations seen only probing).
    #[default]
    Networks,
    /// Client records (not an access point's record of itself).
    Clients,
    /// Both.
    All,
}

impl What {
    /// `networks`, `clients`, `all`.
    pub fn name(self) -> &'static str {
        match self {
            What::Networks => "networks",
            What::Clients => "clients",
            What::All => "all",
        }
    }

    /// The choice named `name`.
    pub fn from_name(name: &str) -> Option<What> {
        [What::Networks, What::Clients, What::All]
            .into_iter()
            .find(|w| w.name().eq_ignore_ascii_case(name.trim()))
    }

    fn networks(self) -> bool {
        self != What::Clients
    }

    fn clients(self) -> bool {
        self != What::Networks
    }
}

/// How to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Which devices.
    pub what: What,
    /// WiGLE CSV: one row per device at its best position, instead of one
    /// per sighting.
    pub best: bool,
}

/// Who wrote an export, and from where (for the formats' headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    /// The writing program and its version, `kismet-shell 0.1.0`.
    pub app: String,
    /// The server the data came from (`HOST:PORT`, or a recording's name).
    pub source: String,
    /// When the export was written, epoch seconds.
    pub written: u64,
}

impl Meta {
    /// A header written now.
    pub fn new(app: &str, source: &str) -> Meta {
        let written = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Meta {
            app: app.to_string(),
            source: source.to_string(),
            written,
        }
    }
}

/// What an export is made from.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The devices.
    pub snapshot: &'a Snapshot,
    /// The GPS track, and the sightings (for WiGLE rows).
    pub history: &'a History,
    /// Header values.
    pub meta: &'a Meta,
}

/// A device an export shows: a network or a client record.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Device<'a> {
    Network(&'a NetworkView),
    Client(&'a ClientView),
}

impl Device<'_> {
    pub(crate) fn best(&self) -> Option<LatLon> {
        match self {
            Device::Network(n) => n.best(),
            Device::Client(c) => c.best(),
        }
    }
}

impl<'a> Input<'a> {
    /// The networks an export of `what` holds (not the records of
    /// stations seen only probing: those are clients' business).
    pub(crate) fn networks(&self, what: What) -> impl Iterator<Item = &'a NetworkView> {
        let snapshot = self.snapshot;
        (snapshot.networks.iter())
            .filter(move |n| what.networks() && n.network_type != Some(common::PROBE_NETWORK))
    }

    /// The client records an export of `what` holds (not an access
    /// point's record of itself).
    pub(crate) fn clients(&self, what: What) -> impl Iterator<Item = &'a ClientView> {
        let snapshot = self.snapshot;
        (snapshot.clients.iter()).filter(move |c| what.clients() && c.mac != c.bssid)
    }

    /// Every device an export of `what` holds, networks first.
    pub(crate) fn devices(&self, what: What) -> impl Iterator<Item = Device<'a>> {
        (self.networks(what).map(Device::Network)).chain(self.clients(what).map(Device::Client))
    }

    /// The network of `bssid`, when the snapshot holds it.
    pub(crate) fn network(&self, bssid: &str) -> Option<&'a NetworkView> {
        self.network_of(bssid.as_bytes())
    }

    /// The network of `bssid` (as text: `AA:BB:...`), when the snapshot
    /// holds it.
    pub(crate) fn network_of(&self, bssid: &[u8]) -> Option<&'a NetworkView> {
        let nets = &self.snapshot.networks;
        let i = (nets.binary_search_by(|n| n.bssid.as_bytes().cmp(bssid))).ok()?;
        nets.get(i)
    }
}

/// What an export held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Devices (or, for WiGLE rows per sighting, rows) written.
    pub written: usize,
    /// Devices left out for want of a position.
    pub without_position: usize,
    /// Points of the GPS track written.
    pub track_points: usize,
    /// Sightings the model did not keep (past its cap): WiGLE rows lost.
    pub dropped_sightings: u64,
    /// WiGLE rows per sighting were asked for, but the model kept no
    /// sightings: one row per device at its best position was written.
    pub best_instead: bool,
}

impl Summary {
    /// The one-line note an export of `format` to `path` gets:
    /// `wrote 12 networks to out.kml (3 without a position left out)`.
    pub fn note(&self, format: Format, what: What, path: &str) -> String {
        let things = match (format, what) {
            (Format::Wigle, _) if !self.best_instead => "rows",
            // netxml holds networks, with their clients, whatever was asked.
            (Format::NetXml, _) | (_, What::Networks) => "networks",
            (_, What::Clients) => "clients",
            (_, What::All) => "devices",
        };
        let mut note = format!("wrote {} {things} to {path}", self.written);
        let mut extra = Vec::new();
        if self.without_position > 0 {
            extra.push(format!(
                "{} without a position left out",
                self.without_position
            ));
        }
        if self.best_instead {
            extra.push("one row per device: no sightings were kept".to_string());
        }
        if self.dropped_sightings > 0 {
            extra.push(format!(
                "{} sightings past the model's cap not kept",
                self.dropped_sightings
            ));
        }
        if !extra.is_empty() {
            note.push_str(&format!(" ({})", extra.join("; ")));
        }
        note
    }
}

/// Writes an export of `input` in `format` to `out`.
///
/// # Errors
/// The writer's.
pub fn write(
    format: Format,
    input: &Input<'_>,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut out = io::BufWriter::with_capacity(256 * 1024, out);
    let summary = match format {
        Format::Wigle => wigle::write(input, options, &mut out)?,
        Format::Kml => kml::write(input, options, &mut out)?,
        Format::GeoJson => geojson::write(input, options, &mut out)?,
        Format::Gpx => gpx::write(input, options, &mut out)?,
        Format::NetXml => netxml::write(input, options, &mut out)?,
    };
    out.flush()?;
    Ok(summary)
}
