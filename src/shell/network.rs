//! `network BSSID|SSID`: one network in detail, from the live model or
//! from a session database (see [`super::offline`]).

use super::handlers::{live_view, DeviceView, Handled, Pick};
use super::outcome::{NetworkReport, Outcome, ShellError};
use super::session::Session;
use kismet_client::{NetworkDetail, NetworkView, Snapshot};
use kismet_protocol::text;

/// SSID record type of a probe request: a name a station asks for, not
/// one a network advertises.
const PROBE_REQUEST: u32 = 2;

/// The network `net` names: a BSSID (any case), else an SSID as shown
/// (exact, else in another case) that one network advertises.
///
/// # Errors
/// No such network (with the nearest name), or an SSID of several
/// networks (their BSSIDs listed).
pub fn find<'a>(snapshot: &'a Snapshot, net: &str) -> Result<&'a NetworkView, ShellError> {
    let net = net.trim();
    if let Some(n) = snapshot.network(net) {
        return Ok(n);
    }
    let advertises = |n: &NetworkView, same: &dyn Fn(&str) -> bool| {
        n.ssids.iter().any(|s| {
            s.ssid_type != Some(PROBE_REQUEST)
                && s.name
                    .as_deref()
                    .is_some_and(|name| same(&text::display(name.as_bytes())))
        })
    };
    let mut found: Vec<&NetworkView> = (snapshot.networks.iter())
        .filter(|n| advertises(n, &|name| name == net))
        .collect();
    if found.is_empty() {
        found = (snapshot.networks.iter())
            .filter(|n| advertises(n, &|name| name.eq_ignore_ascii_case(net)))
            .collect();
    }
    match found.as_slice() {
        [one] => Ok(one),
        [] => {
            let names: Vec<String> = (snapshot.networks.iter())
                .filter_map(|n| n.ssid.as_deref().map(|s| text::display(s.as_bytes())))
                .collect();
            let near = kismet_protocol::nearest(net, names.iter().map(String::as_str));
            let hint = near
                .first()
                .map_or(String::new(), |n| format!("; did you mean {n:?}?"));
            Err(ShellError::Usage(format!(
                "no network {:?} (networks lists them; a BSSID or an SSID){hint}",
                text::display(net.as_bytes())
            )))
        }
        many => {
            let list: Vec<String> = many
                .iter()
                .map(|n| match n.channel {
                    Some(c) => format!("{} (channel {c})", n.bssid),
                    None => n.bssid.clone(),
                })
                .collect();
            Err(ShellError::Usage(format!(
                "{} networks advertise {:?}: {}; network BSSID shows one",
                many.len(),
                text::display(net.as_bytes()),
                list.join(", ")
            )))
        }
    }
}

/// `network NET` on a [`DeviceView`]; `detail_of` gives the detail of a
/// BSSID (its signal history, and the fields only the detail shows).
pub fn network_in(
    view: DeviceView,
    net: &str,
    detail_of: impl FnOnce(&str) -> Result<NetworkDetail, ShellError>,
) -> Handled {
    let DeviceView {
        snapshot,
        now,
        as_of,
    } = view;
    let network = find(&snapshot, net)?.clone();
    let detail = detail_of(&network.bssid)?;
    let clients = (snapshot.clients_of(&network.bssid).into_iter())
        .filter(|c| c.bssid == network.bssid)
        .cloned()
        .collect();
    Ok(Outcome::Network(Box::new(NetworkReport {
        network,
        detail,
        clients,
        now,
        as_of,
    })))
}

/// `network NET` on the live model (started on first use).
pub fn live(session: &Session, net: &str) -> Handled {
    let view = live_view(session, &Pick::default())?;
    let model = session.model_if_started();
    network_in(view, net, |bssid| {
        Ok(model.and_then(|m| m.detail(bssid)).unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kismet_client::SsidView;

    fn net(bssid: &str, name: &str, ssid_type: u32) -> NetworkView {
        NetworkView {
            bssid: bssid.into(),
            ssid: Some(name.into()),
            channel: Some(6),
            ssids: vec![SsidView {
                name: Some(name.into()),
                ssid_type: Some(ssid_type),
                ..SsidView::default()
            }],
            ..NetworkView::default()
        }
    }

    /// A BSSID in any case, or an SSID one network advertises (exact, else
    /// in another case); a name only probed for names no network.
    #[test]
    fn find_takes_a_bssid_or_an_advertised_ssid() {
        let snap = Snapshot {
            networks: vec![
                net("00:14:6C:A1:00:01", "HomeNet", 0),
                net("00:19:D2:10:00:09", "eduroam", PROBE_REQUEST),
            ],
            ..Snapshot::default()
        };
        let found = |n: &str| find(&snap, n).map(|n| n.bssid.clone());
        assert_eq!(found("00:14:6c:a1:00:01").unwrap(), "00:14:6C:A1:00:01");
        assert_eq!(found("HOMENET").unwrap(), "00:14:6C:A1:00:01");
        let err = found("eduroam").unwrap_err().to_string();
        assert!(err.contains("no network \"eduroam\""), "{err}");
    }

    /// An SSID of several networks lists their BSSIDs and asks for one.
    #[test]
    fn an_ssid_of_several_networks_lists_them() {
        let snap = Snapshot {
            networks: vec![
                net("00:14:6C:A1:00:01", "Mesh", 0),
                net("00:14:6C:A1:00:02", "Mesh", 1),
            ],
            ..Snapshot::default()
        };
        let err = find(&snap, "Mesh").unwrap_err().to_string();
        assert!(
            err.contains("2 networks advertise \"Mesh\"")
                && err.contains("00:14:6C:A1:00:01 (channel 6)")
                && err.contains("00:14:6C:A1:00:02")
                && err.contains("network BSSID shows one"),
            "{err}"
        );
    }
}
