//! The world's own tests: stations joining, and the drive (who is heard
//! where, the positions the records keep).

use super::*;
use crate::catalog::GATEWAY;

/// Every access point soon has a station of its own sending data
/// (encrypted with the access point's bit set) and the wired gateway
/// behind it; the station that only probes never joins anything.
#[test]
fn stations_join_their_access_points() {
    let mut w = World::new(1, 0, Extras::default());
    let probe_only = Mac(STATIONS[8].mac);
    let gateway = Mac(GATEWAY.0);
    for t in 1..=200 {
        w.tick(t);
        assert!(w
            .clients()
            .iter()
            .all(|c| c.mac != probe_only || c.bssid == probe_only));
        let done = APS.iter().all(|ap| {
            let (mut station, mut wired) = (false, false);
            for c in w.clients().iter().filter(|c| c.bssid.0 == ap.bssid) {
                if c.mac == gateway {
                    wired = true;
                } else if c.mac != c.bssid && c.data > 0 {
                    assert_eq!(c.cryptset, ap.cryptset);
                    station = true;
                }
            }
            station && wired
        });
        if done {
            assert!(t <= 40, "only after {t} ticks");
            return;
        }
    }
    panic!("not every access point got a station");
}

/// A world driving `route` with the devices placed for `seed`.
fn driving(seed: u64, route: Route) -> World {
    let extras = Extras {
        drive: Some(Arc::new(route)),
        parked_at: None,
        alerts: false,
        alert_every: None,
    };
    World::new(seed, 0, extras)
}

/// One tick of a drive, as a client sees it: the fix the GPS line shows,
/// and the level of each access point heard (`None`: not heard).
struct Seen {
    fix: Gps,
    levels: Vec<Option<i32>>,
}

/// Drives `ticks` ticks and returns what each showed.
fn drive(w: &mut World, ticks: u64) -> Vec<Seen> {
    (1..=ticks)
        .map(|t| {
            let changes = w.tick(t);
            let levels = (0..APS.len())
                .map(|i| {
                    changes
                        .contains(&Change::Network(i))
                        .then(|| w.networks()[i].signal.dbm)
                })
                .collect();
            Seen {
                fix: w.gps().expect("a GPS").clone(),
                levels,
            }
        })
        .collect()
}

/// Ticks to go once round `route` (or there and back), and a few more.
fn lap(route: &Route) -> u64 {
    let there_and_back = if route.is_loop() { 1.0 } else { 2.0 };
    (there_and_back * route.length_m() / crate::drive::SPEED_MPS).ceil() as u64 + 5
}

/// A road of 1.2 km with two bends, not a loop (driven there and back).
fn open_road() -> Route {
    let a = crate::geo::Point::new(37.77, -122.45, 30.0);
    let b = a.moved(500.0, 0.0);
    let c = b.moved(300.0, 300.0);
    let d = c.moved(0.0, 276.0);
    Route::new(vec![a, b, c, d]).unwrap()
}

/// On a drive an access point is heard only within range of the car (the
/// path-loss model's range, give or take the fading), always when well
/// within it, and is unknown (no burst, no view) until first heard; once
/// round the loop, every one was heard.
#[test]
fn drive_hears_access_points_only_within_range() {
    use crate::radio::{range_m, AP_TX_DBM, EXPONENT, FADING_DB};
    let range = range_m(AP_TX_DBM);
    let slack = 10f64.powf(FADING_DB / (10.0 * EXPONENT));
    for seed in 1..=3 {
        let mut w = driving(seed, Route::builtin());
        let aps = w.drive().unwrap().placement().aps.clone();
        let mut heard = [false; APS.len()];
        for t in 1..=lap(&Route::builtin()) {
            let changes = w.tick(t);
            let car = w.drive().unwrap().truth();
            for (i, ap) in aps.iter().enumerate() {
                let d = car.distance_m(ap);
                let now = changes.contains(&Change::Network(i));
                assert!(
                    !now || d <= range * slack,
                    "seed {seed} tick {t} AP {i} at {d} m"
                );
                assert!(
                    now || d >= range / slack,
                    "seed {seed} tick {t} AP {i} at {d} m"
                );
                heard[i] |= now;
                let known = w.networks_by_mac().any(|n| n.bssid.0 == APS[i].bssid);
                assert_eq!(known, heard[i], "seed {seed} tick {t} AP {i}");
            }
        }
        assert_eq!(heard, [true; APS.len()], "seed {seed}");
    }
}

/// The server's best position of an access point is the fix before the
/// one current when its strongest signal was first heard (a real server
/// lags one fix), exactly; its average is the mean of the fixes it was
/// tagged with, each one late.
#[test]
fn best_position_lags_one_fix_behind_the_strongest_signal() {
    for (seed, route) in [
        (1, Route::builtin()),
        (2, Route::builtin()),
        (3, open_road()),
    ] {
        let mut w = driving(seed, route.clone());
        let seen = drive(&mut w, lap(&route));
        for (i, n) in w.networks()[..APS.len()].iter().enumerate() {
            let heard: Vec<(usize, i32)> = seen
                .iter()
                .enumerate()
                .filter_map(|(k, s)| s.levels[i].map(|dbm| (k, dbm)))
                .collect();
            let max = heard.iter().map(|&(_, dbm)| dbm).max().unwrap();
            let (k, _) = heard.iter().find(|&&(_, dbm)| dbm == max).unwrap();
            assert!(*k > 0, "seed {seed} AP {i}: strongest at the start");
            let before = &seen[k - 1].fix;
            assert_eq!(before.fix, 3, "seed {seed} AP {i}: strongest before a fix");
            assert_eq!(
                n.gps.best,
                [before.lat, before.lon, before.alt],
                "seed {seed} AP {i}"
            );
            let tagged: Vec<&Gps> = heard
                .iter()
                .filter(|&&(k, _)| k > 0)
                .map(|&(k, _)| &seen[k - 1].fix)
                .filter(|f| f.fix == 3)
                .collect();
            assert_eq!(n.gps.points, tagged.len() as u64);
            let lat = tagged.iter().map(|f| f.lat).sum::<f64>() / tagged.len() as f64;
            assert!(
                (n.gps.average()[0] - lat).abs() < 1e-9,
                "seed {seed} AP {i}"
            );
        }
    }
}

/// What a client computes, the fix current at each update with an access
/// point's strongest signal, is within 15 m of where the route passes the
/// access point closest: for 20 seeds, twice round the built-in loop, and
/// there and back along an open road.
#[test]
fn strongest_signal_comes_within_15_m_of_the_closest_pass() {
    for seed in 1..=20 {
        for route in [Route::builtin(), open_road()] {
            let mut w = driving(seed, route.clone());
            let seen = drive(&mut w, 2 * lap(&route));
            let aps = w.drive().unwrap().placement().aps.clone();
            for (i, ap) in aps.iter().enumerate() {
                let closest = route.closest(ap).point;
                let max = seen.iter().filter_map(|s| s.levels[i]).max().unwrap();
                for s in seen.iter().filter(|s| s.levels[i] == Some(max)) {
                    let fix = crate::geo::Point::new(s.fix.lat, s.fix.lon, 0.0);
                    let off = fix.distance_m(&closest);
                    assert!(
                        off <= 15.0,
                        "seed {seed} AP {i}: {off:.1} m off at {max} dBm"
                    );
                }
            }
        }
    }
}

/// With `alert_every`, an alert is raised every that many seconds of the
/// server's clock, of the legacy server's kinds, with a text naming the
/// network; without it (and without `alerts`) none.
#[test]
fn alert_every_raises_alerts_on_time() {
    let extras = Extras {
        alert_every: Some(3),
        ..Extras::default()
    };
    let mut w = World::new(7, 0, extras);
    let mut raised = Vec::new();
    for now in 1..=30 {
        for c in w.tick(now) {
            if let super::Change::Alert(i) = c {
                raised.push((now, w.alerts()[i].clone()));
            }
        }
    }
    let times: Vec<u64> = raised.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, (0..10).map(|i| 1 + 3 * i).collect::<Vec<u64>>());
    for (_, a) in &raised {
        let kinds = [
            "DEAUTHFLOOD",
            "BCASTDISCON",
            "PROBENOJOIN",
            "APSPOOF",
            "CHANCHANGE",
        ];
        assert!(kinds.contains(&a.header), "{}", a.header);
        assert!(a.sec > 0 && !a.text.is_empty());
    }
    let mut quiet = World::new(7, 0, Extras::default());
    assert!((1..=30).all(|t| !quiet
        .tick(t)
        .iter()
        .any(|c| matches!(c, super::Change::Alert(_)))));
}
