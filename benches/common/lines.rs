//! Lines both throughput benchmarks stream: the CLIENT field list of a
//! real server and CLIENT lines as it writes them.

const CAPS: &str = include_str!("../../tests/fixtures/legacy-server/capabilities.txt");

/// A protocol's field list, from the recorded CAPABILITY answers.
pub fn capability(proto: &str) -> Vec<String> {
    let line = CAPS
        .lines()
        .find(|l| l.starts_with(&format!("*CAPABILITY: {proto} ")))
        .expect("protocol in capabilities.txt");
    line.rsplit(' ')
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect()
}

/// The `i`th CLIENT line of a stream about `devices` clients (the line's
/// BSSID and MAC are those of client `i % devices`), with all 56 fields as
/// the server writes them: the empty `dot11d` bare field shows as two
/// spaces. With `u32::MAX` devices, 200,000 lines name 196,608 clients.
/// `fields` is CLIENT's field list ([`capability`]).
pub fn client_line(fields: &[String], i: u32, devices: u32) -> Vec<u8> {
    let d = i % devices;
    let mut s = String::from("*CLIENT: ");
    for f in fields {
        let v = match f.as_str() {
            "bssid" => format!("00:14:6C:A1:00:{:02X}", d % 6),
            "mac" => format!("00:1B:77:10:{:02X}:{:02X}", (d >> 8) & 0xff, d & 0xff),
            "manuf" => "\x01IntelCor\x01".to_string(),
            "dot11d" => String::new(),
            "cdpdevice" | "cdpport" | "dhcphost" | "dhcpvendor" => "\x01 \x01".to_string(),
            // A server without GPS (the model's positions come from the
            // GPS lines of `flood_server_with`, when it sends them).
            "gpsfixed" => "0".to_string(),
            "minlat" | "maxlat" | "agglat" => "52.520008".to_string(),
            "minlon" | "maxlon" | "agglon" => "13.404954".to_string(),
            "signal_dbm" | "minsignal_dbm" | "maxsignal_dbm" => format!("-{}", 40 + i % 40),
            "firsttime" | "lasttime" => (1_795_678_119 + i).to_string(),
            _ => (i % 1000).to_string(),
        };
        s.push_str(&v);
        s.push(' ');
    }
    s.push('\n');
    s.into_bytes()
}
