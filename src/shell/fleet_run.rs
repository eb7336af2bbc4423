//! Batch runs over several servers (see [`super::fleet`]): each command
//! line in turn, `networks`, `clients`, `servers` and `export` over all of
//! them, any other on each with its output tagged with the server's name;
//! `--follow` on every server at once.

use std::io::{self, Write};
use std::sync::Arc;
use std::thread;

use parking_lot::Mutex;

use super::batch::{self, BatchOptions, Output, EXIT_COMMAND, EXIT_CONNECTION, EXIT_OK};
use super::commands::{self, Parsed, ShellCommand};
use super::fleet::{
    connected, export_merged, merged_listing, servers_knowing, servers_text, Server,
};
use super::outcome::ShellError;
use super::render::json::with_server_first;
use super::render::Format;

/// A writer that tags each whole line it is given with a server's name,
/// as `format` has it, and writes it to a shared writer: a JSON object
/// gets `"server":"NAME"` first, a CSV row a first cell (its header
/// `server`), any other line a `NAME: ` prefix (raw lines too: with
/// several servers they are no longer the server's bytes alone).
pub struct Tagged<W: Write> {
    name: String,
    format: Format,
    /// Lines of the error stream: `kismet-shell: NAME: ...`.
    errors: bool,
    inner: Arc<Mutex<W>>,
    line: Vec<u8>,
    /// A CSV header comes next (the first line of each command's output).
    header_next: bool,
}

impl<W: Write> Tagged<W> {
    /// Tags lines with `name`, writing to `inner`.
    pub fn new(name: &str, format: Format, inner: Arc<Mutex<W>>) -> Tagged<W> {
        Tagged {
            name: name.to_string(),
            format,
            errors: false,
            inner,
            line: Vec::new(),
            header_next: true,
        }
    }

    /// Tags error lines with `name`: `kismet-shell: NAME: ...`.
    pub fn errors(name: &str, inner: Arc<Mutex<W>>) -> Tagged<W> {
        Tagged {
            errors: true,
            ..Tagged::new(name, Format::Text, inner)
        }
    }

    /// The line, tagged.
    fn tagged(&mut self, line: &[u8]) -> Vec<u8> {
        let name = self.name.as_bytes();
        let mut out = Vec::with_capacity(line.len() + name.len() + 16);
        const ME: &[u8] = b"kismet-shell: ";
        if self.errors {
            let rest = line.strip_prefix(ME).unwrap_or(line);
            out.extend_from_slice(ME);
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend_from_slice(rest);
            return out;
        }
        match self.format {
            Format::Json if line.first() == Some(&b'{') => {
                // Our own lines: UTF-8 JSON objects.
                let text = String::from_utf8_lossy(line);
                let tagged = with_server_first(&text, &self.name).unwrap_or_default();
                out.extend_from_slice(tagged.as_bytes());
            }
            Format::Csv => {
                // A command's first line is its header; frames get one
                // before each field list (`protocol,...`, `time,protocol,...`).
                let frame_header =
                    line.starts_with(b"protocol,") || line.starts_with(b"time,protocol,");
                if std::mem::take(&mut self.header_next) || frame_header {
                    out.extend_from_slice(b"server,");
                } else {
                    let mut cell = String::new();
                    super::render::csv::row(&mut cell, &[super::render::csv::wire(name)]);
                    out.extend_from_slice(cell.trim_end().as_bytes());
                    out.push(b',');
                }
                out.extend_from_slice(line);
            }
            _ => {
                out.extend_from_slice(name);
                out.extend_from_slice(b": ");
                out.extend_from_slice(line);
            }
        }
        out
    }

    /// The next CSV line is a header (a new command's output).
    pub fn expect_header(&mut self) {
        self.header_next = true;
    }
}

impl<W: Write> Write for Tagged<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&rest[..=at]);
            let line = std::mem::take(&mut self.line);
            let tagged = self.tagged(&line);
            // Flushed when the run flushes (after each batch of frames).
            self.inner.lock().write_all(&tagged)?;
            rest = &rest[at + 1..];
        }
        self.line.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            let mut line = std::mem::take(&mut self.line);
            line.push(b'\n');
            let tagged = self.tagged(&line);
            self.inner.lock().write_all(&tagged)?;
        }
        self.inner.lock().flush()
    }
}

/// A batch run over several servers: each command line in turn,
/// `networks`, `clients` and `servers` over all of them, any other on
/// each; then, with `--follow`, every server's frames at once.
///
/// Exit status: the worst of the servers' runs; 2 when no server could
/// be reached; 1 when some could not (they are named on `err`), after
/// running on the others with `--keep-going`, before running anything
/// without it.
pub fn run_batch<W: Write + Send + 'static, E: Write + Send + 'static>(
    servers: &[Server],
    lines: &mut dyn Iterator<Item = io::Result<String>>,
    options: &BatchOptions,
    out: Arc<Mutex<W>>,
    err: Arc<Mutex<E>>,
) -> i32 {
    let say = |text: &str| {
        let mut e = err.lock();
        let _ = writeln!(e, "kismet-shell: {text}");
    };
    let failed: Vec<&Server> = servers.iter().filter(|s| s.session.is_err()).collect();
    for s in &failed {
        if let Err(e) = &s.session {
            say(&format!("{}: cannot reach it: {e}", s.member.name));
        }
    }
    if failed.len() == servers.len() {
        return EXIT_CONNECTION;
    }
    let mut code = if failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_COMMAND
    };
    if !failed.is_empty() && !options.keep_going {
        say("not run: some servers could not be reached (--keep-going runs on the others)");
        return EXIT_COMMAND;
    }
    // --wait: every server's model collects meanwhile, all at once.
    if let Some(wait) = options.wait {
        let failed: Vec<String> = thread::scope(|scope| {
            let handles: Vec<_> = connected(servers)
                .map(|(m, s)| {
                    scope.spawn(move || {
                        batch::collect(s, wait, options.follow)
                            .err()
                            .map(|e| format!("{}: --wait: {e}", m.name))
                    })
                })
                .collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().ok().flatten())
                .collect()
        });
        for f in &failed {
            say(f);
        }
        if !failed.is_empty() {
            return code.max(EXIT_COMMAND);
        }
    }
    let one = BatchOptions {
        follow: false,
        wait: None,
        ..options.clone()
    };
    for line in lines {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                say(&format!("reading the commands: {e}"));
                return code.max(EXIT_COMMAND);
            }
        };
        let parsed = match commands::parse(&line) {
            Ok(p) => p,
            Err(e) => {
                say(&e.to_string());
                code = code.max(EXIT_COMMAND);
                if options.keep_going {
                    continue;
                }
                return code;
            }
        };
        let text = match &parsed {
            Parsed::Empty => continue,
            Parsed::Shell(ShellCommand::Servers) => {
                Some(Ok(servers_text(servers, options.format, options.width)))
            }
            // Its note goes to stderr, as a notice does (stdout holds
            // results alone).
            Parsed::Shell(ShellCommand::Export {
                file,
                what,
                format,
                best,
            }) => {
                let options_of = super::export::options(*what, *best);
                match export_merged(servers, file, *format, options_of) {
                    Ok(note) if !options.quiet => {
                        let _ = writeln!(err.lock(), "{note}");
                        continue;
                    }
                    Ok(_) => continue,
                    Err(e) => Some(Err(ShellError::Failed(e))),
                }
            }
            Parsed::Shell(c) => merged_listing(servers, c, options.format, options.width),
            Parsed::Raw(_) => None,
        };
        match text {
            Some(Ok(text)) => {
                let mut o = out.lock();
                let _ = writeln!(o, "{text}");
            }
            Some(Err(e)) => {
                say(&e.to_string());
                code = code.max(EXIT_COMMAND);
                if !options.keep_going {
                    return code;
                }
            }
            // On each server (`network X`: those that know X), its
            // output tagged.
            None => {
                let only = match &parsed {
                    Parsed::Shell(ShellCommand::Network { net }) => {
                        match servers_knowing(servers, net) {
                            Ok(names) if names.is_empty() => {
                                say(&format!(
                                    "no network {} on any server",
                                    kismet_protocol::text::display(net.as_bytes())
                                ));
                                code = code.max(EXIT_COMMAND);
                                if options.keep_going {
                                    continue;
                                }
                                return code;
                            }
                            Ok(names) => Some(names),
                            Err(e) => {
                                say(&e.to_string());
                                return code.max(EXIT_COMMAND);
                            }
                        }
                    }
                    _ => None,
                };
                let chosen = connected(servers)
                    .filter(|(m, _)| only.as_ref().is_none_or(|o| o.contains(&m.name)));
                for (member, session) in chosen {
                    let mut o = Tagged::new(&member.name, options.format, out.clone());
                    let mut e = Tagged::errors(&member.name, err.clone());
                    let mut once = std::iter::once(Ok(line.clone()));
                    let c = batch::run(
                        session,
                        &mut once,
                        &one,
                        Output {
                            out: &mut o,
                            err: &mut e,
                        },
                    );
                    let _ = (o.flush(), e.flush());
                    code = code.max(c);
                }
                if code > EXIT_OK && !options.keep_going {
                    return code;
                }
            }
        }
    }
    if !options.follow {
        return code;
    }
    follow_all(servers, options, out, err).max(code)
}

/// `--follow` on every connected server at once, a thread each, every
/// line tagged; until each ends (its `--count`, `--timeout` or end).
fn follow_all<W: Write + Send + 'static, E: Write + Send + 'static>(
    servers: &[Server],
    options: &BatchOptions,
    out: Arc<Mutex<W>>,
    err: Arc<Mutex<E>>,
) -> i32 {
    let handles: Vec<_> = connected(servers)
        .map(|(member, session)| {
            let (session, options) = (session.clone(), options.clone());
            let mut o = Tagged::new(&member.name, options.format, out.clone());
            let mut e = Tagged::errors(&member.name, err.clone());
            thread::spawn(move || {
                let mut none = std::iter::empty();
                let code = batch::run(
                    &session,
                    &mut none,
                    &options,
                    Output {
                        out: &mut o,
                        err: &mut e,
                    },
                );
                let _ = (o.flush(), e.flush());
                code
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or(EXIT_COMMAND))
        .max()
        .unwrap_or(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each whole line is tagged: JSON objects get the server first,
    /// CSV a first column (`server` in the header), text a prefix; a
    /// line in two writes is tagged once.
    #[test]
    fn tagged_lines_carry_the_server_in_each_format() {
        let tag = |format: Format, writes: &[&str]| {
            let inner = Arc::new(Mutex::new(Vec::<u8>::new()));
            let mut t = Tagged::new("kit\"chen", format, inner.clone());
            for w in writes {
                t.write_all(w.as_bytes()).unwrap();
            }
            t.flush().unwrap();
            let v = inner.lock().clone();
            String::from_utf8(v).unwrap()
        };
        assert_eq!(
            tag(Format::Json, &["{\"type\":\"ack\"", "}\n{}\n"]),
            "{\"server\":\"kit\\\"chen\",\"type\":\"ack\"}\n{\"server\":\"kit\\\"chen\"}\n"
        );
        assert_eq!(
            tag(Format::Csv, &["a,b\n1,2\n"]),
            "server,a,b\n\"kit\"\"chen\",1,2\n"
        );
        assert_eq!(tag(Format::Text, &["ok (1 ms)"]), "kit\"chen: ok (1 ms)\n");
        let inner = Arc::new(Mutex::new(Vec::<u8>::new()));
        let mut t = Tagged::errors("a", inner.clone());
        t.write_all(b"kismet-shell: no reply\nplain\n").unwrap();
        let v = inner.lock().clone();
        assert_eq!(v, b"kismet-shell: a: no reply\nkismet-shell: a: plain\n");
    }
}
