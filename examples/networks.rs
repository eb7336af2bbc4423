//! Lists the networks a legacy Kismet server knows, strongest first.
//!
//! ```sh
//! cargo run --example networks -- 192.168.1.10      # a real server
//! cargo run --example networks                      # the built-in simulator
//! ```

use std::sync::Arc;
use std::time::Duration;

use kismet_client::{Client, Model, Options};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // No address: a simulated server in this process.
    let sim;
    let addr = match std::env::args().nth(1) {
        Some(a) => kismet_client::protocol::spec::normalize_addr(Some(&a)),
        None => {
            sim = kismet_sim::Sim::start("127.0.0.1:0", kismet_sim::SimConfig::default())?;
            sim.local_addr().to_string()
        }
    };
    let client = Client::connect(&addr, Options::default())?;
    let model = Arc::new(Model::default());
    // Returns once every record the server holds is in the model.
    client.track(model.clone(), Duration::from_secs(5))?;
    let snapshot = model.snapshot();
    // Stations seen only probing have a record of their own: not networks.
    let networks: Vec<_> = snapshot
        .sorted_networks(kismet_client::SortColumn::Signal, true)
        .into_iter()
        .filter(|n| !n.is_probe())
        .collect();
    println!(
        "{} networks on {}",
        networks.len(),
        client.server_info().name
    );
    for n in networks {
        let ssid = match (&n.ssid, n.cloaked) {
            (_, true) => "<hidden>".to_string(),
            (Some(s), false) => s.clone(),
            (None, false) => String::new(),
        };
        let signal = n.signal_dbm.map_or("-".to_string(), |s| s.to_string());
        println!(
            "{}  {:<24} ch {:>3}  {:<8} {:>4} dBm",
            n.bssid,
            ssid,
            n.channel.unwrap_or(0),
            n.encryption.enc,
            signal
        );
    }
    Ok(())
}
