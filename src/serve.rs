//! `kismet-shell sim`: the simulated server, or the replay of a recording,
//! in the foreground until Ctrl-C.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use kismet_sim::{Replay, ReplayConfig, Sim, SimConfig, Timeline};

/// Runs the simulator until Ctrl-C (then TERMINATE goes to every client) or
/// a client's SHUTDOWN, logging connections and disconnections to stderr.
///
/// # Errors
/// The address cannot be bound, or the Ctrl-C handler cannot be set.
pub fn simulator(listen: &str, config: SimConfig) -> anyhow::Result<()> {
    let interrupted = ctrl_c_flag()?;
    let sim =
        Sim::start_logged(listen, config).with_context(|| format!("listening on {listen}"))?;
    eprintln!(
        "kismet-shell sim: listening on {} (Ctrl-C to stop)",
        sim.local_addr()
    );
    wait(&interrupted, || sim.is_stopped());
    sim.shutdown();
    Ok(())
}

/// Serves the recording at `path` until Ctrl-C or a client's SHUTDOWN,
/// logging connections and disconnections to stderr.
///
/// # Errors
/// The recording cannot be read, the address cannot be bound, or the
/// Ctrl-C handler cannot be set.
pub fn replay(listen: &str, path: &Path, config: ReplayConfig) -> anyhow::Result<()> {
    let timeline = load_recording(path)?;
    let interrupted = ctrl_c_flag()?;
    let (frames, length) = (timeline.frame_count(), timeline.duration());
    let replay = Replay::start_logged(listen, Arc::new(timeline), config)
        .with_context(|| format!("listening on {listen}"))?;
    eprintln!(
        "kismet-shell sim: replaying {} ({frames} frames, {:.1} s) on {} (Ctrl-C to stop)",
        path.display(),
        length.as_secs_f64(),
        replay.local_addr()
    );
    wait(&interrupted, || replay.is_stopped());
    replay.shutdown();
    Ok(())
}

/// Reads the recording at `path` for a replay, warning on stderr when it
/// was cut short (it is replayed up to its last complete line).
///
/// # Errors
/// It cannot be read, or not replayed (see [`kismet_sim::TimelineError`]).
pub fn load_recording(path: &Path) -> anyhow::Result<Timeline> {
    let timeline = Timeline::load(path).context("reading the recording")?;
    if let Some(cut) = timeline.truncation() {
        eprintln!(
            "kismet-shell: warning: {}: {cut}; replaying up to there",
            path.display()
        );
    }
    Ok(timeline)
}

/// A flag that Ctrl-C sets.
fn ctrl_c_flag() -> anyhow::Result<Arc<AtomicBool>> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = interrupted.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("setting the Ctrl-C handler")?;
    Ok(interrupted)
}

/// Returns once `interrupted` is set or `stopped` says so.
fn wait(interrupted: &AtomicBool, stopped: impl Fn() -> bool) {
    while !interrupted.load(Ordering::SeqCst) && !stopped() {
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("kismet-shell sim: stopping");
}
