//! What each shell command does: one function per command, called through
//! the command table with the words typed after the name (their number
//! already checked against the table).

use std::sync::atomic::Ordering;

use super::display::Only;
use super::outcome::{error_chain, Outcome, ProtocolRow, ShellError, StatusReport};
use super::session::Session;
use kismet_client::{Client, Error};
use kismet_client::{SortColumn, SORT_COLUMNS};
use kismet_protocol::decode::NETWORK_TYPES;
use kismet_protocol::spec::normalize_addr;

/// The result of a handler.
pub type Handled = Result<Outcome, ShellError>;

/// `protocols`: the server's protocols, their fields and what is enabled.
pub fn protocols(session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Protocols(protocol_rows(session)))
}

/// `fields PROTO`: one protocol's fields in order.
pub fn fields(session: &Session, args: &[String]) -> Handled {
    let client = session.client();
    let table = client.table();
    let info = table.protocol(&args[0]).map_err(Error::Lookup)?;
    Ok(Outcome::Fields {
        protocol: info.name.clone(),
        fields: info.fields.to_vec(),
        enabled: client.subscription(&info.name).map(|f| f.to_vec()),
    })
}

/// `enable PROTO fields`: the client's own enable, checked locally first.
pub fn enable(session: &Session, args: &[String]) -> Handled {
    let reply = session
        .client()
        .enable(&args[0], &args[1], session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `remove PROTO`: the client's own remove.
pub fn remove(session: &Session, args: &[String]) -> Handled {
    let reply = session.client().remove(&args[0], session.wait())?;
    Ok(Outcome::Reply(reply))
}

/// `status`: server, connection, rates and counters.
pub fn status(session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Status(status_report(session)))
}

/// `pause`: hold the scrolling frames.
pub fn pause(session: &Session, _args: &[String]) -> Handled {
    if !session.paused.swap(true, Ordering::AcqRel) {
        session.held_back.store(0, Ordering::Release);
    }
    Ok(Outcome::Paused)
}

/// `resume`: show frames again, saying how many were held back.
pub fn resume(session: &Session, _args: &[String]) -> Handled {
    session.paused.store(false, Ordering::Release);
    Ok(Outcome::Resumed {
        held_back: session.held_back.swap(0, Ordering::AcqRel),
    })
}

/// `connect HOST[:PORT] [--keep]`: switch servers; with `--keep`, the
/// subscriptions are carried over. The old connection stays if the new
/// one cannot be made.
pub fn connect(session: &Session, args: &[String]) -> Handled {
    let mut addr = None;
    let mut keep = false;
    for a in args {
        match a.as_str() {
            "--keep" | "-k" => keep = true,
            _ if addr.is_none() => addr = Some(normalize_addr(Some(a))),
            _ => {
                return Err(ShellError::Usage(
                    "usage: connect HOST[:PORT] [--keep]".into(),
                ))
            }
        }
    }
    let Some(addr) = addr else {
        return Err(ShellError::Usage(
            "usage: connect HOST[:PORT] [--keep]".into(),
        ));
    };
    let new = Client::connect(&addr, session.options.clone())?;
    switch_to(session, new, keep)
}

/// `reconnect`: a new connection to the same server, with the same
/// subscriptions.
pub fn reconnect(session: &Session, _args: &[String]) -> Handled {
    let old = session.client();
    let new = Client::connect(old.addr(), session.options.clone())?;
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
    if let Err(e) = session.track_again(same_server) {
        if let Outcome::Connected { failed, .. } = &mut outcome {
            failed.push(("(networks and clients)".to_string(), error_chain(&e)));
        }
    }
    Ok(outcome)
}

/// `disconnect`: close the connection (no reconnecting).
pub fn disconnect(session: &Session, _args: &[String]) -> Handled {
    let client = session.client();
    client.close();
    Ok(Outcome::Disconnected {
        addr: client.addr().to_string(),
    })
}

/// `set [NAME VALUE]`: lists the settings, or changes one.
pub fn set(session: &Session, args: &[String]) -> Handled {
    let Some((name, value)) = args.first().zip(args.get(1)) else {
        return match args.first() {
            None => Ok(Outcome::Settings(session.settings())),
            Some(name) => Err(ShellError::Usage(format!(
                "set {name} needs a value (set lists the settings)"
            ))),
        };
    };
    let on_off = |v: &str| match v.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" => Ok(true),
        "off" | "no" | "false" | "0" => Ok(false),
        _ => Err(ShellError::Usage(format!(
            "{name}: expected on or off, not {v:?}"
        ))),
    };
    match name.to_ascii_lowercase().as_str() {
        "timestamps" => {
            let v = on_off(value)?;
            session.update_settings(|s| s.timestamps = v);
        }
        "decode" => {
            let v = on_off(value)?;
            session.update_settings(|s| s.decode = v);
        }
        "color" | "colour" => {
            let v = on_off(value)?;
            session.update_settings(|s| s.color = v);
        }
        "rate" | "rate_limit" => {
            let n: usize = value
                .parse()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or_else(|| {
                    ShellError::Usage(format!(
                        "rate: expected lines per 0.1 s, 1 to 100000, not {value:?}"
                    ))
                })?;
            session.update_settings(|s| s.rate_limit = n);
        }
        other => {
            return Err(ShellError::Usage(format!(
                "no setting {:?} (settings: timestamps, decode, color, rate)",
                other
            )))
        }
    }
    Ok(Outcome::Settings(session.settings()))
}

/// `filter [PROTO [EXPR|off]]`: shows, sets or removes a protocol's
/// display filter; lists them all without arguments.
pub fn filter(session: &Session, args: &[String]) -> Handled {
    let Some(proto) = args.first() else {
        return Ok(Outcome::Rules(session.display().rules()));
    };
    let client = session.client();
    let name = client
        .table()
        .protocol(proto)
        .map_err(Error::Lookup)?
        .name
        .clone();
    let key = name.to_ascii_uppercase();
    match args.get(1).map(|e| e.trim()) {
        None => {}
        Some("off") => {
            session.display().clear_filter(&key);
        }
        Some(expr) => {
            let Some(fields) = client.subscription(&key) else {
                return Err(ShellError::Usage(format!(
                    "{name} is not enabled: a filter compares enabled fields (enable {name} ... first)"
                )));
            };
            session
                .display()
                .set_filter(&key, expr, fields)
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
pub fn only(session: &Session, args: &[String]) -> Handled {
    let client = session.client();
    let name = client
        .table()
        .protocol(&args[0])
        .map_err(Error::Lookup)?
        .name
        .clone();
    let key = name.to_ascii_uppercase();
    let only = match args[1].to_ascii_lowercase().as_str() {
        "new" => Only::New,
        "changed" => Only::Changed,
        "all" => Only::All,
        other => {
            return Err(ShellError::Usage(format!(
                "only {name}: expected new, changed or all, not {:?}",
                other
            )))
        }
    };
    session.display().set_only(&key, only);
    Ok(rules_of(session, &key))
}

/// Now for "3s ago": the server's clock when known, else this machine's.
fn now(session: &Session) -> u64 {
    session.client().server_time().unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// `networks [--sort COLUMN] [--type TYPE]`: the networks the live model
/// holds (started on first use), strongest signal first.
pub fn networks(session: &Session, args: &[String]) -> Handled {
    let mut sort = SortColumn::default();
    let mut descending = None;
    let mut kind: Option<u32> = None;
    let mut words = args.iter();
    while let Some(w) = words.next() {
        let value = |v: Option<&String>| {
            v.cloned()
                .ok_or_else(|| ShellError::Usage(format!("networks: {w} needs a value")))
        };
        match w.as_str() {
            "--sort" | "-s" => {
                let v = value(words.next())?;
                // `--sort pwr-` sorts the other way round.
                let (name, flip) = match v.strip_suffix('-') {
                    Some(n) => (n, true),
                    None => (v.as_str(), false),
                };
                sort = name.parse().map_err(|e| {
                    ShellError::Usage(format!(
                        "networks: {e} (columns: {})",
                        SORT_COLUMNS
                            .iter()
                            .map(|(_, n, _)| n[0])
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?;
                descending = Some(sort.descending_by_default() != flip);
            }
            "--type" | "-t" => {
                let v = value(words.next())?;
                kind = Some(
                    NETWORK_TYPES
                        .iter()
                        .find(|(_, n)| n.eq_ignore_ascii_case(&v))
                        .map(|(c, _)| *c)
                        .ok_or_else(|| {
                            ShellError::Usage(format!(
                                "networks: unknown type {v:?} (types: ap, adhoc, probe, data, turbocell)"
                            ))
                        })?,
                );
            }
            other => {
                return Err(ShellError::Usage(format!(
                    "networks: unexpected {other:?} (usage: networks [--sort COLUMN] [--type TYPE])"
                )))
            }
        }
    }
    let snapshot = session.model()?.snapshot();
    let descending = descending.unwrap_or_else(|| sort.descending_by_default());
    let rows = snapshot
        .sorted_networks(sort, descending)
        .into_iter()
        .filter(|n| kind.is_none_or(|k| n.network_type == Some(k)))
        .cloned()
        .collect();
    Ok(Outcome::Networks {
        rows,
        now: now(session),
    })
}

/// `clients [NET]`: the clients of one network (a BSSID, or an SSID: all
/// the BSSIDs that carry it) or of all, from the live model.
pub fn clients(session: &Session, args: &[String]) -> Handled {
    let snapshot = session.model()?.snapshot();
    let rows: Vec<_> = match args.first() {
        Some(net) => {
            let rows: Vec<_> = snapshot.clients_of(net).into_iter().cloned().collect();
            let known = snapshot.network(net).is_some()
                || snapshot.networks.iter().any(|n| {
                    n.ssids
                        .iter()
                        .any(|s| s.name.as_deref() == Some(net.as_str()))
                });
            if !known {
                return Err(ShellError::Usage(format!(
                    "no network {:?} (networks lists them; a BSSID or an SSID)",
                    net
                )));
            }
            rows
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
        now: now(session),
    })
}

/// `clear`: clear the screen.
pub fn clear(_session: &Session, _args: &[String]) -> Handled {
    Ok(Outcome::Clear)
}

/// `quit`: leave.
pub fn quit(_session: &Session, _args: &[String]) -> Handled {
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
                    (p.clone(), s.shown, s.filtered)
                })
                .collect()
        },
        rates: client.frame_rates(),
        dropped,
        malformed: stats.malformed,
        overlong: stats.overlong,
        pending: client.pending_count(),
        connections: stats.connections,
        paused: session.is_paused(),
    }
}
