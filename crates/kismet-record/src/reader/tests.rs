use std::io::{self, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::*;
use crate::{Recorder, WriteMode};

fn temp(name: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("kismet-shell-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// A reader that counts the bytes taken from it.
struct Counting<R> {
    inner: R,
    taken: Arc<AtomicUsize>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n, Ordering::Relaxed);
        Ok(n)
    }
}

/// `input` behind a byte counter, and the counter.
fn counting<R: Read>(inner: R) -> (BufReader<Counting<R>>, Arc<AtomicUsize>) {
    let taken = Arc::new(AtomicUsize::new(0));
    let r = Counting {
        inner,
        taken: taken.clone(),
    };
    (BufReader::new(r), taken)
}

/// A finished recording of a few entries at `path`.
fn write_some(path: &Path) {
    let r = Recorder::create(path, WriteMode::CreateNew).unwrap();
    r.connected("127.0.0.1:2501");
    r.received(b"*KISMET: 0.0.0 1 \x01x\x01 \x01\x01 0 ");
    r.sent(b"!1 CAPABILITY KISMET\n!2 ENABLE SSID *\n");
    r.disconnected("server closed the connection");
    r.connected("127.0.0.1:2501");
    r.received(b"*TIME: 5");
    r.finish();
}

/// What is recorded reads back, entry for entry, plain and gzip, and a
/// second connection is numbered as such; a whole file is no truncation.
#[test]
fn write_then_read() {
    for name in ["a.kismet", "a.kismet.gz"] {
        let path = temp(name);
        write_some(&path);
        let e = read_recording(&path).unwrap();
        let dirs: Vec<Direction> = e.iter().map(|e| e.direction).collect();
        use Direction::*;
        assert_eq!(dirs, [Event, Received, Sent, Sent, Event, Event, Received]);
        assert_eq!(e[1].bytes, b"*KISMET: 0.0.0 1 \x01x\x01 \x01\x01 0 ");
        assert_eq!(e[3].bytes, b"!2 ENABLE SSID *");
        assert_eq!(e[5].connection, 1);
        assert_eq!(e[6].bytes, b"*TIME: 5");
        let mut r = RecordingReader::open(&path).unwrap();
        while r.next_entry().unwrap().is_some() {}
        assert_eq!(r.truncation(), None, "{name}");
        assert!(Recorder::create(&path, WriteMode::CreateNew)
            .err()
            .unwrap()
            .to_string()
            .contains("--force"));
        let _ = std::fs::remove_file(&path);
    }
}

/// A recording cut short, inside a gzip stream or in the middle of a
/// line, reads up to its last complete line and says where and how it
/// stops.
#[test]
fn cut_short_reads_to_the_last_line_and_says_so() {
    let path = temp("cut.kismet.gz");
    let r = Recorder::create(&path, WriteMode::CreateNew).unwrap();
    r.connected("x:1");
    r.received(b"*TIME: 1");
    r.flush();
    // Never finished: no gzip trailer, like a killed process.
    std::mem::forget(r);
    let mut reader = RecordingReader::open(&path).unwrap();
    let mut last = None;
    while let Some(e) = reader.next_entry().unwrap() {
        last = Some(e.bytes);
    }
    assert_eq!(last.unwrap(), b"*TIME: 1");
    let t = reader.truncation().expect("a truncation");
    assert_eq!(
        t,
        Truncation {
            last_line: 3,
            cut: Cut::GzipUnfinished
        }
    );
    assert_eq!(
        t.to_string(),
        "cut short after line 3: its gzip stream stops before its end"
    );
    let _ = std::fs::remove_file(&path);

    let text = b"# kismet-shell recording 1\n< 0.001 *TIME: 1\n< 0.002 *TI";
    let mut reader = RecordingReader::new(&text[..]).unwrap();
    assert_eq!(reader.by_ref().count(), 1);
    assert_eq!(
        reader.truncation(),
        Some(Truncation {
            last_line: 2,
            cut: Cut::PartialLine { bytes: 11 }
        })
    );
}

/// What is not a recording is refused after at most a buffer's worth of
/// it: endless zeros (`/dev/zero`), binary data, a gzip stream of
/// something else, an empty file; not the whole input.
#[test]
fn not_a_recording_is_refused_at_once() {
    let (zeros, taken) = counting(io::repeat(0).take(64 << 20));
    assert!(matches!(
        RecordingReader::new(zeros),
        Err(RecordingError::NotARecording { path: None })
    ));
    let taken = taken.load(Ordering::Relaxed);
    assert!(taken <= 64 * 1024, "{taken} bytes read");
    #[cfg(unix)]
    {
        let e = RecordingReader::open(Path::new("/dev/zero")).err().unwrap();
        assert!(matches!(e, RecordingError::NotARecording { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "/dev/zero: not a kismet-shell recording \
             (its first line is not \"# kismet-shell recording 1\")"
        );
    }
    let path = temp("binary.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    io::Write::write_all(&mut gz, &[0x7f, b'E', b'L', b'F', 0, 1, 2]).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    assert!(matches!(
        RecordingReader::open(&path).err().unwrap(),
        RecordingError::NotARecording { path: Some(_) }
    ));
    std::fs::write(&path, b"").unwrap();
    assert!(matches!(
        RecordingReader::open(&path).err().unwrap(),
        RecordingError::NotARecording { path: Some(_) }
    ));
    let _ = std::fs::remove_file(&path);
    let e = RecordingReader::open(&temp("missing.kismet"))
        .err()
        .unwrap();
    assert!(matches!(e, RecordingError::Open { .. }));
    assert!(e
        .to_string()
        .ends_with("missing.kismet: cannot open the recording"));
    assert!(std::error::Error::source(&e).is_some());
}

/// A line over [`MAX_LINE`] is refused without being read whole; a line
/// that is not an entry is refused by its number.
#[test]
fn long_and_bad_lines_are_refused() {
    let head = &b"# kismet-shell recording 1\n< 0.001 *TIME: 1\n< 0.002 "[..];
    let (input, taken) = counting(head.chain(io::repeat(b'x').take(64 << 20)));
    let mut reader = RecordingReader::new(input).unwrap();
    assert!(reader.next_entry().unwrap().is_some());
    let e = reader.next_entry().err().unwrap();
    assert!(
        matches!(e, RecordingError::LineTooLong { line: 3, .. }),
        "{e}"
    );
    let taken = taken.load(Ordering::Relaxed);
    assert!(taken <= MAX_LINE + 64 * 1024, "{taken} bytes read");
    assert!(reader.next_entry().unwrap().is_none(), "ends at an error");
    assert!(matches!(
        parse_recording(&b"hello\n"[..]),
        Err(RecordingError::NotARecording { .. })
    ));
    assert!(matches!(
        parse_recording(&b"# kismet-shell recording 1\n? 1 x\n"[..]),
        Err(RecordingError::BadLine { line: 2, .. })
    ));
}

/// Gzip data with a bad checksum is an error naming the file and where
/// it happened, not a recording cut short.
#[test]
fn bad_gzip_checksum_is_an_error_naming_the_file() {
    let path = temp("crc.kismet.gz");
    write_some(&path);
    let mut bytes = std::fs::read(&path).unwrap();
    let crc = bytes.len() - 8;
    bytes[crc] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let e = read_recording(&path).expect_err("a bad CRC is refused");
    assert!(
        matches!(e, RecordingError::Corrupt { line: 8, .. }),
        "{e}: {e:?}"
    );
    let text = e.to_string();
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert!(text.ends_with("corrupt gzip data after line 8"), "{text}");
    let cause = std::error::Error::source(&e).unwrap().to_string();
    assert!(cause.contains("checksum"), "{cause}");
    let _ = std::fs::remove_file(&path);
}

/// Gzip is told by the content, not the name.
#[test]
fn gzip_is_told_by_its_content() {
    let (gz, plain) = (temp("gz-named.kismet"), temp("plain-named.kismet.gz"));
    let (gz_src, plain_src) = (temp("src.kismet.gz"), temp("src.kismet"));
    write_some(&gz_src);
    std::fs::rename(&gz_src, &gz).unwrap();
    write_some(&plain_src);
    std::fs::rename(&plain_src, &plain).unwrap();
    assert_eq!(read_recording(&gz).unwrap().len(), 7);
    assert_eq!(read_recording(&plain).unwrap().len(), 7);
    let _ = std::fs::remove_file(&gz);
    let _ = std::fs::remove_file(&plain);
}
