//! Follows a server's SSID frames and prints each as a JSON line, until
//! `--count` frames (20 by default) or the server goes away.
//!
//! ```sh
//! cargo run --example follow_ssid -- 192.168.1.10 --count 100 | jq .
//! cargo run --example follow_ssid                 # the built-in simulator
//! ```

use std::time::Duration;

use kismet_client::protocol::decode::{parse_u64, ssid_type_name, Encryption};
use kismet_client::protocol::text::display_ssid;
use kismet_client::{Client, Event, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut addr, mut count) = (None, 20usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--count" => count = args.next().ok_or("--count needs a number")?.parse()?,
            _ => addr = Some(a),
        }
    }
    // No address: a simulated server in this process.
    let sim;
    let addr = match addr {
        Some(a) => kismet_client::protocol::spec::normalize_addr(Some(&a)),
        None => {
            sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default())?;
            sim.local_addr().to_string()
        }
    };
    let client = Client::connect(&addr, Options::default())?;
    client.enable("SSID", "mac,ssid,type,cryptset", Duration::from_secs(5))?;
    let mut printed = 0;
    for event in client.events() {
        match event {
            // Only the fields enabled, in that order, and only SSID frames.
            Event::Frames(frames) => {
                for f in &frames {
                    let field = |name| f.get(name).unwrap_or_default();
                    let line = serde_json::json!({
                        "mac": String::from_utf8_lossy(field("mac")),
                        "ssid": display_ssid(field("ssid")),
                        "type": parse_u64(field("type")).map(|t| ssid_type_name(t as u32)),
                        "encryption": parse_u64(field("cryptset"))
                            .map(|c| Encryption::from_cryptset(c).to_string()),
                    });
                    println!("{line}");
                    printed += 1;
                    if printed == count {
                        return Ok(());
                    }
                }
            }
            Event::Dropped { counts } => eprintln!("dropped: {counts:?}"),
            Event::Disconnected { reason } => return Err(reason.to_string().into()),
            _ => {}
        }
    }
    Ok(())
}
