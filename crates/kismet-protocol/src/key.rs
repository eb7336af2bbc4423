//! Which fields of a frame identify a device, for "only new or changed".

/// The indexes of the fields that identify a device in a frame whose fields
/// are `fields`: `bssid` and `mac` when present (both when both, in field
/// order), else the first field; none for an empty list. Names match in any
/// case.
///
/// # Examples
/// ```
/// use kismet_protocol::device_key_index;
/// let names = |s: &str| s.split(',').map(String::from).collect::<Vec<_>>();
/// assert_eq!(device_key_index(&names("bssid,mac,signal_dbm")), [0, 1]);
/// assert_eq!(device_key_index(&names("ssid,mac")), [1]);
/// assert_eq!(device_key_index(&names("lat,lon")), [0]);
/// ```
pub fn device_key_index(fields: &[String]) -> Vec<usize> {
    let find = |name: &str| fields.iter().position(|f| f.eq_ignore_ascii_case(name));
    let mut key: Vec<usize> = [find("bssid"), find("mac")].into_iter().flatten().collect();
    key.sort_unstable();
    if key.is_empty() && !fields.is_empty() {
        key.push(0);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bssid and mac when present, else the first field, else nothing.
    #[test]
    fn key_table() {
        let cases: &[(&str, &[usize])] = &[
            ("bssid,mac,signal_dbm", &[0, 1]),
            ("mac,type,bssid", &[0, 2]),
            ("ssid,mac", &[1]),
            ("bssid,channel", &[0]),
            ("signal_dbm,BSSID", &[1]),
            ("lat,lon,alt", &[0]),
            ("", &[]),
        ];
        for (list, want) in cases {
            let fields: Vec<String> = list
                .split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            assert_eq!(device_key_index(&fields), *want, "{list:?}");
        }
    }
}
