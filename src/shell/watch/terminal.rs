//! Taking the terminal for the view and giving it back on every way out:
//! a return, an error, and a panic. A panic's message is printed by the
//! panic hook before the stack unwinds, so the hook itself restores the
//! terminal first; otherwise the message would land on the alternate
//! screen in raw mode, garbled, and vanish with it (ratatui's
//! `init`/`restore` do the same).

use std::io;
use std::panic::{self, PanicHookInfo};
use std::sync::Arc;

use crossterm::cursor::Show;
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};

/// A panic hook, as `std::panic::take_hook` gives it.
type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Puts the terminal back: main screen, cooked mode, cursor shown. The one
/// way back, for the view's end and for a panic. Failures are ignored:
/// there is nothing better to do with them on the way out.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
}

/// The terminal taken for the view: raw mode, the alternate screen, and a
/// panic hook that calls [`restore`]. Dropping it restores the terminal,
/// then puts the previous panic hook back.
pub struct FullScreen {
    _hook: PanicRestore,
}

impl FullScreen {
    /// Takes the terminal.
    ///
    /// # Errors
    /// The terminal refusing raw mode or the alternate screen (what was
    /// done is undone).
    pub fn enter() -> io::Result<FullScreen> {
        // The hook first, so a panic from here on leaves the terminal
        // usable.
        let hook = PanicRestore::install(restore);
        enable_raw_mode()?;
        let screen = FullScreen { _hook: hook };
        execute!(io::stdout(), EnterAlternateScreen)?;
        Ok(screen)
    }
}

impl Drop for FullScreen {
    fn drop(&mut self) {
        restore();
        // Then `_hook` is dropped: the previous panic hook is back.
    }
}

/// A panic hook that runs a restore function, then the hook it replaced;
/// installed while this lives. The hook is process-wide: a panic on any
/// thread restores the terminal, so its message can be read. Dropping
/// this puts the replaced hook back, except while the thread unwinds from
/// a panic (`take_hook` and `set_hook` panic then, which would abort;
/// ours stays, and restoring twice is harmless).
struct PanicRestore {
    previous: Option<Arc<Hook>>,
}

impl PanicRestore {
    fn install(restore: impl Fn() + Sync + Send + 'static) -> PanicRestore {
        let previous: Arc<Hook> = Arc::new(panic::take_hook());
        let chained = Arc::clone(&previous);
        panic::set_hook(Box::new(move |info| {
            restore();
            chained(info);
        }));
        PanicRestore {
            previous: Some(previous),
        }
    }
}

impl Drop for PanicRestore {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let Some(previous) = self.previous.take() else {
            return;
        };
        // Ours out (with its share of the previous hook), the previous in.
        drop(panic::take_hook());
        match Arc::try_unwrap(previous) {
            Ok(hook) => panic::set_hook(hook),
            // Someone else's hook took ours in meanwhile and keeps it.
            Err(shared) => panic::set_hook(Box::new(move |info| shared(info))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::thread;

    /// What the test's panics start with; any other panic (a failed
    /// assertion, a test running beside this one: the hook is
    /// process-wide) goes to the original hook and is printed.
    const OURS: &str = "test panic: ";

    fn is_ours(info: &PanicHookInfo<'_>) -> bool {
        info.payload()
            .downcast_ref::<&str>()
            .is_some_and(|m| m.starts_with(OURS))
    }

    /// A previous hook that records the test's own panics.
    fn recording_hook(log: &Arc<Mutex<Vec<&'static str>>>, original: &Arc<Hook>) -> Hook {
        let (log, original) = (Arc::clone(log), Arc::clone(original));
        Box::new(move |info| {
            if is_ours(info) {
                log.lock().unwrap().push("previous hook");
            } else {
                original(info);
            }
        })
    }

    /// A panic while the view runs restores the terminal before the
    /// previous hook prints the message; after the view the previous hook
    /// is back alone; a view left by a panic does not abort on the hook.
    #[test]
    fn panic_hook_restores_first_and_is_put_back() {
        let original: Arc<Hook> = Arc::new(panic::take_hook());
        let log = Arc::new(Mutex::new(Vec::new()));
        panic::set_hook(recording_hook(&log, &original));
        let me = thread::current().id();
        let fake_restore = {
            let log = Arc::clone(&log);
            move || {
                if thread::current().id() == me {
                    log.lock().unwrap().push("restore");
                }
            }
        };
        // The log is copied out before each assertion: a failing one
        // panics, and the hooks take the lock again.
        let taken = || std::mem::take(&mut *log.lock().unwrap());

        let guard = PanicRestore::install(fake_restore.clone());
        assert!(panic::catch_unwind(|| panic!("test panic: in the view")).is_err());
        assert_eq!(taken(), ["restore", "previous hook"]);
        drop(guard);
        assert!(panic::catch_unwind(|| panic!("test panic: after the view")).is_err());
        assert_eq!(taken(), ["previous hook"]);

        // Dropped while unwinding: no second panic (that would abort).
        let left = panic::catch_unwind(move || {
            let _guard = PanicRestore::install(fake_restore);
            panic!("test panic: the view panics");
        });
        assert!(left.is_err());
        assert_eq!(taken(), ["restore", "previous hook"]);

        drop(panic::take_hook());
        panic::set_hook(Box::new(move |info| original(info)));
    }
}
