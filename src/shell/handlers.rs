//! What each shell command does: one function per command, called from
//! [`super::commands`] with the command's arguments, parsed and typed.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::commands::{
    listed, FilterArg, NetworkType, SettingChange, ShellCommand, SortSpec, DEFAULT_NEAR_RADIUS_M,
};
use super::display::Only;
use super::outcome::{
    error_chain, GpsReport, Outcome, ProtocolRow, ShellError, StatusReport, GPS_SILENCE,
};
use super::render::devices::hidden_bssids;
use super::session::Session;
use kismet_client::{Client, Error};
use kismet_client::{LatLon, SortColumn};
use kismet_protocol::spec::check_addr;
use kismet_protocol::text;

/// The result of a handler.
pub type Handled = Result<Outcome, ShellError>;

/// `protocols`: the server's protocols, their fields and what is enabled.
pub fn protocols(session: &Session) -> Handled {
    Ok(Outcome::Protocols(protocol_rows(session)))
}

/// `fields PROTO`: one protocol's fields in order.
pub fn fields(session: &Session, proto: &str) -> Handled {
    let client = session.client();
    let table = client.table();
    let info = table.protocol(proto).map_err(Error::Lookup)?;
    Ok(Outcome::Fields {
        protocol: info.name.clone(),
        fields: info.fields.to_vec(),
        enabled: client.subscription(&info.name).map(|f| f.to_vec()),
    })
}

/// `enable PROTO fields`: the client's own enable, checked locally first.
pub fn enable(session: &Session, proto: &str, fields: &str) -> Handled {
    let reply = session.client().enable(proto, fields, session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `remove PROTO`: the client's own remove.
pub fn remove(session: &Session, proto: &str) -> Handled {
    let reply = session.client().remove(proto, session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `status`: server, connection, rates and counters.
pub fn status(session: &Session) -> Handled {
    Ok(Outcome::Status(status_report(session)))
}

/// `pause`: stop the scrolling frames (those that come meanwhile are
/// skipped, and counted).
pub fn pause(session: &Session) -> Handled {
    if !session.paused.swap(true, Ordering::AcqRel) {
        session.skipped.store(0, Ordering::Release);
    }
    Ok(Outcome::Paused)
}

/// `resume`: show frames again, saying how many were skipped.
pub fn resume(session: &Session) -> Handled {
    session.paused.store(false, Ordering::Release);
    Ok(Outcome::Resumed {
        skipped: session.skipped.swap(0, Ordering::AcqRel),
    })
}

/// `connect HOST[:PORT] [--keep]`: switch servers; with `--keep`, the
/// subscriptions are carried over. The old connection stays if the new
/// one cannot be made.
pub fn connect(session: &Session, addr: &str, keep: bool) -> Handled {
    let addr = check_addr(Some(addr)).map_err(|e| ShellError::Usage(e.to_string()))?;
    let new = Client::connect(&addr, session.options.clone())?;
    session.earlier_connections.store(0, Ordering::Release);
    switch_to(session, new, keep)
}

/// `reconnect`: a new connection to the same server, with the same
/// subscriptions.
pub fn reconnect(session: &Session) -> Handled {
    let old = session.client();
    let new = Client::connect(old.addr(), session.options.clone())?;
    session
        .earlier_connections
        .fetch_add(old.stats().connections, Ordering::AcqRel);
    switch_to(session, new, true)
}

/// Makes `new` the session's client, carrying the old one's subscriptions
/// over when `keep`.
fn switch_to(session: &Session, new: Client, keep: bool) -> Handled {
    let old = session.client();
    let (mut restored, mut failed) = (Vec::new(), Vec::new());
    if keep {
        let subs = old.subscriptions();
        let errors = new.replay(&subs, &old.removed(), session.wait());
        for (proto, _) in &subs {
            if !errors.iter().any(|(p, _)| p == proto) {
                restored.push(proto.clone());
            }
        }
        failed = errors
            .into_iter()
            .map(|(p, e)| (p, error_chain(&e)))
            .collect();
    }
    let same_server = new.addr() == old.addr();
    let mut outcome = Outcome::Connected {
        addr: new.addr().to_string(),
        server: new.server_info().name,
        protocols: new.table().len(),
        restored,
        failed,
    };
    session.replace_client(new);
    // The new client counts its frames from 0: so do the display's counts.
    session.display().reset_counts();
    if let Err(e) = session.track_again(same_server) {
        if let Outcome::Connected { failed, .. } = &mut outcome {
            failed.push(("(networks and clients)".to_string(), error_chain(&e)));
        }
    }
    Ok(outcome)
}

/// `disconnect`: close the connection (no reconnecting).
pub fn disconnect(session: &Session) -> Handled {
    let client = session.client();
    client.close();
    Ok(Outcome::Disconnected {
        addr: client.addr().to_string(),
    })
}

/// `set [NAME VALUE]`: lists the settings, or changes one.
pub fn set(session: &Session, change: Option<SettingChange>) -> Handled {
    match change {
        None => {}
        Some(SettingChange::Timestamps { on }) => session.update_settings(|s| s.timestamps = on),
        Some(SettingChange::Decode { on }) => session.update_settings(|s| s.decode = on),
        Some(SettingChange::Color { on }) => session.update_settings(|s| s.color = on),
        Some(SettingChange::Rate { lines }) => session.update_settings(|s| s.rate_limit = lines),
        Some(SettingChange::Alerts { on }) => session.update_settings(|s| s.alerts = on),
        Some(SettingChange::Bell { on }) => session.update_settings(|s| s.bell = on),
    }
    Ok(Outcome::Settings(session.settings()))
}

/// `filter [PROTO [EXPR|off]]`: shows, sets or removes a protocol's
/// display filter; lists them all without arguments.
pub fn filter(session: &Session, proto: Option<&str>, expr: Option<FilterArg>) -> Handled {
    let Some(proto) = proto else {
        return Ok(Outcome::Rules(session.display().rules()));
    };
    let client = session.client();
    let (name, all_fields) = {
        let table = client.table();
        let p = table.protocol(proto).map_err(Error::Lookup)?;
        (p.name.clone(), p.fields.clone())
    };
    let key = name.to_ascii_uppercase();
    match expr {
        None => {}
        Some(FilterArg::Off) => {
            let removed = session.display().clear_filter(&key);
            return Ok(Outcome::Note(if removed {
                format!("filter on {name} removed")
            } else {
                format!("no filter on {name} to remove")
            }));
        }
        Some(FilterArg::Expression(expr)) => {
            let expr = expr.trim();
            let Some(fields) = client.subscription(&key) else {
                return Err(ShellError::Usage(format!(
                    "{name} is not enabled: a filter compares enabled fields (enable {name} ... first)"
                )));
            };
            session
                .display()
                .set_filter(&key, expr, fields, &all_fields)
                .map_err(|e| ShellError::Usage(format!("filter: {e}\n{}", e.pointer(expr))))?;
        }
    }
    Ok(rules_of(session, &key))
}

/// The display rules of one protocol (upper-case key), as an outcome.
fn rules_of(session: &Session, key: &str) -> Outcome {
    let rules = session
        .display()
        .rules()
        .into_iter()
        .filter(|r| r.protocol == key)
        .collect();
    Outcome::Rules(rules)
}

/// `only PROTO new|changed|all`: which of a protocol's frames are shown.
pub fn only(session: &Session, proto: &str, only: Only) -> Handled {
    let client = session.client();
    let name = client
        .table()
        .protocol(proto)
        .map_err(Error::Lookup)?
        .name
        .clone();
    let key = name.to_ascii_uppercase();
    session.display().set_only(&key, only);
    Ok(rules_of(session, &key))
}

/// Now for "3s ago": the server's clock when known, else this machine's.
fn now(session: &Session) -> u64 {
    session.client().server_clock().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// The live model, started on first use. A server that refuses a field
/// the model reads is most often a replay of a recording made without the
/// model: the error says what to record next time.
pub fn start_model(session: &Session) -> Result<std::sync::Arc<kismet_client::Model>, ShellError> {
    session.model().map_err(|e| match &e {
        Error::Server(reply) if reply.text.starts_with("Unknown field") => {
            ShellError::Usage(format!(
            "the server refused a field the live model of networks and clients reads ({}: {}); \
             a replayed recording holds only the fields enabled while it was made: record \
             with --track (or run networks during the recording) to replay them",
            reply.command, reply.text
        ))
        }
        _ => ShellError::Client(e),
    })
}

/// While disconnected, the server's time of the last data (its last
/// TIME; 0 when it sent none), for a table to say how old it is.
fn as_of(session: &Session) -> Option<u64> {
    let client = session.client();
    if client.is_connected() {
        return None;
    }
    Some(client.server_time().unwrap_or(0))
}

/// `near LAT,LON [RADIUS_M]` of `networks` and `clients`: a point and a
/// radius in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// The point.
    pub center: LatLon,
    /// The radius, metres.
    pub radius_m: f64,
}

impl Near {
    /// Around `center`, `radius_m` metres or [`DEFAULT_NEAR_RADIUS_M`].
    pub fn new(center: LatLon, radius_m: Option<f64>) -> Near {
        Near {
            center,
            radius_m: radius_m.unwrap_or(DEFAULT_NEAR_RADIUS_M),
        }
    }
}

/// A listing of devices: `networks`, `clients` or `stations`, with what
/// shapes it; run on the live model ([`Listing::live`]) or on a
/// database's devices ([`Listing::run`]).
pub enum Listing {
    /// `networks [near LAT,LON [RADIUS_M]] [--sort COLUMN] [--type TYPE]...`:
    /// strongest signal first, probe entries only when `--type probe` asks
    /// for them (see [`listed`]); with `near`, those within the radius,
    /// nearest first (unless a sort is given), with their distance.
    Networks {
        sort: Option<SortSpec>,
        kind: Vec<NetworkType>,
        near: Option<Near>,
    },
    /// `clients [NET]`, or `clients near LAT,LON [RADIUS_M]` (`word` is
    /// what came before the point: it must be `near`).
    Clients {
        net: Option<String>,
        near: Option<Near>,
    },
    /// `stations`.
    Stations,
}

impl Listing {
    /// The listing `command` asks for, with its `--since`/`--server` and
    /// `--wide`; the command itself when it is no listing.
    ///
    /// # Errors
    /// The command, when it is not a listing.
    pub fn of(command: ShellCommand) -> Result<(Listing, Pick, bool), ShellCommand> {
        use ShellCommand as C;
        Ok(match command {
            C::Networks {
                near,
                point,
                radius,
                sort,
                kind,
                since,
                server,
                wide,
            } => {
                let near = near.and(point).map(|p| Near::new(p, radius));
                (
                    Listing::Networks { sort, kind, near },
                    Pick { since, server },
                    wide,
                )
            }
            C::Clients {
                net,
                point,
                radius,
                since,
                server,
                wide,
            } => {
                let near = point.map(|p| Near::new(p, radius));
                (Listing::Clients { net, near }, Pick { since, server }, wide)
            }
            C::Stations {
                since,
                server,
                wide,
            } => (Listing::Stations, Pick { since, server }, wide),
            other => return Err(other),
        })
    }

    /// `networks`, `clients` or `stations` on the live model, with its
    /// `--since`, `--server` and `--wide`.
    pub fn live_command(session: &Session, command: ShellCommand) -> Handled {
        match Listing::of(command) {
            Ok((listing, pick, wide)) => listing.live(session, &pick).map(|o| o.widened(wide)),
            Err(other) => Err(ShellError::Usage(format!("not a listing: {other:?}"))),
        }
    }

    /// The listing of the live model's devices (the model started on
    /// first use), as `pick` narrows them.
    pub fn live(self, session: &Session, pick: &Pick) -> Handled {
        self.run(live_view(session, pick)?)
    }

    /// The listing of `view`'s devices.
    pub fn run(self, view: DeviceView) -> Handled {
        match self {
            Listing::Networks { sort, kind, near } => Ok(networks_in(view, sort, kind, near)),
            Listing::Clients {
                net,
                near: Some(near),
            } => {
                check_near(net.as_deref())?;
                clients_near_in(view, near)
            }
            Listing::Clients { net, near: None } => clients_in(view, net.as_deref()),
            Listing::Stations => Ok(stations_in(view)),
        }
    }
}

/// The devices a listing works on: a snapshot (the live model's, or a
/// database's), the time to count ages from, and while disconnected the
/// time of the last data.
pub struct DeviceView {
    /// The devices, already narrowed by `--since` and `--server`.
    pub snapshot: kismet_client::Snapshot,
    /// Now, epoch seconds.
    pub now: u64,
    /// See [`Outcome::Networks`].
    pub as_of: Option<u64>,
}

/// `--since` and `--server` of `networks`, `clients` and `stations`.
#[derive(Debug, Clone, Default)]
pub struct Pick {
    /// Only devices last seen within this many seconds.
    pub since: Option<u64>,
    /// Only devices of this server (its address or name).
    pub server: Option<String>,
}

impl DeviceView {
    /// Keeps the devices last seen within `since` seconds of `now`.
    pub fn since(mut self, since: Option<u64>) -> DeviceView {
        if let Some(age) = since {
            let from = self.now.saturating_sub(age);
            let recent = |last: Option<u64>| last.is_some_and(|t| t >= from);
            self.snapshot.networks.retain(|n| recent(n.last_seen));
            self.snapshot.clients.retain(|c| recent(c.last_seen));
        }
        self
    }
}

/// The live model's devices, as `pick` narrows them: a `--server` that is
/// not this session's (its address or its name, any case) has none.
pub fn live_view(session: &Session, pick: &Pick) -> Result<DeviceView, ShellError> {
    let mut snapshot = start_model(session)?.snapshot();
    if let Some(server) = &pick.server {
        let client = session.client();
        let name = client.server_info().name;
        if !(server.eq_ignore_ascii_case(client.addr()) || server.eq_ignore_ascii_case(&name)) {
            snapshot.networks.clear();
            snapshot.clients.clear();
        }
    }
    let view = DeviceView {
        snapshot,
        now: now(session),
        as_of: as_of(session),
    };
    Ok(view.since(pick.since))
}

/// `networks` on a [`DeviceView`].
pub fn networks_in(
    view: DeviceView,
    sort: Option<SortSpec>,
    kind: Vec<NetworkType>,
    near: Option<Near>,
) -> Outcome {
    let DeviceView {
        snapshot,
        now,
        as_of,
    } = view;
    let wanted = |n: &kismet_client::NetworkView| listed(&kind, n);
    let (rows, distances) = match (near, sort) {
        (Some(near), None) => {
            let found = snapshot.networks_near(near.center, near.radius_m);
            let (rows, distances): (Vec<_>, Vec<f64>) = found
                .into_iter()
                .filter(|(n, _)| wanted(n))
                .map(|(n, d)| (n.clone(), d))
                .unzip();
            (rows, Some(distances))
        }
        (near, sort) => {
            let sort = sort.unwrap_or_else(|| {
                let column = SortColumn::default();
                SortSpec {
                    column,
                    descending: column.descending_by_default(),
                }
            });
            let mut rows = Vec::new();
            let mut distances = Vec::new();
            for n in snapshot.sorted_networks(sort.column, sort.descending) {
                let d = match near {
                    Some(near) => match n.best().map(|b| near.center.distance_m(b)) {
                        Some(d) if d <= near.radius_m => Some(d),
                        _ => continue,
                    },
                    None => None,
                };
                if wanted(n) {
                    rows.push(n.clone());
                    distances.extend(d);
                }
            }
            (rows, near.map(|_| distances))
        }
    };
    Outcome::Networks {
        rows,
        now,
        distances,
        as_of,
    }
}

/// `clients [NET]` on a [`DeviceView`].
pub fn clients_in(view: DeviceView, net: Option<&str>) -> Handled {
    let DeviceView {
        snapshot,
        now,
        as_of,
    } = view;
    // An SSID holding control characters is typed as it is shown (escaped).
    let net = net.map(|net| {
        snapshot
            .networks
            .iter()
            .flat_map(|n| n.ssids.iter().filter_map(|s| s.name.as_deref()))
            .find(|name| *name != net && text::display(name.as_bytes()) == net)
            .unwrap_or(net)
    });
    let rows: Vec<_> = match net {
        // `<hidden>`, as networks shows a cloaked network: its clients.
        Some("<hidden>") => snapshot
            .networks
            .iter()
            .filter(|n| n.ssid.is_none() && n.cloaked)
            .flat_map(|n| snapshot.clients_of(&n.bssid))
            .cloned()
            .collect(),
        Some(net) => {
            let names: Vec<&str> = snapshot
                .networks
                .iter()
                .flat_map(|n| n.ssids.iter().filter_map(|s| s.name.as_deref()))
                .collect();
            // A BSSID, an SSID, or a station's own MAC (its records).
            let known = |name: &str| {
                snapshot.network(name).is_some()
                    || names.contains(&name)
                    || !snapshot.records_of(name).is_empty()
            };
            // An SSID in another case, when only one matches.
            let net = if known(net) {
                net
            } else {
                let mut same: Vec<&str> = names
                    .iter()
                    .copied()
                    .filter(|n| n.eq_ignore_ascii_case(net))
                    .collect();
                same.sort_unstable();
                same.dedup();
                match same.as_slice() {
                    [one] => one,
                    _ => net,
                }
            };
            if !known(net) {
                let hint = if net.eq_ignore_ascii_case("near") {
                    "; clients near LAT,LON [RADIUS_M] lists those near a point".to_string()
                } else {
                    let near = kismet_protocol::nearest(net, names.iter().copied());
                    match near.first() {
                        Some(n) => format!("; did you mean {n:?}?"),
                        None => String::new(),
                    }
                };
                return Err(ShellError::Usage(format!(
                    "no network or station {:?} (networks and stations list them; a BSSID, \
                     an SSID or a station's MAC){hint}",
                    net
                )));
            }
            snapshot.clients_of(net).into_iter().cloned().collect()
        }
        None => snapshot
            .clients
            .iter()
            .filter(|c| c.mac != c.bssid)
            .cloned()
            .collect(),
    };
    Ok(Outcome::Clients {
        rows,
        now,
        distances: None,
        as_of,
        hidden: hidden_bssids(&snapshot.networks),
    })
}

/// Refuses a point that does not follow `near`.
pub fn check_near(word: Option<&str>) -> Result<(), ShellError> {
    if !word.is_some_and(|w| w.eq_ignore_ascii_case("near")) {
        return Err(ShellError::Usage(
            "usage: clients [NET | near LAT,LON [RADIUS_M]] (a point only after near)".into(),
        ));
    }
    Ok(())
}

/// `clients near LAT,LON` on a [`DeviceView`].
pub fn clients_near_in(view: DeviceView, near: Near) -> Handled {
    let DeviceView {
        snapshot,
        now,
        as_of,
    } = view;
    let (rows, distances): (Vec<_>, Vec<f64>) = snapshot
        .clients_near(near.center, near.radius_m)
        .into_iter()
        .map(|(c, d)| (c.clone(), d))
        .unzip();
    Ok(Outcome::Clients {
        rows,
        now,
        distances: Some(distances),
        as_of,
        hidden: hidden_bssids(&snapshot.networks),
    })
}

/// `stations` on a [`DeviceView`].
pub fn stations_in(view: DeviceView) -> Outcome {
    let DeviceView {
        snapshot,
        now,
        as_of,
    } = view;
    Outcome::Stations {
        rows: snapshot.stations(),
        now,
        as_of,
    }
}

/// `gps`: the latest GPS line, as the live model read it (started on
/// first use). Until a first line came, waits for it, at most until the
/// model has been reading for [`GPS_SILENCE`] (Ctrl-C stops waiting).
pub fn gps(session: &Session) -> Handled {
    let model = start_model(session)?;
    let left = GPS_SILENCE.saturating_sub(session.model_age());
    let deadline = Instant::now() + left;
    while model.gps_lines() == 0
        && Instant::now() < deadline
        && !session.interrupted.load(Ordering::Acquire)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Outcome::Gps(GpsReport {
        fix: model.gps(),
        lines: model.gps_lines(),
        listened: session.model_age(),
    }))
}

/// `clear`: clear the screen.
pub fn clear(_session: &Session) -> Handled {
    Ok(Outcome::Clear)
}

/// `quit`: leave.
pub fn quit(_session: &Session) -> Handled {
    Ok(Outcome::Quit)
}

/// The rows of the `protocols` table.
pub fn protocol_rows(session: &Session) -> Vec<ProtocolRow> {
    let client = session.client();
    let subs = client.subscriptions();
    let counts = client.frame_counts();
    client
        .table()
        .iter()
        .map(|p| ProtocolRow {
            protocol: p.name.clone(),
            fields: p.fields.to_vec(),
            enabled: subs
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(&p.name))
                .map(|(_, f)| f.to_vec()),
            frames: counts.total(&p.name),
        })
        .collect()
}

/// The `status` report.
pub fn status_report(session: &Session) -> StatusReport {
    let client = session.client();
    let info = client.server_info();
    let stats = client.stats();
    let mut dropped: Vec<(String, u64)> = stats.dropped.into_iter().collect();
    dropped.sort();
    StatusReport {
        server_name: info.name,
        server_name_bytes: info.name_bytes,
        addr: client.addr().to_string(),
        connected: client.is_connected(),
        server_start: info.start_time,
        server_time: client.server_time(),
        uptime: client.connected_at().elapsed(),
        shown: {
            let rates = client.frame_rates();
            let display = session.display();
            rates
                .iter()
                .map(|(p, _, _)| {
                    let s = display.shown(p);
                    (p.clone(), s.shown, s.filtered, s.limited)
                })
                .collect()
        },
        rates: client.frame_rates(),
        dropped,
        malformed: stats.malformed,
        overlong: stats.overlong,
        pending: client.pending_count(),
        connections: session.earlier_connections.load(Ordering::Acquire) + stats.connections,
        paused: session.is_paused(),
        database: session.db.lock().as_ref().map(|db| db.summary()),
    }
}

/// `export FILE`: the model written to FILE (see [`super::export`]); the
/// note says how many devices, and how many were left out.
pub fn export(
    session: &Session,
    file: &str,
    format: Option<kismet_export::Format>,
    options: kismet_export::Options,
) -> Handled {
    let path = super::export::expand_home(file, std::env::var_os("HOME"));
    let target = super::export::Target::new(&path, format).map_err(ShellError::Usage)?;
    let just_started = session.model_if_started().is_none();
    let model = start_model(session)?;
    let source = session.client().addr().to_string();
    let written = super::export::write_targets(&model, &[target], &options, &source);
    match written.into_iter().next() {
        Some(Ok(note)) if just_started => Ok(Outcome::Note(format!(
            "{note} (the live model started just now: run export again once it has \
             collected, or start it with --track)"
        ))),
        Some(Ok(note)) => Ok(Outcome::Note(note)),
        Some(Err(e)) => Err(ShellError::Failed(e)),
        None => Ok(Outcome::Nothing),
    }
}
