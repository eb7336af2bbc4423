//! The prompt, which follows the connection's state while a line is being
//! typed.
//!
//! rustyline measures the prompt once, when `readline` starts, and asks for
//! its text again at every redraw (such as the one after a notice is printed
//! above it). So the prompt reads the connection's state at each redraw,
//! and both of its forms are fitted to the width measured at the start: the
//! form for the other state is shortened if it is too long and padded if it
//! is too short. The next `readline` starts with the exact form.

use std::sync::Arc;

use rustyline::Prompt;
use unicode_width::UnicodeWidthStr;

use super::session::Session;

/// The prompt for a connected or disconnected shell.
pub fn prompt_text(addr: &str, connected: bool) -> String {
    if connected {
        format!("kismet {addr}> ")
    } else {
        "kismet (disconnected)> ".to_string()
    }
}

/// The longest of `forms` (tried in order) that fits in `width` columns,
/// padded with spaces to exactly `width`.
fn fit(forms: &[&str], width: usize) -> String {
    let form = forms
        .iter()
        .find(|f| f.width() <= width)
        .copied()
        .unwrap_or("");
    let mut s = form.to_string();
    s.push_str(&" ".repeat(width.saturating_sub(form.width())));
    s
}

/// A prompt that shows whether the session's connection is up at each
/// redraw.
pub struct LivePrompt {
    session: Arc<Session>,
    connected: String,
    disconnected: String,
}

impl LivePrompt {
    /// The prompt for now; the form for the other state fitted to its width.
    pub fn new(session: Arc<Session>) -> LivePrompt {
        let client = session.client();
        let addr = client.addr().to_string();
        let on = prompt_text(&addr, true);
        let off = prompt_text(&addr, false);
        let (connected, disconnected) = if client.is_connected() {
            let w = on.width();
            let off = fit(
                &[
                    &off,
                    "kismet (down)> ",
                    "(disconnected)> ",
                    "(down)> ",
                    "> ",
                ],
                w,
            );
            (on, off)
        } else {
            let w = off.width();
            let on = fit(&[&on, "kismet> ", "> "], w);
            (on, off)
        };
        LivePrompt {
            session,
            connected,
            disconnected,
        }
    }
}

impl Prompt for LivePrompt {
    fn raw(&self) -> &str {
        if self.session.client().is_connected() {
            &self.connected
        } else {
            &self.disconnected
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prompt says where the shell is connected, or that it is not.
    #[test]
    fn prompts() {
        assert_eq!(
            prompt_text("127.0.0.1:2501", true),
            "kismet 127.0.0.1:2501> "
        );
        assert_eq!(
            prompt_text("127.0.0.1:2501", false),
            "kismet (disconnected)> "
        );
    }

    /// A form is chosen to fit, then padded to the exact width.
    #[test]
    fn forms_fit_the_width() {
        let forms = ["kismet (disconnected)> ", "kismet (down)> ", "> "];
        assert_eq!(fit(&forms, 24), "kismet (disconnected)>  ");
        assert_eq!(fit(&forms, 16), "kismet (down)>  ");
        assert_eq!(fit(&forms, 3), ">  ");
        assert_eq!(fit(&forms, 1), " ");
    }
}
