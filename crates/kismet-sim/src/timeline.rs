//! A recording (see [`kismet_record`]) made into what a replay serves: the
//! recorded greeting, the recorded CAPABILITY of every protocol, the
//! distinct field lists its frames were sent with, how many frames it
//! replays (in all, and of each protocol) and how long it lasts, learnt in
//! one pass over the file (the walk of `follow`).
//!
//! No frame is held: each client's replay reads the recording again as a
//! stream (`stream`), so memory does not grow with the recording's length.
//! The file stays open from the load on and is read with positional reads,
//! each replay at its own place: it may be renamed or deleted once loaded.
//! What the load pass keeps is bounded whatever the file holds: at most
//! [`MAX_PROTOCOLS`] protocols (each CAPABILITY payload at most
//! [`MAX_CAPABILITY`] bytes) and [`MAX_LISTS`] field lists of at most
//! [`MAX_LIST_FIELDS`] fields (frames sent with a list past those are left
//! out), besides the greeting.
//!
//! A recording a client's handshake cannot be answered from is refused:
//! one with no greeting, or with no CAPABILITY answer for a protocol its
//! greeting lists (a recording cut short in its handshake). The server's
//! own protocols (KISMET, TIME, ...) need none: the replay server answers
//! for them from its own table when the recording has no answer.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::capabilities::Proto;
use super::follow::{Catalog, Follower, Played, Walked};
use kismet_protocol::device_key_index;
use kismet_protocol::spec::is_always_on;
use kismet_protocol::{parse_capability, parse_protocol_list};
use kismet_record::{Entry, RecordingError, RecordingReader, Truncation};

/// The most protocols a timeline holds (a default server has 29).
pub const MAX_PROTOCOLS: usize = 256;
/// The longest CAPABILITY payload kept, in bytes (a longer one is
/// ignored).
pub const MAX_CAPABILITY: usize = 64 * 1024;
/// The most distinct field lists a timeline holds.
pub const MAX_LISTS: usize = 1024;
/// The most fields a field list may have (a default server's longest
/// protocol has 58).
pub const MAX_LIST_FIELDS: usize = 256;

/// How many missing protocols an error names.
const NAMED: usize = 8;

/// Why a recording cannot be replayed.
#[derive(Debug)]
#[non_exhaustive]
pub enum TimelineError {
    /// The recording cannot be read (the error names the file).
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: RecordingError,
    },
    /// It is not a regular file (a pipe, a device): a replay reads the
    /// recording again for each client, which such a file cannot give.
    NotAFile {
        /// The file.
        path: PathBuf,
    },
    /// It holds no greeting (`*KISMET` and `*PROTOCOLS` lines) to send.
    NoGreeting {
        /// The file, when read from one.
        path: Option<PathBuf>,
    },
    /// Its greeting lists protocols it has no recorded CAPABILITY answer
    /// for (a recording cut short in its handshake): a client's handshake
    /// could not be answered.
    IncompleteHandshake {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The protocols without an answer, in the greeting's order.
        missing: Vec<String>,
        /// How many protocols the greeting lists.
        listed: usize,
    },
}

impl TimelineError {
    fn with_path(self, path: &Path) -> TimelineError {
        match self {
            TimelineError::NoGreeting { path: None } => TimelineError::NoGreeting {
                path: Some(path.to_path_buf()),
            },
            TimelineError::IncompleteHandshake {
                path: None,
                missing,
                listed,
            } => TimelineError::IncompleteHandshake {
                path: Some(path.to_path_buf()),
                missing,
                listed,
            },
            e => e,
        }
    }
}

impl fmt::Display for TimelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The reading error names the file already.
            TimelineError::Read { error, .. } => error.fmt(f),
            TimelineError::NotAFile { path } => write!(
                f,
                "{}: not a regular file (a replay reads the recording again for each \
                 client: save it to a file first)",
                path.display()
            ),
            TimelineError::NoGreeting { path } => {
                if let Some(p) = path {
                    write!(f, "{}: ", p.display())?;
                }
                write!(f, "no greeting recorded (no *KISMET and *PROTOCOLS lines)")
            }
            TimelineError::IncompleteHandshake {
                path,
                missing,
                listed,
            } => {
                if let Some(p) = path {
                    write!(f, "{}: ", p.display())?;
                }
                let named = missing[..missing.len().min(NAMED)].join(", ");
                write!(
                    f,
                    "incomplete handshake: the recording has no CAPABILITY answer for {named}"
                )?;
                if missing.len() > NAMED {
                    write!(f, " and {} more", missing.len() - NAMED)?;
                }
                write!(
                    f,
                    " ({} of the {listed} protocols its greeting lists; cut short in its handshake)",
                    missing.len()
                )
            }
        }
    }
}

impl std::error::Error for TimelineError {
    /// A reading error is shown as this error's own text, so its cause is
    /// the reading error's cause.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TimelineError::Read { error, .. } => error.source(),
            _ => None,
        }
    }
}

/// One protocol of the recording.
#[derive(Debug)]
pub struct Protocol {
    /// Its name, as its recorded CAPABILITY line wrote it.
    pub name: String,
    /// The CAPABILITY payload as recorded (`NAME f1,f2,...`).
    pub capability: Vec<u8>,
    /// Its field names, in CAPABILITY order.
    pub fields: Vec<String>,
    /// The fields the recording holds, in CAPABILITY order: those of any
    /// list the recording client enabled; every field when it enabled
    /// none (there is then nothing to send, and nothing lacking).
    pub held: Vec<String>,
    /// False for one of the server's own protocols that the recording has
    /// no CAPABILITY line for: answered from the replay server's table.
    pub recorded: bool,
    /// How many recorded frames of it a replay plays: none for the
    /// server's own protocols (TIME, ACK, ...), whose lines the replay
    /// server sends itself.
    pub frames: usize,
}

/// Where a replay reads the entries from.
#[derive(Debug)]
enum Source {
    /// The file loaded, open, and its name.
    File(Arc<File>, PathBuf),
    Entries(Arc<[Entry]>),
}

/// A file read from `pos` on with positional reads: readers of one open
/// file, each at its own place.
struct At {
    file: Arc<File>,
    pos: u64,
}

impl io::Read for At {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, pos)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], pos: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, pos)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<usize> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no positional reads on this system",
    ))
}

/// A reader of the recording in `file` from its start.
fn reader_at(
    file: &Arc<File>,
    path: &Path,
) -> Result<RecordingReader<Box<dyn io::BufRead + Send>>, RecordingError> {
    let at = At {
        file: file.clone(),
        pos: 0,
    };
    RecordingReader::from_read(at, Some(path.to_path_buf()))
}

/// A recording's entries, one at a time.
pub type Entries = Box<dyn Iterator<Item = Result<Entry, RecordingError>> + Send>;

/// A recording ready to be replayed.
#[derive(Debug)]
pub struct Timeline {
    source: Source,
    /// The greeting: the first `*KISMET` and `*PROTOCOLS` lines, each
    /// with its `\n`.
    pub(super) greeting: Vec<u8>,
    /// Every protocol with a recorded CAPABILITY, then the server's own
    /// ones without one.
    pub(super) protocols: Vec<Protocol>,
    /// The distinct field lists the frames were sent with.
    pub(super) lists: Vec<Arc<[String]>>,
    /// For each list, the indexes of its fields that identify a device
    /// ([`device_key_index`]).
    pub(super) keys: Vec<Vec<usize>>,
    frame_count: usize,
    /// The time of the recording's last entry (of any kind).
    pub(super) end: Duration,
    truncation: Option<Truncation>,
}

impl Timeline {
    /// Reads the recording at `path` (gzip-compressed or not) once,
    /// holding none of its frames.
    ///
    /// # Errors
    /// [`TimelineError`]: unreadable, not a regular file, not a recording,
    /// no greeting, an incomplete handshake.
    pub fn load(path: &Path) -> Result<Timeline, TimelineError> {
        let read = |error| TimelineError::Read {
            path: path.to_path_buf(),
            error,
        };
        let file = File::open(path).map_err(|source| {
            read(RecordingError::Open {
                path: path.to_path_buf(),
                source,
            })
        })?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(TimelineError::NotAFile {
                path: path.to_path_buf(),
            });
        }
        let file = Arc::new(file);
        let mut reader = reader_at(&file, path).map_err(read)?;
        let mut load = Load::default();
        while let Some(entry) = reader.next_entry().map_err(read)? {
            load.entry(&entry);
        }
        let mut timeline = load
            .finish(Source::File(file, path.to_path_buf()))
            .map_err(|e| e.with_path(path))?;
        timeline.truncation = reader.truncation();
        Ok(timeline)
    }

    /// Builds the timeline of a recording's entries, held in memory (a
    /// copy of them) for the replays to read.
    ///
    /// # Errors
    /// [`TimelineError::NoGreeting`], [`TimelineError::IncompleteHandshake`].
    pub fn from_entries(entries: &[Entry]) -> Result<Timeline, TimelineError> {
        let mut load = Load::default();
        for e in entries {
            load.entry(e);
        }
        load.finish(Source::Entries(entries.into()))
    }

    /// Number of recorded frames it replays.
    pub fn frame_count(&self) -> usize {
        self.frame_count
    }

    /// The protocols it has recorded frames of (indexes into its
    /// protocols): what a client enables to get the whole recording.
    pub(super) fn framed(&self) -> impl Iterator<Item = usize> + '_ {
        self.protocols
            .iter()
            .enumerate()
            .filter(|(_, p)| p.frames > 0)
            .map(|(i, _)| i)
    }

    /// How long it lasts at speed 1: the time of the recording's last
    /// entry, from its start.
    pub fn duration(&self) -> Duration {
        self.end
    }

    /// How many of the recording's entries the timeline holds in memory:
    /// none when loaded from a file (each replay reads it again), all of
    /// them when built from entries.
    pub fn held_entries(&self) -> usize {
        match &self.source {
            Source::File(..) => 0,
            Source::Entries(entries) => entries.len(),
        }
    }

    /// When the recording was cut short (a killed writer), where: it is
    /// replayed up to its last complete line.
    pub fn truncation(&self) -> Option<Truncation> {
        self.truncation
    }

    /// The recording's entries again, from the start, one at a time.
    ///
    /// # Errors
    /// The file cannot be read again.
    pub(super) fn entries(&self) -> Result<Entries, RecordingError> {
        Ok(match &self.source {
            Source::File(file, path) => Box::new(reader_at(file, path)?),
            Source::Entries(entries) => {
                let entries = entries.clone();
                Box::new((0..entries.len()).map(move |i| Ok(entries[i].clone())))
            }
        })
    }

    /// The protocol called `name` (any case).
    pub(super) fn protocol(&self, name: &[u8]) -> Option<usize> {
        self.protocols
            .iter()
            .position(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// The index of field list `list`.
    pub(super) fn list(&self, list: &[String]) -> Option<u32> {
        self.lists
            .iter()
            .position(|l| **l == *list)
            .map(|i| i as u32)
    }

    /// The value of the field called `name` in a frame, if its list has one.
    pub(super) fn field<'a>(&self, played: &'a Played, name: &str) -> Option<&'a [u8]> {
        let list = &self.lists[played.list as usize];
        let i = list.iter().position(|f| f.eq_ignore_ascii_case(name))?;
        played.frame.field(i)
    }

    /// What identifies a frame's device: the names and values of its key
    /// fields.
    pub(super) fn device_key(&self, played: &Played) -> Vec<u8> {
        let list = &self.lists[played.list as usize];
        let mut key = Vec::new();
        for &k in &self.keys[played.list as usize] {
            key.extend_from_slice(played.frame.field(k).unwrap_or_default());
            key.push(0);
            key.extend_from_slice(list[k].to_ascii_lowercase().as_bytes());
            key.push(0);
        }
        key
    }
}

/// The load pass's protocols and lists, built as the walk goes.
#[derive(Default)]
struct Building {
    protocols: Vec<Protocol>,
    lists: Vec<Arc<[String]>>,
}

impl Catalog for Building {
    fn protocol(&self, name: &[u8]) -> Option<u16> {
        self.protocols
            .iter()
            .position(|p| p.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|i| i as u16)
    }

    fn fields(&self, proto: u16) -> &[String] {
        &self.protocols[usize::from(proto)].fields
    }

    /// The first CAPABILITY line of each protocol is kept.
    fn capability(&mut self, payload: &[u8]) {
        let Some((name, fields)) = capability_kept(payload) else {
            return;
        };
        if self.protocol(name.as_bytes()).is_some() || self.protocols.len() >= MAX_PROTOCOLS {
            return;
        }
        self.protocols.push(Protocol {
            name,
            capability: payload.to_vec(),
            fields,
            held: Vec::new(),
            recorded: true,
            frames: 0,
        });
    }

    fn list(&mut self, _proto: u16, list: &[String]) -> Option<u32> {
        if list.len() > MAX_LIST_FIELDS {
            return None;
        }
        if let Some(i) = self.lists.iter().position(|l| **l == *list) {
            return Some(i as u32);
        }
        if self.lists.len() >= MAX_LISTS {
            return None;
        }
        self.lists.push(list.into());
        Some((self.lists.len() - 1) as u32)
    }

    fn list_len(&self, list: u32) -> usize {
        self.lists[list as usize].len()
    }
}

/// A CAPABILITY payload a timeline keeps: its protocol and fields.
pub(super) fn capability_kept(payload: &[u8]) -> Option<(String, Vec<String>)> {
    if payload.len() > MAX_CAPABILITY {
        return None;
    }
    parse_capability(payload)
}

/// The load pass.
#[derive(Default)]
struct Load {
    follower: Follower,
    building: Building,
    kismet: Option<Vec<u8>>,
    protocols_line: Option<Vec<u8>>,
    frames: usize,
    /// The lists each protocol was enabled or sent with.
    used: HashSet<(u16, u32)>,
}

impl Load {
    fn entry(&mut self, e: &Entry) {
        match self.follower.entry(&mut self.building, e) {
            Walked::Greeting(frame) => {
                let slot = match frame.protocol() {
                    "KISMET" => &mut self.kismet,
                    _ => &mut self.protocols_line,
                };
                if slot.is_none() {
                    *slot = Some([frame.raw(), b"\n"].concat());
                }
            }
            Walked::Enabled(proto, list) => {
                self.used.insert((proto, list));
            }
            Walked::Frame(played) => {
                self.frames += 1;
                self.building.protocols[usize::from(played.proto)].frames += 1;
                self.used.insert((played.proto, played.list));
            }
            Walked::Nothing => {}
        }
    }

    fn finish(self, source: Source) -> Result<Timeline, TimelineError> {
        let (Some(kismet), Some(protocols_line)) = (self.kismet, self.protocols_line) else {
            return Err(TimelineError::NoGreeting { path: None });
        };
        let Building {
            mut protocols,
            lists,
        } = self.building;
        let listed = kismet_protocol::Frame::parse(&protocols_line[..protocols_line.len() - 1])
            .ok()
            .map(|f| parse_protocol_list(f.field(0).unwrap_or_default()))
            .unwrap_or_default();
        let known = |name: &str| protocols.iter().any(|p| p.name.eq_ignore_ascii_case(name));
        let missing: Vec<String> = listed
            .iter()
            .filter(|p| !is_always_on(p) && !known(p))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(TimelineError::IncompleteHandshake {
                path: None,
                missing,
                listed: listed.len(),
            });
        }
        for (i, p) in protocols.iter_mut().enumerate() {
            let used: Vec<u32> = self
                .used
                .iter()
                .filter(|(proto, _)| usize::from(*proto) == i)
                .map(|&(_, l)| l)
                .collect();
            p.held = if used.is_empty() {
                p.fields.clone()
            } else {
                p.fields
                    .iter()
                    .filter(|f| used.iter().any(|&l| lists[l as usize].contains(f)))
                    .cloned()
                    .collect()
            };
        }
        // The server's own protocols the recording has no answer for.
        for own in Proto::always_on() {
            let def = own.def();
            if !protocols
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(def.name))
            {
                let fields: Vec<String> = def.fields.iter().map(|f| f.to_string()).collect();
                protocols.push(Protocol {
                    name: def.name.to_string(),
                    capability: def.capability.as_bytes().to_vec(),
                    held: fields.clone(),
                    fields,
                    recorded: false,
                    frames: 0,
                });
            }
        }
        let keys = lists.iter().map(|l| device_key_index(l)).collect();
        Ok(Timeline {
            source,
            greeting: [kismet, protocols_line].concat(),
            protocols,
            lists,
            keys,
            frame_count: self.frames,
            end: self.follower.last(),
            truncation: None,
        })
    }
}
