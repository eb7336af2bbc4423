//! Manufacturer names, interned: devices hold a small id, each name is
//! kept once while a device holds it, and freed when none does (see
//! [`Interner`]).

use std::collections::HashMap;
use std::mem::size_of;
use std::sync::Arc;

use super::bounds::{arc_str_bytes, cut_name, map_buckets, map_bytes, CUT_MARKER};

/// A manufacturer: an index into the [`Interner`]; 0 is unknown.
pub type ManufId = u32;

/// Manufacturer names, each kept once while a device holds it: devices
/// hold a [`ManufId`], and a name no device holds any more is freed (its
/// id is given to the next new name). So a server that sends a new name
/// with every device cannot grow it beyond the devices held.
#[derive(Debug)]
pub struct Interner {
    /// Raw bytes (as kept: see [`cut_name`]) to id.
    ids: HashMap<Box<[u8]>, ManufId>,
    /// By id. Id 0 is the unknown manufacturer; a free id has no bytes.
    names: Vec<Name>,
    /// Ids of freed names, for reuse.
    free: Vec<ManufId>,
    /// Buckets of `ids`, the most its capacity has shown (see
    /// [`map_buckets`]: a std map does not shrink, and its capacity dips
    /// below its buckets' as removals leave tombstones).
    ids_buckets: usize,
    /// Bytes of the names held: the raw bytes (in `names` and as a key of
    /// `ids`) and the names as text.
    text: usize,
}

/// One manufacturer name of an [`Interner`].
#[derive(Debug)]
pub struct Name {
    /// The bytes kept, at most [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES);
    /// none for a free id.
    raw: Box<[u8]>,
    /// The name as text (not sanitised), ending in [`CUT_MARKER`] when
    /// cut.
    text: Arc<str>,
    /// `raw` is only the start of the name sent.
    cut: bool,
    /// Devices holding it.
    refs: u32,
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            ids: HashMap::new(),
            names: vec![Name {
                raw: Box::default(),
                text: Arc::from(""),
                cut: false,
                refs: 0,
            }],
            free: Vec::new(),
            ids_buckets: 0,
            text: 0,
        }
    }
}

impl Interner {
    /// The id of a manufacturer field's bytes for a device that holds
    /// `current`: `current` again when it already names them (the common
    /// case: no hashing), 0 for a blank field (the device keeps
    /// `current`). Any other id is the device's from now on: it is held
    /// for the device, and `current` let go. A name longer than
    /// [`MAX_NAME_BYTES`](super::MAX_NAME_BYTES) is kept cut: names that
    /// start alike that far are one.
    pub fn intern(&mut self, current: ManufId, raw: &[u8]) -> ManufId {
        let (raw, cut) = cut_name(raw);
        if self
            .names
            .get(current as usize)
            .is_some_and(|n| *n.raw == *raw)
            && current != 0
        {
            return current;
        }
        if raw.iter().all(|&b| b == b' ') {
            return 0;
        }
        let id = match self.ids.get(raw) {
            Some(&id) => id,
            None => match self.add(raw, cut) {
                Some(id) => id,
                None => return 0,
            },
        };
        if let Some(n) = self.names.get_mut(id as usize) {
            n.refs += 1;
        }
        self.release(current);
        id
    }

    /// Keeps a new name, held by no device yet; `None` when there are no
    /// ids left (never, with fewer than 2^32 devices).
    fn add(&mut self, raw: &[u8], cut: bool) -> Option<ManufId> {
        // The name as text (not sanitised: front ends do that for a
        // terminal, and JSON escapes what it must).
        let mut shown = String::from_utf8_lossy(raw).into_owned();
        if cut {
            shown.push_str(CUT_MARKER);
        }
        let name = Name {
            raw: raw.into(),
            text: Arc::from(shown.as_str()),
            cut,
            refs: 0,
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.names[id as usize] = name;
                id
            }
            None => {
                let id = ManufId::try_from(self.names.len()).ok()?;
                self.names.push(name);
                id
            }
        };
        self.ids.insert(raw.into(), id);
        self.ids_buckets = self.ids_buckets.max(map_buckets(self.ids.capacity()));
        self.text += name_bytes(raw.len(), shown.len());
        Some(id)
    }

    /// A device that held `id` lets it go (it was evicted, or now holds
    /// another): the name is freed when no device holds it any more.
    pub fn release(&mut self, id: ManufId) {
        if id == 0 {
            return;
        }
        let Some(n) = self.names.get_mut(id as usize).filter(|n| n.refs > 0) else {
            return;
        };
        n.refs -= 1;
        if n.refs == 0 {
            let raw = std::mem::take(&mut n.raw);
            n.cut = false;
            self.text -= name_bytes(raw.len(), n.text.len());
            self.ids.remove(&raw);
            self.free.push(id);
            self.names[id as usize].text = self.names[0].text.clone();
        }
    }

    /// Forgets every name (every device was forgotten).
    pub fn clear(&mut self) {
        *self = Interner::default();
    }

    /// Names held (by at least one device).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Bytes it holds on the heap: its tables as allocated and the names.
    pub fn bytes(&self) -> usize {
        self.names.capacity() * size_of::<Name>()
            + map_bytes(self.ids_buckets, size_of::<(Box<[u8]>, ManufId)>())
            + self.free.capacity() * size_of::<ManufId>()
            + self.text
    }

    /// [`Interner::bytes`] counted again from the names, for tests of the
    /// running count.
    #[cfg(test)]
    pub fn recount(&self) -> usize {
        let text: usize = (self.names.iter().skip(1))
            .filter(|n| n.refs > 0)
            .map(|n| name_bytes(n.raw.len(), n.text.len()))
            .sum();
        self.bytes() - self.text + text
    }

    /// The names as text by id, each with whether it was cut (cloned
    /// for a snapshot: one `Arc` each).
    pub fn shown(&self) -> Vec<(Arc<str>, bool)> {
        self.names.iter().map(|n| (n.text.clone(), n.cut)).collect()
    }

    /// The names as text by id.
    #[cfg(test)]
    pub fn texts(&self) -> Vec<Arc<str>> {
        self.names.iter().map(|n| n.text.clone()).collect()
    }
}

/// Bytes of one interned name on the heap: its raw bytes twice (the
/// record's and the key's) and its text.
fn name_bytes(raw: usize, text: usize) -> usize {
    2 * raw + arc_str_bytes(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interning reuses ids, keeps blank names unknown and keeps the text
    /// as sent (an ESC stays an ESC: front ends sanitise).
    #[test]
    fn interner_reuses_ids() {
        let mut i = Interner::default();
        let a = i.intern(0, b"Netgear");
        assert_eq!(i.intern(a, b"Netgear"), a);
        assert_eq!(i.intern(0, b"Netgear"), a);
        let b = i.intern(a, b"Intel\x1b[2J");
        assert_ne!(a, b);
        assert_eq!(i.intern(b, b" "), 0);
        assert_eq!(i.intern(b, b""), 0);
        assert_eq!(&*i.texts()[b as usize], "Intel\x1b[2J");
    }

    /// A name is kept while a device holds it: freed with its last
    /// holder, its id then given to the next new name.
    #[test]
    fn interner_frees_names_no_device_holds() {
        let mut i = Interner::default();
        let a = i.intern(0, b"Netgear");
        assert_eq!(i.intern(0, b"Netgear"), a, "a second device");
        let b = i.intern(a, b"Intel");
        assert_eq!(i.len(), 2, "the other device still holds Netgear");
        i.release(a);
        assert_eq!(i.len(), 1);
        assert_eq!(&*i.texts()[a as usize], "");
        // Released again (or never held): nothing happens.
        i.release(a);
        i.release(0);
        let c = i.intern(0, b"Apple");
        assert_eq!(c, a, "the freed id is reused");
        assert_eq!(&*i.texts()[c as usize], "Apple");
        assert_eq!(i.intern(0, b"Intel"), b);
        i.release(b);
        i.release(b);
        i.release(c);
        assert_eq!(i.len(), 0);
        assert_eq!(i.names.len(), 3);
        assert_eq!(i.free.len(), 2);
    }
}
