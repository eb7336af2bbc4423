//! The clients' hash table ([`super::store::ClientTable`]): open
//! addressing with linear probing, so that where a key's record sits is
//! known from its hash alone. The model applies frames parsed on another
//! core, about clients it last saw thousands of frames ago (their records
//! long out of the cache): it hashes the key of a frame a few places ahead
//! and asks for its record ([`Table::prefetch`]) before it gets there. A
//! general-purpose map cannot say where a key's record is without reading
//! its own control bytes first, which is the wait this avoids.
//!
//! At most half the slots are used (the table doubles past it); a record
//! removed is filled by shifting back the records after it (no
//! tombstones). Keys are hashed with the table's [`BuildHasher`] (the
//! model's is seeded).

use std::hash::{BuildHasher, Hash};

/// A key of a [`Table`], with a value that no key held ever has, which
/// marks a free slot.
pub trait Key: Copy + Eq + Hash {
    /// The free slot's key.
    const FREE: Self;
}

/// Slots of the smallest table that holds anything.
const MIN_SLOTS: usize = 16;

/// Records by key (see the module's documentation).
#[derive(Debug)]
pub struct Table<K, V, S> {
    /// A power of two of them, or none before the first insert.
    slots: Vec<(K, V)>,
    /// Slots in use.
    len: usize,
    hasher: S,
}

impl<K, V, S: Default> Default for Table<K, V, S> {
    /// An empty table (no slots until the first insert).
    fn default() -> Table<K, V, S> {
        Table {
            slots: Vec::new(),
            len: 0,
            hasher: S::default(),
        }
    }
}

/// Where a key is, or would go.
pub enum Slot {
    /// Held, at this index.
    Held(usize),
    /// Not held; this free index is where it would go.
    Free(usize),
}

impl<K: Key, V: Copy + Default, S: BuildHasher> Table<K, V, S> {
    /// Records held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes of its slots, as allocated.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<(K, V)>()
    }

    /// Forgets every record and frees the slots.
    pub fn clear(&mut self) {
        self.slots = Vec::new();
        self.len = 0;
    }

    /// The hash of a key (the same for the life of the table).
    #[inline]
    pub fn hash(&self, key: &K) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The slot a hash starts its probe at (the table is not empty).
    #[inline]
    fn home(&self, hash: u64) -> usize {
        (hash as usize) & (self.slots.len() - 1)
    }

    /// Asks the processor's cache for the slot a key of this hash starts
    /// its probe at: where its record is, almost always. Only a hint.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        if !self.slots.is_empty() {
            crate::cache::prefetch_value(&self.slots[self.home(hash)]);
        }
    }

    /// Where `key` (of hash `hash`) is held, or the free slot it would go
    /// to; `None` while the table has no slots, and for the free slot's
    /// key, which is never held (a key made of bytes off the network may
    /// be it).
    #[inline]
    fn probe(&self, key: &K, hash: u64) -> Option<Slot> {
        if self.slots.is_empty() || *key == K::FREE {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        // At most half the slots are used: the probe meets a free one.
        loop {
            let k = &self.slots[i].0;
            if k == key {
                return Some(Slot::Held(i));
            }
            if *k == K::FREE {
                return Some(Slot::Free(i));
            }
            i = (i + 1) & mask;
        }
    }

    /// Where `key` (of hash `hash`) is, or would go once
    /// [`Table::insert`]ed (which may move everything: find again after
    /// another insert); `None` for the free slot's key, which cannot be
    /// held.
    #[inline]
    pub fn find(&mut self, key: &K, hash: u64) -> Option<Slot> {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        // `grow` made slots: `None` is only for the free slot's key.
        self.probe(key, hash)
    }

    /// The record at a held index.
    #[inline]
    pub fn at(&mut self, index: usize) -> &mut V {
        &mut self.slots[index].1
    }

    /// Puts a record in the free slot [`Table::find`] returned for
    /// its key, and returns it.
    #[inline]
    pub fn insert(&mut self, free: usize, key: K, value: V) -> &mut V {
        debug_assert!(self.slots[free].0 == K::FREE);
        self.slots[free] = (key, value);
        self.len += 1;
        &mut self.slots[free].1
    }

    /// The record of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        match self.probe(key, self.hash(key))? {
            Slot::Held(i) => Some(&self.slots[i].1),
            Slot::Free(_) => None,
        }
    }

    /// Forgets the record of `key`: the records after it in its run that
    /// may move back are moved back, so every probe still finds its key.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let Slot::Held(mut hole) = self.probe(key, self.hash(key))? else {
            return None;
        };
        let removed = self.slots[hole].1;
        let mask = self.slots.len() - 1;
        let mut j = (hole + 1) & mask;
        while self.slots[j].0 != K::FREE {
            let home = self.home(self.hash(&self.slots[j].0));
            // The record at j may fill the hole when the hole lies on its
            // probe, between its home and j.
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                self.slots[hole] = self.slots[j];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = (K::FREE, V::default());
        self.len -= 1;
        Some(removed)
    }

    /// Every record and its key, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        (self.slots.iter())
            .filter(|(k, _)| *k != K::FREE)
            .map(|(k, c)| (k, c))
    }

    /// Doubles the slots (or makes the first ones) and puts every record
    /// back.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(MIN_SLOTS);
        let old = std::mem::replace(&mut self.slots, vec![(K::FREE, V::default()); size]);
        for (key, value) in old.into_iter().filter(|(k, _)| *k != K::FREE) {
            // The keys held are distinct: each meets a free slot.
            if let Some(Slot::Free(i)) = self.probe(&key, self.hash(&key)) {
                self.slots[i] = (key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::hash::{BuildHasherDefault, DefaultHasher, Hasher};

    use super::*;

    impl Key for u64 {
        const FREE: u64 = u64::MAX;
    }

    /// A hash that is the key itself, so a test chooses where keys land:
    /// keys that share their low bits share a home slot.
    #[derive(Default)]
    struct Identity(u64);

    impl Hasher for Identity {
        fn write(&mut self, _: &[u8]) {
            unreachable!("keys are u64")
        }
        fn write_u64(&mut self, x: u64) {
            self.0 = x;
        }
        fn finish(&self) -> u64 {
            self.0
        }
    }

    fn put<S: BuildHasher>(t: &mut Table<u64, u64, S>, k: u64, v: u64) {
        let hash = t.hash(&k);
        match t.find(&k, hash).expect("not the free key") {
            Slot::Held(i) => *t.at(i) = v,
            Slot::Free(i) => {
                t.insert(i, k, v);
            }
        }
    }

    /// Against a std HashMap: inserts, updates and removes in a mixed
    /// order leave the same contents, through growth; once with a real
    /// hash, once with keys crowded onto a few home slots (long runs, and
    /// runs that wrap past the last slot, so removals shift records back).
    fn agrees<S: BuildHasher + Default>(keys: u64, spread: impl Fn(u64) -> u64) {
        let mut t: Table<u64, u64, S> = Table::default();
        let mut m = HashMap::new();
        // A small generator: the same sequence every run.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..20_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let k = spread(x % keys);
            if x.is_multiple_of(3) {
                assert_eq!(t.remove(&k), m.remove(&k), "step {step}");
            } else {
                put(&mut t, k, step);
                m.insert(k, step);
            }
            assert_eq!(t.len(), m.len());
        }
        for (k, v) in &m {
            assert_eq!(t.get(k), Some(v));
        }
        let mut held: Vec<_> = t.iter().map(|(k, v)| (*k, *v)).collect();
        let mut want: Vec<_> = m.into_iter().collect();
        held.sort_unstable();
        want.sort_unstable();
        assert_eq!(held, want);
        assert!(t.slots.len() >= 2 * t.len());
        // The free slot's key is never found, nor taken for a free slot's.
        let free = u64::FREE;
        assert!(t.find(&free, t.hash(&free)).is_none());
        assert!(t.get(&free).is_none() && t.remove(&free).is_none());
        assert_eq!(t.len(), t.iter().count());
        t.clear();
        assert_eq!((t.len(), t.iter().count()), (0, 0));
        assert!(t.get(&1).is_none() && t.remove(&1).is_none());
    }

    #[test]
    fn agrees_with_a_hash_map() {
        agrees::<BuildHasherDefault<DefaultHasher>>(3_000, |k| k);
    }

    #[test]
    fn agrees_with_a_hash_map_when_keys_collide() {
        // Homes 0 and the last few slots of a small table: every key's
        // home is one of four, whatever the table's size.
        agrees::<BuildHasherDefault<Identity>>(200, |k| {
            (k << 20) | (k % 4).wrapping_sub(2) & 0xfffff
        });
    }
}
