//! What happens now and then besides traffic: the battery drains and
//! charges, alerts are raised, text is seen in data frames.

use super::{Change, World, ALERT_BACKLOG};
use crate::catalog::APS;
use crate::devices::{Alert, Mac};

impl World {
    pub(super) fn drain_battery(&mut self) {
        let b = &mut self.battery;
        if b.charging {
            b.remaining = 0;
            b.percentage = (b.percentage + 1).min(100);
            if b.percentage == 100 {
                b.charging = false;
                b.ac = false;
                b.remaining = 10_800;
            }
        } else {
            b.remaining = b.remaining.saturating_sub(1);
            b.percentage = (b.remaining * 100 / 10_800) as u32;
            if b.percentage <= 5 {
                b.charging = true;
                b.ac = true;
            }
        }
    }

    /// Raises one alert of a kind the legacy server raises, about a
    /// random access point and station. The names are the legacy
    /// server's (alertracker and the 802.11 tracker); the texts follow
    /// its wording as far as we know it, the details (which MAC goes in
    /// which field, the SSID quoting) are a guess.
    pub(super) fn raise_alert(&mut self) {
        let ap = self.rng.below(APS.len() as u64) as usize;
        let sta = self.rng.below(self.stations.len() as u64) as usize;
        let (bssid, channel) = (self.networks[ap].bssid, self.networks[ap].channel);
        let mac = self.stations[sta].mac;
        let bcast = Mac([0xff; 6]);
        let ssid = APS[ap].ssid;
        let (header, source, dest, text) = match self.rng.below(5) {
            0 => (
                "DEAUTHFLOOD",
                bssid,
                mac,
                format!("Deauthenticate/Disassociate flood on {bssid}"),
            ),
            1 => (
                "BCASTDISCON",
                bssid,
                bcast,
                format!("Broadcast disassociation on {bssid}"),
            ),
            2 => (
                "PROBENOJOIN",
                mac,
                bcast,
                format!("Probe on {bssid} from {mac} which never joins"),
            ),
            3 => (
                "APSPOOF",
                mac,
                bcast,
                format!(
                    "Unauthorized device ({mac}) advertising for SSID '{ssid}', \
                     which is not an allowed MAC address"
                ),
            ),
            _ => {
                // Guess: the old channel is one the network was not on.
                let old = if channel == 11 { 1 } else { channel % 11 + 1 };
                (
                    "CHANCHANGE",
                    bssid,
                    bcast,
                    format!(
                        "Beacon on {bssid} ({ssid}) for channel {channel}, \
                         network previously detected on channel {old}"
                    ),
                )
            }
        };
        let alert = Alert {
            sec: self.now,
            usec: self.rng.below(1_000_000),
            header,
            bssid,
            source,
            dest,
            other: Mac::default(),
            channel,
            text,
        };
        self.alerts.push(alert);
        if self.alerts.len() > ALERT_BACKLOG {
            self.alerts.remove(0);
        }
        self.changes.push(Change::Alert(self.alerts.len() - 1));
    }

    pub(super) fn emit_string(&mut self) {
        const TEXTS: [&str; 4] = [
            "GET /index.html HTTP/1.1",
            "Host: example.com",
            "User-Agent: Mozilla/5.0",
            "_googlecast._tcp.local",
        ];
        let ap = self.rng.below(APS.len() as u64) as usize;
        let sta = self.rng.below(self.stations.len() as u64) as usize;
        let text = TEXTS[self.rng.below(TEXTS.len() as u64) as usize];
        let bssid = self.networks[ap].bssid;
        self.changes.push(Change::Text {
            bssid,
            source: self.stations[sta].mac,
            dest: bssid,
            text,
        });
    }
}
