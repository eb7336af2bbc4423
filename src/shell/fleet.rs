//! Several servers in one run: `kismet-shell kitchen=10.0.0.5
//! attic=10.0.0.6@47.3769,8.5417 -c networks`.
//!
//! Each server has a session of its own (its client, reader, reconnects
//! and live model), so a dead or slow one never holds up the others.
//! `networks` and `clients` merge what every server's model holds
//! ([`kismet_client::fleet`]): a row per device with SEEN BY, JSON
//! objects with `seen_by` and a position `estimate` from the fixed
//! sensors. `servers` lists them. A batch run over them is
//! [`super::fleet_run`]; the interactive shell's, [`super::servers`].

use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

use super::commands::ShellCommand;
use super::handlers::{start_model, DeviceView, Listing, Pick};
use super::outcome::{Outcome, ServerRow, ShellError};
use super::render::fleet as show;
use super::render::Format;
use super::session::{Session, Settings};
use kismet_client::fleet::{merge_clients, merge_networks, MergedNetwork, Sensor};
use kismet_client::{LatLon, Options, Snapshot};
use kismet_protocol::spec::check_addr;

/// Longest name a server may be given, characters.
pub const MAX_NAME: usize = 32;

/// One server of several, as the command line names it:
/// `[NAME=]HOST[:PORT][@LAT,LON]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Its name: given, or `HOST:PORT`.
    pub name: String,
    /// `HOST:PORT`.
    pub addr: String,
    /// Where it stands, when given: a fixed sensor.
    pub fixed_at: Option<LatLon>,
}

impl Member {
    /// Reads `[NAME=]HOST[:PORT][@LAT,LON]`.
    ///
    /// # Errors
    /// A bad address, name or position, said in a sentence.
    pub fn parse(spec: &str) -> Result<Member, String> {
        let (name, rest) = match spec.split_once('=') {
            Some((name, rest)) => (Some(name), rest),
            None => (None, spec),
        };
        let (addr, at) = match rest.rsplit_once('@') {
            Some((addr, at)) => (addr, Some(at)),
            None => (rest, None),
        };
        let addr = check_addr(Some(addr)).map_err(|e| e.to_string())?;
        let fixed_at = at
            .map(|p| p.parse::<LatLon>().map_err(|e| format!("{spec}: @{e}")))
            .transpose()?;
        let name = match name {
            Some(n) => {
                let ok = !n.is_empty()
                    && n.chars().count() <= MAX_NAME
                    && n.chars().all(|c| c.is_alphanumeric() || "-_.:".contains(c));
                if !ok {
                    return Err(format!(
                        "{spec}: a server's name is 1 to {MAX_NAME} letters, digits, \
                         '-', '_', '.' or ':'"
                    ));
                }
                n.to_string()
            }
            None => addr.clone(),
        };
        Ok(Member {
            name,
            addr,
            fixed_at,
        })
    }

    /// Reads every spec; names must differ.
    ///
    /// # Errors
    /// The first bad one, or a name given twice.
    pub fn parse_all(specs: &[String]) -> Result<Vec<Member>, String> {
        let members: Vec<Member> = specs
            .iter()
            .map(|s| Member::parse(s))
            .collect::<Result<_, _>>()?;
        for (i, m) in members.iter().enumerate() {
            if members[..i]
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&m.name))
            {
                return Err(format!(
                    "two servers are named {} (name them: NAME=HOST[:PORT])",
                    m.name
                ));
            }
        }
        Ok(members)
    }
}

/// A server of the run: its session, or why it could not be reached.
pub struct Server {
    /// How the command line named it.
    pub member: Member,
    /// Its session.
    pub session: Result<Arc<Session>, String>,
}

/// Connects to every member at once (a thread each: a server that does
/// not answer costs its own connect timeout, not the others').
pub fn connect_all(
    members: Vec<Member>,
    options: &Options,
    reply_timeout: std::time::Duration,
    settings: &Settings,
) -> Vec<Server> {
    let handles: Vec<_> = members
        .into_iter()
        .map(|member| {
            let (options, settings) = (options.clone(), settings.clone());
            let addr = member.addr.clone();
            let handle = thread::spawn(move || {
                kismet_client::Client::connect(&addr, options)
                    .map(|c| {
                        Session::new(c, reply_timeout)
                            .with_settings(settings)
                            .into_shared()
                    })
                    .map_err(|e| super::outcome::without_os_codes(&e.to_string()))
            });
            (member, handle)
        })
        .collect();
    handles
        .into_iter()
        .map(|(member, h)| Server {
            member,
            session: h
                .join()
                .unwrap_or_else(|_| Err("the connection's thread failed".into())),
        })
        .collect()
}

/// The `servers` rows.
pub fn server_rows(servers: &[Server]) -> Vec<ServerRow> {
    servers
        .iter()
        .map(|s| {
            let base = ServerRow {
                name: s.member.name.clone(),
                addr: s.member.addr.clone(),
                state: String::new(),
                server_name: None,
                protocols: None,
                frames_per_s: None,
                server_time: None,
                silent_s: None,
                gps: None,
                connections: 0,
            };
            let session = match &s.session {
                Ok(session) => session,
                Err(e) => {
                    return ServerRow {
                        state: format!("unreachable: {e}"),
                        ..base
                    }
                }
            };
            let client = session.client();
            let state = if client.is_connected() {
                "connected"
            } else if client.will_reconnect() {
                "reconnecting"
            } else {
                "disconnected"
            };
            let gps = session.model_if_started().map(|m| {
                use super::render::gps::GpsState;
                let fix = m.gps();
                match GpsState::of(fix.as_ref(), m.gps_lines(), session.model_age()) {
                    GpsState::Fix => "fix",
                    GpsState::NoFix => "no fix",
                    GpsState::None => "none",
                    GpsState::Waiting => "waiting",
                }
                .to_string()
            });
            ServerRow {
                state: state.into(),
                server_name: Some(client.server_info().name),
                protocols: Some(client.table().len()),
                frames_per_s: Some({
                    // (An empty sum of f64 is -0.0.)
                    let r: f64 = client.frame_rates().iter().map(|(_, _, r)| r).sum();
                    if r > 0.0 {
                        r
                    } else {
                        0.0
                    }
                }),
                server_time: client.server_time(),
                silent_s: client
                    .server_clock()
                    .zip(client.server_time())
                    .map(|(now, then)| now.saturating_sub(then)),
                gps,
                connections: session
                    .earlier_connections
                    .load(std::sync::atomic::Ordering::Acquire)
                    + client.stats().connections,
                ..base
            }
        })
        .collect()
}

/// `servers` in a session of one server: its row (named by its
/// address).
pub fn servers_of(session: &Session) -> Outcome {
    let addr = session.client().addr().to_string();
    let server = Server {
        member: Member {
            name: addr.clone(),
            addr,
            fixed_at: None,
        },
        session: session.shared().ok_or_else(|| "not shared".to_string()),
    };
    Outcome::Servers(server_rows(&[server]))
}

/// The connected servers' sessions, with their members.
pub fn connected(servers: &[Server]) -> impl Iterator<Item = (&Member, &Arc<Session>)> {
    servers
        .iter()
        .filter_map(|s| s.session.as_ref().ok().map(|x| (&s.member, x)))
}

/// Every connected server's snapshot (its model started on first use).
fn snapshots(servers: &[Server]) -> Result<Vec<(&Member, Snapshot)>, ShellError> {
    connected(servers)
        .map(|(m, s)| Ok((m, start_model(s)?.snapshot())))
        .collect()
}

/// Slowest a GPS may report moving for its sensor to count as fixed,
/// metres a second (a GPS standing still reports some jitter).
pub const STILL_MPS: f64 = 0.5;

/// The snapshots as the merge takes them: a sensor stands where it was
/// given (`@LAT,LON`), else where its GPS says when it has a fix and
/// stands still (under [`STILL_MPS`]); else it moves, or nobody knows
/// where it is, and it takes no part in an estimate.
fn sensors<'a>(snaps: &'a [(&'a Member, Snapshot)]) -> Vec<Sensor<'a>> {
    (snaps.iter())
        .map(|(m, snapshot)| Sensor {
            name: &m.name,
            snapshot,
            fixed_at: m.fixed_at.or_else(|| {
                let gps = snapshot.gps.as_ref()?;
                (gps.speed_mps? < STILL_MPS).then_some(gps.position?)
            }),
        })
        .collect()
}

/// The names of the connected servers whose model knows network `net`
/// (a BSSID or an SSID, as `network` takes it).
///
/// # Errors
/// A model that could not start.
pub fn servers_knowing(servers: &[Server], net: &str) -> Result<Vec<String>, ShellError> {
    Ok(snapshots(servers)?
        .into_iter()
        .filter(|(_, snap)| super::network::find(snap, net).is_ok())
        .map(|(m, _)| m.name.clone())
        .collect())
}

/// The newest server clock, for "3s ago".
fn now(servers: &[Server]) -> u64 {
    connected(servers)
        .filter_map(|(_, s)| s.client().server_clock())
        .max()
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}

/// `networks` or `clients` over every server, merged, as `format` prints
/// them; `None` for any other command.
///
/// # Errors
/// A model that could not start, `clients NET` or `near` (not merged
/// yet), an unknown `--server`.
pub fn merged_listing(
    servers: &[Server],
    command: &ShellCommand,
    format: Format,
    width: Option<usize>,
) -> Option<Result<String, ShellError>> {
    let is_networks = matches!(command, ShellCommand::Networks { .. });
    let (listing, pick, _) = Listing::of(command.clone()).ok()?;
    if matches!(listing, Listing::Stations) {
        return None;
    }
    Some(merged(servers, listing, pick, is_networks, format, width))
}

fn merged(
    servers: &[Server],
    listing: Listing,
    pick: Pick,
    is_networks: bool,
    format: Format,
    width: Option<usize>,
) -> Result<String, ShellError> {
    if let Some(name) = &pick.server {
        if !servers
            .iter()
            .any(|s| s.member.name.eq_ignore_ascii_case(name))
        {
            let names: Vec<&str> = servers.iter().map(|s| s.member.name.as_str()).collect();
            return Err(ShellError::Usage(format!(
                "no server {name} (servers: {})",
                names.join(", ")
            )));
        }
    }
    if matches!(listing, Listing::Clients { ref net, ref near } if net.is_some() || near.is_some())
    {
        return Err(ShellError::Usage(
            "with several servers, clients lists every client (no NET or near yet)".into(),
        ));
    }
    let snaps = snapshots(servers)?;
    let sensors = sensors(&snaps);
    let count = sensors.len();
    let seen_by_picked = |seen_by: &[kismet_client::fleet::SeenBy]| {
        pick.server
            .as_ref()
            .is_none_or(|n| seen_by.iter().any(|s| s.server.eq_ignore_ascii_case(n)))
    };
    let now = now(servers);
    let mut networks = merge_networks(&sensors);
    networks.retain(|m| seen_by_picked(&m.seen_by));
    let mut clients = merge_clients(&sensors);
    clients.retain(|m| seen_by_picked(&m.seen_by));
    // The one-server listing picks and orders the merged views (sort,
    // --type, near, --since); the rows are found again by their keys.
    let view = DeviceView {
        snapshot: Snapshot {
            networks: networks.iter().map(|m| m.network.clone()).collect(),
            clients: clients.iter().map(|m| m.client.clone()).collect(),
            ..Snapshot::default()
        },
        now,
        as_of: None,
    }
    .since(pick.since);
    let outcome = listing.run(view)?;
    if is_networks {
        let Outcome::Networks { rows, .. } = outcome else {
            return Err(ShellError::Usage("networks gave no networks".into()));
        };
        let mut by_bssid: HashMap<String, kismet_client::fleet::MergedNetwork> = networks
            .into_iter()
            .map(|m| (m.network.bssid.clone(), m))
            .collect();
        let rows: Vec<_> = rows
            .iter()
            .filter_map(|n| by_bssid.remove(&n.bssid))
            .collect();
        Ok(match format {
            Format::Text | Format::Raw => show::networks_table(&rows, count, now, width),
            Format::Json => rows
                .iter()
                .map(show::network_json)
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Csv => show::networks_csv_merged(&rows),
        })
    } else {
        let Outcome::Clients { rows, .. } = outcome else {
            return Err(ShellError::Usage("clients gave no clients".into()));
        };
        let mut by_key: HashMap<(String, String), kismet_client::fleet::MergedClient> = clients
            .into_iter()
            .map(|m| ((m.client.bssid.clone(), m.client.mac.clone()), m))
            .collect();
        let rows: Vec<_> = rows
            .iter()
            .filter_map(|c| by_key.remove(&(c.bssid.clone(), c.mac.clone())))
            .collect();
        Ok(match format {
            Format::Text | Format::Raw => show::clients_table(&rows, count, now, width),
            Format::Json => rows
                .iter()
                .map(show::client_json)
                .collect::<Vec<_>>()
                .join("\n"),
            Format::Csv => show::clients_csv_merged(&rows),
        })
    }
}

/// Every connected server's devices merged, as one model's snapshot: the
/// merged networks (placed at their estimate when they have one) and
/// clients (see [`merge_networks`]); for what takes a snapshot (`watch
/// networks`, `clients`, `stations`, `export`).
///
/// # Errors
/// A model that could not start.
pub fn merged_snapshot(servers: &[Server]) -> Result<Snapshot, ShellError> {
    let snaps = snapshots(servers)?;
    let sensors = sensors(&snaps);
    Ok(Snapshot {
        networks: merge_networks(&sensors)
            .iter()
            .map(MergedNetwork::placed)
            .collect(),
        clients: merge_clients(&sensors)
            .into_iter()
            .map(|m| m.client)
            .collect(),
        ..Snapshot::default()
    })
}

/// `export FILE` over several servers: every server's devices merged
/// (networks at their estimate when they have one, see
/// [`merged_snapshot`]), with the GPS track and sightings of the first
/// connected server's model (each server's GPS has its own). The note
/// says what was written.
///
/// # Errors
/// A bad file name or format, a model that could not start, the write.
pub fn export_merged(
    servers: &[Server],
    file: &str,
    format: Option<kismet_export::Format>,
    options: kismet_export::Options,
) -> Result<String, String> {
    let path = super::export::expand_home(file, std::env::var_os("HOME"));
    let target = super::export::Target::new(&path, format)?;
    let snapshot = merged_snapshot(servers).map_err(|e| e.to_string())?;
    let history = connected(servers)
        .next()
        .and_then(|(_, s)| s.model_if_started())
        .map(|m| m.history())
        .unwrap_or_default();
    let names: Vec<&str> = connected(servers).map(|(m, _)| m.name.as_str()).collect();
    let written =
        super::export::write_from(&snapshot, &history, &[target], &options, &names.join(" "));
    match written.into_iter().next() {
        Some(Ok(note)) => Ok(format!("{note} (merged from {})", names.join(", "))),
        Some(Err(e)) => Err(e),
        None => Ok(String::new()),
    }
}

/// `servers` as `format` prints it.
pub fn servers_text(servers: &[Server], format: Format, width: Option<usize>) -> String {
    let rows = server_rows(servers);
    match format {
        Format::Text | Format::Raw => show::servers_table(&rows, width),
        Format::Json => (rows.iter())
            .map(|r| super::render::json::json_line(&show::server_value(r)))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Csv => show::servers_csv(&rows),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_specs_name_address_and_position() {
        let m = Member::parse("kitchen=10.0.0.5@47.3769,8.5417").unwrap();
        assert_eq!(
            (m.name.as_str(), m.addr.as_str()),
            ("kitchen", "10.0.0.5:2501")
        );
        assert_eq!(m.fixed_at, LatLon::from_degrees(47.3769, 8.5417));
        let m = Member::parse("10.0.0.6:2502").unwrap();
        assert_eq!((m.name.as_str(), m.fixed_at), ("10.0.0.6:2502", None));
        let m = Member::parse("[::1]:2501@1,2").unwrap();
        assert_eq!(m.addr, "[::1]:2501");
        for bad in ["=host", "a b=host", "k=host@x,y", "k=host:0", "k=host@91,0"] {
            assert!(Member::parse(bad).is_err(), "{bad}");
        }
        let two = ["a=h1".to_string(), "A=h2".to_string()];
        assert!(Member::parse_all(&two)
            .unwrap_err()
            .contains("two servers are named"));
    }
}
