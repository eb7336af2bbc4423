//! Several servers in one view: each server's [`Snapshot`] merged, the
//! networks by BSSID and the clients by BSSID and MAC, with what each
//! server saw of them ([`SeenBy`]), and a position for a network heard by
//! three or more fixed sensors ([`estimate_position`]).
//!
//! Each server keeps a model of its own (its frames go to it alone, so a
//! merged view costs no more per frame than one server's); the merge is
//! done when a view is asked for.
//!
//! Where the servers disagree about a field (a BSSID one reports as WPA2
//! and another as open), the report seen last wins: the merged view is
//! the view of the server whose `last_seen` is the latest, with first
//! seen the earliest of all, last seen the latest, the packets the most
//! any server counted (the same frame is often captured by several
//! sensors: a sum would count it more than once) and the clients those
//! of every server. [`SeenBy`] keeps each server's own values.

use std::collections::{HashMap, HashSet};

use crate::model::{ClientView, LatLon, NetworkView, PlaceView, PositionSource, Snapshot};

/// One server's snapshot, for a merge.
#[derive(Debug, Clone, Copy)]
pub struct Sensor<'a> {
    /// The server's name (`kitchen`, or `HOST:PORT`).
    pub name: &'a str,
    /// What its model holds.
    pub snapshot: &'a Snapshot,
    /// Where the sensor stands when it does not move (given by the user,
    /// or its GPS): the networks it hears count towards their
    /// [`Estimate`]. `None` for a moving or unplaced sensor.
    pub fixed_at: Option<LatLon>,
}

/// What one server saw of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenBy {
    /// The server's name.
    pub server: String,
    /// Its latest signal, dBm.
    pub signal_dbm: Option<i32>,
    /// Packets it counted.
    pub packets: Option<u64>,
    /// First seen by it, epoch seconds.
    pub first_seen: Option<u64>,
    /// Last seen by it, epoch seconds.
    pub last_seen: Option<u64>,
    /// The channel it reports.
    pub channel: Option<u32>,
    /// The cipher set it reports (networks).
    pub cryptset: Option<u64>,
    /// The device's best position by this server's GPS.
    pub position: Option<LatLon>,
}

/// A network as the servers together saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedNetwork {
    /// The network: the latest report's values, with first and last seen,
    /// packets and clients over every server (see the module's notes).
    pub network: NetworkView,
    /// Each server that saw it, the strongest signal first.
    pub seen_by: Vec<SeenBy>,
    /// Its position from the fixed sensors that heard it, when three or
    /// more did.
    pub estimate: Option<Estimate>,
}

impl MergedNetwork {
    /// The server with the strongest signal (the first of
    /// [`MergedNetwork::seen_by`]).
    pub fn strongest(&self) -> Option<&SeenBy> {
        self.seen_by.first()
    }
}

/// A client as the servers together saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct MergedClient {
    /// The client: the latest report's values, first and last seen and
    /// packets as for networks.
    pub client: ClientView,
    /// Each server that saw it, the strongest signal first.
    pub seen_by: Vec<SeenBy>,
}

/// The strongest signal first (a server with no reading last), then by
/// server name.
fn by_strength(a: &SeenBy, b: &SeenBy) -> std::cmp::Ordering {
    let s = |x: &SeenBy| x.signal_dbm.map_or(i64::MIN, i64::from);
    s(b).cmp(&s(a)).then_with(|| a.server.cmp(&b.server))
}

fn min_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What a server saw of a network, and where it stands when fixed.
type Heard = (SeenBy, Option<LatLon>);

/// Every network of the sensors, merged by BSSID, in BSSID order.
pub fn merge_networks(sensors: &[Sensor<'_>]) -> Vec<MergedNetwork> {
    let mut at: HashMap<&str, usize> = HashMap::new();
    // The latest report and each server's.
    let mut merged: Vec<(&NetworkView, Vec<Heard>)> = Vec::new();
    for sensor in sensors {
        for n in &sensor.snapshot.networks {
            let seen = SeenBy {
                server: sensor.name.to_string(),
                signal_dbm: n.signal_dbm,
                packets: n.packets,
                first_seen: n.first_seen,
                last_seen: n.last_seen,
                channel: n.channel,
                cryptset: n.cryptset,
                position: n.best(),
            };
            match at.get(n.bssid.as_str()) {
                Some(&i) => {
                    let (latest, seen_by) = &mut merged[i];
                    if n.last_seen > latest.last_seen {
                        *latest = n;
                    }
                    seen_by.push((seen, sensor.fixed_at));
                }
                None => {
                    at.insert(&n.bssid, merged.len());
                    merged.push((n, vec![(seen, sensor.fixed_at)]));
                }
            }
        }
    }
    // Clients over every server, the access point's own record left out.
    let mut clients: HashMap<&str, HashSet<&str>> = HashMap::new();
    for sensor in sensors {
        for c in sensor.snapshot.clients.iter().filter(|c| c.mac != c.bssid) {
            clients.entry(&c.bssid).or_default().insert(&c.mac);
        }
    }
    let mut out: Vec<MergedNetwork> = merged
        .into_iter()
        .map(|(latest, seen)| {
            let mut network = latest.clone();
            network.signal_dbm = seen.iter().filter_map(|(s, _)| s.signal_dbm).max();
            if seen.len() > 1 {
                network.first_seen = seen.iter().fold(None, |a, (s, _)| min_opt(a, s.first_seen));
                network.last_seen = seen.iter().filter_map(|(s, _)| s.last_seen).max();
                network.packets = seen.iter().filter_map(|(s, _)| s.packets).max();
                network.clients = clients.get(latest.bssid.as_str()).map_or(0, HashSet::len);
            }
            let readings: Vec<(LatLon, i32)> = (seen.iter())
                .filter_map(|(s, fixed)| Some(((*fixed)?, s.signal_dbm?)))
                .collect();
            let mut seen_by: Vec<SeenBy> = seen.into_iter().map(|(s, _)| s).collect();
            seen_by.sort_by(by_strength);
            MergedNetwork {
                network,
                seen_by,
                estimate: estimate_position(&readings),
            }
        })
        .collect();
    out.sort_by(|a, b| a.network.bssid.cmp(&b.network.bssid));
    out
}

/// Every client record of the sensors, merged by BSSID and MAC, in that
/// order.
pub fn merge_clients(sensors: &[Sensor<'_>]) -> Vec<MergedClient> {
    let mut at: HashMap<(&str, &str), usize> = HashMap::new();
    let mut merged: Vec<(&ClientView, Vec<SeenBy>)> = Vec::new();
    for sensor in sensors {
        for c in &sensor.snapshot.clients {
            let seen = SeenBy {
                server: sensor.name.to_string(),
                signal_dbm: c.signal_dbm,
                packets: c.packets,
                first_seen: c.first_seen,
                last_seen: c.last_seen,
                channel: None,
                cryptset: None,
                position: c.best(),
            };
            match at.get(&(c.bssid.as_str(), c.mac.as_str())) {
                Some(&i) => {
                    let (latest, seen_by) = &mut merged[i];
                    if c.last_seen > latest.last_seen {
                        *latest = c;
                    }
                    seen_by.push(seen);
                }
                None => {
                    at.insert((&c.bssid, &c.mac), merged.len());
                    merged.push((c, vec![seen]));
                }
            }
        }
    }
    let mut out: Vec<MergedClient> = merged
        .into_iter()
        .map(|(latest, mut seen_by)| {
            let mut client = latest.clone();
            client.signal_dbm = seen_by.iter().filter_map(|s| s.signal_dbm).max();
            if seen_by.len() > 1 {
                client.first_seen = seen_by.iter().fold(None, |a, s| min_opt(a, s.first_seen));
                client.last_seen = seen_by.iter().filter_map(|s| s.last_seen).max();
                client.packets = seen_by.iter().filter_map(|s| s.packets).max();
            }
            seen_by.sort_by(by_strength);
            MergedClient { client, seen_by }
        })
        .collect();
    out.sort_by(|a, b| (&a.client.bssid, &a.client.mac).cmp(&(&b.client.bssid, &b.client.mac)));
    out
}

impl MergedNetwork {
    /// The network as a view whose place is its estimate, when it has
    /// one (source [`PositionSource::Estimated`]: best and average are
    /// the estimate, its sensors the points); as merged otherwise. For
    /// what takes views: exports, the device views.
    pub fn placed(&self) -> NetworkView {
        let mut n = self.network.clone();
        if let Some(e) = &self.estimate {
            n.place = Some(PlaceView {
                source: PositionSource::Estimated,
                first: None,
                last: None,
                best: Some(e.position),
                best_alt_m: None,
                best_signal_dbm: n.signal_dbm,
                average: Some(e.position),
                min: None,
                max: None,
                gps_points: e.sensors as u64,
            });
        }
        n
    }
}

/// A position estimated from the signals fixed sensors hear.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimated position.
    pub position: LatLon,
    /// The radius around it the device is within, about 95 times in 100
    /// where the model holds, metres.
    pub radius_m: f64,
    /// The sensors it came from.
    pub sensors: usize,
    /// How it was found.
    pub method: EstimateMethod,
}

/// How an [`Estimate`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimateMethod {
    /// A log-distance path-loss model fitted by least squares.
    PathLoss,
    /// The signal-weighted centroid of the sensors (the fit could not be
    /// made: the sensors in a line, or no convergence).
    Centroid,
}

impl EstimateMethod {
    /// Its name in JSON and tables: `path-loss` or `centroid`.
    pub fn name(self) -> &'static str {
        match self {
            EstimateMethod::PathLoss => "path-loss",
            EstimateMethod::Centroid => "centroid",
        }
    }
}

/// Fewest fixed sensors an estimate takes.
pub const MIN_SENSORS: usize = 3;

/// The path-loss exponent assumed, `n` in `rssi = P0 - 10 n log10(d)`:
/// 3, the middle of the usual 2.7 to 3.5 for streets and buildings (2 is
/// free space).
pub const PATH_LOSS_EXPONENT: f64 = 3.0;

/// The spread of a signal about the model assumed (shadowing), dB: 4 dB,
/// the low end of what surveys measure outdoors (4 to 8); the fit's own
/// spread counts instead when larger.
pub const SHADOWING_DB: f64 = 4.0;

/// The level an access point is heard with at one metre, dBm, as the
/// fit expects it before the readings say otherwise: 20 dBm (100 mW, the
/// usual 2.4 GHz default) less 40 dB, the free-space loss of the first
/// metre at 2.4 GHz. A textbook value, not measured.
pub const TYPICAL_P0_DBM: f64 = -20.0;

/// How far an access point's level at one metre is taken to stray from
/// [`TYPICAL_P0_DBM`] (one standard deviation), dB: transmit powers run
/// from about 10 to 30 dBm.
pub const P0_SPREAD_DB: f64 = 6.0;

/// Metres in a degree of latitude (on the sphere of
/// [`LatLon::distance_m`]).
const M_PER_DEG: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// Where a transmitter is, from the signals (dBm) fixed sensors at known
/// positions hear it with; `None` for fewer than [`MIN_SENSORS`].
///
/// The model is log-distance path loss, `rssi_i = P0 - 10 n log10(d_i)`
/// with `n` = [`PATH_LOSS_EXPONENT`], fitted by least squares
/// (Levenberg-Marquardt) over the position and `P0`, the level at one
/// metre, which is not known (it is the transmitter's power less the
/// first metre's loss). Three readings fix only the ratios of the
/// distances, which two positions (with two levels) can meet exactly: a
/// prior on `P0` ([`TYPICAL_P0_DBM`], give or take [`P0_SPREAD_DB`]) picks
/// the one an ordinary access point would give. A fit was
/// chosen over a weighted centroid because a centroid always lies among
/// the sensors, pulled towards their middle, while a transmitter outside
/// them (three sensors in a building, the access point next door) is
/// common; the fit places it where the signals say. Started from the
/// weighted centroid; when the fit cannot be made (sensors in a line, no
/// convergence, a result far outside the sensors) the centroid is given,
/// with the sensors' spread about it as its radius.
///
/// The radius is twice the fit's root-mean-square position error (about
/// 95% where the model holds), from the covariance of the fit with a
/// signal spread of [`SHADOWING_DB`] or the fit's own residuals when
/// larger.
pub fn estimate_position(readings: &[(LatLon, i32)]) -> Option<Estimate> {
    if readings.len() < MIN_SENSORS {
        return None;
    }
    // A local plane around the sensors' middle, metres east and north.
    let n = readings.len() as f64;
    let lat0 = readings.iter().map(|(p, _)| p.lat()).sum::<f64>() / n;
    let lon0 = readings.iter().map(|(p, _)| p.lon()).sum::<f64>() / n;
    let cos0 = lat0.to_radians().cos();
    let to_xy = |p: LatLon| {
        (
            (p.lon() - lon0) * cos0 * M_PER_DEG,
            (p.lat() - lat0) * M_PER_DEG,
        )
    };
    let from_xy =
        |x: f64, y: f64| LatLon::from_degrees(lat0 + y / M_PER_DEG, lon0 + x / (cos0 * M_PER_DEG));
    let pts: Vec<(f64, f64, f64)> = (readings.iter())
        .map(|&(p, r)| {
            let (x, y) = to_xy(p);
            (x, y, f64::from(r))
        })
        .collect();
    let centroid = weighted_centroid(&pts);
    let spread = |cx: f64, cy: f64| {
        let w: Vec<f64> = pts.iter().map(|p| weight(p.2)).collect();
        let total: f64 = w.iter().sum();
        let ss: f64 = (pts.iter().zip(&w))
            .map(|(p, w)| w * ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)))
            .sum();
        (ss / total).sqrt()
    };
    let fallback = || {
        Some(Estimate {
            position: from_xy(centroid.0, centroid.1)?,
            radius_m: spread(centroid.0, centroid.1).max(1.0),
            sensors: readings.len(),
            method: EstimateMethod::Centroid,
        })
    };
    if in_a_line(&pts) {
        return fallback();
    }
    let Some((x, y, radius)) = fit(&pts, centroid) else {
        return fallback();
    };
    // Far outside the sensors (ten times their spread from the middle):
    // the signals do not fit the model; the centroid says less but holds.
    let reach = pts.iter().map(|p| p.0.hypot(p.1)).fold(0.0, f64::max);
    if x.hypot(y) > 10.0 * reach.max(10.0) || !radius.is_finite() {
        return fallback();
    }
    Some(Estimate {
        position: from_xy(x, y)?,
        radius_m: radius.max(1.0),
        sensors: readings.len(),
        method: EstimateMethod::PathLoss,
    })
}

/// Whether the sensors stand (nearly) in a line: their spread across
/// the line through them is under a metre, or under a twentieth of their
/// spread along it. The signals then cannot tell on which side of the
/// line the transmitter is.
fn in_a_line(pts: &[(f64, f64, f64)]) -> bool {
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx / n;
        syy += dy * dy / n;
        sxy += dx * dy / n;
    }
    // The eigenvalues of the spread: the variances along and across.
    let mid = (sxx + syy) / 2.0;
    let half = (((sxx - syy) / 2.0).powi(2) + sxy * sxy).sqrt();
    let (along, across) = ((mid + half).max(0.0).sqrt(), (mid - half).max(0.0).sqrt());
    across < 1.0 || across < along / 20.0
}

/// A reading's weight in the centroid: proportional to the inverse of the
/// distance the model gives (`P0` cancels out).
fn weight(rssi: f64) -> f64 {
    10f64.powf(rssi / (10.0 * PATH_LOSS_EXPONENT))
}

fn weighted_centroid(pts: &[(f64, f64, f64)]) -> (f64, f64) {
    let total: f64 = pts.iter().map(|p| weight(p.2)).sum();
    let x = pts.iter().map(|p| weight(p.2) * p.0).sum::<f64>() / total;
    let y = pts.iter().map(|p| weight(p.2) * p.1).sum::<f64>() / total;
    (x, y)
}

/// Distances below this count as this, metres (the model's reference).
const MIN_DISTANCE_M: f64 = 1.0;

/// The model's level at `(x, y)` for a sensor at `p`, and its derivatives
/// by x and y.
fn model_at(x: f64, y: f64, p0: f64, p: &(f64, f64, f64)) -> (f64, f64, f64) {
    let (dx, dy) = (x - p.0, y - p.1);
    let d2 = (dx * dx + dy * dy).max(MIN_DISTANCE_M * MIN_DISTANCE_M);
    let k = 10.0 * PATH_LOSS_EXPONENT / std::f64::consts::LN_10;
    let level = p0 - 0.5 * k * d2.ln();
    (level, -k * dx / d2, -k * dy / d2)
}

/// The weight of the prior on `P0` as a row of the fit: a reading's
/// spread over the prior's.
const PRIOR_WEIGHT: f64 = SHADOWING_DB / P0_SPREAD_DB;

/// The sum of squared residuals of the model at (x, y, p0), the prior on
/// `P0` among them.
fn cost(pts: &[(f64, f64, f64)], x: f64, y: f64, p0: f64) -> f64 {
    let prior = (PRIOR_WEIGHT * (TYPICAL_P0_DBM - p0)).powi(2);
    prior
        + pts
            .iter()
            .map(|p| (p.2 - model_at(x, y, p0, p).0).powi(2))
            .sum::<f64>()
}

/// The best `P0` for a position: the mean of what each reading gives.
fn p0_at(pts: &[(f64, f64, f64)], x: f64, y: f64) -> f64 {
    pts.iter()
        .map(|p| p.2 - model_at(x, y, 0.0, p).0)
        .sum::<f64>()
        / pts.len() as f64
}

/// Levenberg-Marquardt from `start`: (x, y, P0) and the cost there.
fn descend(pts: &[(f64, f64, f64)], start: (f64, f64)) -> (f64, f64, f64, f64) {
    let (mut x, mut y) = start;
    let mut p0 = p0_at(pts, x, y);
    let mut current = cost(pts, x, y, p0);
    let mut lambda = 1e-3;
    for _ in 0..300 {
        let (jtj, jtr) = normal_equations(pts, x, y, p0);
        let mut damped = jtj;
        for (i, row) in damped.iter_mut().enumerate() {
            row[i] += lambda * jtj[i][i].max(1e-9);
        }
        let Some(step) = solve3(damped, jtr) else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
            continue;
        };
        let (nx, ny, np) = (x + step[0], y + step[1], p0 + step[2]);
        let next = cost(pts, nx, ny, np);
        if next < current {
            let small = current - next < 1e-12 && step[0].hypot(step[1]) < 1e-4;
            (x, y, p0, current) = (nx, ny, np, next);
            lambda = (lambda / 10.0).max(1e-12);
            if small {
                break;
            }
        } else {
            lambda *= 10.0;
            if lambda > 1e12 {
                break;
            }
        }
    }
    (x, y, p0, current)
}

/// The least-squares fit of (x, y, P0): the position and its radius, or
/// `None` when it cannot be made. The cost has more than one valley (the
/// signals fix the ratios of the distances, and two circles of such
/// ratios cross at two points): the fit starts from the weighted
/// centroid and from points on two rings around the sensors, and keeps
/// the best.
fn fit(pts: &[(f64, f64, f64)], centroid: (f64, f64)) -> Option<(f64, f64, f64)> {
    let reach = pts.iter().map(|p| p.0.hypot(p.1)).fold(10.0, f64::max);
    let rings = (0..16).map(|i| {
        let a = f64::from(i % 8) * std::f64::consts::FRAC_PI_4;
        let r = if i < 8 { reach } else { 2.5 * reach };
        (r * a.cos(), r * a.sin())
    });
    let (x, y, p0, best) = std::iter::once(centroid)
        .chain(rings)
        .map(|start| descend(pts, start))
        .filter(|r| r.3.is_finite())
        .min_by(|a, b| a.3.total_cmp(&b.3))?;
    // The covariance of the fit: sigma^2 (J^T J)^-1; its position part.
    let (jtj, _) = normal_equations(pts, x, y, p0);
    // The readings and the prior, less the three unknowns.
    let dof = pts.len().saturating_sub(2);
    let residual = if dof > 0 {
        (best / dof as f64).sqrt()
    } else {
        0.0
    };
    let sigma = SHADOWING_DB.max(residual);
    let inv = invert3(jtj)?;
    let drms = (sigma * sigma * (inv[0][0] + inv[1][1])).sqrt();
    Some((x, y, 2.0 * drms))
}

/// `J^T J` and `J^T r` of the fit at (x, y, p0).
fn normal_equations(pts: &[(f64, f64, f64)], x: f64, y: f64, p0: f64) -> ([[f64; 3]; 3], [f64; 3]) {
    let mut jtj = [[0.0; 3]; 3];
    let mut jtr = [0.0; 3];
    for p in pts {
        let (level, gx, gy) = model_at(x, y, p0, p);
        let j = [gx, gy, 1.0];
        let r = p.2 - level;
        for a in 0..3 {
            jtr[a] += j[a] * r;
            for b in 0..3 {
                jtj[a][b] += j[a] * j[b];
            }
        }
    }
    // The prior on P0: one more row.
    jtj[2][2] += PRIOR_WEIGHT * PRIOR_WEIGHT;
    jtr[2] += PRIOR_WEIGHT * PRIOR_WEIGHT * (TYPICAL_P0_DBM - p0);
    (jtj, jtr)
}

fn det3(m: &[[f64; 3]; 3]) -> f64 {
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
}

/// The inverse of `m`; `None` when it is (nearly) singular.
fn invert3(m: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let det = det3(&m);
    let scale: f64 = m.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    if !det.is_finite() || det.abs() <= 1e-12 * scale.powi(3) {
        return None;
    }
    let c = |r: usize, k: usize| {
        let (r1, r2) = ((r + 1) % 3, (r + 2) % 3);
        let (k1, k2) = ((k + 1) % 3, (k + 2) % 3);
        m[r1][k1] * m[r2][k2] - m[r1][k2] * m[r2][k1]
    };
    let mut inv = [[0.0; 3]; 3];
    for (r, row) in inv.iter_mut().enumerate() {
        for (k, v) in row.iter_mut().enumerate() {
            *v = c(k, r) / det;
        }
    }
    Some(inv)
}

fn solve3(m: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let inv = invert3(m)?;
    Some([0, 1, 2].map(|r| inv[r][0] * b[0] + inv[r][1] * b[1] + inv[r][2] * b[2]))
}

#[cfg(test)]
mod tests;
