//! `watch` in a real terminal: tmux runs the shell, the test reads the
//! screen with `capture-pane`. Every wait is bounded and polls the screen
//! for what it expects.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Longest wait for a screen state.
const SCREEN_WAIT: Duration = Duration::from_secs(20);

/// A tmux server of the test's own (its own socket), with one window
/// running a command; killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(cols: u16, rows: u16, command: &str) -> Tmux {
        static N: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "kismet-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let t = Tmux { socket };
        let ok = t
            .cmd(&[
                "new-session",
                "-d",
                "-x",
                &cols.to_string(),
                "-y",
                &rows.to_string(),
                command,
            ])
            .status
            .success();
        assert!(ok, "cannot start tmux (the watch test needs it)");
        t
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux (the watch test needs it): {e}"))
    }

    /// Sends keys (tmux key names, such as `Enter`, or text).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    /// The screen as text, one line per row.
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "0"]).stdout).into_owned()
    }

    /// The screen with its colours, as escape sequences.
    fn screen_coloured(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-e", "-t", "0"]).stdout)
            .into_owned()
    }

    /// The whole history, scrollback included.
    fn history(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["capture-pane", "-p", "-S", "-", "-t", "0"])
                .stdout,
        )
        .into_owned()
    }

    /// Polls the screen until `want` holds; returns it.
    fn until(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + SCREEN_WAIT;
        loop {
            let s = self.screen();
            if want(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waiting for {what}; screen:\n{s}"
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The shell in tmux (`cols` by `rows`, with `extra` options), on a
/// simulator whose world stands still, at its first prompt.
fn shell_on_still_sim(cols: u16, rows: u16, extra: &str) -> (kismet_sim::Sim, Tmux) {
    let sim = crate::common::still_sim();
    let t = shell_on(&sim, cols, rows, "NO_COLOR=1", extra);
    (sim, t)
}

/// The shell in tmux (`cols` by `rows`, with environment `env` and
/// `extra` options) on `sim`, at its first prompt.
fn shell_on(sim: &kismet_sim::Sim, cols: u16, rows: u16, env: &str, extra: &str) -> Tmux {
    let shell = format!(
        "{env} TERM=xterm {} {} --history /dev/null {extra}; sleep 60",
        env!("CARGO_BIN_EXE_kismet-shell"),
        sim.local_addr()
    );
    let t = Tmux::start(cols, rows, &shell);
    t.until("the prompt", |s| s.contains("kismet 127.0.0.1:"));
    t
}

/// The value of column `col` in the row of `bssid` on a watch screen.
fn cell(screen: &str, bssid: &str, col: &str) -> Option<String> {
    let header = screen
        .lines()
        .find(|l| l.contains("BSSID") && l.contains(col))?;
    let at = header.find(col)?;
    let row = screen.lines().find(|l| l.contains(bssid))?;
    row.get(at..)
        .and_then(|r| r.split_whitespace().next())
        .map(str::to_string)
}

/// `watch networks` draws the networks, updates them in place (same rows,
/// the title still on top, new packet counts), `s` changes the sort
/// column (the rows follow it), and `q` returns to the prompt with the
/// screen and scrollback as they were.
#[test]
fn watch_networks_draws_updates_sorts_and_restores() {
    let (sim, t) = shell_on_still_sim(150, 30, "");
    t.keys(&["help quit", "Enter"]);
    t.until("help output", |s| s.contains("leave the shell"));
    t.keys(&["watch networks", "Enter"]);
    let first = t.until("the networks drawn", |s| {
        s.lines()
            .next()
            .unwrap_or("")
            .starts_with("kismet watch networks")
            && s.contains("00:14:6C:A1:00:01")
            && s.contains("<hidden>")
    });
    assert!(first.contains("WPA+WPA2"), "{first}");
    let pkts = cell(&first, "00:14:6C:A1:00:01", "PKTS").unwrap();
    // The world moves one tick: updated in place, later packet counts, the
    // title still on the first line.
    sim.step();
    let later = t.until("the packet count updated", |s| {
        cell(s, "00:14:6C:A1:00:01", "PKTS").is_some_and(|p| p != pkts)
    });
    assert!(later
        .lines()
        .next()
        .unwrap()
        .starts_with("kismet watch networks"));
    assert!(!later.contains("leave the shell"), "the alternate screen");
    // Sort by the next column (packets): the rows follow, most first.
    t.keys(&["s"]);
    let packet_counts = |screen: &str| -> Vec<u64> {
        screen
            .lines()
            .filter(|l| l.contains(':') && !l.starts_with("kismet"))
            .filter_map(|l| {
                let bssid = l
                    .split_whitespace()
                    .find(|w| w.len() == 17 && w.contains(':'))?;
                cell(screen, bssid, "PKTS")?.parse().ok()
            })
            .collect()
    };
    // A capture can fall in the middle of a redraw (the title redrawn, the
    // rows not yet): wait for a whole screen sorted by packets, most
    // first. Unsorted rows never get there.
    let sorted = t.until("a screen sorted by packets", |s| {
        let counts = packet_counts(s);
        s.contains("sort (packets") && counts.len() >= 6 && counts.windows(2).all(|w| w[0] >= w[1])
    });
    let counts = packet_counts(&sorted);
    assert!(
        counts.first() > counts.last(),
        "rows of different counts: {counts:?}\n{sorted}"
    );
    // q: back to the prompt, the screen as it was before watch.
    t.keys(&["q"]);
    let back = t.until("the prompt again", |s| {
        !s.contains("kismet watch") && s.contains("leave the shell")
    });
    assert!(back.contains("> watch networks"), "{back}");
    assert!(t.history().contains("help quit"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// The BSSID on the selected row (`> ` before it) of a watch screen.
fn selected_bssid(screen: &str) -> Option<String> {
    let row = screen.lines().find(|l| l.starts_with("> "))?;
    row.split_whitespace()
        .find(|w| w.len() == 17 && w.contains(':'))
        .map(str::to_string)
}

/// Moves the watch's selection to the third row; the screen then.
fn select_third_row(t: &Tmux) -> String {
    t.keys(&["Down", "Down"]);
    t.until("the third row selected", |s| {
        let rows: Vec<&str> = s.lines().filter(|l| l.contains(':')).collect();
        rows.iter().position(|l| l.starts_with("> ")) == Some(3)
    })
}

/// Waits for the networks list with `chosen` selected, then leaves the
/// watch and the shell.
fn back_on_the_network_then_quit(t: &Tmux, chosen: &str) {
    let back = t.until("the networks again", |s| {
        s.starts_with("kismet watch networks") && selected_bssid(s).is_some()
    });
    assert_eq!(selected_bssid(&back).as_deref(), Some(chosen), "{back}");
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
}

/// The selection stays on its network when the rows re-sort (before: it
/// stayed on the screen row, so `>` jumped to another network), and Esc
/// from its clients, opened from its detail, comes back to it.
#[test]
fn watch_selection_follows_the_network_across_sorts() {
    let (sim, t) = shell_on_still_sim(150, 30, "");
    t.keys(&["watch networks", "Enter"]);
    t.until("the networks drawn", |s| {
        s.contains("00:14:6C:A1:00:01") && s.contains("<hidden>") && selected_bssid(s).is_some()
    });
    // The third row, whichever network it is.
    let before = select_third_row(&t);
    let chosen = selected_bssid(&before).unwrap();
    // Sort by each of the next three columns: the rows move, the
    // selection with its network.
    let label = |s: &str| {
        s.split("sort (")
            .nth(1)
            .map(|r| r.split(' ').next().unwrap_or("").to_string())
    };
    let mut last = label(&before);
    let mut rows_moved = false;
    for _ in 0..3 {
        t.keys(&["s"]);
        let s = t.until("the next sort column", |s| {
            label(s).is_some() && label(s) != last && selected_bssid(s).is_some()
        });
        assert_eq!(selected_bssid(&s).as_deref(), Some(chosen.as_str()), "{s}");
        let place = |screen: &str| screen.lines().position(|l| l.starts_with("> "));
        rows_moved |= place(&s) != place(&before);
        last = label(&s);
    }
    assert!(
        rows_moved,
        "no sort moved the selected network: the test shows nothing"
    );
    // Enter opens its detail, c its clients; Esc twice comes back.
    t.keys(&["Enter"]);
    t.until("its detail", |s| s.starts_with("kismet watch network "));
    t.keys(&["c"]);
    t.until("its clients", |s| s.starts_with("kismet watch clients"));
    t.keys(&["Escape"]);
    t.until("its detail again", |s| {
        s.starts_with("kismet watch network ")
    });
    t.keys(&["Escape"]);
    back_on_the_network_then_quit(&t, &chosen);
    sim.shutdown();
}

/// At 80 and 60 columns the title keeps the row count whole (before: cut
/// to `…(connected) | 1` of 16 rows), and the TYPE column stays, so a probe
/// row never reads as an open network; no line is wider than the screen.
#[test]
fn watch_at_narrow_widths_keeps_counts_and_types() {
    for cols in [80u16, 60] {
        let (sim, t) = shell_on_still_sim(cols, 30, "");
        t.keys(&["watch networks --type ap --type probe", "Enter"]);
        let s = t.until("the networks drawn", |s| {
            s.starts_with("kismet watch networks: 14 rows") && s.contains("probe")
        });
        let header = s.lines().find(|l| l.contains("BSSID")).unwrap();
        assert!(
            header.contains("TYPE") && header.contains("SSID"),
            "{cols}: {s}"
        );
        assert!(
            s.lines().all(|l| l.chars().count() <= usize::from(cols)),
            "{cols}: {s}"
        );
        t.keys(&["q"]);
        t.until("the prompt again", |s| !s.contains("kismet watch"));
        t.keys(&["quit", "Enter"]);
        sim.shutdown();
    }
}

/// `/` keeps the rows that contain what is typed (any case); Esc clears
/// it and every row is back.
#[test]
fn watch_slash_finds_rows_by_text() {
    let (sim, t) = shell_on_still_sim(150, 30, "");
    t.keys(&["watch networks", "Enter"]);
    t.until("the networks drawn", |s| s.contains(": 6 rows"));
    t.keys(&["/", "coffee"]);
    t.until("the text typed", |s| s.contains("find: coffee_"));
    t.keys(&["Enter"]);
    let found = t.until("one row", |s| {
        s.contains(": 1 rows") && s.contains("rows with \"coffee\"")
    });
    assert!(found.contains("Coffee Shop Free WiFi"), "{found}");
    assert!(!found.contains("HomeNet"), "{found}");
    t.keys(&["Escape"]);
    t.until("every row again", |s| {
        s.contains(": 6 rows") && s.contains("HomeNet")
    });
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// `watch networks --type probe` shows the probe entries only, as
/// `networks --type probe` does; in `watch clients`, `s` sorts by a column
/// (MAC first) and `r` reverses it.
#[test]
fn watch_networks_takes_type_and_clients_sort() {
    let (sim, t) = shell_on_still_sim(150, 30, "");
    t.keys(&["watch networks --type probe", "Enter"]);
    let probes = t.until("the probe entries", |s| {
        s.starts_with("kismet watch networks:") && s.contains("probe") && !s.contains(" ap ")
    });
    let rows = probes.lines().filter(|l| l.contains(" probe ")).count();
    assert!(rows >= 2 && !probes.contains("HomeNet"), "{probes}");
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["watch clients", "Enter"]);
    t.until("the clients", |s| {
        s.starts_with("kismet watch clients") && s.contains("as listed")
    });
    let macs = |s: &str| -> Vec<String> {
        s.lines()
            .skip(3)
            .filter_map(|l| l.trim_start_matches("> ").split_whitespace().next())
            .filter(|w| w.len() == 17)
            .map(str::to_string)
            .collect()
    };
    t.keys(&["s"]);
    let up = t.until("sorted by MAC", |s| {
        s.contains("sort (MAC ↑)") && macs(s).len() >= 4
    });
    let m = macs(&up);
    assert!(m.windows(2).all(|w| w[0] <= w[1]), "{up}");
    t.keys(&["r"]);
    let down = t.until("reversed", |s| {
        s.contains("sort (MAC ↓)") && macs(s).len() >= 4
    });
    let m = macs(&down);
    assert!(m.windows(2).all(|w| w[0] >= w[1]), "{down}");
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// `networks` and `clients` in a real terminal of 80 and 120 columns: no
/// line wider than the terminal, no word split (`Coffee Shop Free WiFi` in
/// one cell, the header's `LAST SEEN` whole or left out); `--wide` shows
/// every column.
#[test]
fn tables_fit_the_terminal_without_splitting_words() {
    for cols in [80u16, 120] {
        let (sim, t) = shell_on_still_sim(cols, 60, "--no-pager");
        t.keys(&["networks", "Enter"]);
        let s = t.until("the networks", |s| {
            s.lines().any(|l| l.starts_with("6 networks"))
        });
        assert!(
            s.lines().all(|l| l.chars().count() <= usize::from(cols)),
            "{cols}:\n{s}"
        );
        assert!(s.contains("Coffee Shop Free WiFi"), "{cols}:\n{s}");
        assert!(
            !s.lines()
                .any(|l| l.trim_end().ends_with("LAST ┆") || l.contains("┆ SEEN")),
            "{s}"
        );
        t.keys(&["clear", "Enter"]);
        t.keys(&["networks --wide", "Enter"]);
        let wide = t.until("the wide networks", |s| {
            s.lines().any(|l| l.starts_with("6 networks"))
        });
        assert!(
            wide.contains("LAST SEEN") && wide.contains("MANUF"),
            "{cols}:\n{wide}"
        );
        t.keys(&["quit", "Enter"]);
        sim.shutdown();
    }
}

/// `watch stations` at 80x24: every line fits, the station seen only
/// probing shows `(not associated)` and the names it probes for (they
/// come live: the world ticks), `/` keeps its row, Enter opens its
/// records and Esc comes back to it.
#[test]
fn watch_stations_fits_80_columns_and_shows_probes() {
    let (sim, t) = shell_on_still_sim(80, 24, "");
    t.keys(&["watch stations", "Enter"]);
    t.until("the stations drawn", |s| {
        s.starts_with("kismet watch stations: ") && s.contains("00:19:D2:10:00:09")
    });
    // The probes come with the station's next probe: tick until they show.
    let deadline = Instant::now() + SCREEN_WAIT;
    let shown = loop {
        sim.step();
        thread::sleep(Duration::from_millis(300));
        let s = t.screen();
        if s.contains("eduroam,MyPhone Hotspot") {
            break s;
        }
        assert!(Instant::now() < deadline, "no probes shown:\n{s}");
    };
    assert!(
        shown.lines().all(|l| l.chars().count() <= 80),
        "a line wider than 80:\n{shown}"
    );
    let header = shown.lines().find(|l| l.contains("STATION")).unwrap();
    assert!(
        header.contains("BSSID") && header.contains("PROBES"),
        "{shown}"
    );
    let row = shown
        .lines()
        .find(|l| l.contains("00:19:D2:10:00:09"))
        .unwrap();
    assert!(
        row.contains("(not associated)") && row.contains("eduroam,MyPhone Hotspot"),
        "{shown}"
    );
    t.keys(&["/", "eduroam", "Enter"]);
    let found = t.until("one row", |s| {
        s.starts_with("kismet watch stations: 1 rows") && s.contains("00:19:D2:10:00:09")
    });
    assert!(
        found.lines().any(|l| l.starts_with("> 00:19:D2:10:00:09")),
        "{found}"
    );
    // Esc clears the search; the selection stays on the station, and
    // Enter opens its records, Esc comes back to it.
    t.keys(&["Escape"]);
    t.until("every row again", |s| {
        s.starts_with("kismet watch stations") && !s.contains("rows with")
    });
    t.keys(&["Enter"]);
    t.until("its records", |s| {
        s.starts_with("kismet watch clients of 00:19:D2:10:00:09")
    });
    t.keys(&["Escape"]);
    let back = t.until("the stations again", |s| {
        s.starts_with("kismet watch stations") && s.contains("\n> ")
    });
    assert!(
        back.lines().any(|l| l.starts_with("> 00:19:D2:10:00:09")),
        "{back}"
    );
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// `watch sources` draws the capture sources table at 80 columns: after
/// `lock wlan0 6` at the prompt, the source shows on channel 6, locked;
/// `q` returns to the prompt.
#[test]
fn watch_sources_shows_a_locked_source_on_its_channel() {
    let (sim, t) = shell_on_still_sim(80, 24, "");
    t.keys(&["lock wlan0 6", "Enter"]);
    t.until("the lock acknowledged", |s| s.contains("ok ("));
    t.keys(&["watch sources", "Enter"]);
    let shown = t.until("the locked source drawn", |s| {
        s.starts_with("kismet watch sources: 1 rows")
            && s.lines()
                .any(|l| l.contains("wlan0") && l.contains("locked"))
    });
    assert!(
        shown.lines().all(|l| l.chars().count() <= 80),
        "a line wider than 80:\n{shown}"
    );
    let header = shown.lines().find(|l| l.contains("NAME")).unwrap();
    let at = header.find("CHANNEL").unwrap();
    let row = shown.lines().find(|l| l.contains("locked")).unwrap();
    assert_eq!(
        row.get(at..).and_then(|r| r.split_whitespace().next()),
        Some("6"),
        "{shown}"
    );
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// The start of the text of each kind of alert the simulator raises.
const KINDS_TEXT: [&str; 5] = [
    "Deauthenticate/Disa",
    "Broadcast disassoc",
    "Probe on ",
    "Unauthorized device",
    "Beacon on ",
];

/// `watch alerts` lists the alerts newest first, in 80 columns, and a new
/// one comes in at the top while it is open.
#[test]
fn watch_alerts_shows_newest_first_and_takes_new_ones() {
    let sim = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            alert_every: Some(1),
            tick: Duration::from_millis(300),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let shell = format!(
        "NO_COLOR=1 TERM=xterm {} {} --history /dev/null; sleep 60",
        env!("CARGO_BIN_EXE_kismet-shell"),
        sim.local_addr()
    );
    let t = Tmux::start(80, 24, &shell);
    t.until("the prompt", |s| s.contains("kismet 127.0.0.1:"));
    t.keys(&["watch alerts", "Enter"]);
    let rows = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.trim_start_matches("> ").trim_start())
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .map(String::from)
            .collect()
    };
    let first = t.until("two alerts", |s| {
        s.starts_with("kismet watch alerts") && rows(s).len() >= 2
    });
    assert!(first.lines().all(|l| l.chars().count() <= 80), "{first}");
    assert!(first.contains("TYPE") && first.contains("TEXT"), "{first}");
    assert!(
        rows(&first)
            .iter()
            .all(|r| KINDS_TEXT.iter().any(|t| r.contains(t))),
        "each row shows the start of its text:\n{first}"
    );
    let times: Vec<String> = rows(&first).iter().map(|r| r[..8].to_string()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first:\n{first}");
    let top = rows(&first)[0].clone();
    let later = t.until("a newer alert on top", |s| {
        rows(s).first().is_some_and(|r| *r != top) && rows(s).len() > rows(&first).len()
    });
    assert!(rows(&later)[1..].contains(&top), "{later}");
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// `watch channels` at 80x24 on a ticking simulator: a 2.4 GHz heading
/// with a bar line per channel the access points are on, a 5 GHz heading,
/// the source of the numbers (the server's CHANNEL lines); q returns to
/// the prompt.
#[test]
fn watch_channels_draws_bars_under_band_headings() {
    let sim = crate::common::sim_ticking(Duration::from_millis(100));
    let t = shell_on(&sim, 80, 24, "NO_COLOR=1", "");
    t.keys(&["watch channels", "Enter"]);
    let channels: Vec<u8> = (sim.networks().iter())
        .filter(|n| n.network_type == 0 && n.channel != 0)
        .map(|n| n.channel)
        .collect();
    let bar_line = |s: &str, ch: u8| {
        s.lines()
            .any(|l| l.starts_with(&format!("{ch:>3} ")) && l.contains('█') && l.contains("dBm"))
    };
    let screen = t.until("bars for every channel", |s| {
        s.starts_with("kismet watch channels")
            && s.contains("CHANNEL lines")
            && channels.iter().all(|&ch| bar_line(s, ch))
    });
    let at = |what: &str| {
        screen
            .find(what)
            .unwrap_or_else(|| panic!("{what}:\n{screen}"))
    };
    assert!(at("\n2.4 GHz") < at("\n5 GHz"), "{screen}");
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// The chart of the detail screen: a row of sparkline bars inside its box
/// (between the box's side lines), under its title.
fn chart_bars(screen: &str) -> Option<String> {
    let mut lines = screen
        .lines()
        .skip_while(|l| !l.contains("Signal, last 10 min"));
    lines.next()?;
    lines
        .take_while(|l| !l.starts_with('└'))
        .find(|l| l.starts_with('│') && l.chars().any(|c| "▁▂▃▄▅▆▇█".contains(c)))
        .map(str::to_string)
}

/// Enter on a network opens its detail at 80x24: its BSSID, fields, SSID
/// and a chart of its signal with bars drawn; Esc goes back to the list
/// with the same network selected (not the first row).
#[test]
fn watch_network_detail_draws_a_signal_chart_and_esc_keeps_the_row() {
    let (sim, t) = shell_on_still_sim(80, 24, "");
    t.keys(&["watch networks", "Enter"]);
    t.until("the networks drawn", |s| {
        s.contains("00:14:6C:A1:00:01") && selected_bssid(s).is_some()
    });
    let before = select_third_row(&t);
    let chosen = selected_bssid(&before).unwrap();
    t.keys(&["Enter"]);
    let detail = t.until("the detail with its chart", |s| {
        s.starts_with(&format!("kismet watch network {chosen}")) && chart_bars(s).is_some()
    });
    assert!(
        detail.contains(&format!("BSSID         {chosen}")),
        "{detail}"
    );
    assert!(
        detail.contains("Signal") && detail.contains("SSIDs ("),
        "{detail}"
    );
    assert!(detail.contains("Esc back"), "{detail}");
    assert!(detail.lines().all(|l| l.chars().count() <= 80), "{detail}");
    t.keys(&["Escape"]);
    back_on_the_network_then_quit(&t, &chosen);
    sim.shutdown();
}

/// The row of the open network in the `networks` table, with its colours.
fn open_network_row(t: &Tmux) -> String {
    t.keys(&["networks", "Enter"]);
    let screen = t.until("the networks table", |s| s.contains("6 networks"));
    assert!(screen.contains("Coffee Shop Free WiFi"), "{screen}");
    let coloured = t.screen_coloured();
    coloured
        .lines()
        .find(|l| l.contains("Coffee Shop Free WiFi"))
        .unwrap_or_else(|| panic!("the open network's row:\n{coloured}"))
        .to_string()
}

/// Whether, in a captured row, the cell of `word` starts with an escape
/// sequence (a colour): after the last border or gap before it.
fn painted(row: &str, word: &str) -> bool {
    let at = row
        .find(word)
        .unwrap_or_else(|| panic!("{word} in {row:?}"));
    let before = row[..at].trim_end_matches(' ');
    before.ends_with('m') && before.rfind('\x1b') > before.rfind(['┆', '│'])
}

/// On a terminal, the `networks` table colours the open network's ENC
/// cell (an escape sequence right before `OPN`) and leaves its SSID
/// plain; with NO_COLOR=1 the row has no escape sequence at all.
#[test]
fn networks_table_colours_encryption_unless_no_color() {
    let sim = crate::common::still_sim();
    let t = shell_on(&sim, 160, 40, "", "--no-pager");
    let row = open_network_row(&t);
    assert!(painted(&row, "OPN"), "{row:?}");
    assert!(!painted(&row, "Coffee Shop"), "{row:?}");
    t.keys(&["quit", "Enter"]);
    drop(t);
    let plain = shell_on(&sim, 160, 40, "NO_COLOR=1", "--no-pager");
    let row = open_network_row(&plain);
    assert!(!row.contains('\x1b'), "{row:?}");
    plain.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// `watch networks` on a terminal colours the open network's ENC cell and
/// its PWR cell, not its SSID.
#[test]
fn watch_networks_colours_encryption_and_signal() {
    let sim = crate::common::still_sim();
    let t = shell_on(&sim, 160, 30, "", "");
    t.keys(&["watch networks", "Enter"]);
    t.until("the networks drawn", |s| {
        s.starts_with("kismet watch networks") && s.contains("Coffee Shop Free WiFi")
    });
    let screen = t.screen_coloured();
    let row = (screen.lines())
        .find(|l| l.contains("Coffee Shop Free WiFi"))
        .unwrap_or_else(|| panic!("the open network's row:\n{screen}"));
    let escape_right_before = |word: &str| {
        let at = row
            .find(word)
            .unwrap_or_else(|| panic!("{word} in {row:?}"));
        row[..at].ends_with('m')
            && row[..at]
                .rfind('\x1b')
                .is_some_and(|e| !row[e..at].contains(' '))
    };
    assert!(escape_right_before("OPN"), "{row:?}");
    assert!(!escape_right_before("Coffee Shop"), "{row:?}");
    // The PWR cell: a colour, then the negative dBm.
    let signal_painted = (row.split('\x1b').skip(1)).any(|p| {
        p.split_once('m')
            .is_some_and(|(_, rest)| rest.starts_with('-'))
    });
    assert!(signal_painted, "{row:?}");
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    sim.shutdown();
}

/// With two servers, `watch networks` shows their networks merged: the
/// union, as the merged `networks` counts it, more than the current
/// server (a drive at its start) hears alone.
#[test]
fn watch_networks_over_two_servers_shows_the_merged_networks() {
    // The current one: a still drive at its start, hearing a few.
    let a = kismet_sim::Sim::start(
        "127.0.0.1:0",
        kismet_sim::SimConfig {
            gps: true,
            tick: Duration::from_secs(3600),
            ..kismet_sim::SimConfig::default()
        },
    )
    .unwrap();
    let b = crate::common::still_sim();
    let alone = a.networks().len();
    let shell = format!(
        "NO_COLOR=1 TERM=xterm {} one={} two={} --history /dev/null; sleep 60",
        env!("CARGO_BIN_EXE_kismet-shell"),
        a.local_addr(),
        b.local_addr()
    );
    let t = Tmux::start(100, 30, &shell);
    t.until("the prompt", |s| s.contains("kismet 2/2 one>"));
    t.keys(&["networks", "Enter"]);
    let listed = t.until("the merged list", |s| s.contains("networks from 2 servers"));
    let count: String = (listed.lines())
        .find_map(|l| {
            l.split(" networks from 2 servers")
                .next()
                .filter(|_| l.contains("from 2"))
        })
        .unwrap()
        .trim()
        .to_string();
    assert!(count.parse::<usize>().unwrap() > alone, "{listed}");
    t.keys(&["watch networks", "Enter"]);
    t.until("the merged networks drawn", |s| {
        s.starts_with(&format!("kismet watch networks: {count} rows"))
            && s.contains("00:14:6C:A1:00:01")
    });
    t.keys(&["q"]);
    t.until("the prompt again", |s| !s.contains("kismet watch"));
    t.keys(&["quit", "Enter"]);
    a.shutdown();
    b.shutdown();
}
