//! Golden tests over the recordings of a real legacy server.

use std::collections::{HashMap, HashSet};

use kismet_protocol::{parse_capability, parse_protocol_list};
use kismet_protocol::{CapabilityTable, Frame};

use crate::common::{capability_lines, fixture, log_entries, raw_lines};

const RAWS: [&str; 4] = [
    "t1_commands.raw",
    "t2_remove_capability_noarg.raw",
    "t7_nosource.raw",
    "t8_nosource_addsource.raw",
];

/// Every complete line of every recording parses.
#[test]
fn every_recorded_line_parses() {
    let mut total = 0;
    for name in RAWS {
        for line in raw_lines(name) {
            Frame::parse(&line)
                .unwrap_or_else(|e| panic!("{name}: {e}: {:?}", String::from_utf8_lossy(&line)));
            total += 1;
        }
    }
    assert!(total > 500, "only {total} lines");
}

/// The CAPABILITY lines of t1 rebuild exactly the table in capabilities.txt.
#[test]
fn capability_lines_rebuild_the_table() {
    let mut table = CapabilityTable::new();
    let mut protocols = Vec::new();
    for line in raw_lines("t1_commands.raw") {
        let f = Frame::parse(&line).unwrap();
        match f.protocol() {
            "PROTOCOLS" => protocols = parse_protocol_list(f.field(0).unwrap()),
            "CAPABILITY" => {
                let (p, fields) = parse_capability(f.field(0).unwrap()).unwrap();
                table.insert(&p, fields);
            }
            _ => {}
        }
    }
    assert_eq!(protocols.len(), 29);
    assert_eq!(table.len(), 29);
    // Field counts as listed at the end of capabilities.txt.
    let text = std::fs::read_to_string(fixture("capabilities.txt")).unwrap();
    let counts: HashMap<&str, usize> = text
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .filter_map(|l| l.split_once(": "))
        .map(|(p, n)| (p, n.parse().unwrap()))
        .collect();
    assert_eq!(counts.len(), 29);
    for (proto, n) in &counts {
        assert_eq!(table.get(proto).unwrap().fields.len(), *n, "{proto}");
    }
    // And the exact names and order of every line.
    for (proto, line) in capability_lines() {
        let list = line.rsplit(' ').next().unwrap();
        assert_eq!(table.get(&proto).unwrap().fields.join(","), list);
    }
    for p in &protocols {
        assert!(table.get(p).is_some(), "{p}");
    }
}

/// Every ACK/ERROR in t1 and t2 answers an id the client sent, at most once,
/// and the lines the server ignores (no `!<int>`, one word) get no reply.
#[test]
fn replies_match_sent_ids() {
    for (log, raw) in [
        ("t1_commands.log", "t1_commands.raw"),
        (
            "t2_remove_capability_noarg.log",
            "t2_remove_capability_noarg.raw",
        ),
    ] {
        let mut sent = HashSet::new();
        let mut silent = HashSet::new();
        // Lines may be split across writes: rebuild the sent byte stream.
        let stream: Vec<u8> = log_entries(log)
            .into_iter()
            .filter(|e| e.sent)
            .flat_map(|e| e.bytes)
            .collect();
        for line in stream.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match kismet_protocol::parse_client_line(line) {
                Some((id, _, _)) => assert!(sent.insert(id), "{log}: id {id} sent twice"),
                None => {
                    silent.insert(String::from_utf8_lossy(line).into_owned());
                }
            }
        }
        let mut answered = HashSet::new();
        for line in raw_lines(raw) {
            let f = Frame::parse(&line).unwrap();
            if f.protocol() == "ACK" || f.protocol() == "ERROR" {
                let id: u64 = std::str::from_utf8(f.field(0).unwrap())
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!(sent.contains(&id), "{raw}: reply to unsent id {id}");
                assert!(answered.insert(id), "{raw}: id {id} answered twice");
            }
        }
        if log.starts_with("t1") {
            let expect: HashSet<String> = ["ENABLE CLIENT *", "!12", "!abc ENABLE TIME *"]
                .map(String::from)
                .into();
            assert_eq!(silent, expect);
            // Every line with an id got its answer in t1.
            assert_eq!(answered, sent);
        } else {
            assert!(answered.len() >= 6, "{answered:?}");
        }
    }
}

/// The ERROR texts the recordings show come out of the parser intact.
#[test]
fn recorded_error_texts() {
    let mut texts = HashSet::new();
    for name in RAWS {
        for line in raw_lines(name) {
            let f = Frame::parse(&line).unwrap();
            if f.protocol() == "ERROR" {
                let t = String::from_utf8_lossy(f.field(1).unwrap()).into_owned();
                texts.insert(if t.starts_with("Unknown field xxx") {
                    "LONG".into()
                } else {
                    t
                });
            }
        }
    }
    for want in [
        "NO SUCH COMMAND",
        "Unknown protocol: 'BOGUS'",
        "Unknown field nosuchfield",
        "Illegal enable request",
        "Illegal capability request",
        "Illegal remove request",
        "LONG",
    ] {
        assert!(texts.contains(want), "{want} not in {texts:?}");
    }
}
