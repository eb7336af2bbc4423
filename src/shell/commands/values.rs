//! The values the shell commands take, typed: sort columns, network
//! types, ages, points and radii, `watch` targets, filter expressions,
//! `only` modes, settings, and the clap parsers that read them.

use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, ArgAction, Command, Subcommand, ValueEnum};

use crate::shell::display::Only;
use kismet_client::{LatLon, NetworkView, SortColumn, SORT_COLUMNS};
use kismet_export::{Format, What};
use kismet_protocol::decode::NETWORK_TYPES;

/// `--sort COLUMN`: a column and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortSpec {
    /// The column.
    pub column: SortColumn,
    /// Largest first.
    pub descending: bool,
}

impl std::str::FromStr for SortSpec {
    type Err = String;

    /// A column by any of its names, any case; a trailing `-` reverses its
    /// natural direction (`pwr-`: weakest first).
    fn from_str(s: &str) -> Result<SortSpec, String> {
        let (name, flip) = match s.strip_suffix('-') {
            Some(n) => (n, true),
            None => (s, false),
        };
        let column: SortColumn = name.parse().map_err(|e| {
            let names: Vec<&str> = SORT_COLUMNS.iter().map(|(_, n, _)| n[0]).collect();
            format!("{e} (columns: {})", names.join(", "))
        })?;
        Ok(SortSpec {
            column,
            descending: column.descending_by_default() != flip,
        })
    }
}

/// The value parser of `--sort`: [`SortSpec`]'s, with the columns as
/// possible values (for completion; their other names hidden).
#[derive(Debug, Clone, Copy)]
pub(super) struct SortParser;

impl TypedValueParser for SortParser {
    type Value = SortSpec;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<SortSpec, clap::Error> {
        let parse: fn(&str) -> Result<SortSpec, String> = str::parse;
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(SORT_COLUMNS.iter().map(|(_, names, _)| {
            PossibleValue::new(names[0]).aliases(&names[1..])
        })))
    }
}

/// `--type TYPE`: a network type, by its BSSID `type` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkType(pub u32);

impl std::str::FromStr for NetworkType {
    type Err = String;

    /// A name of [`NETWORK_TYPES`], any case.
    fn from_str(s: &str) -> Result<NetworkType, String> {
        NETWORK_TYPES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(s))
            .map(|(c, _)| NetworkType(*c))
            .ok_or_else(|| format!("unknown type {s:?} (types: ap, adhoc, probe, data, turbocell)"))
    }
}

impl NetworkType {
    /// Whether `n` is of this type: the probe type takes every probe entry
    /// (see [`NetworkView::is_probe`]: its type may not be known yet).
    pub fn matches(self, n: &NetworkView) -> bool {
        if self.0 == PROBE_NETWORK {
            n.is_probe()
        } else {
            n.network_type == Some(self.0)
        }
    }
}

/// Whether `networks --type T...` lists `n`: one of `types` when any are
/// given; else every network but the probe entries (stations seen only
/// probing, which `stations` lists), as airodump-ng splits them.
pub fn listed(types: &[NetworkType], n: &NetworkView) -> bool {
    if types.is_empty() {
        !n.is_probe()
    } else {
        types.iter().any(|t| t.matches(n))
    }
}

/// The BSSID `type` of a probe entry (see [`NETWORK_TYPES`]).
pub(super) const PROBE_NETWORK: u32 = 2;

/// The network types completion offers, in its order; the others are
/// accepted too.
pub(super) const OFFERED_TYPES: [&str; 4] = ["ap", "probe", "adhoc", "data"];

/// The value parser of `--type`: [`NetworkType`]'s, with the common types
/// as possible values.
#[derive(Debug, Clone, Copy)]
pub(super) struct TypeParser;

impl TypedValueParser for TypeParser {
    type Value = NetworkType;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<NetworkType, clap::Error> {
        let parse: fn(&str) -> Result<NetworkType, String> = str::parse;
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let rest = NETWORK_TYPES
            .iter()
            .map(|(_, n)| *n)
            .filter(|n| !OFFERED_TYPES.contains(n))
            .map(|n| PossibleValue::new(n).hide(true));
        Some(Box::new(
            OFFERED_TYPES
                .into_iter()
                .map(PossibleValue::new)
                .chain(rest),
        ))
    }
}

/// `--what` of `export`: `networks`, `clients` or `all`.
pub(super) fn what_parser() -> impl TypedValueParser<Value = What> {
    clap::builder::PossibleValuesParser::new(["networks", "clients", "all"])
        .map(|s| What::from_name(&s).unwrap_or_default())
}

/// `--format` of `export`: a format's name.
pub(super) fn format_parser() -> impl TypedValueParser<Value = Format> {
    let names: Vec<&'static str> = Format::ALL.iter().map(|f| f.name()).collect();
    clap::builder::PossibleValuesParser::new(names)
        .map(|s| Format::from_name(&s).unwrap_or(Format::Kml))
}

/// `db open` or `db close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbAction {
    /// `open FILE`.
    Open,
    /// `close`.
    Close,
}

/// An age, `--since`: seconds, or a number and `s`, `m`, `h` or `d`.
pub(super) fn age(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    let factor = match unit.to_ascii_lowercase().as_str() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => 0,
    };
    match digits.parse::<u64>() {
        Ok(n) if factor > 0 => n
            .checked_mul(factor)
            .ok_or_else(|| format!("{s} is too long an age")),
        _ => Err(format!("{s} is not an age (90s, 15m, 2h, 3d)")),
    }
}

/// The word `near` of `networks near LAT,LON`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NearWord {
    /// `near`.
    Near,
}

/// The radius of `near` when none is given, metres: about the range at
/// which an access point is heard outdoors, so `near` lists what could be
/// heard from the point.
pub const DEFAULT_NEAR_RADIUS_M: f64 = 100.0;

/// `LAT,LON` in degrees.
pub(super) fn point(s: &str) -> Result<LatLon, String> {
    s.parse()
}

/// A radius in metres: above 0, at most half the Earth's circumference.
pub(super) fn radius(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|r| *r > 0.0 && *r <= 20_037_509.0)
        .ok_or_else(|| format!("expected a radius in metres, above 0, not {s:?}"))
}

/// What `watch` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Watched {
    /// `networks` (or `nets`).
    Networks,
    /// `clients`.
    Clients,
    /// `stations`.
    Stations,
    /// `channels`.
    Channels,
    /// `status`.
    Status,
    /// `sources`.
    Sources,
    /// `alerts`.
    Alerts,
    /// Anything else: a protocol, as typed.
    Protocol(String),
}

/// `watch`'s first argument, any case; never fails (a protocol is looked
/// up when the view starts).
pub(super) fn watched(s: &str) -> Result<Watched, String> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "networks" | "nets" => Watched::Networks,
        "clients" => Watched::Clients,
        "stations" => Watched::Stations,
        "channels" => Watched::Channels,
        "status" => Watched::Status,
        "sources" => Watched::Sources,
        "alerts" => Watched::Alerts,
        _ => Watched::Protocol(s.to_string()),
    })
}

/// `filter PROTO`'s second argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterArg {
    /// `off`: remove the filter.
    Off,
    /// An expression: the rest of the line as typed.
    Expression(String),
}

/// `off`, or an expression kept as it is.
pub(super) fn filter_arg(s: &str) -> Result<FilterArg, String> {
    Ok(if s.trim() == "off" {
        FilterArg::Off
    } else {
        FilterArg::Expression(s.to_string())
    })
}

/// `only PROTO new|changed|all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnlyMode {
    /// A device's first frame only.
    New,
    /// A device's frame when a shown field changed.
    Changed,
    /// Every frame.
    All,
}

impl From<OnlyMode> for Only {
    fn from(m: OnlyMode) -> Only {
        match m {
            OnlyMode::New => Only::New,
            OnlyMode::Changed => Only::Changed,
            OnlyMode::All => Only::All,
        }
    }
}

/// `set NAME VALUE`: one setting changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum SettingChange {
    /// `set timestamps on|off`.
    Timestamps {
        /// On or off.
        #[arg(id = "switch", value_name = "on|off", value_parser = SwitchParser, action = ArgAction::Set)]
        on: bool,
    },
    /// `set decode on|off`.
    Decode {
        /// On or off.
        #[arg(id = "switch", value_name = "on|off", value_parser = SwitchParser, action = ArgAction::Set)]
        on: bool,
    },
    /// `set color on|off`.
    #[command(alias = "colour")]
    Color {
        /// On or off.
        #[arg(id = "switch", value_name = "on|off", value_parser = SwitchParser, action = ArgAction::Set)]
        on: bool,
    },
    /// `set rate N`.
    #[command(alias = "rate_limit")]
    Rate {
        /// Most frame lines per 0.1 s.
        #[arg(id = "lines", value_name = "N", value_parser = rate)]
        lines: usize,
    },
    /// `set alerts on|off`.
    Alerts {
        /// On or off.
        #[arg(id = "switch", value_name = "on|off", value_parser = SwitchParser, action = ArgAction::Set)]
        on: bool,
    },
    /// `set bell on|off`.
    Bell {
        /// On or off.
        #[arg(id = "switch", value_name = "on|off", value_parser = SwitchParser, action = ArgAction::Set)]
        on: bool,
    },
}

/// `on|yes|true|1` or `off|no|false|0`, any case.
pub(super) fn switch(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        _ => Err(format!("expected on or off, not {v:?}")),
    }
}

/// The value parser of an on/off setting: [`switch`], offering `on` and
/// `off`.
#[derive(Debug, Clone, Copy)]
pub(super) struct SwitchParser;

impl TypedValueParser for SwitchParser {
    type Value = bool;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<bool, clap::Error> {
        let parse: fn(&str) -> Result<bool, String> = switch;
        parse.parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(["on", "off"].into_iter().map(PossibleValue::new)))
    }
}

/// Lines per 0.1 s: 1 to 100000.
pub(super) fn rate(v: &str) -> Result<usize, String> {
    v.parse()
        .ok()
        .filter(|n| (1..=100_000).contains(n))
        .ok_or_else(|| format!("expected lines per 0.1 s, 1 to 100000, not {v:?}"))
}
