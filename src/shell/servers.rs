//! The servers of an interactive session: one or several, each with its
//! session, and the one commands go to (`use NAME`). With one server the
//! shell is as it always was; with several, frames and notices carry the
//! server's name, `networks` and `clients` merge them all (see
//! [`super::fleet`]), and `enable`, `remove`, `filter`, `only`, `pause`,
//! `resume` and `set` apply to each.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use super::fleet::{Member, Server};
use super::session::Session;

/// A server of the session.
#[derive(Clone)]
pub struct Live {
    /// How it was named.
    pub member: Member,
    /// Its session.
    pub session: Arc<Session>,
    /// Set when it leaves the session: its printer stops.
    pub gone: Arc<AtomicBool>,
}

/// The session's servers.
pub struct Fleet {
    live: RwLock<Vec<Live>>,
    /// The name of the one commands go to.
    current: RwLock<String>,
}

impl Fleet {
    /// A fleet of these servers (at least one), the first current.
    ///
    /// # Panics
    /// With no server.
    pub fn new(live: Vec<Live>) -> Fleet {
        let current = live[0].member.name.clone();
        Fleet {
            live: RwLock::new(live),
            current: RwLock::new(current),
        }
    }

    /// A fleet of one session, named by its address.
    pub fn single(session: Arc<Session>) -> Fleet {
        let addr = session.client().addr().to_string();
        Fleet::new(vec![Live {
            member: Member {
                name: addr.clone(),
                addr,
                fixed_at: None,
            },
            session,
            gone: Arc::new(AtomicBool::new(false)),
        }])
    }

    /// How many servers.
    pub fn len(&self) -> usize {
        self.live.read().len()
    }

    /// Whether there are several (frames are tagged, listings merged).
    pub fn is_several(&self) -> bool {
        self.len() > 1
    }

    /// Never: a fleet has at least one server.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The servers, in the order they came.
    pub fn all(&self) -> Vec<Live> {
        self.live.read().clone()
    }

    /// The servers as a batch run's list (for the merged listings).
    pub fn servers(&self) -> Vec<Server> {
        (self.all().into_iter())
            .map(|l| Server {
                member: l.member,
                session: Ok(l.session),
            })
            .collect()
    }

    /// The server commands go to.
    pub fn current(&self) -> Live {
        let name = self.current.read().clone();
        let live = self.live.read();
        (live.iter().find(|l| l.member.name == name))
            .unwrap_or(&live[0])
            .clone()
    }

    /// The session commands go to.
    pub fn session(&self) -> Arc<Session> {
        self.current().session
    }

    /// The server of this name (any case).
    pub fn find(&self, name: &str) -> Option<Live> {
        (self.live.read().iter())
            .find(|l| l.member.name.eq_ignore_ascii_case(name))
            .cloned()
    }

    /// Sends commands to the server of this name.
    ///
    /// # Errors
    /// No such server: a sentence naming those there are.
    pub fn use_server(&self, name: &str) -> Result<String, String> {
        let live = self.find(name).ok_or_else(|| self.no_such(name))?;
        *self.current.write() = live.member.name.clone();
        Ok(live.member.name)
    }

    /// "no server NAME (servers: a, b)".
    pub fn no_such(&self, name: &str) -> String {
        let names: Vec<String> = self.all().into_iter().map(|l| l.member.name).collect();
        format!(
            "no server {} (servers: {})",
            kismet_protocol::text::display(name.as_bytes()),
            names.join(", ")
        )
    }

    /// Adds a server.
    ///
    /// # Errors
    /// A server of that name is there already.
    pub fn add(&self, live: Live) -> Result<(), String> {
        let mut all = self.live.write();
        if (all.iter()).any(|l| l.member.name.eq_ignore_ascii_case(&live.member.name)) {
            return Err(format!(
                "a server is named {} already (name this one: NAME=HOST[:PORT])",
                live.member.name
            ));
        }
        all.push(live);
        Ok(())
    }

    /// Takes a server out (its printer stops); the first left becomes
    /// current if it was.
    ///
    /// # Errors
    /// No such server, or the last one (`disconnect` alone closes it).
    pub fn remove(&self, name: &str) -> Result<Live, String> {
        let mut all = self.live.write();
        let Some(i) = all
            .iter()
            .position(|l| l.member.name.eq_ignore_ascii_case(name))
        else {
            drop(all);
            return Err(self.no_such(name));
        };
        if all.len() == 1 {
            return Err("the last server stays (disconnect alone closes its connection)".into());
        }
        let live = all.remove(i);
        live.gone.store(true, Ordering::Release);
        let mut current = self.current.write();
        if current.eq_ignore_ascii_case(&live.member.name) {
            *current = all[0].member.name.clone();
        }
        Ok(live)
    }

    /// The devices of every server merged (see
    /// [`super::fleet::merged_snapshot`]), with the first server's GPS
    /// track and sightings; with one server, its model's.
    ///
    /// # Errors
    /// A model that is not running, as text.
    pub fn export_devices(
        &self,
    ) -> Result<(kismet_client::Snapshot, kismet_client::History), String> {
        if !self.is_several() {
            return super::export::ExportSource::devices(self.session().as_ref());
        }
        let servers = self.servers();
        let snapshot = super::fleet::merged_snapshot(&servers).map_err(|e| e.to_string())?;
        let history = (self.all().first())
            .and_then(|l| l.session.model_if_started())
            .map(|m| m.history())
            .unwrap_or_default();
        Ok((snapshot, history))
    }

    /// The prompt with several servers: how many are connected, of how
    /// many, and the current one (`kismet 2/3 kitchen> `).
    pub fn prompt(&self) -> String {
        let all = self.all();
        let up = (all.iter())
            .filter(|l| l.session.client().is_connected())
            .count();
        let name = kismet_protocol::text::display(self.current().member.name.as_bytes());
        format!("kismet {up}/{} {name}> ", all.len())
    }
}

impl super::export::ExportSource for Fleet {
    fn devices(&self) -> Result<(kismet_client::Snapshot, kismet_client::History), String> {
        self.export_devices()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn live(sim: &kismet_sim::Sim, name: &str) -> Live {
        let addr = sim.local_addr().to_string();
        let client =
            kismet_client::Client::connect(&addr, kismet_client::Options::default()).unwrap();
        Live {
            member: Member {
                name: name.into(),
                addr,
                fixed_at: None,
            },
            session: Session::new(client, Duration::from_secs(5)).into_shared(),
            gone: Arc::new(AtomicBool::new(false)),
        }
    }

    /// `use` picks a server by name in any case; adding a name twice and
    /// removing the last are refused; removing the current one moves to
    /// the first; the prompt counts the connected.
    #[test]
    fn fleet_picks_adds_and_removes_servers_by_name() {
        let sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default()).unwrap();
        let fleet = Fleet::new(vec![live(&sim, "kitchen")]);
        assert!(!fleet.is_several());
        fleet.add(live(&sim, "attic")).unwrap();
        assert!(fleet
            .add(live(&sim, "ATTIC"))
            .unwrap_err()
            .contains("already"));
        assert_eq!(fleet.prompt(), "kismet 2/2 kitchen> ");
        assert_eq!(fleet.use_server("Attic").unwrap(), "attic");
        assert_eq!(fleet.current().member.name, "attic");
        assert!(fleet
            .use_server("cellar")
            .unwrap_err()
            .contains("servers: kitchen, attic"));
        let gone = fleet.remove("attic").unwrap();
        assert!(gone.gone.load(Ordering::Acquire));
        assert_eq!(fleet.current().member.name, "kitchen");
        assert!(fleet
            .remove("kitchen")
            .err()
            .unwrap()
            .contains("last server"));
        sim.shutdown();
    }
}
