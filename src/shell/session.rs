//! What the front ends share while running commands: the client and the
//! session's settings and flags.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, Error, Reply, Wait};
use crate::protocol::Command;

/// A connected client and the state of one shell or batch run.
pub struct Session {
    /// The connection.
    pub client: Client,
    /// True while the scrolling output is held.
    pub paused: Arc<AtomicBool>,
    /// How long to wait for a command's reply.
    pub reply_timeout: Duration,
    /// Set (by Ctrl-C in the shell) to stop waiting for a reply.
    pub interrupted: Arc<AtomicBool>,
}

impl Session {
    /// A session over a connected client.
    pub fn new(client: Client, reply_timeout: Duration) -> Session {
        Session {
            client,
            paused: Arc::new(AtomicBool::new(false)),
            reply_timeout,
            interrupted: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The wait for a reply: the reply timeout, cut short by Ctrl-C.
    pub fn wait(&self) -> Wait<'_> {
        Wait::cancellable(self.reply_timeout, &self.interrupted)
    }

    /// Sends a command and waits for its reply.
    ///
    /// # Errors
    /// As [`Client::request`].
    pub fn request(&self, command: &Command) -> Result<Reply, Error> {
        self.client.request(command, self.wait())
    }

    /// True while output is paused.
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }
}
