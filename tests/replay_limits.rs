//! The replay server (`sim --replay`, `--replay`, [`Replay`]) with big
//! and broken recordings: memory that does not grow with the recording's
//! length, what cannot be replayed refused with the reason. Every wait is
//! bounded; every server listens on 127.0.0.1:0; no test asserts how
//! long anything takes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::replay::Conn;
use kismet_record::RecordingError;
use kismet_sim::{Replay, ReplayConfig, Timeline, TimelineError};

/// A fresh directory of its own in the temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kismet-shell-replay-limits-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary directory");
    dir
}

/// The start of a hand-written recording: the greeting and the answers of
/// a handshake for SSID and CLIENT (the server's own protocols need none),
/// SSID and CLIENT enabled.
const HEAD: &str = "# kismet-shell recording 1\n\
    = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
    < 0.001 *KISMET: 0.0.0 1795678119 \\x01Fast\\x01 \\x01\\x01 0 \n\
    < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,SSID,CLIENT\n\
    < 0.002 *CAPABILITY: SSID mac,type,ssid\n\
    < 0.002 *CAPABILITY: CLIENT bssid,mac\n\
    > 0.010 !3 ENABLE SSID mac,type,ssid\n\
    < 0.011 *ACK: 3 \\x01OK\\x01 \n\
    > 0.012 !4 ENABLE CLIENT bssid,mac\n\
    < 0.013 *ACK: 4 \\x01OK\\x01 \n";

/// Writes a recording of `frames` BSSID frames, 1 ms apart, cycling over
/// `devices` access points.
fn generate(path: &Path, frames: usize, devices: usize) {
    let mut w = BufWriter::new(File::create(path).expect("create the recording"));
    write!(
        w,
        "# kismet-shell recording 1\n\
         = 0.000 connect 127.0.0.1:2501 2026-11-27T11:42:45.000Z\n\
         < 0.001 *KISMET: 0.0.0 1795678119 \\x01Big\\x01 \\x01\\x01 0 \n\
         < 0.001 *PROTOCOLS: KISMET,ERROR,ACK,PROTOCOLS,CAPABILITY,TERMINATE,TIME,BSSID\n\
         < 0.002 *CAPABILITY: BSSID bssid,type,channel,lasttime\n\
         > 0.010 !1 ENABLE BSSID bssid,channel,lasttime\n\
         < 0.011 *ACK: 1 \\x01OK\\x01 \n"
    )
    .unwrap();
    for i in 0..frames {
        let ms = 100 + i;
        let d = i % devices;
        writeln!(
            w,
            "< {}.{:03} *BSSID: 00:24:01:D4:{:02X}:{:02X} {} {} ",
            ms / 1000,
            ms % 1000,
            d / 256,
            d % 256,
            1 + d % 11,
            1_795_678_120 + i / 1000
        )
        .unwrap();
    }
    w.flush().unwrap();
}

/// Replays a generated recording at the highest speed to a client that
/// enables BSSID; the frame count and the most frames the replay held.
fn replay_generated(path: &Path) -> (usize, usize, usize) {
    let timeline = Arc::new(Timeline::load(path).expect("a generated recording loads"));
    assert_eq!(timeline.held_entries(), 0, "the timeline holds no entry");
    let frames = timeline.frame_count();
    let config = ReplayConfig {
        speed: 100.0,
        ..ReplayConfig::default()
    };
    let replay = Replay::start("127.0.0.1:0", timeline, config).expect("replay");
    let mut c = Conn::open(replay.local_addr());
    c.send("!1 ENABLE BSSID bssid,lasttime\n");
    let lines = c.until_eof();
    let received = lines
        .iter()
        .filter(|(_, l)| l.starts_with(b"*BSSID: "))
        .count();
    assert_eq!(
        lines.last().map(|(_, l)| &l[..]),
        Some(&b"*TERMINATE: Kismet server terminating.\n"[..])
    );
    let held = replay.peak_held_frames();
    replay.shutdown();
    (frames, received, held)
}

/// Memory independent of the recording's length: a generated recording
/// of 20 access points, then one 10 times as long, replay with the same
/// number of frames held (the latest of each access point, for the
/// bursts, and the one read ahead), and the timeline holds none.
#[test]
fn memory_does_not_grow_with_the_recordings_length() {
    let dir = temp_dir("memory");
    let devices = 20;
    let mut held = Vec::new();
    for frames in [3_000, 30_000] {
        let path = dir.join(format!("big-{frames}.kismet"));
        generate(&path, frames, devices);
        let (count, received, peak) = replay_generated(&path);
        assert_eq!(count, frames);
        eprintln!(
            "{frames} frames ({} bytes): {received} sent, at most {peak} held",
            std::fs::metadata(&path).map_or(0, |m| m.len())
        );
        held.push(peak);
    }
    assert!(held[0] <= devices + 1, "{held:?}");
    assert_eq!(held[0], held[1], "10 times the frames, the same held");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What cannot be replayed is refused with the reason, without reading
/// it whole: a device such as `/dev/zero` (not a regular file: each client
/// reads the recording again), a line over 1 MiB.
#[test]
fn what_cannot_be_replayed_is_refused_with_the_reason() {
    #[cfg(unix)]
    assert!(matches!(
        Timeline::load(Path::new("/dev/zero")),
        Err(TimelineError::NotAFile { .. })
    ));
    let dir = temp_dir("refused");
    let path = dir.join("long.kismet");
    let text = format!("{HEAD}< 1.000 {}\n", "x".repeat(2 << 20));
    std::fs::write(&path, text).unwrap();
    let e = Timeline::load(&path).unwrap_err();
    assert!(
        matches!(
            e,
            TimelineError::Read {
                error: RecordingError::LineTooLong { line: 11, .. },
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "{}: line 11 is longer than 1024 KiB: not a recording entry",
            path.display()
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
