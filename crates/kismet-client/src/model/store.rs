//! The model's state behind its lock: networks in a hash map keyed by
//! BSSID, clients in a [`ClientTable`] keyed by (BSSID, MAC), manufacturer
//! names interned, and, once the cap is reached, a queue that finds the
//! least recently seen device.
//!
//! The store counts the bytes it holds, and evicts past a budget as past
//! its cap: see [`Store::bytes`] and [`super::bounds`].
//!
//! Per device the store keeps only fixed-size values (a network's BSSID
//! packed in a `u64`; a client's BSSID and MAC as the server writes them,
//! in four words, so that a frame's client is found without parsing its
//! MACs; times as `u64`, a manufacturer as a `u32` id); the only heap
//! allocations are a network's list of SSIDs and their names. Updating a
//! device already known allocates nothing (at the cap, the recency queue
//! grows in place and is compacted in place).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::mem::size_of;

use super::bounds::{map_buckets, map_bytes};
use super::interner::{Interner, ManufId, Name};
use super::place::{PlaceId, Places, PLACE_BYTES_PER_DEVICE};
use super::table::{Key, Slot, Table};
use kismet_protocol::decode::{mac_text, parse_mac_u48};

/// A MAC address packed in the low 48 bits of a `u64` (a cheap hash key).
pub type MacKey = u64;

/// Packs six bytes into a [`MacKey`].
pub fn mac_key(mac: [u8; 6]) -> MacKey {
    let mut b = [0u8; 8];
    b[2..].copy_from_slice(&mac);
    u64::from_be_bytes(b)
}

/// Unpacks a [`MacKey`] into six bytes.
pub fn key_mac(key: MacKey) -> [u8; 6] {
    let b = key.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// A MAC as the server writes it, `AA:BB:CC:DD:EE:FF`: its 17 bytes but
/// the middle colon, as two words, so a frame's MAC is hashed and compared
/// without being parsed. The store keeps only the canonical form (valid,
/// upper case): a frame whose bytes equal a key held is a valid MAC, and
/// only a MAC the store does not hold yet is parsed (see
/// [`Store::client_wire`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireMac([u64; 2]);

impl std::hash::Hash for WireMac {
    #[inline]
    fn hash<H: Hasher>(&self, h: &mut H) {
        h.write_u64(self.0[0]);
        h.write_u64(self.0[1]);
    }
}

impl WireMac {
    /// Its two words (a hash key: equal MACs written alike have equal
    /// words; no word of one is 0).
    #[inline]
    pub fn words(self) -> [u64; 2] {
        self.0
    }

    /// The words of a field of 17 bytes with a colon in the middle (the
    /// rest is not checked: see [`WireMac::canonical`]).
    #[inline]
    pub fn of(field: &[u8]) -> Option<WireMac> {
        let b: &[u8; 17] = field.try_into().ok()?;
        if b[8] != b':' {
            return None;
        }
        Some(WireMac::pack(b))
    }

    /// The canonical form of a MAC key: as the server writes it.
    pub fn from_key(key: MacKey) -> WireMac {
        WireMac::pack(&mac_text(key_mac(key)))
    }

    /// The two words of 17 bytes: those before the middle colon and
    /// those after it ([`WireMac::bytes`] puts them back).
    #[inline]
    fn pack(b: &[u8; 17]) -> WireMac {
        let head = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        let tail = u64::from_le_bytes([b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16]]);
        WireMac([head, tail])
    }

    /// The 17 bytes.
    fn bytes(self) -> [u8; 17] {
        let mut b = [b':'; 17];
        b[..8].copy_from_slice(&self.0[0].to_le_bytes());
        b[9..].copy_from_slice(&self.0[1].to_le_bytes());
        b
    }

    /// The MAC as a key, when the bytes are one.
    pub fn key(self) -> Option<MacKey> {
        parse_mac_u48(&self.bytes())
    }

    /// The canonical form of the same MAC, when the bytes are one.
    pub fn canonical(self) -> Option<WireMac> {
        self.key().map(WireMac::from_key)
    }
}

/// A client's key as on the wire: (BSSID, MAC).
pub type WireKey = (WireMac, WireMac);

impl Key for WireKey {
    /// No bytes at all: a key held is text, which has no zero bytes.
    const FREE: WireKey = (WireMac([0; 2]), WireMac([0; 2]));
}

/// The clients' table: see [`super::table`].
pub type ClientTable = Table<WireKey, Client, MacHash>;

/// SSIDs kept per network at most: a station probing for hundreds of names
/// (or a flood of forged probes) must not grow one device without bound.
/// Further SSIDs of that network are not recorded.
pub const MAX_SSIDS_PER_NETWORK: usize = 32;

/// One SSID of a network, from SSID frames (every value as last sent;
/// `None` until a frame carries it).
#[derive(Debug, Clone, Default)]
pub struct Ssid {
    /// The name as on the wire (octal escapes kept), at most
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES).
    pub raw: Option<Box<[u8]>>,
    /// `raw` is only the start of the name sent (see [`cut_name`](super::bounds::cut_name)).
    pub cut: bool,
    /// SSID `type` code.
    pub ssid_type: Option<u32>,
    /// `cloaked` flag.
    pub cloaked: Option<bool>,
    /// `cryptset` bit set.
    pub cryptset: Option<u64>,
    /// `maxrate`, Mbit/s.
    pub max_rate: Option<f64>,
    /// `beacons` count.
    pub beacons: Option<u64>,
    /// `lasttime`, epoch seconds.
    pub last_seen: Option<u64>,
    /// `beaconrate`: beacons a second the network announces.
    pub beacon_rate: Option<u32>,
    /// `firsttime`, epoch seconds.
    pub first_seen: Option<u64>,
    /// `packets` of this SSID.
    pub packets: Option<u64>,
}

impl Ssid {
    /// Whether an SSID frame with this type and name (either unknown when
    /// the frame does not carry it; the name as kept, see [`cut_name`](super::bounds::cut_name)) is
    /// about this entry: what is known on both sides must agree.
    pub fn matches(&self, ssid_type: Option<u32>, name: Option<&[u8]>) -> bool {
        let type_ok = match (self.ssid_type, ssid_type) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        let name_ok = match (&self.raw, name) {
            (Some(a), Some(b)) => **a == *b,
            _ => true,
        };
        type_ok && name_ok
    }
}

/// One network (a BSSID), from BSSID and SSID frames.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// BSSID `type` code.
    pub net_type: Option<u32>,
    /// `channel`.
    pub channel: Option<u32>,
    /// `manuf`, interned.
    pub manuf: ManufId,
    /// `signal_dbm`.
    pub signal_dbm: Option<i32>,
    /// `llcpackets`.
    pub llc_packets: Option<u64>,
    /// `datapackets`.
    pub data_packets: Option<u64>,
    /// `datasize`, bytes.
    pub datasize: Option<u64>,
    /// `firsttime`, epoch seconds.
    pub first_seen: Option<u64>,
    /// `lasttime`, epoch seconds.
    pub last_seen: Option<u64>,
    /// `datacryptset` bit set.
    pub data_cryptset: Option<u64>,
    /// `cryptpackets` (the detail's fields are kept as [`Known`]: 24
    /// bytes, not 48, in every network).
    pub crypt_packets: Known<u64>,
    /// `minsignal_dbm`: the weakest signal seen.
    pub min_signal_dbm: Known<i32>,
    /// `maxsignal_dbm`: the strongest signal seen.
    pub max_signal_dbm: Known<i32>,
    /// `maxseenrate`, in the server's units of 100 kbit/s.
    pub max_seen_rate: Known<u32>,
    /// `rangeip` as a number, when not `0.0.0.0`.
    pub range_ip: Known<u32>,
    /// The SSIDs seen with this BSSID (at most [`MAX_SSIDS_PER_NETWORK`]).
    pub ssids: Vec<Ssid>,
    /// When a frame last touched it (the model's frame clock).
    pub stamp: u64,
    /// Where it was seen, in the model's [`Places`]; 0: nowhere known.
    pub place: PlaceId,
}

impl Network {
    /// Bytes it holds on the heap: its SSID list (as allocated) and the
    /// SSIDs' names.
    pub fn heap_bytes(&self) -> usize {
        let names: usize = (self.ssids.iter())
            .filter_map(|s| s.raw.as_ref())
            .map(|r| r.len())
            .sum();
        self.ssids.capacity() * size_of::<Ssid>() + names
    }
}

/// One client record, keyed by (BSSID, MAC), from CLIENT frames: 64
/// bytes (with `Option`s, 104), so that more of a busy server's clients
/// stay in the processor's caches while frames stream through. Where it
/// was seen is kept apart, in the model's [`Places`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Client {
    /// CLIENT `type` code.
    pub client_type: Known<u32>,
    /// `signal_dbm`.
    pub signal_dbm: Known<i32>,
    /// `llcpackets`.
    pub llc_packets: Known<u64>,
    /// `datapackets`.
    pub data_packets: Known<u64>,
    /// `manuf`, interned.
    pub manuf: ManufId,
    /// `ip` as a number, when not `0.0.0.0`.
    pub ip: Known<u32>,
    /// `firsttime`, epoch seconds.
    pub first_seen: Known<u64>,
    /// `lasttime`, epoch seconds.
    pub last_seen: Known<u64>,
    /// When a frame last touched it (the model's frame clock).
    pub stamp: u64,
    /// Where it was seen, in the model's [`Places`]; 0: nowhere known.
    pub place: PlaceId,
}

/// A value that may not be known yet, kept in the space of the value
/// itself: the type's [`Unknown::UNKNOWN`] (its largest or smallest value,
/// which no field of the server's holds in practice) stands for "not
/// known". Half the size of an `Option<u64>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Known<T: Unknown>(T);

/// The value of a type that [`Known`] uses for "not known".
pub trait Unknown: Copy + PartialEq {
    /// "Not known".
    const UNKNOWN: Self;
}

impl Unknown for u64 {
    const UNKNOWN: u64 = u64::MAX;
}

impl Unknown for u32 {
    const UNKNOWN: u32 = u32::MAX;
}

impl Unknown for i32 {
    const UNKNOWN: i32 = i32::MIN;
}

impl<T: Unknown> Default for Known<T> {
    fn default() -> Known<T> {
        Known(T::UNKNOWN)
    }
}

impl<T: Unknown + fmt::Debug> fmt::Debug for Known<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl<T: Unknown> Known<T> {
    /// The value, when known.
    #[inline]
    pub fn get(self) -> Option<T> {
        (self.0 != T::UNKNOWN).then_some(self.0)
    }

    /// Keeps `value` when there is one (a field that did not parse leaves
    /// the last value as it was). The "not known" value itself cannot be
    /// kept: it reads back as not known.
    #[inline]
    pub fn set(&mut self, value: Option<T>) {
        if let Some(v) = value {
            self.0 = v;
        }
    }
}

/// A hasher for MAC keys: a folded multiply with a per-model random seed.
/// MACs come off the air, so the seed keeps forged addresses from being
/// chosen to collide; the multiply is much cheaper than SipHash.
#[derive(Debug, Clone, Copy)]
pub struct MacHash {
    seed: u64,
}

impl Default for MacHash {
    fn default() -> MacHash {
        MacHash {
            seed: std::hash::RandomState::new().hash_one(0x6b69_736d_6574_u64),
        }
    }
}

impl BuildHasher for MacHash {
    type Hasher = MacHasher;
    fn build_hasher(&self) -> MacHasher {
        MacHasher(self.seed)
    }
}

/// The state of one [`MacHash`] hashing.
#[derive(Debug, Clone, Copy)]
pub struct MacHasher(u64);

/// Multiplies as 128 bits and folds the halves together.
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Hasher for MacHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = fold_mul(self.0 ^ x, 0x9e37_79b9_7f4a_7c15);
    }
    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.0, 0xd6e8_feb8_6659_fd93)
    }
}

/// A client's key: (BSSID, MAC).
pub type ClientKey = (MacKey, MacKey);

/// A device in the recency queue.
#[derive(Debug, Clone, Copy)]
enum Device {
    Network(MacKey),
    Client(WireKey),
}

/// One touch of a device, in the recency queue.
#[derive(Debug, Clone, Copy)]
struct Touch {
    stamp: u64,
    device: Device,
}

/// The devices behind the model's lock, and their recency. (The
/// manufacturer [`Interner`] and the [`Places`] sit beside it, so a device
/// and they can be borrowed at once.)
#[derive(Debug)]
pub struct Store {
    /// Networks by BSSID.
    pub networks: HashMap<MacKey, Network, MacHash>,
    /// Clients by (BSSID, MAC), as on the wire.
    pub clients: ClientTable,
    /// Devices kept at most (networks + clients).
    cap: usize,
    /// Bytes kept at most, with the interner's (see [`Store::bytes`]).
    max_bytes: usize,
    /// Buckets of `networks`, the most its capacity has shown (see
    /// [`map_buckets`]).
    net_buckets: usize,
    /// Bytes the networks hold on the heap ([`Network::heap_bytes`] of
    /// them all), kept up to date by whoever grows one.
    pub heap: usize,
    /// Frame clock: one tick per frame applied.
    pub clock: u64,
    /// Devices dropped to stay under the cap or the budget.
    pub evicted: u64,
    /// Of those, the ones dropped to stay under the budget.
    pub evicted_for_bytes: u64,
    /// Every touch, oldest first; entries whose stamp is no longer their
    /// device's are stale and skipped (lazy deletion). Kept only once the
    /// cap or the budget has been reached (`queued`): below them nothing
    /// is evicted, and keeping it would cost every update a push and, now
    /// and then, a pass over the whole queue.
    recency: VecDeque<Touch>,
    /// True while `recency` is kept.
    queued: bool,
}

/// Bytes the tables of the store and the interner may take per device
/// held, at worst: each table as large as for all the devices (tables do
/// not shrink, so one may still be as large as for devices since
/// evicted), just grown; the recency queue at twice the devices before its
/// compaction, just grown.
const TABLE_BYTES_PER_DEVICE: usize =
    // A std map is at most 7/8 full, and just grown, half that.
    (size_of::<(MacKey, Network)>() + 1) * 16 / 7
        // The clients' table is at most half full, just grown a quarter.
        + size_of::<(WireKey, Client)>() * 4
        + size_of::<Touch>() * 4
        + size_of::<Name>() * 2
        + (size_of::<(Box<[u8]>, ManufId)>() + 1) * 16 / 7
        + size_of::<ManufId>() * 2
        + PLACE_BYTES_PER_DEVICE;

/// What the tables may take beyond [`TABLE_BYTES_PER_DEVICE`], whatever
/// the devices: the smallest tables, and the recency queue's slack of
/// 1024 stale entries, just grown.
const TABLE_BYTES_FIXED: usize = size_of::<(WireKey, Client)>() * 32
    + (size_of::<(MacKey, Network)>() + 1) * 16
    + (size_of::<(Box<[u8]>, ManufId)>() + 1) * 16
    + size_of::<Touch>() * 2 * 1026
    + 64;

impl Store {
    /// An empty store for at most `cap` devices (at least 1).
    #[cfg(test)]
    pub fn new(cap: usize) -> Store {
        Store::with_limits(cap, super::bounds::DEFAULT_MAX_BYTES)
    }

    /// An empty store for at most `cap` devices (at least 1) and
    /// `max_bytes` with the interner's, and no more devices than fill half
    /// of that with the tables at their largest (so that the other half
    /// is for names, and evicting devices can always bring the bytes
    /// under the budget).
    pub fn with_limits(cap: usize, max_bytes: usize) -> Store {
        let fits = (max_bytes / 2).saturating_sub(TABLE_BYTES_FIXED) / TABLE_BYTES_PER_DEVICE;
        Store {
            networks: HashMap::default(),
            clients: ClientTable::default(),
            cap: cap.min(fits).max(1),
            max_bytes,
            net_buckets: 0,
            heap: 0,
            clock: 0,
            evicted: 0,
            evicted_for_bytes: 0,
            recency: VecDeque::new(),
            queued: false,
        }
    }

    /// Devices kept at most.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Bytes kept at most, with the interner's.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Bytes the store holds on the heap: its tables as allocated (the
    /// networks' map, the clients' table, the recency queue) and the
    /// networks' SSID lists and names. Not counted: the allocator's own
    /// overhead per allocation.
    pub fn bytes(&self) -> usize {
        map_bytes(self.net_buckets, size_of::<(MacKey, Network)>())
            + self.heap
            + self.clients.bytes()
            + self.recency.capacity() * size_of::<Touch>()
    }

    /// Whether over the cap, or, with the interner's and the places',
    /// over the budget.
    #[inline]
    fn over(&self, manufs: &Interner, places: &Places) -> bool {
        self.devices() > self.cap || self.bytes() + manufs.bytes() + places.bytes() > self.max_bytes
    }

    /// Forgets every device; the clock and the eviction count carry on.
    pub fn clear(&mut self) {
        self.networks.clear();
        self.heap = 0;
        self.clients.clear();
        self.recency = VecDeque::new();
        self.queued = false;
    }

    /// Devices held: networks and client records.
    pub fn devices(&self) -> usize {
        self.networks.len() + self.clients.len()
    }

    /// The network `bssid`, created if new, stamped as just seen. Returns
    /// it and whether it is new; call [`Store::settle`] after updating it.
    pub fn network(&mut self, bssid: MacKey) -> (&mut Network, bool) {
        self.clock += 1;
        let stamp = self.clock;
        if self.queued {
            self.recency.push_back(Touch {
                stamp,
                device: Device::Network(bssid),
            });
        }
        match self.networks.entry(bssid) {
            Entry::Occupied(e) => {
                let n = e.into_mut();
                n.stamp = stamp;
                (n, false)
            }
            Entry::Vacant(e) => (
                e.insert(Network {
                    stamp,
                    ..Network::default()
                }),
                true,
            ),
        }
    }

    /// The client `key` (its MACs as a frame carries them; `hash` its hash
    /// in the table), created if new, stamped as just seen. Returns it and
    /// whether it is new; call [`Store::settle`] after updating it.
    ///
    /// Only a key not held yet is checked: `Err(None)` when it is not two
    /// MACs, `Err(Some(canonical))` when they are but not in upper case
    /// (ask again with the canonical form: one device per MAC, however it
    /// is written).
    #[inline]
    pub fn client_wire(
        &mut self,
        key: WireKey,
        hash: u64,
    ) -> Result<(&mut Client, bool), Option<WireKey>> {
        let stamp = self.clock + 1;
        let (client, added) = match self.clients.find(&key, hash).ok_or(None)? {
            Slot::Held(i) => {
                let c = self.clients.at(i);
                c.stamp = stamp;
                (c, false)
            }
            Slot::Free(i) => {
                let (bssid, mac) = key;
                let canonical = bssid.canonical().zip(mac.canonical()).ok_or(None)?;
                if canonical != key {
                    return Err(Some(canonical));
                }
                let new = Client {
                    stamp,
                    ..Client::default()
                };
                (self.clients.insert(i, key, new), true)
            }
        };
        self.clock = stamp;
        if self.queued {
            self.recency.push_back(Touch {
                stamp,
                device: Device::Client(key),
            });
        }
        Ok((client, added))
    }

    /// The client `(bssid, mac)` (see [`Store::client_wire`]).
    #[cfg(test)]
    pub fn client(&mut self, key: ClientKey) -> (&mut Client, bool) {
        let wire = (WireMac::from_key(key.0), WireMac::from_key(key.1));
        let hash = self.clients.hash(&wire);
        self.client_wire(wire, hash).expect("canonical keys")
    }

    /// After a device was touched (`changed`: it is new, or holds more
    /// bytes than before): evicts the least recently seen devices while
    /// over the cap or the budget, letting go of their manufacturer names
    /// in `manufs` and their places in `places`, and compacts the recency
    /// queue once stale entries outnumber live ones.
    #[inline]
    pub fn settle(&mut self, changed: bool, manufs: &mut Interner, places: &mut Places) {
        // The common case, under the cap and the budget: an update that
        // holds nothing more, nothing to do.
        if changed || self.queued {
            self.settle_slow(manufs, places);
        }
    }

    /// [`Store::settle`] when a device changed or the queue is kept.
    fn settle_slow(&mut self, manufs: &mut Interner, places: &mut Places) {
        self.net_buckets = self.net_buckets.max(map_buckets(self.networks.capacity()));
        if self.over(manufs, places) {
            if !self.queued {
                self.build_queue();
            }
            // The device just touched is the last one evicted: keep it.
            while self.over(manufs, places) && self.devices() > 1 {
                let Some(t) = self.recency.pop_front() else {
                    break;
                };
                if self.is_current(&t) {
                    let for_bytes = self.devices() <= self.cap;
                    let held = match t.device {
                        Device::Network(bssid) => self.networks.remove(&bssid).map(|n| {
                            self.heap -= n.heap_bytes();
                            (n.manuf, n.place)
                        }),
                        Device::Client(key) => {
                            self.clients.remove(&key).map(|c| (c.manuf, c.place))
                        }
                    };
                    let (manuf, place) = held.unwrap_or((0, 0));
                    manufs.release(manuf);
                    places.release(place);
                    self.evicted += 1;
                    self.evicted_for_bytes += u64::from(for_bytes);
                }
            }
        }
        if self.queued && self.recency.len() > 2 * self.devices() + 1024 {
            let (networks, clients) = (&self.networks, &self.clients);
            self.recency.retain(|t| current(networks, clients, t));
        }
    }

    /// Starts keeping the recency queue: every device once, by the stamp
    /// of its last touch (the order the queue would have had all along).
    fn build_queue(&mut self) {
        let nets = self.networks.iter().map(|(&bssid, n)| Touch {
            stamp: n.stamp,
            device: Device::Network(bssid),
        });
        let clients = self.clients.iter().map(|(&key, c)| Touch {
            stamp: c.stamp,
            device: Device::Client(key),
        });
        let mut all: Vec<Touch> = nets.chain(clients).collect();
        all.sort_unstable_by_key(|t| t.stamp);
        self.recency = all.into();
        self.queued = true;
    }

    /// Whether a queue entry is its device's latest touch.
    fn is_current(&self, t: &Touch) -> bool {
        current(&self.networks, &self.clients, t)
    }
}

/// Whether a queue entry is its device's latest touch (a free function so
/// `retain` can borrow the maps while the queue is borrowed mutably).
fn current(networks: &HashMap<MacKey, Network, MacHash>, clients: &ClientTable, t: &Touch) -> bool {
    match t.device {
        Device::Network(bssid) => networks.get(&bssid).is_some_and(|n| n.stamp == t.stamp),
        Device::Client(key) => clients.get(&key).is_some_and(|c| c.stamp == t.stamp),
    }
}

#[cfg(test)]
mod tests;
