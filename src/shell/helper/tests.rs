//! Completion and hints, without a terminal.

use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::Context;

use super::*;
use crate::shell::commands::definition;

fn table() -> CapabilityTable {
    let mut t = CapabilityTable::new();
    let list = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
    t.insert("GPS", list("lat,lon,alt,spd,heading,fix"));
    t.insert("SSID", list("mac,checksum,type,ssid,beaconinfo"));
    t.insert("CLIENT", list("bssid,mac,type"));
    t.insert("TIME", list("timesec"));
    t
}

/// The replacements offered for `line` with the cursor at its end.
fn offered(line: &str) -> (usize, Vec<String>) {
    let ssid: std::sync::Arc<[String]> = ["ssid".to_string(), "mac".to_string()].into();
    let names = Names {
        table: table(),
        enabled: vec![("SSID".to_string(), ssid)],
        networks: vec!["00:14:6C:A1:00:01".into(), "HomeNet".into()],
        sources: vec!["wlan0".into(), "Backup Radio".into()],
        source_channels: vec![
            ("wlan0".into(), vec![1, 6, 11, 36]),
            ("Backup Radio".into(), vec![3]),
        ],
        servers: vec!["kitchen".into(), "attic".into()],
        all_networks: vec!["00:14:6C:A1:00:01".into(), "00:1D:7E:C3:00:03".into()],
    };
    let (start, c) = complete(line, line.len(), &names);
    (start, c.into_iter().map(|p| p.replacement).collect())
}

/// A command name prefix completes to the command (and a space before
/// its argument).
#[test]
fn completes_command_names() {
    assert_eq!(offered("fie"), (0, vec!["fields ".to_string()]));
    assert_eq!(offered("FIE"), (0, vec!["fields ".to_string()]));
    assert_eq!(
        offered("sta"),
        (0, vec!["status".to_string(), "stations ".to_string()])
    );
    assert_eq!(offered("statu"), (0, vec!["status".to_string()]));
    let (_, all) = offered("");
    assert_eq!(all.len(), definition().get_subcommands().count());
    assert_eq!(offered("disa"), (0, vec!["disable ".to_string()]));
    assert_eq!(
        offered("dis"),
        (0, vec!["disconnect ".to_string(), "disable ".to_string()])
    );
    assert_eq!(offered("zz").1, Vec::<String>::new());
}

/// Protocol names come from the capability table, any case, canonical.
#[test]
fn completes_protocols_after_commands() {
    assert_eq!(offered("fields G"), (7, vec!["GPS".to_string()]));
    assert_eq!(offered("fields g"), (7, vec!["GPS".to_string()]));
    assert_eq!(offered("enable ss"), (7, vec!["SSID ".to_string()]));
    // remove and its alias offer only what is enabled (SSID here).
    assert_eq!(offered("remove s"), (7, vec!["SSID".to_string()]));
    assert_eq!(offered("remove t").1, Vec::<String>::new());
    assert_eq!(offered("disable S"), (8, vec!["SSID".to_string()]));
    assert_eq!(offered("fields GPS ").1, Vec::<String>::new());
}

/// In `enable PROTO a,b` the element under the cursor completes, and
/// fields already listed are not offered again.
#[test]
fn completes_fields_in_the_comma_list() {
    assert_eq!(offered("enable SSID ssid,m"), (17, vec!["mac".to_string()]));
    let (start, c) = offered("enable SSID ssid,");
    assert_eq!(start, 17);
    assert!(!c.contains(&"ssid".to_string()), "{c:?}");
    assert!(c.contains(&"mac".to_string()) && c.contains(&"type".to_string()));
    assert!(!c.contains(&"*".to_string()), "* only as the whole list");
    let (_, c) = offered("enable gps ");
    assert_eq!(c[0], "*");
    assert_eq!(c.len(), 7);
    assert_eq!(offered("enable SSID SSID,MAC,t").1, ["type"]);
    // The cursor in the middle of the list: fields after it count as listed.
    let line = "enable SSID ma,ssid";
    let names = Names {
        table: table(),
        ..Names::default()
    };
    let (start, c) = complete(line, 14, &names);
    assert_eq!(start, 12);
    assert_eq!(
        c.iter().map(|p| p.replacement.as_str()).collect::<Vec<_>>(),
        ["mac"]
    );
    assert_eq!(offered("enable NOPE ").1, Vec::<String>::new());
}

/// `!` completes server command names and then their protocol arguments.
#[test]
fn completes_server_commands() {
    assert_eq!(offered("!HOP"), (1, vec!["HOPSOURCE ".to_string()]));
    assert_eq!(offered("!hop"), (1, vec!["HOPSOURCE ".to_string()]));
    assert_eq!(offered("!SHUT"), (1, vec!["SHUTDOWN".to_string()]));
    assert_eq!(offered("!ENABLE GP"), (8, vec!["GPS ".to_string()]));
    assert_eq!(offered("!capability s"), (12, vec!["SSID".to_string()]));
    assert_eq!(offered("!REMOVE T"), (8, vec!["TIME".to_string()]));
    assert_eq!(
        offered("!ENABLE GPS l"),
        (12, vec!["lat".to_string(), "lon".to_string()])
    );
    assert_eq!(offered("!HOPSOURCE ").1, Vec::<String>::new());
    assert_eq!(offered("!").1.len(), ServerCommand::ALL.len());
}

/// In `filter PROTO EXPR`, Tab offers the enabled fields, then the
/// operators, then `and`/`or`; the hint shows the syntax.
#[test]
fn completes_filter_expressions() {
    assert_eq!(
        offered("filter SSID "),
        (12, vec!["ssid ".into(), "mac ".into()])
    );
    assert_eq!(offered("filter SSID m"), (12, vec!["mac ".into()]));
    assert_eq!(offered("filter SSID ssid ~"), (17, vec!["~ ".into()]));
    assert_eq!(offered("filter SSID ssid = x a"), (21, vec!["and ".into()]));
    assert_eq!(
        offered("filter SSID ssid = x and (m"),
        (26, vec!["mac ".into()])
    );
    assert_eq!(offered("only SSID c"), (10, vec!["changed".into()]));
    let h = |l: &str| hint(l, l.len()).map(|h| h.display);
    assert_eq!(h("filter SSID ").as_deref(), Some(EXPRESSION_HINT));
    assert_eq!(h("filter SSID ssid = x "), None);
}

/// `help` completes shell command names, and `!` server ones.
#[test]
fn completes_help_topics() {
    assert_eq!(offered("help en"), (5, vec!["enable".to_string()]));
    assert_eq!(
        offered("help !DEL"),
        (
            6,
            vec![
                "DELSOURCE".to_string(),
                "DELNETTAG".to_string(),
                "DELCLITAG".to_string(),
                "DELWEPKEY".to_string()
            ]
        )
    );
}

/// Hints show the arguments still to type, from the definition (and the
/// server command's usage for `!CMD`).
#[test]
fn hints_show_usage() {
    let h = |l: &str| hint(l, l.len()).map(|h| h.display);
    assert_eq!(h("enable ").as_deref(), Some("PROTO f1,f2,...|*"));
    assert_eq!(h("enable SSID ").as_deref(), Some("f1,f2,...|*"));
    assert_eq!(h("enable SSID ssid "), None);
    assert_eq!(h("fields ").as_deref(), Some("PROTO"));
    assert_eq!(h("help ").as_deref(), Some("[COMMAND]"));
    assert_eq!(h("status "), None);
    assert_eq!(
        h("!HOPSOURCE ").as_deref(),
        Some("UUID LOCK CHAN | UUID HOP RATE | UUID DWELL SECS")
    );
    assert_eq!(h("!HOPSOURCE abc "), None);
    assert_eq!(h("!enable ").as_deref(), Some("PROTO f1,f2,...|*"));
    assert_eq!(h("enable SS"), None, "no hint inside a word");
    assert_eq!(hint("enable ", 3), None, "only at the end of the line");
    assert_eq!(h(""), None);
}

/// A uniquely typed command name is hinted to its end, and Right arrow
/// inserts only the name.
#[test]
fn hints_complete_unique_names() {
    let x = hint("fie", 3).unwrap();
    assert_eq!(x.display, "lds PROTO");
    assert_eq!(x.completion(), Some("lds"));
    let x = hint("!HOPS", 5).unwrap();
    assert!(x.display.starts_with("OURCE UUID"), "{x:?}");
    assert_eq!(hint("en", 2).unwrap().display, "able PROTO f1,f2,...|*");
    assert_eq!(hint("e", 1), None, "enable and export both match");
    assert_eq!(hint("re", 2), None, "remove and resume both match");
    assert_eq!(hint("!DEL", 4), None, "several server commands match");
    assert_eq!(hint("status", 6), None, "nothing left to show");
}

/// The helper answers through rustyline's traits, and stays quiet while
/// inactive (during a yes/no question).
#[test]
fn helper_traits() {
    let history = rustyline::history::DefaultHistory::new();
    let ctx = Context::new(&history);
    let names = || Names {
        table: table(),
        ..Names::default()
    };
    let mut h = ShellHelper::new(Box::new(names), false);
    let (start, c) = h.complete("fields G", 8, &ctx).unwrap();
    assert_eq!((start, c[0].replacement.as_str()), (7, "GPS"));
    assert_eq!(
        h.hint("enable ", 7, &ctx).map(|h| h.display),
        Some("PROTO f1,f2,...|*".to_string())
    );
    assert_eq!(h.highlight_hint("x"), "x");
    h.set_active(false);
    assert!(h.complete("fields G", 8, &ctx).unwrap().1.is_empty());
    assert_eq!(h.hint("enable ", 7, &ctx), None);
    let h = ShellHelper::new(Box::new(names), true);
    assert_eq!(h.highlight_hint("x"), "\x1b[90mx\x1b[0m");
}

/// `networks` completes its option names, then each option's values from
/// the definition: the sort columns after `--sort`, the network types
/// after `--type`; an option given is not offered again, unless it may be
/// repeated.
#[test]
fn completes_options_and_their_values() {
    let columns = [
        "bssid ",
        "ssid ",
        "type ",
        "channel ",
        "enc ",
        "signal ",
        "packets ",
        "clients ",
        "manuf ",
        "lastseen ",
    ];
    assert_eq!(
        offered("networks --sort "),
        (16, columns.map(String::from).to_vec())
    );
    assert_eq!(
        offered("nets -s s"),
        (8, vec!["ssid ".into(), "signal ".into()])
    );
    assert_eq!(
        offered("networks --type "),
        (
            16,
            vec![
                "ap ".into(),
                "probe ".into(),
                "adhoc ".into(),
                "data ".into()
            ]
        )
    );
    assert_eq!(
        offered("networks "),
        (
            9,
            vec![
                "near ".into(),
                "--sort ".into(),
                "--type ".into(),
                "--since ".into(),
                "--server ".into(),
                "--wide".into()
            ]
        )
    );
    assert_eq!(offered("networks n"), (9, vec!["near ".into()]));
    assert_eq!(
        offered("networks near 1,2 ").1,
        ["--sort ", "--type ", "--since ", "--server ", "--wide"]
    );
    assert_eq!(offered("networks --so"), (9, vec!["--sort ".into()]));
    assert_eq!(
        offered("networks --s").1,
        ["--sort ", "--since ", "--server "]
    );
    assert_eq!(
        offered("networks --sort ssid "),
        (
            21,
            vec![
                "near ".into(),
                "--type ".into(),
                "--since ".into(),
                "--server ".into(),
                "--wide".into()
            ]
        )
    );
    assert_eq!(
        offered("networks --sort=ssid ").1,
        ["near ", "--type ", "--since ", "--server ", "--wide"]
    );
    // --type may be given again (`--type ap --type probe`).
    assert_eq!(
        offered("networks -sssid -t ap ").1,
        ["near ", "--type ", "--since ", "--server ", "--wide"]
    );
    // connect: the host first (nothing to offer), then --keep.
    assert_eq!(offered("connect ").1, Vec::<String>::new());
    assert_eq!(
        offered("connect sensor.lan "),
        (19, vec!["--keep".into(), "--add".into()])
    );
    assert_eq!(
        offered("connect sensor.lan --keep ").1,
        vec!["--add".to_string()]
    );
}

/// `set` completes the settings (its subcommands), then an on/off
/// setting's values; `rate` takes a number, so nothing is offered.
#[test]
fn completes_settings() {
    assert_eq!(
        offered("set "),
        (
            4,
            [
                "timestamps ",
                "decode ",
                "color ",
                "rate ",
                "alerts ",
                "bell "
            ]
            .map(String::from)
            .to_vec()
        )
    );
    assert_eq!(offered("set t"), (4, vec!["timestamps ".into()]));
    assert_eq!(
        offered("set timestamps "),
        (15, vec!["on".into(), "off".into()])
    );
    assert_eq!(offered("SET Colour of"), (11, vec!["off".into()]));
    assert_eq!(offered("set rate ").1, Vec::<String>::new());
    assert_eq!(offered("set volume ").1, Vec::<String>::new());
    assert_eq!(offered("set timestamps on ").1, Vec::<String>::new());
}

/// The other arguments with a kind: `only`'s modes, `watch`'s targets
/// (and the enabled protocols), networks for `clients` and `watch clients`.
#[test]
fn completes_choices_targets_and_networks() {
    assert_eq!(
        offered("only SSID "),
        (10, vec!["new".into(), "changed".into(), "all".into()])
    );
    assert_eq!(
        offered("watch "),
        (
            6,
            vec![
                "networks".into(),
                "clients ".into(),
                "stations".into(),
                "channels".into(),
                "status".into(),
                "sources".into(),
                "alerts".into(),
                "SSID".into()
            ]
        )
    );
    assert_eq!(offered("clients h"), (8, vec!["HomeNet".into()]));
    assert_eq!(
        offered("watch clients 00:"),
        (14, vec!["00:14:6C:A1:00:01".into()])
    );
    assert_eq!(
        offered("clients HomeNet ").1,
        ["--since ", "--server ", "--wide"]
    );
}

/// `network` completes every network's BSSID (or SSID), those without
/// clients too; `clients` only those with clients.
#[test]
fn network_completes_every_network() {
    assert_eq!(
        offered("network 00:"),
        (
            8,
            vec!["00:14:6C:A1:00:01".into(), "00:1D:7E:C3:00:03".into()]
        )
    );
    assert_eq!(
        offered("clients 00:"),
        (8, vec!["00:14:6C:A1:00:01".into()])
    );
}

/// Each command's hint after its name is its usage from the definition,
/// and its name completes (with a space when it takes arguments).
#[test]
fn every_command_hint_and_name_from_the_definition() {
    for c in definition().get_subcommands() {
        let name = c.get_name();
        let line = format!("{name} ");
        let usage = commands::usage(c);
        assert_eq!(
            hint(&line, line.len()).map(|h| h.display),
            (!usage.is_empty()).then(|| usage.clone()),
            "{name}"
        );
        let (_, names) = offered(name);
        let expected = if takes_arguments(c) {
            line.clone()
        } else {
            name.to_string()
        };
        assert!(names.contains(&expected), "{name}: {names:?}");
        assert_eq!(takes_arguments(c), !usage.is_empty(), "{name}");
    }
}

/// Hints follow the words typed through the definition: what an option
/// takes and the options still open, a setting's value, the rest of the
/// positionals.
#[test]
fn hints_follow_the_definition() {
    let h = |l: &str| hint(l, l.len()).map(|h| h.display);
    assert_eq!(
        h("networks ").as_deref(),
        Some(
            "[near [LAT,LON [RADIUS_M]]] [--sort COLUMN] [--type TYPE] [--since AGE] \
             [--server NAME] [--wide]"
        )
    );
    assert_eq!(
        h("networks --sort ").as_deref(),
        Some("COLUMN [near [LAT,LON [RADIUS_M]]] [--type TYPE] [--since AGE] [--server NAME] [--wide]")
    );
    assert_eq!(
        h("networks --sort ssid ").as_deref(),
        Some("[near [LAT,LON [RADIUS_M]]] [--type TYPE] [--since AGE] [--server NAME] [--wide]")
    );
    // --type may be given again.
    assert_eq!(
        h("networks -t ap -s ssid ").as_deref(),
        Some("[near [LAT,LON [RADIUS_M]]] [--type TYPE] [--since AGE] [--server NAME] [--wide]")
    );
    assert_eq!(
        h("networks near 1,2 5 -t ap -s ssid ").as_deref(),
        Some("[--type TYPE] [--since AGE] [--server NAME] [--wide]")
    );
    assert_eq!(h("set ").as_deref(), Some("[NAME VALUE]"));
    assert_eq!(h("set timestamps ").as_deref(), Some("on|off"));
    assert_eq!(h("set rate ").as_deref(), Some("N"));
    assert_eq!(h("set rate 5 "), None);
    assert_eq!(h("set volume "), None);
    assert_eq!(
        h("connect ").as_deref(),
        Some("HOST[:PORT] [--keep] [--add]")
    );
    assert_eq!(h("connect h ").as_deref(), Some("[--keep] [--add]"));
    assert_eq!(h("filter ").as_deref(), Some("[PROTO [EXPR|off]]"));
    assert_eq!(h("only SSID ").as_deref(), Some("new|changed|all"));
    assert_eq!(
        h("watch clients ").as_deref(),
        Some("[NET] [--sort COLUMN] [--type TYPE]")
    );
    assert_eq!(
        hint("clie", 4).unwrap().display,
        "nts [NET|near [LAT,LON [RADIUS_M]]] [--since AGE] [--server NAME] [--wide]"
    );
    // `network` and `networks`: no one command to hint.
    assert!(hint("ne", 2).is_none());
}

/// A network name with spaces completes in quotes, also from inside an
/// open quote, and the completed line parses (before: `clients Coffee
/// Shop Free WiFi`, a usage error); words in quotes count as one.
#[test]
fn network_names_with_spaces_complete_quoted_and_parse() {
    let names = Names {
        table: table(),
        enabled: Vec::new(),
        networks: vec!["Coffee Shop Free WiFi".into(), "HomeNet".into()],
        ..Names::default()
    };
    let complete_at_end = |line: &str| {
        let (start, c) = complete(line, line.len(), &names);
        (
            start,
            c.into_iter().map(|p| p.replacement).collect::<Vec<_>>(),
        )
    };
    for line in ["clients Cof", "clients \"Cof", "clients \"coffee sh"] {
        let (start, c) = complete_at_end(line);
        assert_eq!(
            (start, c.clone()),
            (8, vec!["\"Coffee Shop Free WiFi\"".to_string()]),
            "{line}"
        );
        let completed = format!("{}{}", &line[..start], c[0]);
        assert!(
            crate::shell::commands::parse(&completed).is_ok(),
            "{completed}"
        );
    }
    assert_eq!(
        complete_at_end("clients Ho"),
        (8, vec!["HomeNet".to_string()])
    );
    // After a quoted word with spaces, the next argument: `watch clients`
    // takes one network, so no other is offered (options may be).
    let after = complete_at_end("watch clients \"Coffee Shop Free WiFi\" ").1;
    assert!(after.iter().all(|c| c.starts_with("--")), "{after:?}");
}

/// `export FILE` completes paths from the file system: a directory with
/// its `/` (typing goes on inside it), names with spaces in quotes,
/// hidden names only when asked.
#[test]
fn export_completes_file_names_from_the_file_system() {
    let dir = std::env::temp_dir().join(format!("kismet-complete-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("maps")).unwrap();
    std::fs::write(dir.join("drive.kml"), "").unwrap();
    std::fs::write(dir.join("drive two.kml"), "").unwrap();
    std::fs::write(dir.join(".hidden"), "").unwrap();
    let d = dir.display();
    let (start, got) = offered(&format!("export {d}/"));
    assert_eq!(start, 7);
    assert_eq!(
        got,
        [
            format!("\"{d}/drive two.kml\""),
            format!("{d}/drive.kml"),
            format!("{d}/maps/"),
        ]
    );
    assert_eq!(offered(&format!("export {d}/m")).1, [format!("{d}/maps/")]);
    assert_eq!(
        offered(&format!("export {d}/.h")).1,
        [format!("{d}/.hidden")]
    );
    assert_eq!(offered(&format!("export {d}/zz")).1, Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The SOURCE argument of `lock`, `hop` and `delsource` completes
/// capture source names, in any case, a name with spaces in quotes.
#[test]
fn source_argument_completes_source_names() {
    assert_eq!(offered("lock WL"), (5, vec!["wlan0".to_string()]));
    assert_eq!(offered("hop b"), (4, vec!["\"Backup Radio\"".to_string()]));
    assert_eq!(offered("delsource w"), (10, vec!["wlan0".to_string()]));
}

/// `use`, `on` and `disconnect` complete the servers' names (and `all`);
/// the command after `on NAME` is not completed as an argument.
#[test]
fn server_names_complete_for_use_on_and_disconnect() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(offered("use a"), (4, s(&["attic", "all"])));
    assert_eq!(offered("on k"), (3, s(&["kitchen "])));
    assert_eq!(offered("disconnect ki"), (11, s(&["kitchen"])));
}

/// CHANNEL completes from the channel list of the source named before
/// it, for `lock` once and for each of `hop`'s channels; an unknown
/// source offers none.
#[test]
fn channel_argument_completes_the_named_sources_channels() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(offered("lock wlan0 "), (11, s(&["1", "6", "11", "36"])));
    assert_eq!(offered("lock WLAN0 1"), (11, s(&["1", "11"])));
    assert_eq!(offered("hop wlan0 6 3"), (12, s(&["36"])));
    assert_eq!(offered("lock \"Backup Radio\" "), (20, s(&["3"])));
    assert_eq!(offered("lock nosuch "), (12, Vec::<String>::new()));
}
