//! Unit tests of the store: eviction, the interner, the byte counts.

use super::*;

/// MAC keys round-trip and never equal the network marker.
#[test]
fn mac_keys_round_trip() {
    for mac in [[0u8; 6], [0xff; 6], [0, 0x14, 0x6c, 0xa1, 0, 1]] {
        assert_eq!(key_mac(mac_key(mac)), mac);
        let wire = WireMac::from_key(mac_key(mac));
        assert_eq!(wire.key(), Some(mac_key(mac)));
        assert_eq!(wire.canonical(), Some(wire));
    }
}

/// The least recently touched device goes first, touching again saves
/// a device, and the queue stays bounded under constant updates.
#[test]
fn eviction_is_least_recently_seen() {
    let mut s = Store::new(3);
    let m = &mut Interner::default();
    let p = &mut Places::default();
    for k in 1..=3 {
        let (_, new) = s.network(k);
        s.settle(new, m, p);
    }
    // Touch 1 again: 2 is now the oldest.
    let (_, new) = s.network(1);
    s.settle(new, m, p);
    assert!(s.recency.is_empty(), "no queue below the cap");
    let (_, new) = s.client((9, 10));
    s.settle(new, m, p);
    assert_eq!(s.evicted, 1);
    assert!(!s.networks.contains_key(&2));
    assert!(s.networks.contains_key(&1) && s.networks.contains_key(&3));
    for _ in 0..10_000 {
        let (_, new) = s.client((9, 10));
        s.settle(new, m, p);
    }
    assert!(s.recency.len() <= 2 * s.devices() + 1024);
    assert_eq!(s.devices(), 3);
    assert_eq!(s.evicted, 1);
}
