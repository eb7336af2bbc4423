//! The session database's commands: `db`, `db open FILE`, `db close`,
//! `sessions` and `sql`, and `--db FILE` (see [`open`]); the database
//! itself is [`super::database`].

use std::path::Path;
use std::sync::Arc;

use super::commands::DbAction;
use super::database::{written, Database, Source, OUTBOX_MAX};
use super::handlers::Handled;
use super::outcome::{Cell, Outcome, Rows, ShellError};
use super::session::Session;
use kismet_db::{Reader, SqlValue};

/// Opens (or creates) the database at `path` and starts keeping the
/// session in it: its live model (started here if it is not) keeps an
/// outbox from now on (and asks for ALERT), and so do the models of
/// servers connected to later. `server` names the server in the database
/// (see [`Database::start`]).
///
/// # Errors
/// The database's or the model's, as text.
pub fn open(path: &Path, session: &Session, server: Option<String>) -> Result<Database, String> {
    let source = source_of(session)?;
    let database = Database::start(path, super::export::APP, Arc::downgrade(&source), server)?;
    keep_outbox(session)?;
    Ok(database)
}

/// Feeds `database` from one more session (several servers in one
/// database), named `server`.
///
/// # Errors
/// As [`open`].
pub fn attach(
    database: &mut Database,
    session: &Session,
    server: Option<String>,
) -> Result<(), String> {
    let source = source_of(session)?;
    database.attach(Arc::downgrade(&source), server)?;
    keep_outbox(session)
}

/// The session as a database's source.
fn source_of(session: &Session) -> Result<Arc<dyn Source>, String> {
    match session.shared() {
        Some(shared) => Ok(shared),
        None => Err("a database needs a shared session (Session::into_shared)".into()),
    }
}

/// The session's models keep an outbox for the database from now on.
fn keep_outbox(session: &Session) -> Result<(), String> {
    session.set_outbox(OUTBOX_MAX);
    let model = super::handlers::start_model(session).map_err(|e| e.to_string())?;
    // A model started before keeps an outbox from now, and asks for ALERT
    // too (a server without ALERT is not asked).
    model.keep_outbox(OUTBOX_MAX);
    let _ = session.client().track(model, session.wait());
    Ok(())
}

/// The most rows `sql` prints.
pub const SQL_MAX_ROWS: usize = 10_000;

/// `db`, `db open FILE`, `db close`.
pub fn handler(session: &Session, action: Option<DbAction>, file: Option<&str>) -> Handled {
    let mut slot = session.db.lock();
    match (action, file) {
        (None, _) => Ok(Outcome::Note(match slot.as_ref() {
            Some(db) => db.summary(),
            None => "no database: db open FILE (or --db FILE) keeps this session in one".into(),
        })),
        (Some(DbAction::Open), None) => Err(ShellError::Usage("usage: db open FILE".into())),
        (Some(DbAction::Open), Some(file)) => {
            if let Some(db) = slot.as_ref() {
                return Err(ShellError::Usage(format!(
                    "a database is open: {} (db close first)",
                    db.path().display()
                )));
            }
            let path = super::export::expand_home(file, std::env::var_os("HOME"));
            let db = open(&path, session, None).map_err(ShellError::Failed)?;
            *slot = Some(db);
            Ok(Outcome::Note(format!(
                "keeping this session in {}",
                path.display()
            )))
        }
        (Some(DbAction::Close), _) => match slot.take() {
            Some(db) => {
                let path = db.path().display().to_string();
                let stats = db.close();
                match stats.error {
                    Some(e) => Err(ShellError::Failed(e)),
                    None => Ok(Outcome::Note(format!("closed {path}: {}", written(&stats)))),
                }
            }
            None => Err(ShellError::Usage("no database is open".into())),
        },
    }
}

/// The database `sessions` and `sql` read: the one being written.
fn reader(session: &Session) -> Result<Reader, ShellError> {
    let path = match session.db.lock().as_ref() {
        Some(db) => db.path().to_path_buf(),
        None => {
            return Err(ShellError::Usage(
                "no database: db open FILE, --db FILE, or --open FILE to read one".into(),
            ))
        }
    };
    Reader::open(&path).map_err(|e| ShellError::Failed(e.to_string()))
}

/// `sessions`: the database's sessions.
pub fn sessions(session: &Session) -> Handled {
    sessions_of(&reader(session)?)
}

/// `sql QUERY` on the database being written.
pub fn sql(session: &Session, query: &str) -> Handled {
    sql_on(&reader(session)?, query)
}

/// `sessions` of a database.
pub fn sessions_of(reader: &Reader) -> Handled {
    let rows = reader
        .sessions()
        .map_err(|e| ShellError::Failed(e.to_string()))?;
    let time = Cell::Time;
    Ok(Outcome::Rows(Rows {
        kind: "session",
        empty: "sessions",
        columns: [
            "id",
            "server",
            "name",
            "started",
            "ended",
            "devices",
            "observations",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows
            .into_iter()
            .map(|r| {
                vec![
                    Cell::Integer(r.id),
                    Cell::Text(r.server),
                    r.server_name.map_or(Cell::Null, Cell::Text),
                    time(r.started),
                    r.ended.map_or(Cell::Null, time),
                    Cell::Integer(i64::try_from(r.devices).unwrap_or(i64::MAX)),
                    Cell::Integer(i64::try_from(r.observations).unwrap_or(i64::MAX)),
                ]
            })
            .collect(),
        note: None,
    }))
}

/// `sql QUERY` on a database.
pub fn sql_on(reader: &Reader, query: &str) -> Handled {
    let result = reader
        .query(query, SQL_MAX_ROWS)
        .map_err(|e| ShellError::Failed(e.to_string()))?;
    let note = result
        .truncated
        .then(|| format!("(the first {SQL_MAX_ROWS} rows; LIMIT and OFFSET show others)"));
    Ok(Outcome::Rows(Rows {
        kind: "row",
        empty: "rows",
        columns: result.columns,
        rows: result
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .map(|v| match v {
                        SqlValue::Null => Cell::Null,
                        SqlValue::Integer(i) => Cell::Integer(i),
                        SqlValue::Real(r) => Cell::Real(r),
                        SqlValue::Text(t) => Cell::Text(t),
                        SqlValue::Blob(n) => Cell::Blob(n),
                    })
                    .collect()
            })
            .collect(),
        note,
    }))
}
